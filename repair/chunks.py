"""Cutting a long text into pieces that are repaired one by one.

The glossary pass looks at one line at a time (sentence windows never cross a line
break) but its cost grows faster than linearly with the length of a line and of a text.
A long record is therefore repaired in pieces and the pieces' edits shifted back.

Where the pieces are cut decides whether the result is the same as repairing the whole:

1. after an empty line ("\\n\\n"): exact, since nothing the glossary does crosses a blank line;
2. after a line break between two lines of at least :data:`LONG_NEIGHBOUR` characters:
   exact too (only whole-line "furniture" rules look at neighbouring lines, and such
   lines are short);
3. after any line break;
4. inside a line longer than ``max_line``: before a sentence (a boundary of the one sentence
   segmenter, :func:`repair.segment.sentence_starts`), else after a run of whitespace. The
   piece then reads as a line by itself, so its sentences are those of the whole line; only
   the judge's window, which stops at a line break, loses the sentence before the cut; and
5. never inside a word.

>>> text = "One.\\n\\nTwo.\\n" * 3
>>> pieces = split_text(text, max_chars=12, max_line=8)
>>> "".join(pieces) == text, pieces[:2]
(True, ['One.\\n\\n', 'Two.\\nOne.\\n\\n'])
"""
from __future__ import annotations

import re

from .segment import sentence_starts

#: Pieces hold at most this many characters (unless a single word is longer).
MAX_CHARS = 65_536
#: Lines longer than this are cut at sentence boundaries.
MAX_LINE = 4_096
#: Lines at least this long are never furniture, so a cut between two of them is exact.
LONG_NEIGHBOUR = 100

_SENTENCE_WINDOW = 2_000
_SPACE = re.compile(r"[ \t\n]")


def split_text(text: str, max_chars: int = MAX_CHARS, max_line: int = MAX_LINE) -> list[str]:
    """``text`` cut into pieces (their concatenation is ``text``)."""
    points = split_points(text, max_chars, max_line)
    return [text[a:b] for a, b in zip(points, points[1:])]


def split_points(text: str, max_chars: int = MAX_CHARS, max_line: int = MAX_LINE) -> list[int]:
    """Offsets ``[0, ..., len(text)]`` of the cuts."""
    n = len(text)
    if n <= max_line or (n <= max_chars and _longest_line(text, 0, n) <= max_line):
        return [0, n]
    points = [0]
    pos = 0
    while pos < n:
        cut = _next_cut(text, pos, max_chars, max_line)
        points.append(cut)
        pos = cut
    return points


def _longest_line(text: str, start: int, end: int) -> int:
    longest = 0
    p = start
    while p < end:
        nl = text.find("\n", p, end)
        e = end if nl < 0 else nl
        longest = max(longest, e - p)
        p = e + 1
    return longest


def _next_cut(text: str, pos: int, max_chars: int, max_line: int) -> int:
    n = len(text)
    if n - pos > max_line and text.find("\n", pos, pos + max_line + 1) < 0:
        return _cut_in_line(text, pos, max_line)  # a long line (or rest of one) starts here
    limit = min(n, pos + max_chars)
    if limit == n and _longest_line(text, pos, n) <= max_line:
        return n
    # whole lines from pos, up to limit, stopping before a long line
    ends: list[int] = []  # positions just after a "\n"
    p = pos
    while p < limit:
        nl = text.find("\n", p, p + max_line + 1)
        if nl < 0:
            if n - p > max_line:
                ends.append(p)  # a long line starts here: cut before it
            break
        if nl >= limit:
            break
        ends.append(nl + 1)
        p = nl + 1
    if not ends or ends[-1] == pos:
        return _cut_in_line(text, pos, max_line)
    if ends[-1] == p and n - p > max_line and text.find("\n", p, p + max_line + 1) < 0:
        return ends[-1]
    floor = pos + max_chars // 4
    for c in reversed(ends):  # 1. after an empty line
        if c < floor:
            break
        if c >= 2 and (text[c - 2] == "\n" or text[c - 3:c - 1] == "\n\r"):
            return c
    for c in reversed(ends):  # 2. between two long lines
        if c < floor:
            break
        if _line_len_before(text, c) >= LONG_NEIGHBOUR and _line_len_after(text, c) >= LONG_NEIGHBOUR:
            return c
    return ends[-1]  # 3. after any line break


def exact_cuts(text: str, min_chars: int) -> list[int]:
    """Offsets ``[0, ..., len(text)]`` that cut ``text`` (a piece :func:`split_points` leaves
    whole) only where a cut changes nothing (1 and 2 above: after an empty line, or between two
    lines of at least :data:`LONG_NEIGHBOUR` characters), into pieces of at least ``min_chars``
    characters but the last. Front ends use them to report progress within a long document.

    >>> text = "One.\\n\\nTwo.\\nThree.\\n\\nFour."
    >>> exact_cuts(text, 4)
    [0, 6, 19, 24]
    """
    points = [0]
    n = len(text)
    nl = text.find("\n")
    while 0 <= nl < n - 1:
        c = nl + 1
        if c - points[-1] >= min_chars and (
                (c >= 2 and (text[c - 2] == "\n" or text[c - 3:c - 1] == "\n\r"))
                or (_line_len_before(text, c) >= LONG_NEIGHBOUR and _line_len_after(text, c) >= LONG_NEIGHBOUR)):
            points.append(c)
        nl = text.find("\n", c)
    if points[-1] != n:
        points.append(n)
    return points


def _line_len_before(text: str, c: int) -> int:
    """Length of the line that ends with the "\n" at ``c - 1`` (up to LONG_NEIGHBOUR)."""
    start = text.rfind("\n", max(0, c - 1 - LONG_NEIGHBOUR), c - 1)
    return c - 1 - (start + 1) if start >= 0 else min(c - 1, LONG_NEIGHBOUR)


def _line_len_after(text: str, c: int) -> int:
    nl = text.find("\n", c, c + LONG_NEIGHBOUR)
    return (nl - c) if nl >= 0 else min(len(text) - c, LONG_NEIGHBOUR)


def _cut_in_line(text: str, pos: int, max_line: int) -> int:
    """A cut inside the long line that runs from ``pos``."""
    limit = pos + max_line
    floor = pos + max_line // 4
    cut = _sentence_cut(text, max(floor, limit - _SENTENCE_WINDOW), limit)
    if cut is None:
        cut = _space_cut(text, floor, limit)
    if cut is None:  # no space in the window: the next space or line break after it, else the end
        m = _SPACE.search(text, limit)
        cut = m.end() if m else len(text)
    return cut


def _sentence_cut(text: str, start: int, end: int) -> int | None:
    """The start of the last sentence that begins in ``text[start:end]``."""
    starts = [c for c in sentence_starts(text, start, end) if c < end]
    return starts[-1] if starts else None


def _space_cut(text: str, start: int, end: int) -> int | None:
    """Just after the last space or tab in ``text[start:end]``."""
    i = max(text.rfind(" ", start, end), text.rfind("\t", start, end))
    return i + 1 if i >= 0 else None
