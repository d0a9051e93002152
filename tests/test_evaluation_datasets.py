"""Evaluation datasets: JSONL, TSV and line-aligned plain text pairs; errors name file and line."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from repair.evaluation.datasets import CATEGORIES, DatasetError, flatten, load_dataset, locate_ref_edits

from .conftest import ROOT

DEV = ROOT / "eval" / "dev.jsonl"
HELDOUT = ROOT / "eval" / "heldout.jsonl"
README = ROOT / "eval" / "README.md"


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_dev_set_loads_with_located_edits():
    ds = load_dataset(DEV)
    assert ds.format == "jsonl" and len(ds) == 156
    assert sum(r.clean for r in ds) == 44 and sum(not r.clean for r in ds) == 112
    seed = ds.record("seed")
    assert "IA chip" in seed.source and "\n" in seed.source
    assert len(ds.sha256) == 64 and ds.files == {str(DEV): ds.sha256}
    for r in ds:
        for e in r.edits:
            assert r.source[e.start:e.end] == e.before  # no edit in dev.jsonl builds on an earlier one
            assert e.category in CATEGORIES
        if r.clean:
            assert r.source == r.reference and not r.edits and r.traps


def test_heldout_set_loads_and_its_edits_rebuild_each_reference():
    """eval/heldout.jsonl (reporting only, see eval/README.md): well-formed, never tuned on."""
    ds = load_dataset(HELDOUT)
    assert len(ds) == 150 and sum(r.clean for r in ds) == 42
    assert all(r.id.startswith("ho-") for r in ds)
    for r in ds:
        if r.clean:
            assert r.source == r.reference and not r.edits and r.traps
            assert all(t in r.source for t in r.traps)
            continue
        assert 3 <= len(r.edits) <= 7 and r.source != r.reference
        spans = sorted(r.edits, key=lambda e: e.start)
        assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))  # no edit builds on another
        rebuilt, pos = [], 0
        for e in spans:
            assert r.source.count(e.before) == 1  # each `before` is unique in its source
            rebuilt += [r.source[pos:e.start], e.after]
            pos = e.end
        assert "".join(rebuilt) + r.source[pos:] == r.reference


def test_dev_set_is_in_sync_with_its_authoring_files():
    """The g-/d-/cl- records of dev.jsonl are built from eval/authoring/batch-*.txt; the two agree."""
    proc = subprocess.run([sys.executable, str(ROOT / "eval" / "authoring" / "build.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    ids = [json.loads(line)["id"] for line in DEV.read_text(encoding="utf-8").splitlines()]
    assert ids[61] == "clean-20" and {i.split("-")[0] for i in ids[62:]} == {"g", "d", "cl"}


def test_jsonl_defaults_and_optional_fields(tmp_path):
    path = _jsonl(tmp_path / "d.jsonl", [
        {"source": "The IA race.", "reference": "The AI race."},
        {"id": 7, "source": "Food prices rose.", "reference": "Food prices rose.", "topic": "markets"},
    ])
    ds = load_dataset(path)
    a, b = ds.records
    assert (a.id, a.kind, a.line, a.edits) == ("1", "garbled", 1, ())
    assert (b.id, b.kind, b.topic) == ("7", "clean", "markets")
    assert not ds.has_categories


def test_edits_apply_in_order_each_to_the_first_occurrence():
    source = "prices and prices, the IA race"
    edits = locate_ref_edits(source, [
        {"before": "prices", "after": "tariffs", "category": "false_friend"},
        {"before": "prices", "after": "duties", "category": "false_friend"},
        {"before": "IA", "after": "AI", "category": "acronym"},
        {"before": "the AI race", "after": "the race for AI", "category": "word_order"},
    ])
    assert [(e.start, e.end) for e in edits] == [(0, 6), (11, 17), (23, 25), (19, 30)]
    assert edits[3].before == "the IA race"  # where the text that edit changed came from


@pytest.mark.parametrize("line, message", [
    ('{"source": "a", "reference": broken}', "line 2: malformed JSON"),
    ('[1, 2]', "line 2: a record must be a JSON object"),
    ('{"source": "a"}', "line 2: no field 'reference'"),
    ('{"source": 3, "reference": "a"}', "line 2: field 'source' is not a string"),
    ('{"id": "x", "source": "a", "reference": "a"}', "line 2: id 'x' repeats line 1"),
    ('{"source": "a", "reference": "b", "kind": "clean"}', "line 2: a clean record's reference must equal its source"),
    ('{"source": "a", "reference": "b", "kind": "noisy"}', "line 2: kind must be one of garbled, clean"),
    ('{"source": "a b", "reference": "a c", "edits": [{"before": "z", "after": "c"}]}',
     "line 2: edit 1: 'before' text 'z' not found in the source"),
    ('{"source": "a", "reference": "b", "edits": [{"before": "a"}]}', "line 2: edit 1: needs string fields"),
    ('{"source": "a", "reference": "b", "traps": "a"}', "line 2: field 'traps' must be a list of strings"),
])
def test_jsonl_errors_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "x", "source": "ok", "reference": "ok"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(DatasetError) as exc:
        load_dataset(path)
    assert str(exc.value).startswith(f"{path}: line 2")
    assert message in str(exc.value)


def test_invalid_utf8_names_file_line_and_byte(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_bytes(b"a\tb\nc\xff\td\n")
    with pytest.raises(DatasetError, match=re.escape(f"{path}: line 2: invalid UTF-8 at byte 5")):
        load_dataset(path)


def test_empty_dataset_is_an_error(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"\n")
    with pytest.raises(DatasetError, match="no records"):
        load_dataset(path)


def test_tsv_pairs(tmp_path):
    path = tmp_path / "d.tsv"
    path.write_bytes("The IA race.\tThe AI race.\r\n\nFood prices rose.\tFood prices rose.\n".encode())
    ds = load_dataset(path)
    assert ds.format == "tsv"
    assert [(r.id, r.kind, r.source, r.reference) for r in ds] == [
        ("1", "garbled", "The IA race.", "The AI race."), ("3", "clean", "Food prices rose.", "Food prices rose.")]


def test_tsv_wrong_column_count_names_line(tmp_path):
    path = tmp_path / "d.tsv"
    path.write_text("a\tb\nno tab here\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=re.escape(f"{path}: line 2: expected 2 tab-separated columns")):
        load_dataset(path)
    path.write_text("a\tb\tc\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="line 1: .* found 3"):
        load_dataset(path)


def test_plain_text_pair_in_a_directory_or_named(tmp_path):
    (tmp_path / "src.txt").write_text("The IA race.\nsame\n", encoding="utf-8")
    (tmp_path / "ref.txt").write_text("The AI race.\nsame\n", encoding="utf-8")
    for ds in (load_dataset(tmp_path), load_dataset(tmp_path / "src.txt", ref=tmp_path / "ref.txt")):
        assert ds.format == "pair"
        assert [(r.id, r.kind) for r in ds] == [("1", "garbled"), ("2", "clean")]
        assert set(ds.files) == {str(tmp_path / "src.txt"), str(tmp_path / "ref.txt")}
    (tmp_path / "ref.txt").write_text("only one line\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="src.txt has 2 lines but .*ref.txt has 1"):
        load_dataset(tmp_path)


def test_directory_without_the_pair_and_unknown_extension(tmp_path):
    with pytest.raises(DatasetError, match="must hold src.txt and ref.txt"):
        load_dataset(tmp_path)
    other = tmp_path / "data.csv"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(DatasetError, match="cannot tell the dataset format"):
        load_dataset(other)
    other.write_text("a\tb\n", encoding="utf-8")  # a format given overrides the extension
    assert load_dataset(other, fmt="tsv").records[0].reference == "b"


def test_flatten_makes_one_line_per_record():
    assert flatten("a\nb\r\nc\rd") == "a b c d"


def test_readme_documents_the_fields_categories_and_formats_the_loader_knows():
    text = README.read_text(encoding="utf-8")
    fields = re.findall(r"^\| `(\w+)`\s+\| (?:string|list)", text, flags=re.M)
    assert fields == ["id", "kind", "topic", "source", "reference", "edits", "traps"]
    categories = re.findall(r"^\| `(\w+)`\s+\| (?!string|list)", text, flags=re.M)
    assert categories == list(CATEGORIES)
    for phrase in ("src.txt", "ref.txt", "source<TAB>reference", "repair eval"):
        assert phrase in text
