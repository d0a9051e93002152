"""Held-back proposals point into the text as it came in, as applied edits do.

Every stage after the first works on text that earlier stages changed (mojibake undone,
glossary edits that change the length, HTML taken out); each ``Rejected`` record is moved
back onto the input, so ``text[r.start:r.end] == r.before`` for every source (glossary
blockers and missing triggers, proposals that need a judge, the post-editor's guards, the
judge, edits that cross markup), and ``--explain`` prints the right column.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repair.config import RepairConfig
from repair.explain import line_col
from repair.pipeline import get_repairer

FRAGMENTS = [
    # glossary edits that change the length, and their neighbours
    "It was a $ 5,5 billion deal,", "the IA company said.", "Nvidia designs her fleas.", "7 % of the actions",
    "the instruction judge", "Trump prices on imports", "(4,2 billion pounds sterling)",
    # blockers and missing triggers
    "a flea market", "The building society said", "The society said no jobs would be lost.", "food prices",
    # mojibake
    "Itâ€™s", "Â£4bn", "the cafÃ©", "Zoë", "São Paulo",
    # HTML
    "<b>IA</b>", "<p>", "</p>", "<a href=\"x\">fleas</a>", "&amp;", "<br>", "IA&nbsp;company",
    # plain text and structure
    "The council met on Tuesday.", "It is a celebrity.", "according to", "\n", "\n\n", " ", "  ", ",",
]

texts = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=12).map(" ".join)


def _check(text: str, config: RepairConfig) -> None:
    result = get_repairer(config).repair(text)
    for e in result.edits:
        assert text[e.start:e.end] == e.before, e
    for r in result.rejected:
        assert 0 <= r.start <= r.end <= len(text), r
        assert text[r.start:r.end] == r.before, (r, text[r.start:r.end])


GLOSSARY_ONLY = RepairConfig(use_model=False, use_judge=False)
MODEL_NO_JUDGE = RepairConfig(use_judge=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_glossary_rejections_point_into_the_input(text):
    _check(text, GLOSSARY_ONLY)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_model_rejections_point_into_the_input(text):
    _check(text, MODEL_NO_JUDGE)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_judged_rejections_point_into_the_input(text):
    _check(text, RepairConfig())


@pytest.mark.parametrize("config", [GLOSSARY_ONLY, MODEL_NO_JUDGE], ids=["glossary", "model"])
def test_every_source_of_rejection_is_covered(config):
    """The fragments do produce rejections of each kind, so the properties above test them."""
    text = " ".join(FRAGMENTS)
    reasons = {r.source: r.reason for r in get_repairer(config).repair(text).rejected}
    assert "glossary" in reasons
    if config.use_model:
        assert "model" in reasons
    html = get_repairer(GLOSSARY_ONLY).repair("<p>It was a $ 5,5 <b>billion</b> deal, the IA company said.</p>")
    assert any(r.reason == "crosses HTML markup" for r in html.rejected)


def test_the_issue_example_points_at_the_words_it_names():
    text = "It was a $ 5,5 billion deal, the IA company said."
    result = get_repairer(MODEL_NO_JUDGE).repair(text)
    assert result.rejected
    for r in result.rejected:
        assert text[r.start:r.end] == r.before
        line, col = line_col(text, r.start)
        assert text[col - 1:].startswith(r.before)
