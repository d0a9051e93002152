"""Word-level alignment of a text with its edited version, as edits with character offsets.

The two texts are cut into tokens (runs of word characters, and single punctuation
characters; whitespace is not a token) and aligned with :class:`difflib.SequenceMatcher`.
Tokens the alignment pairs up (equal ones, and one-for-one substitutions) are anchors;
whatever lies between two consecutive anchors (tokens and whitespace) is compared as a
whole, and where it differs it becomes one edit, trimmed of the whitespace both sides
share. So a change of spacing alone ("7 %" -> "7%")
is an edit, and a deleted line of page furniture is one edit that includes its line break.

Both the reference (source -> reference) and a system's output (source -> output) are
aligned with the same procedure, so where the output matches the reference locally the
two give the same edit — the basis of edit-level precision and recall (as in M2/ERRANT).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True, order=True)
class Span:
    """``source[start:end]`` (``before``) is replaced by ``after``; ``start == end`` is an insertion."""

    start: int
    end: int
    before: str
    after: str

    def key(self) -> tuple[int, int, str]:
        """What two edits must share to be the same edit: the source span and the correction."""
        return (self.start, self.end, self.after)


def tokens(text: str) -> list[tuple[int, int]]:
    """Character spans of the word and punctuation tokens of ``text``.

    >>> t = "It rose 7 %."
    >>> [t[a:b] for a, b in tokens(t)]
    ['It', 'rose', '7', '%', '.']
    """
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


def count_words(text: str) -> int:
    """Number of word and punctuation tokens (the unit of "words changed").

    >>> count_words("It rose 7 %.")
    5
    """
    return sum(1 for _ in _TOKEN.finditer(text))


def align(source: str, target: str) -> list[Span]:
    """The edits that turn ``source`` into ``target``, in source order, non-overlapping.

    A run of replaced tokens with as many tokens on each side is split into one edit per
    token pair, so that fixing one of two neighbouring errors still counts.

    >>> [(e.before, e.after) for e in align("The IA fleas rose 7 %.", "The AI chips rose 7%.")]
    [('IA', 'AI'), ('fleas', 'chips'), (' ', '')]
    >>> [(e.before, e.after) for e in align("the point of sale", "the outlet")]
    [('point of sale', 'outlet')]
    >>> align("same", "same")
    []
    """
    if source == target:
        return []
    a_tok, b_tok = tokens(source), tokens(target)
    a_str = [source[s:e] for s, e in a_tok]
    b_str = [target[s:e] for s, e in b_tok]
    matcher = SequenceMatcher(None, a_str, b_str, autojunk=False)
    pairs: list[tuple[int, int]] = []  # (index in a_tok, index in b_tok): matched or substituted 1:1
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal" or (op == "replace" and i2 - i1 == j2 - j1):
            pairs.extend(zip(range(i1, i2), range(j1, j2)))
    edits: list[Span] = []
    a_prev, b_prev = 0, 0  # end of the previous pair's tokens in each text
    for i, j in pairs:
        (a_s, a_e), (b_s, b_e) = a_tok[i], b_tok[j]
        for span in (_trimmed(source, a_prev, a_s, target, b_prev, b_s),
                     _trimmed(source, a_s, a_e, target, b_s, b_e)):
            if span is not None:
                edits.append(span)
        a_prev, b_prev = a_e, b_e
    last = _trimmed(source, a_prev, len(source), target, b_prev, len(target))
    if last is not None:
        edits.append(last)
    return edits


def _trimmed(source: str, a0: int, a1: int, target: str, b0: int, b1: int) -> Span | None:
    """The edit ``source[a0:a1] -> target[b0:b1]`` without the whitespace both ends share."""
    a, b = source[a0:a1], target[b0:b1]
    if a == b:
        return None
    lead = 0
    while lead < min(len(a), len(b)) and a[lead] == b[lead] and a[lead].isspace():
        lead += 1
    trail = 0
    while (trail < min(len(a), len(b)) - lead and a[len(a) - 1 - trail] == b[len(b) - 1 - trail]
           and a[len(a) - 1 - trail].isspace()):
        trail += 1
    start, end = a0 + lead, a1 - trail
    return Span(start, end, source[start:end], b[lead:len(b) - trail])


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Whether two source spans overlap; an insertion (empty span) overlaps a span it
    touches or lies in.

    >>> overlaps(0, 3, 3, 5), overlaps(0, 3, 2, 5), overlaps(3, 3, 0, 3), overlaps(4, 4, 0, 3)
    (False, True, True, False)
    """
    if a_start == a_end or b_start == b_end:
        return b_start <= a_start <= b_end if a_start == a_end else a_start <= b_start <= a_end
    return a_start < b_end and b_start < a_end
