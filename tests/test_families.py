"""The grammar families (repair/families) prove themselves on their word lists' examples.

- every fix example: the family proposes exactly the expected text among its candidates;
- every keep example: the family proposes nothing; a look-alike marked ``judge: reject``
  may be proposed, and the real judge (SmolLM2-135M, as shipped, with each family's calibrated
  margin: repair.rank) must reject it;
- every keep example of every list: whatever any family proposes there, the judge rejects;
- the proposals carry the interface the pipeline relies on (source, rule id, origin that
  names a real line of a word list, category, sentence, needs_judge, antecedents).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from repair.edit import apply_edits
from repair.families import CATEGORIES, FAMILIES, context_sentences_needed, propose_all, with_evidence, wordlists
from repair.families.lexicon import indefinite_article
from repair.rank import rank
from repair.segment import sentence_spans

from .conftest import known_flips

EXAMPLES = [ex for name in wordlists.data_files() for ex in wordlists.examples(name)]
FIX = [ex for ex in EXAMPLES if ex.expected is not None]
KEEP = [ex for ex in EXAMPLES if ex.expected is None and not ex.judge_rejects]
LOOKALIKES = [ex for ex in EXAMPLES if ex.judge_rejects]
ROOT = Path(__file__).resolve().parent.parent


def _outputs(text: str, proposals) -> set[str]:
    """Every text one candidate of one proposal makes, and the best guesses of all together."""
    outs = {text[:p.start] + c + text[p.end:] for p in proposals for c in (p.after,) + p.alternatives}
    disjoint, end = [], -1
    for p in sorted(proposals, key=lambda p: (p.start, p.end)):
        if p.start >= end:
            disjoint.append(p.accept())
            end = p.end
    if disjoint:
        outs.add(apply_edits(text, disjoint))
    return outs


def test_every_family_has_fix_and_keep_examples():
    for family in FAMILIES:
        assert any(ex.family == family for ex in FIX), f"{family} has no fix example"
        assert any(ex.family == family for ex in KEEP), f"{family} has no keep example"


@pytest.mark.parametrize("ex", FIX, ids=[ex.origin for ex in FIX])
def test_fix_example_is_proposed(ex):
    proposals = FAMILIES[ex.family](ex.text, None)
    outputs = _outputs(ex.text, proposals)
    assert ex.expected in outputs, f"{ex.origin}: {ex.family} on {ex.text!r} proposes {sorted(outputs)}"


@pytest.mark.parametrize("ex", KEEP, ids=[ex.origin for ex in KEEP])
def test_keep_example_gets_no_proposal(ex):
    """Correct text shows no round-trip damage, so the patterns that need it
    (``needs_evidence``) are left out, as the pipeline leaves them out."""
    proposals = with_evidence(FAMILIES[ex.family](ex.text, None), False)
    assert proposals == [], f"{ex.origin}: {ex.family} proposes {[(p.before, p.after) for p in proposals]} on correct text"


@pytest.fixture(scope="session")
def judge():
    from repair.judge import Judge

    return Judge()


def _lookalike(ex):
    """A look-alike, expected to fail (strictly) where tests/cases/judge_flips.jsonl lists it
    for this machine's compute type."""
    flips = known_flips(ex.origin.rsplit("/", 1)[-1])
    marks = [pytest.mark.xfail(strict=True, reason=flips[0]["why"])] if flips else []
    return pytest.param(ex, id=ex.origin, marks=marks)


@pytest.mark.parametrize("ex", [_lookalike(ex) for ex in LOOKALIKES])
def test_lookalike_is_rejected_by_the_real_judge(ex, judge):
    proposals = propose_all(ex.text)
    accepted, rejected = rank(ex.text, proposals, judge)
    assert accepted == [], f"{ex.origin}: the judge accepts {[(e.before, e.after, e.score) for e in accepted]}"
    assert len(rejected) == len(proposals)


def test_keep_examples_survive_every_family_and_the_judge(judge):
    """Correct text of any word list: whatever another family proposes there, the judge rejects."""
    let_through = []
    for ex in KEEP:
        proposals = with_evidence(propose_all(ex.text), False)
        if proposals:
            accepted, _ = rank(ex.text, proposals, judge)
            let_through += [(ex.origin, e.rule_id, e.before, e.after) for e in accepted]
    assert let_through == []


