"""One pipeline: every front end gives the same text and the same edits for the same input.

``repair_text``, ``repair fix`` (a .txt document, a JSONL record, a CSV cell, an .html
file), ``repair_bag`` and ``repair eval``'s full stage all call ``Repairer.repair``; and a
paragraph repairs the same way alone and inside a longer document (no context window
crosses a line break).
"""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from repair import DEFAULT_CONFIG, apply_edits, get_repairer, repair_text
from repair.cli import main
from repair.evaluation import resolve_stages
from repair.explain import Context, explain_lines

MOJIBAKE = "Itâ€™s the IA race, and the UE said shares rose 7 % on Monday."
HTML = "<p>Itâ€™s the IA <b>race</b>, and the UE &amp; OTAN met.</p>\n<p>The actions of the company fell.</p>"
# the judge decides "director general" in context: alone, and after a paragraph about a company
CONTEXT = "The company said its profits rose. Its chief executive was pleased.\n"
PARAGRAPH = ("The charity's director general, Anne Dubois, said donations fell 7 % last year. "
             "The society said her plans were eventually approved by the UE.")
INPUTS = {"mojibake": MOJIBAKE, "html": HTML, "paragraph": PARAGRAPH, "in context": CONTEXT + PARAGRAPH}


def _edits(result) -> list[dict]:
    return [e.to_dict() for e in result.edits]


@pytest.fixture(scope="module")
def expected():
    return {name: repair_text(text) for name, text in INPUTS.items()}


def _fix(tmp_path, name: str, data: bytes, *args) -> tuple[bytes, str]:
    src = tmp_path / name
    src.write_bytes(data)
    out = tmp_path / f"out-{name}"
    res = CliRunner().invoke(main, ["fix", "-q", "--explain", str(src), "-o", str(out), *args])
    assert res.exit_code == 0, res.output
    return out.read_bytes(), res.output


@pytest.mark.parametrize("name", list(INPUTS))
def test_every_front_end_gives_the_same_text_and_edits(tmp_path, expected, name):
    text = INPUTS[name]
    want = expected[name]
    assert apply_edits(text, want.edits) == want.text
    # repair fix: a text document (its edits through --explain), a JSONL record, a CSV cell
    out, explained = _fix(tmp_path, "doc.txt", text.encode())
    assert out.decode() == want.text
    doc = str(tmp_path / "doc.txt")
    assert explained == "".join(item + "\n" for item in explain_lines(want, text, doc,
                                                                      context=Context.of(get_repairer())))
    out, _ = _fix(tmp_path, "rec.jsonl", (json.dumps({"id": 1, "text": text}) + "\n").encode())
    rec = json.loads(out)
    assert rec["repaired"] == want.text and rec["edits"] == json.loads(json.dumps(_edits(want)))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([["id", "text"], ["1", text]])
    out, _ = _fix(tmp_path, "rows.csv", buf.getvalue().encode())
    (row,) = list(csv.DictReader(io.StringIO(out.decode())))
    assert row["repaired"] == want.text and json.loads(row["edits"]) == json.loads(json.dumps(_edits(want)))
    if name == "html":
        out, _ = _fix(tmp_path, "page.html", text.encode(), "--format", "txt")
        assert out.decode() == want.text
    # repair_bag, and repair eval's full stage
    import dask.bag as db

    from repair.distributed import repair_bag

    (bagged,) = repair_bag(db.from_sequence([{"text": text}], npartitions=1)).compute(scheduler="synchronous")
    assert bagged["repaired"] == want.text and bagged["edits"] == _edits(want)
    (full,) = [s for s in resolve_stages(["full"])]
    (evaluated,) = full.run([text]).results
    assert evaluated == want


def test_the_inputs_exercise_what_they_are_for(expected):
    sources = {name: {e.source for e in r.edits} for name, r in expected.items()}
    assert "encoding" in sources["mojibake"] and "encoding" in sources["html"]
    assert expected["html"].text.startswith("<p>It’s the AI <b>race</b>, and the EU &amp; NATO met.</p>")
    # the judge looked at the paragraph (its ambiguous words went to it)
    judged = [x for x in expected["paragraph"].edits + expected["paragraph"].rejected if x.score is not None]
    assert judged


def test_a_paragraph_repairs_alone_as_inside_a_document(expected):
    alone, inside = expected["paragraph"], expected["in context"]
    offset = len(CONTEXT)
    assert inside.text[len(expected["in context"].text) - len(alone.text):] == alone.text
    shifted = [(e.start - offset, e.end - offset, e.before, e.after, e.rule_id, e.score)
               for e in inside.edits if e.start >= offset]
    assert shifted == [(e.start, e.end, e.before, e.after, e.rule_id, e.score) for e in alone.edits]
    held = [(r.start - offset, r.rule_id, r.score) for r in inside.rejected if r.start >= offset]
    assert held == [(r.start, r.rule_id, r.score) for r in alone.rejected]


def test_a_long_document_is_repaired_in_pieces_like_the_whole(tmp_path):
    config = DEFAULT_CONFIG.with_options(use_model=False)
    paragraph = MOJIBAKE + " The society said her fleas sold well.\n\n"
    text = paragraph * (DEFAULT_CONFIG.max_chars // len(paragraph) + 5)
    repairer = get_repairer(config)
    assert len(repairer.pieces(text)) > 2  # it is cut
    whole = get_repairer(config.with_options(max_chars=10 ** 9, max_line=10 ** 9)).repair(text)
    pieces = repairer.repair(text)
    assert pieces == whole
    out, _ = _fix(tmp_path, "long.txt", text.encode(), "--no-model")
    assert out.decode() == whole.text


def test_run_time_never_imports_training_code():
    code = ("import repair, repair.pipeline, repair.batch, repair.distributed, repair.cli, repair.fixfiles, "
            "repair.evaluation; import sys; assert not [m for m in sys.modules if m.startswith('repair.train')]")
    subprocess.run([sys.executable, "-c", code], check=True)
