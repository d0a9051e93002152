import pytest

from repair import Edit, apply_edits
from repair.edit import OverlappingEditsError, locate_edits, shift_edits


def test_apply_edits_rebuilds_from_original_offsets():
    text = "The IA fleas fell 7 %."
    edits = [Edit(19, 21, " %", "%", "glossary", "PERCENT_SPACE"), Edit(4, 6, "IA", "AI", "glossary", "ACRONYM_IA")]
    assert apply_edits(text, edits) == "The AI fleas fell 7%."


def test_locate_edits_gives_output_spans():
    text = "a IA b IA c"
    out, located = locate_edits(text, [Edit(2, 4, "IA", "AI!", "glossary"), Edit(7, 9, "IA", "", "glossary")])
    assert out == "a AI! b  c"
    assert [(e.out_start, e.out_end) for e in located] == [(2, 5), (8, 8)]
    assert [out[e.out_start:e.out_end] for e in located] == ["AI!", ""]


def test_overlapping_edits_are_refused():
    with pytest.raises(OverlappingEditsError):
        apply_edits("abcdef", [Edit(0, 3, "abc", "x", "glossary"), Edit(2, 4, "cd", "y", "glossary")])


def test_edit_must_match_the_text():
    with pytest.raises(ValueError):
        apply_edits("abcdef", [Edit(0, 3, "xyz", "x", "glossary")])


def test_shift_and_dict_round_trip():
    e = Edit(1, 2, "b", "c", "model", None, "m", 0.5)
    assert shift_edits([e], 10)[0].start == 11
    assert Edit.from_dict(e.to_dict()) == e
