"""Lines, sentences and word windows, with offsets into the original text.

One sentence segmenter serves the whole library: glossary context windows
(:func:`sentence_around`), the judge's and the post-editor's windows and the garble score
(:func:`sentence_spans`), and the cuts of very long lines (:func:`sentence_starts`, used by
:mod:`repair.chunks`). It is a boundary scan with one abbreviation list
(:data:`ABBREVIATIONS`):
a run of ``.``, ``!``, ``?`` or ``…`` (with closing quotes or brackets after it, and the
stray hyphen of scraped text: ``stories.- I``) ends a
sentence when whitespace and a capital or a digit (perhaps behind an opening quote) follow,
unless the word before the full stop is an abbreviation ("Mr.", "approx."), a single letter
or an initialism ("U.S.", "e.g."). A sentence never spans a line break, and the whitespace
between sentences is never part of a sentence.

Lines are the paragraphs of the library: no context window (glossary, judge, post-editor,
candidate families) reaches across a line break, so a paragraph repairs the same way
whether it stands alone (a JSONL record, a CSV cell) or inside a longer document.
"""
from __future__ import annotations

import re
from typing import Iterator

_LINE = re.compile(r"[^\n]+")

#: Words that end with a full stop without ending a sentence (lower case, without the stop).
ABBREVIATIONS = frozenset("""
mr mrs ms dr prof st jr sr inc ltd co corp plc vs etc gen gov sen rep col lt sgt capt cmdr adm
rev fr hon pres no nos vol fig op pp jan feb mar apr jun jul aug sep sept oct nov dec mt ft
approx est dept univ assn bros incl esp govt misc viz abbr e.g i.e a.m p.m u.s u.k u.n e.u d.c
""".split())
_BOUNDARY = re.compile(r"[.!?…]+(?:\s?[\"'”’»)\]])*-?(?=\s+[\"'“‘«(\[]?\s?[A-Z0-9])")
_INITIALISM = re.compile(r"(?:[a-z]\.)+[a-z]")


def line_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the non-empty lines of ``text``.

    >>> line_spans("a b\\n\\ncd")
    [(0, 3), (5, 7)]
    """
    return [(m.start(), m.end()) for m in _LINE.finditer(text)]


def line_bounds(text: str, pos: int) -> tuple[int, int]:
    """The span of the line holding ``pos`` (without its line break).

    >>> line_bounds("ab\\ncd\\nef", 4)
    (3, 5)
    """
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def word_before(text: str, pos: int, start: int = 0) -> str:
    """The whitespace-delimited word that ends at ``pos``, without opening quotes or brackets."""
    w = pos
    while w > start and not text[w - 1].isspace():
        w -= 1
    return text[w:pos].lstrip("\"'“‘([")


def is_boundary(text: str, m: re.Match, start: int = 0) -> bool:
    """Whether a match of the boundary pattern ends a sentence (see the module docstring)."""
    if text[m.start()] != ".":
        return True
    word = word_before(text, m.start(), start).lower()
    if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    if _INITIALISM.fullmatch(word):  # U.S. / e.g. style initialisms
        return False
    return True


def sentence_ends(text: str, start: int = 0, end: int | None = None) -> Iterator[int]:
    """Offsets just after each sentence-ending punctuation run in ``text[start:end]``
    (closing quotes included), in order."""
    end = len(text) if end is None else end
    for m in _BOUNDARY.finditer(text, start, end):
        if is_boundary(text, m, start):
            yield m.end()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text``, trimmed of surrounding whitespace.

    >>> t = "Mr. Smith paid $5bn. He left.\\nNew line"
    >>> [t[a:b] for a, b in sentence_spans(t)]
    ['Mr. Smith paid $5bn.', 'He left.', 'New line']
    """
    spans: list[tuple[int, int]] = []
    for ls, le in line_spans(text):
        spans.extend(_trimmed(text, a, b) for a, b in _pieces(text, ls, le))
    return [s for s in spans if s[1] > s[0]]


def _pieces(text: str, ls: int, le: int) -> Iterator[tuple[int, int]]:
    prev = ls
    for cut in sentence_ends(text, ls, le):
        yield prev, cut
        prev = cut
    yield prev, le


def _trimmed(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def sentence_starts(text: str, start: int, end: int) -> list[int]:
    """Offsets in ``text[start:end]`` where a sentence starts after another one on the same
    line (after the boundary and the spaces or tabs that follow it)."""
    out = []
    for cut in sentence_ends(text, start, end):
        while cut < end and text[cut] in " \t":
            cut += 1
        if cut < end and text[cut] != "\n":
            out.append(cut)
    return out


def enclosing(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """The span in ``spans`` (sorted) that contains ``[start, end)``, or the first one that overlaps it."""
    for a, b in spans:
        if a <= start and end <= b:
            return a, b
    for a, b in spans:
        if a < end and start < b:
            return a, b
    return None


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence holding ``text[start:end]``, found by scanning for
    sentence boundaries near it (within its line): the same sentences as
    :func:`sentence_spans`, without segmenting the whole line.

    >>> t = "Mr. Smith paid $5.5bn. Nvidia fell 7%. Then it rose."
    >>> a, b = sentence_around(t, 27, 33); t[a:b]
    'Nvidia fell 7%.'
    >>> a, b = sentence_around(t, 4, 9); t[a:b]
    'Mr. Smith paid $5.5bn.'
    """
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    le = len(text) if le < 0 else le
    s = ls
    for cut in sentence_ends(text, max(ls, start - 2000), min(le, start + 2)):
        if cut <= start:
            s = cut
    e = le
    for cut in sentence_ends(text, end, min(le, end + 2000)):
        e = cut
        break
    while s < start and text[s].isspace():
        s += 1
    while e > end and text[e - 1].isspace():
        e -= 1
    return s, e


# --- word windows ------------------------------------------------------------------------
def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the space-separated words of ``text``.

    >>> word_spans("ab  c")
    [(0, 2), (4, 5)]
    """
    spans, pos = [], 0
    for w in text.split(" "):
        if w:
            spans.append((pos, pos + len(w)))
        pos += len(w) + 1
    return spans


def windows_around(n_words: int, hits: list[int], max_words: int = 16) -> list[tuple[int, int]]:
    """Word windows [start, end) of at most ``max_words`` covering each hit word with
    context on both sides; overlapping windows merge while they fit. The post-editor
    rewrites such windows; training cuts the same windows out of its pairs.

    >>> windows_around(40, [3, 5, 30, 33, 36], 10)
    [(0, 10), (25, 35), (35, 40)]
    >>> windows_around(8, [6], 16)
    [(0, 8)]
    """
    if n_words <= max_words:
        return [(0, n_words)] if hits else []
    out: list[tuple[int, int]] = []
    half = max_words // 2
    for h in sorted(hits):
        s = max(0, min(h - half, n_words - max_words))
        e = min(n_words, s + max_words)
        if out:
            ps, pe = out[-1]
            if h < pe:
                continue  # already inside the previous window
            s = max(s, pe)
        out.append((s, e))
    return out
