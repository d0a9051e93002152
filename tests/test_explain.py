"""--explain reads like LanguageTool: the compiler-style FILE:LINE:COL: head, the rule's own
description, the reason a proposal was held back in words, and the text around the change
with the change marked.

The machine reasons come from the real producers (guards, judge, glossary conditions, markup,
glossary blockers against model proposals), so that a new wording there shows up here.
"""
from __future__ import annotations

from click.testing import CliRunner

from repair.cli import main
from repair.config import RepairConfig
from repair.edit import Proposal, Rejected
from repair.explain import Context, reason_in_words, snippet
from repair.guards import GuardConfig, check_content, check_extent, check_margin
from repair.judge import Judge, Verdict
from repair.pipeline import get_repairer, respect_blockers

GLOSSARY_ONLY = RepairConfig(use_model=False, use_judge=False)


def _rejected(reason: str, score: float | None = None, source: str = "model") -> Rejected:
    return Rejected(0, 2, "It", "He", source, "X", reason, None, score)


def test_post_editor_margin_in_words():
    judged = check_margin(-2.2, -0.04, GuardConfig(), judged=True)
    assert reason_in_words(_rejected(judged)) == (
        "the post-editing model itself preferred the text as it was (margin -2.16 < 0.0)")
    unsure = check_margin(-1.2, -1.5, GuardConfig(min_margin=0.5))
    assert reason_in_words(_rejected(unsure)) == "the post-editing model was not sure enough (margin 0.30 < 0.5)"


def test_judge_verdicts_in_words():
    judge = Judge(margin=2.0)
    p = Proposal(0, 8, "probably", "likely", "glossary", "X")
    close = Verdict(p, (0, 20), -50.0, {"likely": -49.6})
    r = p.reject(judge.explain(close), round(close.margin, 3))
    assert reason_in_words(r, Context(judge_margin=2.0)) == "the language model was not sure enough (margin 0.40 < 2.0)"
    worse = Verdict(p, (0, 20), -50.0, {"likely": -52.16})
    r = p.reject(judge.explain(worse), round(worse.margin, 3))
    assert reason_in_words(r, Context(judge_margin=2.0)) == (
        "the language model found the text as it was more likely (by 2.16; a change must win by 2)")


def test_guards_in_words():
    assert reason_in_words(_rejected(check_extent(10, 5, GuardConfig()))) == (
        "too large a rewrite: 5 of 10 words changed (at most 3)")
    numbers = check_content("5.5 billion", "5 billion")
    assert reason_in_words(_rejected(numbers)).startswith("it would change a number (")
    assert "never" in reason_in_words(_rejected(check_content("Paris said", "London said")))


def test_glossary_conditions_and_blockers_in_words():
    rr = get_repairer(GLOSSARY_ONLY)
    (blocked,) = [r for r in rr.repair("The military actions of the government.").rejected]
    assert reason_in_words(blocked) == "kept: 'military actions' is correct English here (an exception the rule lists)"
    no_trigger = [r for r in rr.repair("The society said no jobs would be lost.").rejected
                  if r.reason.startswith("no trigger")]
    assert no_trigger and reason_in_words(no_trigger[0]).startswith(
        "the rule applies only when one of its trigger words is near (in the sentence)")
    # with the judge on, such a hit is judged near round-trip damage; here there is none
    (far,) = [r for r in get_repairer().repair("The society said no jobs would be lost.").rejected
              if r.rule_id == "SOCIETY_COMPANY"]
    assert reason_in_words(far) == (
        "the rule applies only when one of its trigger words is near (in the sentence), and none is; "
        "without one, the judge decides only near other round-trip damage, and there is none")
    model = Proposal(13, 20, "society", "company", "model", "m")
    blockers = [r for r in rr.repair("The building society said.").rejected]
    _, (vetoed,) = respect_blockers([model], blockers, ())
    assert reason_in_words(vetoed).startswith("a glossary rule declares this text correct (")
    html = rr.repair("<p>Advertisement</p>\n<p>The IA race.</p>")
    (crossing,) = [r for r in html.rejected if r.reason == "crosses HTML markup"]
    assert reason_in_words(crossing) == "it would cross an HTML tag or entity, and markup is kept exactly as it is"


def test_unknown_reason_is_shown_as_it_is():
    assert reason_in_words(_rejected("something new")) == "something new"


def test_snippet_marks_the_change_in_its_line():
    text = "First line.\nIt was a $ 5,5 billion deal, the IA company said in a statement on Monday.\nLast."
    start = text.index("IA")
    assert snippet(text, start, start + 2, "AI") == (
        "...a $ 5,5 billion deal, the [IA → AI] company said in a statement...")
    assert snippet("Ads\nThe end.", 0, 4, "") == "[-Ads↵]The end."
    assert snippet("a 7 % rise", 3, 5, "%") == "a 7[␣% → %] rise"


def test_explain_prints_description_reason_and_snippet(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("The talks stalled.\nThe IA company said the military actions were over.\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["fix", "--explain", "--fast", "-q", str(src)])
    assert res.exit_code == 0, res.output
    ia = next(r for r in get_repairer(GLOSSARY_ONLY).glossary.rules if r.id == "ACRONYM_IA")
    assert res.stderr == (
        f"{src}:2:5: glossary ACRONYM_IA ({ia.origin}) 'IA' -> 'AI'\n"
        "    French IA (intelligence artificielle) for AI; never the Iowa abbreviation.\n"
        "    The [IA → AI] company said the military...\n"
        f"{src}:2:34: held back glossary ACTIONS_SHARES 'actions' -> 'shares'\n"
        "    kept: 'military actions' is correct English here (an exception the rule lists)\n"
        "    ...IA company said the military [actions → shares] were over.\n")
