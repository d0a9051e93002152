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
