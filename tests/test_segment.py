"""The one sentence segmenter: sentence_spans, and sentence_around (the sentence of one hit, for glossary
context windows), which must agree."""
from __future__ import annotations

import json
import re

import pytest

from repair.segment import enclosing, sentence_around, sentence_spans

from .conftest import ROOT, SEED, load_cases


def _texts():
    texts = [SEED.read_text(encoding="utf-8")]
    texts += [c["original"] for c in load_cases("negative.jsonl")]
    texts += [json.loads(line)["source"] for line in (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()]
    return texts


def test_sentence_spans_keep_offsets_and_skip_whitespace():
    text = "  Mr. Smith paid $5.5bn. He left at 3 p.m. on Friday.\n\nU.S. shares fell.  "
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["Mr. Smith paid $5.5bn.", "He left at 3 p.m. on Friday.", "U.S. shares fell."]


def test_sentence_around_agrees_with_sentence_spans_on_shipped_texts():
    total = 0
    for text in _texts():
        spans = sentence_spans(text)
        for m in re.finditer(r"\w+", text):
            total += 1
            assert enclosing(spans, m.start(), m.end()) == sentence_around(text, m.start(), m.end()), \
                (text[max(0, m.start() - 80):m.end() + 80], m.group(0))
    assert total > 5000


@pytest.mark.parametrize("text,sentences", [
    ("Shares fell 2.6%. Gold rose.", ["Shares fell 2.6%.", "Gold rose."]),
    ("He met Dr. Smith in the U.S. today. Then left.", ["He met Dr. Smith in the U.S. today.", "Then left."]),
    ("Prices rose approx. 4% in Jan. Then fell.", ["Prices rose approx. 4% in Jan. Then fell."]),
    ("It cost $5.5bn, e.g. Nvidia. It fell.", ["It cost $5.5bn, e.g. Nvidia.", "It fell."]),
    ("“We will win.” Then he left!", ["“We will win.”", "Then he left!"]),
    ("Wait… What? Yes. 2024 was hard.", ["Wait…", "What?", "Yes.", "2024 was hard."]),
    ("J. K. Rowling wrote it. It sold.", ["J. K. Rowling wrote it.", "It sold."]),
    ("one line.\nAnother line", ["one line.", "Another line"]),
    ("lower case. after a stop", ["lower case. after a stop"]),
    ("love stories.- I could see it.", ["love stories.-", "I could see it."]),
])
def test_sentence_cases(text, sentences):
    assert [text[a:b] for a, b in sentence_spans(text)] == sentences


@pytest.mark.parametrize("text,word,expected", [
    ("Shares fell 2.6%. Gold rose.", "Gold", "Gold rose."),
    ("He met Dr. Smith in the U.S. today. Then left.", "Smith", "He met Dr. Smith in the U.S. today."),
    ("First line. Same line.\nSecond line here", "Second", "Second line here"),
    ("It said « Yes. » Then it left.", "Then", "Then it left."),
])
def test_sentence_around_cases(text, word, expected):
    i = text.index(word)
    a, b = sentence_around(text, i, i + len(word))
    assert text[a:b] == expected