def test_clean_paragraphs_get_no_family_edit(judge):
    """The project's clean news paragraphs (tests/cases/negative.jsonl): at most a stray
    proposal, and the judge lets none through."""
    from .conftest import load_cases

    texts = [c["original"] for c in load_cases("negative.jsonl")]
    proposals = {t: propose_all(t) for t in texts}
    assert sum(len(ps) for ps in proposals.values()) <= 2, [(p.rule_id, p.before, p.after)
                                                            for ps in proposals.values() for p in ps]
    for text, ps in proposals.items():
        if ps:
            assert rank(text, ps, judge)[0] == []


SAMPLE = (
    "Nvidia designs her chips but subcontracts her production. The ministry published on Friday its "
    "annual report, which warned that the AI global race is a risk. The dispute risks to delay the plan of investment. "
    "The shares of the company fell of 4% after the minister of the Interior has resigned yesterday.")


def test_proposals_carry_the_interface():
    spans = sentence_spans(SAMPLE)
    proposals = propose_all(SAMPLE, spans)
    assert {p.rule_id for p in proposals} >= {"PRONOUN", "ADVERB_PLACEMENT", "WORD_ORDER", "VERB_PATTERN",
                                              "NOUN_COMPOUND", "POSSESSIVE", "PREPOSITION"}
    for p in proposals:
        assert p.source == "family" and p.needs_judge and p.rule_id in FAMILIES
        assert p.category == CATEGORIES[p.rule_id]
        assert SAMPLE[p.start:p.end] == p.before and p.after != p.before and p.before not in p.alternatives
        assert p.sentence in spans and p.sentence[0] <= p.start <= p.end <= p.sentence[1]
        file, line = re.fullmatch(r"repair/data/families/([\w.]+\.yaml):(\d+)", p.origin).groups()
        lines = (ROOT / "repair" / "data" / "families" / file).read_text(encoding="utf-8").splitlines()
        assert 1 <= int(line) <= len(lines) and lines[int(line) - 1].strip(), p.origin
    assert proposals == sorted(proposals, key=lambda p: (p.start, p.end, p.rule_id))


def test_pronoun_proposals_name_their_antecedent():
    text = ("The European Commission proposed a loan scheme on Monday. Ministers welcomed it. "
            "The Commission said she hoped to finalise it soon.")
    spans = sentence_spans(text)
    (p,) = FAMILIES["PRONOUN"](text, spans)
    assert (p.before, p.after) == ("she", "it")
    assert text[p.antecedent[0]:p.antecedent[1]] == "The Commission" and p.antecedent_kind == "org"
    # the antecedent is in the proposal's own sentence: the judge's window needs no widening
    assert context_sentences_needed(p, spans) == 1
    text2 = "Toyota cut its forecast. Analysts were surprised. Her margins shrank."
    spans2 = sentence_spans(text2)
    (q,) = FAMILIES["PRONOUN"](text2, spans2)
    assert text2[q.antecedent[0]:q.antecedent[1]] == "Toyota"
    assert context_sentences_needed(q, spans2) == 2


def test_pronouns_that_share_an_antecedent_are_also_proposed_together():
    text = "Nvidia designs her chips but subcontracts her production."
    proposals = FAMILIES["PRONOUN"](text, None)
    together = [p for p in proposals if p.before == "her chips but subcontracts her"]
    assert len(together) == 1 and together[0].after == "its chips but subcontracts its"
    assert text[together[0].antecedent[0]:together[0].antecedent[1]] == "Nvidia"


def test_seed_article_pronouns_and_word_order(seed_text):
    proposals = propose_all(seed_text)
    pairs = {(p.rule_id, p.before, p.after) for p in proposals}
    assert ("PRONOUN", "her chips but subcontracts her", "its chips but subcontracts its") in pairs
    assert ("PRONOUN", "It", "He") in pairs
    assert any(r == "WORD_ORDER" and b == "the AI global advance" for r, b, _ in pairs)
    # few proposals: each costs a judge call
    assert len(proposals) <= 15, pairs


def test_quoted_speech_and_reporting_clauses_are_left_alone():
    assert FAMILIES["PRONOUN"]("The company grew. “She is the best we have,” the bank said.", None) == []
    assert FAMILIES["PRONOUN"]("The company will cut 500 jobs, he said.", None) == []


def test_word_lists_read_on_as_a_word_not_a_boolean():
    doc = wordlists.load("prepositions")
    rights = {str(v["verb"]): v["right"] for v in doc["verbs"] if isinstance(v["verb"], str)}
    assert rights["depend"] == "on" and isinstance(rights["depend"], str)
    assert rights["depend"].origin.startswith("repair/data/families/prepositions.yaml:")


