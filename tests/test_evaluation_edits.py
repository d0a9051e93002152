"""Edit alignment and M2-style scoring on handcrafted cases, worked out by hand."""
from __future__ import annotations

import pytest

from repair.edit import Edit, apply_edits
from repair.evaluation.align import align, overlaps
from repair.evaluation.datasets import EvalRecord, locate_ref_edits
from repair.evaluation.edits_score import Counts, category_counts, compare, rule_table, total
from repair.evaluation.overcorrection import overcorrection, words_changed

# (source, target, expected edits as (start, end, before, after))
ALIGNMENTS = [
    ("same text", "same text", []),
    # a substitution, and a change of spacing alone
    ("The IA fleas rose 7 %.", "The AI chips rose 7%.",
     [(4, 6, "IA", "AI"), (7, 12, "fleas", "chips"), (19, 20, " ", "")]),
    # many words for one: one edit
    ("the point of sale closed", "the outlet closed", [(4, 17, "point of sale", "outlet")]),
    # an insertion (empty source span)
    ("It is question of time.", "It is a question of time.", [(6, 6, "", "a ")]),
    # a deletion takes the space after the word with it
    ("He fought the climate change.", "He fought climate change.", [(10, 14, "the ", "")]),
    # word order: a deletion and an insertion
    ("the AI global advance.", "the global advance of AI.", [(4, 7, "AI ", ""), (21, 21, "", " of AI")]),
    # a deleted line of page furniture includes its line break, as in eval/README.md
    ("Intro.\nAfter promoting the newsletter\nBody.", "Intro.\nBody.",
     [(7, 38, "After promoting the newsletter\n", "")]),
    # a change of case is an edit
    ("the Chip Maker", "the chip maker", [(4, 8, "Chip", "chip"), (9, 14, "Maker", "maker")]),
    # each punctuation character is a token: « -> “ is a one-for-one substitution, the space
    # after it a deletion; " »" goes and ” comes after the comma, which both keep
    ("« Yes », he said.", "“Yes,” he said.",
     [(0, 1, "«", "“"), (1, 2, " ", ""), (5, 7, " »", ""), (8, 8, "", "”")]),
]


@pytest.mark.parametrize("source, target, expected", ALIGNMENTS)
def test_alignment(source, target, expected):
    edits = align(source, target)
    assert [(e.start, e.end, e.before, e.after) for e in edits] == expected
    replay = [Edit(e.start, e.end, e.before, e.after, "x") for e in edits]
    assert apply_edits(source, replay) == target


def _record(source, reference, edits=(), kind="garbled"):
    return EvalRecord("r", source, reference, kind, edits=locate_ref_edits(source, list(edits)))


# (source, reference, output, tp, fp, fn)
SCORING = [
    # two of the three reference edits made, nothing wrong
    ("The IA fleas rose 7 % on Monday.", "The AI chips rose 7% on Monday.", "The AI fleas rose 7% on Monday.", 2, 0, 1),
    # correct text changed: one false positive, nothing to find
    ("Food prices rose.", "Food prices rose.", "Food tariffs rose.", 0, 1, 0),
    # the right place, the wrong correction: one false positive and one false negative
    ("The actions fell.", "The shares fell.", "The stocks fell.", 0, 1, 1),
    # part of a many-word edit is not the edit
    ("the point of sale closed", "the outlet closed", "the outlet of sale closed", 0, 1, 1),
    # an insertion and a deletion, both matched
    ("It is question of the climate change.", "It is a question of climate change.",
     "It is a question of climate change.", 2, 0, 0),
    # word order fixed as the reference does: two edits, both right
    ("the AI global advance.", "the global advance of AI.", "the global advance of AI.", 2, 0, 0),
    # nothing done
    ("The IA race.", "The AI race.", "The IA race.", 0, 0, 1),
]


@pytest.mark.parametrize("source, reference, output, tp, fp, fn", SCORING)
def test_edit_scoring(source, reference, output, tp, fp, fn):
    counts = compare(_record(source, reference), output).counts
    assert (counts.tp, counts.fp, counts.fn) == (tp, fp, fn)


def test_precision_recall_f05_follow_errant():
    c = Counts(tp=2, fp=1, fn=2)
    assert c.precision == pytest.approx(2 / 3) and c.recall == pytest.approx(0.5)
    # F0.5 = 1.25 P R / (0.25 P + R)
    assert c.f05 == pytest.approx(1.25 * (2 / 3) * 0.5 / (0.25 * (2 / 3) + 0.5))
    nothing = Counts(0, 0, 4)
    assert (nothing.precision, nothing.recall, nothing.f05) == (1.0, 0.0, 0.0)
    assert Counts(0, 0, 0).f05 == 1.0
    assert total([compare(_record("a IA", "a AI"), "a AI"), compare(_record("b", "b"), "c")]).to_dict() == {
        "tp": 1, "fp": 1, "fn": 0, "precision": 0.5, "recall": 1.0, "f0.5": round(1.25 * 0.5 / 1.125, 4)}


