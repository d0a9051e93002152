"""`repair fix` as a batch tool: every input kind, outputs that mirror inputs, in place."""
from __future__ import annotations

import csv
import gzip
import io
import json
import re

import pytest
from click.testing import CliRunner

from repair.cli import main

BATCH = ["fix", "--no-judge", "--no-model", "-q"]


def run(*args, input=None):
    res = CliRunner().invoke(main, [*BATCH, *map(str, args)], input=input)
    return res


def jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_directory_tree_is_mirrored_with_each_format(tmp_path):
    src = tmp_path / "in"
    (src / "sub" / "deeper").mkdir(parents=True)
    (src / "a.txt").write_bytes(b"The IA race.\r\nSecond line, 7 %.\r\n")
    (src / "sub" / "b.jsonl").write_text('{"id": 1, "text": "UE and OTAN"}\n', encoding="utf-8")
    (src / "sub" / "deeper" / "c.csv").write_text("id,text\n1,The IA race\n", encoding="utf-8")
    (src / "sub" / "d.tsv").write_text("id\ttext\n1\tThe IA race\n", encoding="utf-8")
    with gzip.open(src / "sub" / "e.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write('{"text": "The IA race"}\n')
    (src / "notes.md").write_text("IA", encoding="utf-8")  # not picked by the default globs
    (src / ".hidden.txt").write_text("IA", encoding="utf-8")  # hidden files are skipped
    out = tmp_path / "out"
    res = run(src, "-o", out)
    assert res.exit_code == 0, res.output
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == ["a.txt", "sub/b.jsonl", "sub/d.tsv", "sub/deeper/c.csv", "sub/e.jsonl.gz"]
    assert (out / "a.txt").read_bytes() == b"The AI race.\r\nSecond line, 7%.\r\n"
    assert jsonl(out / "sub" / "b.jsonl")[0]["repaired"] == "EU and NATO"
    rows = list(csv.reader(io.StringIO((out / "sub" / "deeper" / "c.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["id", "text", "repaired", "edits"] and rows[1][2] == "The AI race"
    assert json.loads(rows[1][3])[0]["rule_id"] == "ACRONYM_IA"
    tsv = (out / "sub" / "d.tsv").read_text(encoding="utf-8").splitlines()
    assert tsv[0] == "id\ttext\trepaired\tedits" and tsv[1].split("\t")[2] == "The AI race"
    with gzip.open(out / "sub" / "e.jsonl.gz", "rt", encoding="utf-8") as fh:  # gzip in, gzip out
        assert json.loads(fh.read())["repaired"] == "The AI race"
    assert not list(out.rglob(".*"))  # no partial files or journal left behind


def test_glob_selects_files_by_name_or_relative_path(tmp_path):
    src = tmp_path / "in"
    (src / "x").mkdir(parents=True)
    (src / "page.html").write_text("<p>The IA race</p>", encoding="utf-8")
    (src / "x" / "page.html").write_text("<p>UE</p>", encoding="utf-8")
    (src / "a.txt").write_text("IA", encoding="utf-8")
    res = run(src, "-o", tmp_path / "out", "--glob", "*.html")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "out").rglob("*.*")) == ["page.html", "page.html"]
    assert (tmp_path / "out" / "page.html").read_text() == "<p>The AI race</p>"
    res = run(src, "-o", tmp_path / "out2", "--glob", "x/*")
    assert [p.relative_to(tmp_path / "out2").as_posix() for p in (tmp_path / "out2").rglob("*.*")] == ["x/page.html"]


def test_several_inputs_and_directories_into_one_directory(tmp_path):
    d1, d2 = tmp_path / "d1", tmp_path / "d2"
    d1.mkdir()
    d2.mkdir()
    (d1 / "a.txt").write_text("IA", encoding="utf-8")
    (d2 / "a.txt").write_text("UE", encoding="utf-8")
    single = tmp_path / "single.txt"
    single.write_text("OTAN", encoding="utf-8")
    out = tmp_path / "out"
    res = run(d1, d2, single, "-o", out)
    assert res.exit_code == 0, res.output
    assert (out / "d1" / "a.txt").read_text() == "AI"
    assert (out / "d2" / "a.txt").read_text() == "EU"
    assert (out / "single.txt").read_text() == "NATO"


def test_two_inputs_may_not_write_the_same_output(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    a, b = tmp_path / "x" / "a.txt", tmp_path / "y" / "a.txt"
    a.write_text("IA", encoding="utf-8")
    b.write_text("IA", encoding="utf-8")
    res = run(a, b, "-o", tmp_path / "out")
    assert res.exit_code == 2 and "would both be written to" in res.output


def test_directory_input_needs_an_output_directory(tmp_path):
    (tmp_path / "d").mkdir()
    res = run(tmp_path / "d")
    assert res.exit_code == 2 and "needs -o DIR" in res.output


def test_output_directory_inside_the_input_directory_is_not_read_back(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("IA", encoding="utf-8")
    for _ in range(2):
        res = run(src, "-o", src / "fixed")
        assert res.exit_code == 0, res.output
    assert sorted(p.relative_to(src).as_posix() for p in src.rglob("*.txt")) == ["a.txt", "fixed/a.txt"]


def test_stdin_jsonl_plain_and_gzip(tmp_path):
    line = b'{"text": "The IA race"}\n'
    for data in (line, gzip.compress(line)):
        res = CliRunner().invoke(main, [*BATCH, "--format", "jsonl"], input=data)
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout)["repaired"] == "The AI race"


def test_stdin_to_a_gzip_file(tmp_path):
    out = tmp_path / "o.txt.gz"
    res = run("-", "-o", out, input="The IA race\n")
    assert res.exit_code == 0, res.output
    assert gzip.decompress(out.read_bytes()) == b"The AI race\n"


def test_csv_embedded_newlines_quotes_and_short_rows(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(b'id,body,extra\r\n'
                    b'1,"The IA race, ""quoted""\r\nsecond line",x\r\n'
                    b'\r\n'
                    b'2\r\n'
                    b'3,,y\r\n'
                    b'4,a,b,c\r\n')
    errors = tmp_path / "err.jsonl"
    res = run(src, "--field", "body", "-o", tmp_path / "out.csv", "--errors-file", errors)
    assert res.exit_code == 3, res.output
    data = (tmp_path / "out.csv").read_bytes()
    assert data.count(b"\r\n") >= 4 and b"\n\n" not in data  # the input's CRLF row ends
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[0] == ["id", "body", "extra", "repaired", "edits"]
    assert rows[1][:3] == ["1", 'The IA race, "quoted"\r\nsecond line', "x"]
    assert rows[1][3] == 'The AI race, "quoted"\r\nsecond line'
    assert rows[2][0] == "2" and rows[2][3] == ""  # no such field: passed through
    assert rows[3] == ["3", "", "y", "", "[]"]  # an empty record is a record
    assert len(rows) == 4
    (err,) = jsonl(errors)
    assert err["line"] == 7 and "4 fields, but the header has 3" in err["error"]


def test_csv_without_the_field_is_one_error_and_no_output(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,body\n1,IA\n", encoding="utf-8")
    res = run(src, "-o", tmp_path / "out.csv")
    assert res.exit_code == 3
    assert "no column 'text' in the header ('id', 'body')" in res.output
    assert not (tmp_path / "out.csv").exists()


def test_in_place_keeps_a_backup_and_refuses_to_replace_it(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text('{"text": "IA"}\n', encoding="utf-8")
    res = run("--in-place", src)
    assert res.exit_code == 0, res.output
    assert jsonl(src)[0]["repaired"] == "AI"
    assert (tmp_path / "a.jsonl.bak").read_text(encoding="utf-8") == '{"text": "IA"}\n'
    res = run("--in-place", src)
    assert res.exit_code == 2 and "a.jsonl.bak already exists" in res.output
    res = run("--in-place", "--backup-suffix", ".orig", src)
    assert res.exit_code == 0 and (tmp_path / "a.jsonl.orig").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl", "a.jsonl.bak", "a.jsonl.orig"]


@pytest.mark.parametrize("args", [["--in-place", "-"], ["--in-place", "X", "-o", "Y"]])
def test_in_place_usage_errors(tmp_path, args):
    (tmp_path / "X").write_text("IA", encoding="utf-8")
    res = CliRunner().invoke(main, [*BATCH, *[str(tmp_path / a) if a in "XY" else a for a in args]])
    assert res.exit_code == 2


def test_output_never_overwrites_an_input_even_in_a_tree(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("IA", encoding="utf-8")
    res = run(src, "-o", src)
    assert res.exit_code == 2 and "refusing to overwrite input" in res.output
    assert (src / "a.txt").read_text() == "IA"


def test_summary_line_on_stderr(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text('{"text": "IA"}\n{"text": "clean"}\nnot json\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["fix", "--no-judge", "--no-model", str(src)])
    assert res.exit_code == 3
    assert "repair: 2 records, 1 changed, 1 edit, 1 error, 0 warnings;" in res.stderr
    # the time, and the rate unless the run took under 0.1 s
    assert re.search(r"; \d+\.\d s( \([\d.,]+ records/s\))?$", res.stderr.rstrip())
    quiet = CliRunner().invoke(main, [*BATCH, str(src)])
    assert "repair:" not in quiet.stderr
