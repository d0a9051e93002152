"""compose_edits: two passes of edits fold into one list of edits on the original text."""
from hypothesis import given, settings
from hypothesis import strategies as st

from repair.edit import Edit, apply_edits, compose_edits


@st.composite
def text_and_edits(draw, text=None):
    if text is None:
        text = draw(st.text(alphabet="ab c", max_size=14))
    edits, pos = [], 0
    while pos <= len(text):
        if draw(st.booleans()) and draw(st.booleans()):
            end = min(len(text), pos + draw(st.integers(0, 3)))
            after = draw(st.text(alphabet="xyz", max_size=3))
            if after != text[pos:end]:
                edits.append(Edit(pos, end, text[pos:end], after, draw(st.sampled_from(["glossary", "model"]))))
            pos = end + 1
        else:
            pos += 1
    return text, edits


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_compose_equals_sequential_application(data):
    t0, e1 = data.draw(text_and_edits())
    t1 = apply_edits(t0, e1)
    _, e2 = data.draw(text_and_edits(t1))
    t2 = apply_edits(t1, e2)
    text, edits = compose_edits(t0, e1, e2)
    assert text == t2
    assert apply_edits(t0, edits) == t2
    for e in edits:
        assert t0[e.start:e.end] == e.before and text[e.out_start:e.out_end] == e.after


def test_merged_edit_names_both_sources():
    t0 = "the IA fleas"
    e1 = [Edit(4, 6, "IA", "AI", "glossary", "ACRONYM_IA")]
    text, edits = compose_edits(t0, e1, [Edit(7, 12, "fleas", "chips", "model", None, "m")])
    assert text == "the AI chips"
    assert [(e.before, e.after, e.source) for e in edits] == [("IA", "AI", "glossary"), ("fleas", "chips", "model")]
