"""Ctrl-C on a real `repair fix` run: it stops at once, keeps a resumable journal, and
`--resume` finishes with the same bytes as a run that was never interrupted.

The run uses the default pipeline (post-editor and judge on). The input is large (8,000
records), mostly plain sentences that the pipeline passes over quickly, with a garbled
paragraph every 400 records that the post-editor and the judge work on, so that the run is
busy inside a chunk of records when SIGINT arrives.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT

RECORDS = 8_000
GARBLED_EVERY = 400
#: How long a run may take to stop after SIGINT (it takes well under a second here).
STOP_SECONDS = 5.0

# records of a few hundred bytes: a chunk of them is larger than a pipe's buffer, as in real dumps
# (a chunk on its way to a worker process must not keep the run from ending)
PLAIN = tuple(" ".join([s] * 6) for s in (
    "The council met on day {i} to discuss the budget.", "Officials said road {i} would reopen next week.",
    "The match in week {i} was postponed because of heavy rain.", "Team {i} won the regional final."))


def _garbled() -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()]
    return [r["source"] for r in rows if r.get("kind") == "garbled"][:6]


@pytest.fixture(scope="module")
def big_jsonl(tmp_path_factory) -> Path:
    garbled = _garbled()
    path = tmp_path_factory.mktemp("interrupt") / "big.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(RECORDS):
            text = garbled[(i // GARBLED_EVERY) % len(garbled)] if i % GARBLED_EVERY == 0 \
                else PLAIN[i % len(PLAIN)].format(i=i)
            fh.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
    return path


def _command(src: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "repair", "fix", str(src), "-o", str(out), *extra]


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")


def _default_sigint() -> None:
    # a shell that starts a job in the background makes it ignore SIGINT; a terminal's run does not
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="module")
def uninterrupted(big_jsonl) -> bytes:
    out = big_jsonl.parent / "reference.jsonl"
    res = subprocess.run(_command(big_jsonl, out, "-q"), env=_env(), capture_output=True, timeout=900)
    assert res.returncode == 0, res.stderr.decode()
    return out.read_bytes()


def _journal(out: Path) -> Path:
    return out.parent / f".{out.name}.repair-journal"


def _committed(journal: Path) -> bool:
    try:
        return any(json.loads(line).get("kind") == "commit"
                   for line in journal.read_text(encoding="utf-8").splitlines() if line.strip())
    except (OSError, ValueError):
        return False


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigint_stops_at_once_and_resume_gives_the_same_bytes(big_jsonl, uninterrupted, workers):
    out = big_jsonl.parent / f"out-{workers}.jsonl"
    journal = _journal(out)
    proc = subprocess.Popen(_command(big_jsonl, out, "--workers", workers), env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=_default_sigint, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while not _committed(journal):  # busy, with some progress kept
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no checkpoint within 10 minutes"
            time.sleep(0.05)
        sent = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does on Ctrl-C: the whole process group
        proc.wait(timeout=60)
        stopped = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    stderr = proc.stderr.read().decode()
    assert proc.returncode == 130, stderr
    assert stopped < STOP_SECONDS, f"took {stopped:.1f} s to stop"
    assert "--resume" in stderr and str(journal) in stderr
    assert "Traceback" not in stderr
    assert journal.exists() and not out.exists()
    res = subprocess.run(_command(big_jsonl, out, "--workers", workers, "--resume", "-q"), env=_env(),
                         capture_output=True, timeout=900)
    assert res.returncode == 0, res.stderr.decode()
    assert out.read_bytes() == uninterrupted
    assert not journal.exists()