@pytest.mark.parametrize("word,article", [("investment", "an"), ("university", "a"), ("hour", "an"),
                                          ("MP", "an"), ("US", "a"), ("11-year", "an"), ("eight-year", "an"),
                                          ("one-off", "a"), ("two-year", "a")])
def test_indefinite_article(word, article):
    assert indefinite_article(word) == article


def test_generators_are_cheap():
    import time

    text = " ".join([SAMPLE] * 40)  # ~1,600 words
    propose_all(text)  # word lists loaded
    start = time.perf_counter()
    propose_all(text, sentence_spans(text))
    assert time.perf_counter() - start < 5.0


def test_patterns_that_need_evidence_wait_for_round_trip_damage():
    """NOUN_COMPOUND.of_bare ("problems of supply") is English as it stands too: the pipeline
    proposes it only in text that shows round-trip damage, here a sure glossary edit, and the
    judge then decides at the family's calibrated margin."""
    from repair import get_repairer

    repairer = get_repairer()
    clean = "Output fell because of problems of supply at the plant in March."
    assert repairer.repair(clean).text == clean
    garbled = "Output fell by 3,4 % because of problems of supply at the plant in March."
    result = repairer.repair(garbled)
    assert result.text == "Output fell by 3.4% because of supply problems at the plant in March."
    assert [e.rule_id for e in result.edits] == ["DECIMAL_COMMA_PERCENT", "NOUN_COMPOUND"]


def test_an_edit_the_judge_accepts_is_evidence_too():
    """No sure glossary edit, but the judge accepts a family's repair ("her chips" of a
    company): the text is a round trip, so the sentence is decided again with the patterns
    that need that evidence."""
    from repair import get_repairer

    result = get_repairer().repair("Nvidia designs her chips in California but faces problems of supply in Asia.")
    assert result.text == "Nvidia designs its chips in California but faces supply problems in Asia."
    assert [e.rule_id for e in result.edits] == ["PRONOUN", "NOUN_COMPOUND"]


def test_with_evidence_marks_or_drops():
    text = "Output fell because of problems of supply at the plant in March."
    proposals = propose_all(text)
    assert [p.pattern for p in proposals if p.needs_evidence] == ["of_bare"]
    assert with_evidence(proposals, False) == [p for p in proposals if not p.needs_evidence]
    assert all(p.evidence for p in with_evidence(proposals, True))


def test_a_family_margin_lowers_the_bar_only_with_evidence_or_when_listed():
    """repair.rank._required: a family's calibrated margin raises the judge's bar; it lowers
    it only near round-trip evidence (not for PRONOUN), or for the families of
    judge_bar.yaml's below_judge (each with its clean-news scan)."""
    from dataclasses import replace
    from types import SimpleNamespace

    from repair.families.proposal import below_judge
    from repair.rank import _required

    judge = SimpleNamespace(margin=3.0)
    (p,) = [p for p in propose_all("Output fell because of problems of supply at the plant.")]
    assert p.rule_id == "NOUN_COMPOUND" and p.margin == 2.0 and p.rule_id not in below_judge()
    assert _required(p, judge) == 3.0
    assert _required(replace(p, evidence=True), judge) == 2.0
    assert _required(replace(p, margin=4.0), judge) == 4.0
    (v,) = FAMILIES["VERB_PATTERN"]("He has resigned yesterday.", None)
    assert v.rule_id in below_judge() and _required(v, judge) == v.margin < 3.0
    (pron,) = FAMILIES["PRONOUN"]("Nvidia designs her chips in California.", None)
    assert pron.margin < 3.0 and _required(replace(pron, evidence=True), judge) == 3.0


def test_evidence_is_local_to_the_sentence_and_its_neighbours():
    """repair.pipeline.Evidence: an edit counts for a proposal in its own sentence or the one
    before or after, on the same line; not three sentences away, not on another line."""
    from repair.pipeline import Evidence

    text = "One fell. Two rose. Three fell. Four rose. Five fell.\nSix rose."
    two, five, six = text.index("Two"), text.index("Five"), text.index("Six")
    ev = Evidence(text, [text.index("One")])
    near = [ev.near(replace_start(p)) for p in (two, five, six)]
    assert near == [True, False, False]
    assert Evidence(text, [text.index("Four")]).near(replace_start(five))
    assert not Evidence(text, [five]).near(replace_start(six))
    assert not Evidence(text, []).near(replace_start(two))


def replace_start(pos):
    from repair.edit import Proposal

    return Proposal(pos, pos + 1, "x", "y", "family", "TEST")