def test_categories_from_annotated_edits_rules_and_other():
    source = "The IA fleas rose 7 % on Monday."
    reference = "The AI chips rose 7% on Monday."
    record = _record(source, reference, [
        {"before": "The IA", "after": "The AI", "category": "acronym"},
        {"before": "fleas", "after": "chips", "category": "false_friend"},
    ])  # "7 %" is not annotated: its reference edit is "other"
    output = "The AI fleas rose 7% on Tuesday."
    edits = [Edit(4, 6, "IA", "AI", "glossary", "ACRONYM_IA", "glossaries/fr-en.yaml:10"),
             Edit(19, 21, " %", "%", "glossary", "PERCENT_SPACE", "glossaries/formats.yaml:5"),
             Edit(25, 31, "Monday", "Tuesday", "model", None, "t5-small")]
    cmp = compare(record, output, edits, {"ACRONYM_IA": "acronym", "PERCENT_SPACE": "number_format"})
    assert [(r.span.before, r.category) for r in cmp.ref] == [("IA", "acronym"), ("fleas", "false_friend"),
                                                                (" ", "other")]
    assert [(h.span.before, h.verdict, h.category, h.source) for h in cmp.hyp] == [
        ("IA", "correct", "acronym", "glossary"),
        (" ", "correct", "other", "glossary"),          # a correct edit takes the reference's category
        ("Monday", "wrong", "other", "model"),           # outside every annotated error, and no rule
    ]
    assert cmp.hyp[0].rules[0].rule == "ACRONYM_IA" and cmp.hyp[0].rules[0].origin == "glossaries/fr-en.yaml:10"
    assert cmp.missed == (1,)
    cats = {k: (v.tp, v.fp, v.fn) for k, v in category_counts([cmp]).items()}
    assert cats == {"acronym": (1, 0, 0), "false_friend": (0, 0, 1), "other": (1, 1, 0)}


def test_a_wrong_edit_outside_annotations_takes_its_rules_category():
    record = _record("Food prices rose.", "Food prices rose.", kind="clean")
    edit = Edit(5, 11, "prices", "tariffs", "glossary", "PRICES_TARIFFS")
    cmp = compare(record, "Food tariffs rose.", [edit], {"PRICES_TARIFFS": "false_friend"})
    assert [(h.verdict, h.category, h.expected) for h in cmp.hyp] == [("wrong", "false_friend", ())]


def test_merged_glossary_and_model_edits_are_both():
    record = _record("the IA fleas", "AI fleas")
    merged = Edit(0, 6, "the IA", "AI", "glossary+model", "ACRONYM_IA", "glossaries/fr-en.yaml:10")
    cmp = compare(record, "AI fleas", [merged])
    assert [h.source for h in cmp.hyp] == ["glossary+model"]


def test_rule_table_counts_correct_wrong_and_clean():
    good = _record("The IA race.", "The AI race.")
    clean = _record("Ames, IA is a city.", "Ames, IA is a city.", kind="clean")
    e1 = Edit(4, 6, "IA", "AI", "glossary", "ACRONYM_IA")
    e2 = Edit(6, 8, "IA", "AI", "glossary", "ACRONYM_IA")
    rows = rule_table([([e1], compare(good, "The AI race.", [e1]), False),
                       ([e2], compare(clean, "Ames, AI is a city.", [e2]), True)], {"ACRONYM_IA": "acronym"})
    assert rows == [{"rule": "ACRONYM_IA", "source": "glossary", "category": "acronym", "fired": 2,
                     "correct": 1, "wrong": 1, "on_clean": 1}]


def test_overcorrection_counts_paragraphs_and_words():
    records = [_record("Food prices rose 7 %.", "Food prices rose 7 %.", kind="clean"),
               _record("A flea market opened.", "A flea market opened.", kind="clean"),
               _record("The IA race.", "The AI race.")]
    outputs = ["Food tariffs rose 7%.", "A flea market opened.", "The AI race."]
    assert words_changed(records[0].source, outputs[0]) == 2  # prices->tariffs, and the space
    o = overcorrection(records, outputs)
    assert (o["clean_records"], o["changed_records"], o["changed_ids"]) == (2, 1, ["r"])
    assert o["words"] == 6 + 5 and o["words_changed"] == 2
    assert o["words_changed_rate"] == round(2 / 11, 6) and o["changed_rate"] == 0.5


def test_overlap_of_spans_and_insertions():
    assert overlaps(0, 3, 2, 5) and not overlaps(0, 3, 3, 5)
    assert overlaps(3, 3, 0, 3) and overlaps(0, 3, 3, 3) and not overlaps(5, 5, 0, 3)
