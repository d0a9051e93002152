"""Sentences with offsets into the original text.

Splitting uses pysbd (rule-based, handles abbreviations such as "U.S." and "p.m."),
line by line, so that a sentence never spans a line break and the whitespace between
sentences is never part of a sentence.
"""
from __future__ import annotations

import re
from functools import lru_cache

_LINE = re.compile(r"[^\n]+")


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def line_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the non-empty lines of ``text``.

    >>> line_spans("a b\\n\\ncd")
    [(0, 3), (5, 7)]
    """
    return [(m.start(), m.end()) for m in _LINE.finditer(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text``, trimmed of surrounding whitespace.

    >>> t = "Mr. Smith paid $5bn. He left.\\nNew line"
    >>> [t[a:b] for a, b in sentence_spans(t)]
    ['Mr. Smith paid $5bn.', 'He left.', 'New line']
    """
    spans: list[tuple[int, int]] = []
    for ls, le in line_spans(text):
        spans.extend(_line_sentences(text[ls:le], ls))
    return spans


def _line_sentences(line: str, offset: int) -> list[tuple[int, int]]:
    if not line.strip():
        return []
    out = []
    pos = 0
    for span in _segmenter().segment(line):
        start, end = span.start, span.end
        # pysbd locates sentences by searching; guard against misplaced spans.
        if start < pos or line[start:end] != span.sent:
            found = line.find(span.sent.strip(), pos)
            if found < 0:
                continue
            start, end = found, found + len(span.sent.strip())
        while start < end and line[start].isspace():
            start += 1
        while end > start and line[end - 1].isspace():
            end -= 1
        if end > start:
            out.append((offset + start, offset + end))
            pos = end
    if not out:
        s = len(line) - len(line.lstrip())
        e = len(line.rstrip())
        out.append((offset + s, offset + e))
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


# --- the sentence around a position, fast --------------------------------------------
# Context windows of glossary rules need only the sentence around one hit. Running pysbd
# over the whole line for that costs ~98% of the glossary pass (bench/bench_glossary.py),
# so the window uses this local boundary scan instead; tests/test_segment.py checks that
# it agrees with pysbd on the shipped texts.

_ABBREVIATIONS = frozenset("""
mr mrs ms dr prof st jr sr inc ltd co corp plc vs etc gen gov sen rep col lt sgt capt cmdr adm
rev fr hon pres no nos vol fig op pp jan feb mar apr jun jul aug sep sept oct nov dec mt ft
approx est dept univ assn bros e.g i.e a.m p.m u.s u.k u.n e.u d.c
""".split())
_BOUNDARY = re.compile(r"[.!?…]+(?:\s?[\"'”’»)\]])*(?=\s+[\"'“‘«(\[]?\s?[A-Z0-9])")
_INITIALISM = re.compile(r"(?:[a-z]\.)+[a-z]")


def _is_boundary(text: str, m: re.Match) -> bool:
    if text[m.start()] != ".":
        return True
    word_start = m.start()
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:m.start()].lstrip("\"'“‘([").lower()
    if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    if _INITIALISM.fullmatch(word):  # U.S. / e.g. style initialisms
        return False
    return True


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence holding ``text[start:end]``, found by scanning for
    sentence boundaries near it (within its line).

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
    for m in _BOUNDARY.finditer(text, max(ls, start - 2000), min(le, start + 2)):
        if m.end() <= start and _is_boundary(text, m):
            s = m.end()
    e = le
    for m in _BOUNDARY.finditer(text, end, min(le, end + 2000)):
        if _is_boundary(text, m):
            e = m.end()
            break
    while s < start and text[s].isspace():
        s += 1
    while e > end and text[e - 1].isspace():
        e -= 1
    return s, e
