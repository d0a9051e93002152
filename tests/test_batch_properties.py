"""Properties of the batch repair (glossary + encoding + markup + pieces), checked with
hypothesis on text built from the case files:

- clean text (pieces of tests/cases/negative.jsonl, safe words, punctuation, line
  breaks, HTML wrappers) comes out byte-identical, with no edits;
- repairing twice changes nothing the second time (idempotence), garbled text included;
- edits always replay: ``apply_edits(original, edits) == text``;
- cutting a text into pieces loses nothing.
"""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repair import RepairConfig, Repairer, apply_edits
from repair.chunks import split_points, split_text
from repair.explain import describe
from repair.segment import sentence_spans

from .conftest import load_cases


def _sentences(name: str) -> list[str]:
    out = []
    for case in load_cases(name):
        text = case["original"]
        out += [text[a:b] for a, b in sentence_spans(text)]
    return out


NEGATIVE = _sentences("negative.jsonl")
POSITIVE = [c["original"] for c in load_cases("positive.jsonl")]
# words that no glossary rule matches, alone or together (checked below)
SAFE_WORDS = """market report growth city council said Tuesday river bridge plan team season
minister budget village harbour museum orchestra festival weather forecast election result
Zoë Müller São Paulo Łódź Dvořák café naïve it’s “quoted” ‘single’ O’Neill Ångström 2024 1,500""".split()
ENDINGS = ["", "", "", ",", ".", ";", ":", "?", "!", "…", " —", "’s"]
SEPARATORS = [" ", " ", "\n", "\r\n", "\n\n", "\t"]

# a run of words starts with a capital, as a sentence does after the piece before it
words = st.lists(st.sampled_from(SAFE_WORDS), min_size=1, max_size=6).map(" ".join).map(lambda w: w[:1].upper() + w[1:])
clean_piece = st.one_of(st.sampled_from(NEGATIVE), st.tuples(words, st.sampled_from(ENDINGS)).map("".join))
GARBLED_BITS = ["7 %", "$ 5.5 billion", "4,2 billion pounds sterling", "« quoted »", "really ?", "IA", "UE",
                "the actions of the company", "fleas", "expeditions", "Trump prices on imports", "It is a celebrity",
                "After promoting the newsletter", "Advertisement", "3,5 %", "$ 300 million", "the 14 of July"]
garbled_piece = st.one_of(clean_piece, st.sampled_from(POSITIVE), st.sampled_from(_sentences("positive.jsonl")),
                          st.sampled_from(GARBLED_BITS))


def _text(piece):
    body = st.lists(st.tuples(piece, st.sampled_from(SEPARATORS)), max_size=8).map(
        lambda parts: "".join(p + s for p, s in parts))
    return st.one_of(body, body.map(lambda t: f"<p>{t}</p>"), body.map(lambda t: f'<div class="x"><b>{t}</b></div>'))


@pytest.fixture(scope="module")
def rr():
    return Repairer(RepairConfig(use_judge=False))


@pytest.fixture(scope="module")
def small_pieces(rr):
    """The same pipeline, cutting texts into small pieces (to exercise the cuts)."""
    return Repairer(rr.config.with_options(max_chars=400, max_line=120))


def test_safe_words_are_safe(rr):
    text = " ".join(SAFE_WORDS)
    assert rr.repair(text).edits == ()


HYP = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@HYP
@given(_text(clean_piece))
def test_clean_text_comes_out_byte_identical(rr, text):
    r = rr.repair(text)
    assert r.edits == (), [describe(e) for e in r.edits]
    assert r.text == text


def _trigger_chain(once, edit) -> bool:
    """True when ``edit`` (second pass) is a rule that the first pass held back for want of
    a trigger, and the first pass's own edits supplied that trigger (a known limit of the
    glossary engine: conditions are checked on the text as it came in)."""
    return bool(once.edits) and any(
        r.rule_id == edit.rule_id and r.before == edit.before and r.reason.startswith("no trigger")
        for r in once.rejected)


@HYP
@given(_text(garbled_piece))
def test_repair_is_idempotent(rr, text):
    once = rr.repair(text)
    assert apply_edits(text, once.edits) == once.text
    twice = rr.repair(once.text)
    unexplained = [describe(e) for e in twice.edits if not _trigger_chain(once, e)]
    assert unexplained == []


# Found by test_repair_is_idempotent: a rule whose trigger is the output of another rule
# fires only on the second pass. Reported; the glossaries are not this test's to change.
KNOWN_NOT_IDEMPOTENT = [
    ("IA fleas ", "FLEAS_CHIPS"),  # ACRONYM_IA's "AI" is FLEAS_CHIPS's trigger
    ("TSMC, the world’s largest maker of fleas, reported record profits. expeditions ", "EXPEDITIONS_SHIPMENTS"),
]


@pytest.mark.xfail(strict=True, reason="glossary conditions see the input, not the first rules' output")
@pytest.mark.parametrize("text,rule", KNOWN_NOT_IDEMPOTENT)
def test_known_trigger_chains_are_not_idempotent_yet(rr, text, rule):
    once = rr.repair(text)
    assert [e.rule_id for e in rr.repair(once.text).edits] == []


@HYP
@given(_text(garbled_piece))
def test_pieces_repair_like_the_whole_at_blank_lines(rr, small_pieces, text):
    r = small_pieces.repair(text)
    assert apply_edits(text, r.edits) == r.text
    if not re.search(r"[^\n]{121}", text):  # no line long enough to be cut inside
        points = split_points(text, 400, 120)
        exact = all(text[p - 2:p] == "\n\n" or text[p - 3:p] == "\n\r\n" for p in points[1:-1])
        if exact:
            assert r == rr.repair(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("ab .\n\r\t") + ["\n\n", "Word. Next ", "x" * 40]), max_size=200).map("".join),
       st.integers(20, 200), st.integers(5, 60))
def test_cutting_loses_nothing(text, max_chars, max_line):
    pieces = split_text(text, max_chars, max_line)
    assert "".join(pieces) == text
    assert all(pieces) or text == ""
