"""The progress a batch run shows: per record, also inside a chunk and in worker processes;
right after --resume; the summary below the bar; a bar on a 0x0 terminal."""
from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
import time

import pytest

from repair.batch.engine import BatchSettings, run_batch
from repair.batch.executors import InProcess, ProcessPool
from repair.batch.progress import FixStats, Reporter
from repair.config import RepairConfig
from repair.io.sources import plan_inputs
from repair.pipeline import get_repairer

from .conftest import ROOT

FAST = RepairConfig(use_model=False, use_judge=False)


class Recorder(Reporter):
    """A Reporter without a bar that keeps every call."""

    def __init__(self):
        super().__init__(None, quiet=True, bar=False)
        self.calls: list[tuple] = []

    def skip(self, nbytes, records=0):
        self.calls.append(("skip", nbytes, records))
        super().skip(nbytes, records)

    def partial(self, key, nbytes, records):
        self.calls.append(("partial", nbytes, records))
        super().partial(key, nbytes, records)

    def advance(self, nbytes, records, key=None):
        self.calls.append(("advance", nbytes, records))
        super().advance(nbytes, records, key)


def _jsonl(path, n: int, text: str = "The IA race and the UE summit went on. " * 20):
    path.write_text("".join(json.dumps({"id": i, "text": text}) + "\n" for i in range(n)), encoding="utf-8")
    return path


def _run(src, out, executor, recorder, **settings):
    specs = plan_inputs([str(src)], str(out))
    return run_batch(specs, executor, BatchSettings(quiet=True, **settings), output=str(out), reporter=recorder)


def test_progress_moves_with_every_record_inside_a_chunk(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", 10)
    rec = Recorder()
    _run(src, tmp_path / "out.jsonl", InProcess(get_repairer(FAST)), rec)
    partial = [c for c in rec.calls if c[0] == "partial"]
    assert [c[2] for c in partial] == list(range(1, 11))  # one report per record of the one chunk
    assert all(a[1] <= b[1] for a, b in zip(partial, partial[1:]))
    size = src.stat().st_size
    assert sum(c[1] for c in rec.calls if c[0] == "advance") == size  # the chunk settles on the exact bytes


def test_worker_processes_report_progress_inside_a_chunk(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", 300, "The IA race and the UE summit went on. " * 60)
    rec = Recorder()
    pool = ProcessPool(FAST, 2, threads=1)
    _run(src, tmp_path / "out.jsonl", pool, rec, workers=2, chunk_records=150)
    partial = [c for c in rec.calls if c[0] == "partial"]
    assert partial, "no progress came from the workers before their chunks were done"
    assert all(0 < c[2] < 150 for c in partial)
    assert sum(c[1] for c in rec.calls if c[0] == "advance") == src.stat().st_size


def test_a_pool_forgets_every_finished_chunk(tmp_path):
    """A finished chunk's future holds its repaired records: a pool that kept them (it used to
    forget them only while the engine waited on a late chunk) grew with the input, to 872 MB
    for 1 GB of JSONL with two workers."""
    src = _jsonl(tmp_path / "in.jsonl", 120)
    pool = ProcessPool(FAST, 2, threads=1)
    stats = _run(src, tmp_path / "out.jsonl", pool, Recorder(), workers=2, chunk_records=4)
    assert stats.records == 120
    assert pool.tracked() == 0


def test_resume_starts_the_bar_where_the_run_stopped(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", 40)
    out = tmp_path / "out.jsonl"
    executor = InProcess(get_repairer(FAST))

    class Stop(Recorder):
        def advance(self, nbytes, records, key=None):
            super().advance(nbytes, records, key)
            if records and sum(c[2] for c in self.calls if c[0] == "advance") >= 20:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _run(src, out, executor, Stop(), chunk_records=10, checkpoint_records=10)
    rec = Recorder()
    stats = _run(src, out, executor, rec, chunk_records=10, checkpoint_records=10, resume=True)
    assert stats.records == 40
    skipped = [c for c in rec.calls if c[0] == "skip"]
    # what the first run committed is skipped (bytes and records), not counted as this run's work
    # (the first run stopped during its second chunk: its first 10 records were checkpointed)
    assert sum(c[1] for c in skipped) > 0 and sum(c[2] for c in skipped) == 10
    done_now = sum(c[2] for c in rec.calls if c[0] == "advance")
    assert done_now == 30
    assert sum(c[1] for c in skipped) + sum(c[1] for c in rec.calls if c[0] == "advance") == src.stat().st_size


def test_summary_rate_after_resume_counts_this_run_only():
    r = Reporter(stream=open(os.devnull, "w"))
    r.skip(600, 60)
    r.advance(100, 10)
    r.started = time.monotonic() - 20  # twenty seconds in: 10 records done by this run
    line = r.summary(FixStats(records=70), resumed=True)
    assert "(0.5 records/s)" in line and "resumed" in line


def _pty_run(args, rows: int, cols: int, stdout_too: bool = False) -> str:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, "-m", "repair", *args], stdin=subprocess.DEVNULL,
                            stdout=slave if stdout_too else subprocess.DEVNULL, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("rows, cols", [(0, 0), (24, 80)])
def test_bar_draws_on_any_terminal_and_the_summary_comes_below_it(tmp_path, rows, cols):
    src = _jsonl(tmp_path / "in.jsonl", 400)
    shown = _pty_run(["fix", "--fast", str(src), "-o", str(tmp_path / "out.jsonl")], rows, cols)
    assert "100%|" in shown, shown
    summary = shown.rindex("repair: 400 records")
    assert shown.rindex("100%|") < summary  # the last bar is drawn before the summary line
    assert "records/s" in shown[summary:]


def test_text_to_the_terminal_gets_no_bar_and_the_summary_starts_its_own_line(tmp_path):
    src = tmp_path / "doc.txt"
    src.write_text("The IA race went on.\nLast words", encoding="utf-8")  # no final line break
    shown = _pty_run(["fix", "--fast", str(src)], 24, 80, stdout_too=True)
    assert "%|" not in shown  # the text itself is on the terminal: no bar to overwrite it
    assert "The AI race went on.\r\nLast words\r\nrepair: 1 record, 1 changed, 1 edit" in shown



def test_eval_shows_a_bar_per_stage_on_a_terminal_only(tmp_path):
    data = tmp_path / "d.tsv"
    data.write_text("The UE met.\tThe EU met.\n" * 30, encoding="utf-8")
    args = ["eval", str(data), "--stages", "none,glossary", "--bootstrap", "10", "--report-dir", str(tmp_path / "r")]
    shown = _pty_run(args, 24, 100)
    assert "stage glossary:" in shown and "/30 records" in shown and "paired bootstrap (10 resamples) ..." in shown
    quiet = _pty_run([*args, "-q"], 24, 100)
    assert "stage glossary" not in quiet and "reports:" in quiet


def test_score_shows_a_bar_on_a_terminal(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"text": f"The IA race, part {i}."}) + "\n" for i in range(40)), encoding="utf-8")
    shown = _pty_run(["score", str(src), "-o", str(tmp_path / "out.jsonl")], 24, 100)
    assert "/40 records" in shown
