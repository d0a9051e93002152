"""Messages a person can read: the wording of errors, summaries and help."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from repair.cli import main

from .conftest import ROOT

FAST = ["--fast"]


@pytest.fixture
def runner():
    return CliRunner()


def test_malformed_json_says_where_once(runner, tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_bytes(b'{"text": "a\tb"}\n')  # a raw tab inside a JSON string
    res = runner.invoke(main, ["fix", *FAST, str(src)])
    assert res.exit_code == 3
    (err,) = [json.loads(line) for line in res.stderr.splitlines() if line.startswith("{")]
    assert err["error"].endswith("line 1: malformed JSON: Invalid control character at column 12")
    assert "at at" not in err["error"]


@pytest.mark.parametrize("where", ["/nonexistent", "./no/such/model", "~/no-such-model"])
def test_a_missing_model_directory_is_named(runner, tmp_path, where):
    src = tmp_path / "a.txt"
    src.write_text("x\n", encoding="utf-8")
    res = runner.invoke(main, ["fix", "--model", where, "--no-judge", str(src)])
    assert res.exit_code == 2
    assert f"--model {where}: no such directory" in res.output
    assert "Repo id" not in res.output


def test_summary_counts_in_words(runner, tmp_path):
    one = tmp_path / "one.jsonl"
    one.write_text('{"text": "The IA race."}\n', encoding="utf-8")
    res = runner.invoke(main, ["fix", *FAST, str(one)])
    summary = res.stderr.splitlines()[-1]
    assert summary.startswith("repair: 1 record, 1 changed, 1 edit, 0 errors, 0 warnings; ")
    assert "(0 records/s)" not in summary
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9\n")  # not UTF-8: an error record, and no output
    res = runner.invoke(main, ["fix", *FAST, str(bad)])
    assert res.exit_code == 3
    summary = res.stderr.splitlines()[-1]
    assert summary.startswith("repair: nothing repaired, 1 error, 0 warnings; ")
    assert "0 files" not in summary


def test_every_option_has_help():
    from repair.train.cli import train_command

    commands = [("train", train_command)]
    stack = [("", main)]
    while stack:
        prefix, group = stack.pop()
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            cmd = group.get_command(ctx, name)
            if isinstance(cmd, click.Group):
                stack.append((f"{prefix}{name} ", cmd))
            else:
                commands.append((prefix + name, cmd))
    missing = [f"repair {name} {p.opts[0]}" for name, cmd in commands for p in cmd.params
               if isinstance(p, click.Option) and not p.help]
    assert missing == []


def test_fix_help_says_what_each_mode_runs_and_costs(runner):
    res = runner.invoke(main, ["fix", "--help"], terminal_width=200)
    text = " ".join(res.output.split())
    assert "--fast Glossary only" in text and "news articles/s on one core" in text
    assert "--no-model No seq2seq post-editor. The judge still runs" in text
    assert "--no-judge No language-model judge" in text and "post-editor is then off too" in text


def test_quiet_hides_every_progress_bar(tmp_path):
    """Under --quiet nothing draws a bar, not even the judge's one-time model conversion
    (run here in a fresh cache, so that it happens)."""
    src = tmp_path / "a.txt"
    src.write_text("The society said her profits were eventually approved.\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", MT_REPAIR_CACHE=str(tmp_path / "cache"))
    res = subprocess.run([sys.executable, "-m", "repair", "fix", "-q", str(src)], env=env, capture_output=True,
                         timeout=900)
    assert res.returncode == 0, res.stderr.decode()
    assert "%|" not in res.stderr.decode() and "\r" not in res.stderr.decode()
