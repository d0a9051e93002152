"""The repair command, end to end through click, and once as a real subprocess."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from repair.cli import main

from .conftest import SEED


@pytest.fixture()
def runner():
    return CliRunner()


def test_fix_seed_to_stdout(runner):
    res = runner.invoke(main, ["fix", str(SEED)])
    assert res.exit_code == 0, res.output
    assert "only AI chip" in res.stdout and "After promoting the newsletter" not in res.stdout
    assert "$5.5bn (£4.2bn)" in res.stdout


def test_fix_reads_stdin_and_dash(runner):
    for args in (["fix"], ["fix", "-"]):
        res = runner.invoke(main, args, input="The IA race.\n")
        assert res.exit_code == 0
        assert res.stdout == "The AI race.\n"


def test_empty_input_gives_empty_output(runner, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    res = runner.invoke(main, ["fix", str(empty)])
    assert res.exit_code == 0 and res.stdout == ""
    empty_jsonl = tmp_path / "empty.jsonl"
    empty_jsonl.write_bytes(b"")
    res = runner.invoke(main, ["fix", str(empty_jsonl)])
    assert res.exit_code == 0 and res.stdout == ""


def test_explain_names_rule_file_line_and_change(runner):
    res = runner.invoke(main, ["fix", "--explain", str(SEED)])
    assert res.exit_code == 0
    assert f"{SEED}:1:157: glossary ACRONYM_IA (glossaries/fr-en.yaml:" in res.stderr
    assert "'IA' -> 'AI'" in res.stderr
    # a held-back proposal names its source, change and reason, at its place in the input
    # ("It is a celebrity figure" on line 15, after "... social media. ")
    assert f"{SEED}:15:86: held back model mt-repair-default@" in res.stderr
    # the reason in words, and the text around the change with the change marked
    assert ("'It' -> 'He'\n    the post-editing model itself preferred the text as it was (margin -"
            in res.stderr)
    assert "social media. [It → He] is a celebrity figure" in res.stderr


def test_explain_names_the_blocker_that_held_a_glossary_hit_back(runner, tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("The military actions of the government fell short of a war.\n", encoding="utf-8")
    res = runner.invoke(main, ["fix", "--explain", "--no-model", str(src)])
    assert res.exit_code == 0 and res.stdout == "The military actions of the government fell short of a war.\n"
    assert ("held back glossary ACTIONS_SHARES 'actions' -> 'shares'\n"
            "    kept: 'military actions' is correct English here (an exception the rule lists)\n"
            "    The military [actions → shares] of the government fell short...\n") in res.stderr


def test_output_file_is_written_and_input_never_clobbered(runner, tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("IA\n", encoding="utf-8")
    out = tmp_path / "out" / "a.txt"
    res = runner.invoke(main, ["fix", str(src), "-o", str(out)])
    assert res.exit_code == 0 and out.read_text(encoding="utf-8") == "AI\n"
    res = runner.invoke(main, ["fix", str(src), "-o", str(src)])
    assert res.exit_code == 2 and "refusing to overwrite input" in res.output
    assert src.read_text(encoding="utf-8") == "IA\n"
    assert not list(tmp_path.glob("**/.*.tmp"))


def test_several_inputs_into_a_directory(runner, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.jsonl"
    a.write_text("IA\n", encoding="utf-8")
    b.write_text('{"text": "7 %"}\n', encoding="utf-8")
    res = runner.invoke(main, ["fix", str(a), str(b), "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "a.txt").read_text() == "AI\n"
    assert json.loads((tmp_path / "out" / "b.jsonl").read_text())["repaired"] == "7%"


def test_invalid_utf8_names_file_and_byte(runner, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"The IA race \xff\xfe here.\n")
    res = runner.invoke(main, ["fix", str(bad)])
    assert res.exit_code == 3
    assert f"{bad}: byte 12: invalid UTF-8" in res.output
    res = runner.invoke(main, ["fix", "--errors", "replace", str(bad)])
    assert res.exit_code == 0 and res.stdout == "The AI race \ufffd\ufffd here.\n"


def test_jsonl_records_written_back_whole(runner, tmp_path):
    src = tmp_path / "in.jsonl"
    recs = [{"id": 1, "body": "Nvidia IA fleas fell 7 %.", "meta": {"k": [1, 2]}},
            {"id": 2, "body": "Clean text about a flea market."},
            {"id": 3, "other": "no body field"},
            {"id": 4, "body": None}]
    src.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    res = runner.invoke(main, ["fix", "--field", "body", str(src)])
    assert res.exit_code == 0, res.output
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(out) == 4
    assert out[0]["repaired"] == "Nvidia AI chips fell 7%." and out[0]["meta"] == {"k": [1, 2]}
    assert [e["rule_id"] for e in out[0]["edits"]] == ["ACRONYM_IA", "FLEAS_CHIPS", "PERCENT_SPACE"]
    assert out[1]["repaired"] == recs[1]["body"] and out[1]["edits"] == []
    assert out[2] == recs[2] and out[3] == recs[3]
    assert "line 3: no field 'body'; passed through unchanged" in res.stderr
    assert "line 4: field 'body' is not a string" in res.stderr


def test_malformed_json_line_gives_one_error_record_and_data_exit(runner, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"text": "IA"}\n{"text": broken\n[1, 2]\n{"text": "\xff"}\n{"text": "7 %"}\n')
    errors = tmp_path / "errors.jsonl"
    res = runner.invoke(main, ["fix", str(src), "--errors-file", str(errors)])
    assert res.exit_code == 3
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert [o["repaired"] for o in out] == ["AI", "7%"]
    errs = [json.loads(line) for line in errors.read_text().splitlines()]
    assert [(e["file"], e["line"]) for e in errs] == [(str(src), 2), (str(src), 3), (str(src), 4)]
    assert "malformed JSON" in errs[0]["error"] and "invalid UTF-8" in errs[2]["error"]


def test_malformed_glossary_is_a_data_error(runner, tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("ok\tfine\nbroken line\n", encoding="utf-8")
    res = runner.invoke(main, ["fix", "-g", str(bad)], input="x")
    assert res.exit_code == 3 and f"{bad}:2: expected 2 columns" in res.output


def test_usage_errors_exit_2(runner, tmp_path):
    assert runner.invoke(main, ["fix", str(tmp_path / "missing.txt")]).exit_code == 2
    assert runner.invoke(main, ["fix", "--bogus"]).exit_code == 2


def test_glossary_check_and_list(runner, tmp_path):
    good = tmp_path / "g.yaml"
    good.write_text("rules:\n  - id: A\n    match: foo\n    replace: bar\n    fix: [{in: 'a foo', out: 'a bar'}]\n"
                    "    keep: ['food']\n  - id: B\n    match: baz\n    replace: qux\n"
                    "    fix: [{in: 'baz', out: 'wrong'}]\n", encoding="utf-8")
    res = runner.invoke(main, ["glossary", "check", str(good)])
    assert res.exit_code == 3
    assert "B: 'baz' gave 'qux', expected 'wrong'" in res.output
    res = runner.invoke(main, ["glossary", "list"])
    assert res.exit_code == 0 and "ACRONYM_IA\tglossaries/fr-en.yaml:" in res.output


def test_glossary_check_flags_a_trigger_written_as_a_regex(runner, tmp_path):
    """Trigger words match literally: "rivers?" would never match (a real slip, and one that
    PyYAML's pure-Python loader refuses in a flow list); "Canal+", "$*" and "river*" are words."""
    g = tmp_path / "g.yaml"
    g.write_text("rules:\n  - id: USED_WATERS\n    match: used waters\n    replace: wastewater\n"
                 "    triggers: ['rivers?', river*, Canal+, '$*']\n    unless_near: ['(bottled|mineral)']\n"
                 "    fix: [{in: 'used waters in the river', out: 'wastewater in the river'}]\n", encoding="utf-8")
    res = runner.invoke(main, ["glossary", "check", str(g)])
    assert res.exit_code == 3
    assert "USED_WATERS: triggers word 'rivers?' looks like a regex" in res.output
    assert "unless_near word '(bottled|mineral)' looks like a regex" in res.output
    assert "Canal+" not in res.output and "word 'river*'" not in res.output and "'$*'" not in res.output


def test_glossary_check_notes_a_regex_that_scans_whole_texts(runner, tmp_path):
    """A regex that Python's re runs, of unbounded reach and whose matches start with no fixed
    words, scans the whole of each text that holds its literal: the check says so, and how to
    bound it, without failing; the same rule with its repetition bounded, or starting with
    fixed words, gets no note."""
    def check(regex, text="the big dog barks"):
        g = tmp_path / "g.yaml"
        g.write_text(f"glossary:\n  engine: checked\nrules:\n  - id: SLOW\n    regex: '{regex}'\n    replace: x\n"
                     f"    fix: [{{in: '{text}', out: 'the x barks'}}]\n", encoding="utf-8")
        return runner.invoke(main, ["glossary", "check", str(g)])

    res = check(r"\b\w+ dog\b")
    assert res.exit_code == 0, res.output
    assert "SLOW: note: this regex scans the whole of every text that holds ' dog'" in res.output
    assert "1 rules, 0 problems, 1 notes on speed" in res.output
    for fast, text in ((r"\b\w{1,40} dog\b", "the big dog barks"), (r"\blarge \w+ dog\b", "the large brown dog barks")):
        res = check(fast, text)
        assert res.exit_code == 0 and "note:" not in res.output and "0 problems\n" in res.output, (fast, res.output)


def test_console_script_runs_as_a_module(tmp_path):
    res = subprocess.run([sys.executable, "-m", "repair", "fix", "-"], input=b"UE and OTAN\n",
                         capture_output=True, check=True)
    assert res.stdout == b"EU and NATO\n"
