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


def test_a_second_pass_edit_keeps_its_sentence_span_in_original_coordinates():
    from repair.edit import locate_edits

    t0 = "Le IA race. The society rose."
    _, first = locate_edits(t0, [Edit(3, 5, "IA", "AI", "glossary", "ACRONYM_IA"),
                                 Edit(0, 2, "Le", "The", "glossary", "ARTICLE")])
    t1 = apply_edits(t0, first)
    assert t1 == "The AI race. The society rose."
    s1 = t1.index("The society")
    edit = Edit(t1.index("society"), t1.index("society") + 7, "society", "company", "model", "m",
                sentence=(s1, len(t1)))
    text, edits = compose_edits(t0, first, [edit])
    (model,) = [e for e in edits if e.source == "model"]
    assert text == "The AI race. The company rose."
    assert t0[model.sentence[0]:model.sentence[1]] == "The society rose."
    assert Edit.from_dict(model.to_dict()) == model


def test_a_merged_edit_takes_the_sentence_of_its_model_part():
    t0 = "the IA fleas"
    from repair.edit import locate_edits

    _, first = locate_edits(t0, [Edit(4, 6, "IA", "AI", "glossary", "ACRONYM_IA")])
    text, edits = compose_edits(t0, first, [Edit(0, 6, "the AI", "AI", "model", None, sentence=(0, 12))])
    assert text == "AI fleas" and edits[0].source == "glossary+model" and edits[0].sentence == (0, 12)
