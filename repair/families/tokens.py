"""Words with offsets, and the sentences of a text, for the families' pattern checks."""
from __future__ import annotations

import re
from dataclasses import dataclass

# a word keeps inner hyphens, apostrophes, decimal points and thousands separators
# ("state-owned", "Nvidia’s", "1.5C", "12,000"); any other non-space character is a token of its own
_TOKEN = re.compile(r"\w+(?:[-'’.,]\w+)*|[^\w\s]")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalnum() or self.text[:1] == "_"

    @property
    def is_cap(self) -> bool:
        return self.text[:1].isupper()


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of ``text[start:end]`` with offsets into ``text``.

    >>> [t.text for t in tokenize("Nvidia’s state-owned rival fell 1.5%, it said.")]
    ['Nvidia’s', 'state-owned', 'rival', 'fell', '1.5', '%', ',', 'it', 'said', '.']
    """
    end = len(text) if end is None else end
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]


def index_at(tokens: list[Token], pos: int) -> int | None:
    """Index of the token starting at character ``pos``."""
    lo, hi = 0, len(tokens)
    while lo < hi:
        mid = (lo + hi) // 2
        if tokens[mid].start < pos:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo < len(tokens) and tokens[lo].start == pos else None


def sentences(text: str, spans: list[tuple[int, int]] | None) -> list[tuple[int, int]]:
    if spans is None:
        from ..segment import sentence_spans

        spans = sentence_spans(text)
    return spans


def capitalise_first(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def lower_first(word: str) -> str:
    """``word`` as it would be written inside a sentence: a capitalised common word is lowered,
    names and acronyms keep their case ("The" -> "the", "Nvidia" -> "Nvidia", "AI" -> "AI")."""
    from .lexicon import pos

    if not word[:1].isupper() or (len(word) > 1 and word[1:2].isupper()):
        return word
    return word[:1].lower() + word[1:] if pos(word.lower()) else word


def sentence_case(before: str, after: str, at_sentence_start: bool) -> str:
    """Case for a rewritten span: at the start of a sentence its first word is capitalised and
    the word that used to come first is lowered (unless it is a name or an acronym)."""
    if not at_sentence_start or not before[:1].isupper():
        return after
    first_before = before.split()[0]
    if after.split()[0] == first_before:
        return after
    words = after.split(" ")
    words = [lower_first(w) if w == first_before else w for w in words]
    return capitalise_first(" ".join(words))


def sentences_matching(text: str, spans: list[tuple[int, int]], trigger) -> list[tuple[int, int]]:
    """The sentences of ``spans`` in which the regular expression ``trigger`` matches: one scan
    of the whole text, so that a family's patterns run only where they can fire."""
    import bisect

    starts = [a for a, _ in spans]
    hit: list[tuple[int, int]] = []
    seen = -1
    for m in trigger.finditer(text):
        k = bisect.bisect_right(starts, m.start()) - 1
        if k > seen and k >= 0 and m.start() < spans[k][1]:
            hit.append(spans[k])
            seen = k
    return hit


def apostrophe(text: str) -> str:
    """The apostrophe a new possessive takes in ``text``: the one the text already uses, else
    the typographic one (as news copy has it)."""
    if "’" in text:
        return "’"
    return "'" if re.search(r"\w'\w", text) else "’"
