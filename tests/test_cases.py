"""Case tables kept as data (tests/cases/*.jsonl), ftfy-style.

- negative.jsonl: clean news full of traps; must come back byte-identical;
- positive.jsonl: garbled sentences with an unambiguous word-level fix;
- known-failures.jsonl: cases we know we get wrong; they run under xfail(strict=True),
  so one that starts passing must be promoted.
"""
from __future__ import annotations

import pytest

from repair import apply_edits, repair_text

from .conftest import CASES, load_cases

NEGATIVE = load_cases("negative.jsonl")
POSITIVE = load_cases("positive.jsonl")
KNOWN = load_cases("known-failures.jsonl") if (CASES / "known-failures.jsonl").exists() else []


@pytest.mark.parametrize("case", NEGATIVE, ids=[c["label"] for c in NEGATIVE])
def test_clean_text_is_byte_identical(case):
    r = repair_text(case["original"])
    assert r.text == case["original"], [(e.rule_id, e.before, e.after) for e in r.edits]
    assert r.edits == ()


@pytest.mark.parametrize("case", POSITIVE, ids=[c["label"] for c in POSITIVE])
def test_garbled_text_is_fixed(case):
    r = repair_text(case["original"])
    assert r.text == case["expected"]
    assert apply_edits(case["original"], r.edits) == r.text
    assert repair_text(r.text).text == r.text, "a second pass must change nothing"


@pytest.mark.parametrize("case", KNOWN, ids=[c["label"] for c in KNOWN])
@pytest.mark.xfail(strict=True, reason="known failure; promote it when it passes")
def test_known_failures(case):
    assert repair_text(case["original"]).text == case.get("expected", case["original"])


def test_negative_set_is_large_enough():
    assert len(NEGATIVE) >= 30 and len(POSITIVE) >= 25
