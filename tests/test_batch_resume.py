"""Kill a real `repair fix` run with SIGKILL, resume it, and get the same bytes as an
uninterrupted run: no duplicates, no gaps, error records included."""
from __future__ import annotations

import gzip
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from repair.cli import main

from .conftest import ROOT, load_cases

COMMON = ["--no-judge", "--no-model", "-q", "--checkpoint", "20"]


def _texts() -> list[str]:
    return [c["original"] for name in ("positive.jsonl", "negative.jsonl") for c in load_cases(name)]


def make_jsonl(path: Path, n: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    texts = _texts()
    with open(path, "wb") as fh:
        for i in range(n):
            if i % 97 == 5:
                fh.write(b'{"id": %d, "text": broken\n' % i)
            elif i % 131 == 7:
                fh.write(b'{"id": %d, "text": "bad \xff byte"}\n' % i)
            else:
                fh.write(json.dumps({"id": i, "text": rnd.choice(texts)}, ensure_ascii=False).encode() + b"\n")


def cli(args, cwd: Path, **kw):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "repair", "fix", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, **kw)


def kill_after(args, cwd: Path, journal: Path, marker: str, count: int, timeout: float = 120) -> None:
    """Start `repair fix ARGS`, wait until the journal holds ``count`` ``marker`` records,
    then SIGKILL it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "repair", "fix", *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"the run ended before it could be killed: {proc.stderr.read().decode()[-2000:]}")
            if journal.exists() and journal.read_text(encoding="utf-8").count(f'"kind": "{marker}"') >= count:
                break
            time.sleep(0.05)
        else:
            pytest.fail("no checkpoint within the time limit")
    finally:
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
    # the killed run's pool workers notice that their parent is gone and exit
    deadline = time.monotonic() + 15
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [w for w in workers if _alive(w)]
    assert not left, f"orphaned workers of the killed run still alive: {left}"


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _children(pid: int) -> list[int]:
    """Live child processes of ``pid`` (Linux /proc; empty elsewhere)."""
    return [int(p.name) for p in Path("/proc").glob("[0-9]*") if _parent(int(p.name)) == pid]


def _records(journal: Path) -> list[dict]:
    out = []
    for line in journal.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:  # the line the kill cut short
            break
    return out


def test_killed_jsonl_run_resumes_to_identical_bytes(tmp_path):
    src = tmp_path / "in.jsonl"
    make_jsonl(src, 700)
    ref = CliRunner().invoke(main, ["fix", *COMMON, str(src), "-o", str(tmp_path / "ref.jsonl"),
                                    "--errors-file", str(tmp_path / "ref-err.jsonl")])
    assert ref.exit_code == 3, ref.output
    out, err = tmp_path / "out.jsonl", tmp_path / "err.jsonl"
    args = [*COMMON, src, "-o", out, "--errors-file", err]
    journal = tmp_path / ".out.jsonl.repair-journal"
    kill_after(args, tmp_path, journal, "commit", 2)
    assert not out.exists() and (tmp_path / ".out.jsonl.repair-partial").exists()
    res = cli(args, tmp_path)  # without --resume: refused, nothing lost
    assert res.returncode == 2 and b"add --resume" in res.stderr
    res = cli([*args, "--resume"], tmp_path)
    assert res.returncode == 3, res.stderr
    assert out.read_bytes() == (tmp_path / "ref.jsonl").read_bytes()
    assert err.read_bytes() == (tmp_path / "ref-err.jsonl").read_bytes()
    assert not journal.exists() and not (tmp_path / ".out.jsonl.repair-partial").exists()


def test_killed_parallel_gzip_csv_run_resumes(tmp_path):
    rnd = random.Random(3)
    texts = _texts()
    src = tmp_path / "in.csv.gz"
    with gzip.open(src, "wt", encoding="utf-8", newline="") as fh:
        import csv

        w = csv.writer(fh)
        w.writerow(["id", "body"])
        for i in range(600):
            w.writerow([i, rnd.choice(texts) + ("\nsecond line" if i % 5 == 0 else "")])
    ref = tmp_path / "ref.csv.gz"
    res = CliRunner().invoke(main, ["fix", *COMMON, "--field", "body", str(src), "-o", str(ref)])
    assert res.exit_code == 0, res.output
    out = tmp_path / "out.csv.gz"
    args = [*COMMON, "--field", "body", "--workers", "2", src, "-o", out]
    journal = tmp_path / ".out.csv.gz.repair-journal"
    kill_after(args, tmp_path, journal, "commit", 2)
    res = cli([*args, "--resume"], tmp_path)
    assert res.returncode == 0, res.stderr
    # gzip members follow the checkpoints, so compare what they hold
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(ref.read_bytes())


def test_killed_directory_run_resumes_without_redoing_finished_files(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    texts = _texts()
    for i in range(40):
        (src / f"doc{i:02d}.txt").write_text("\n\n".join(texts[i % len(texts):][:6]), encoding="utf-8")
    (src / "doc05.txt").write_bytes(b"bad \xff\n")
    ref = CliRunner().invoke(main, ["fix", *COMMON, str(src), "-o", str(tmp_path / "ref"),
                                    "--errors-file", str(tmp_path / "ref-err.jsonl")])
    assert ref.exit_code == 3
    args = [*COMMON, src, "-o", tmp_path / "out", "--errors-file", tmp_path / "err.jsonl"]
    journal = tmp_path / "out" / ".repair-journal"
    kill_after(args, tmp_path, journal, "done", 8)
    names = sorted(p.name for p in src.iterdir())  # the order the inputs are read in
    done = [rec["job"] for rec in _records(journal) if rec["kind"] == "done"]
    assert 8 <= len(done) < 40
    done_before = {names[i]: (tmp_path / "out" / names[i]).stat().st_mtime_ns for i in done if i != 5}
    res = cli([*args, "--resume"], tmp_path)
    assert res.returncode == 3, res.stderr
    for name, mtime in done_before.items():  # finished files were not written again
        assert (tmp_path / "out" / name).stat().st_mtime_ns == mtime
    for p in (tmp_path / "ref").iterdir():
        assert (tmp_path / "out" / p.name).read_bytes() == p.read_bytes()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in (tmp_path / "ref").iterdir())
    assert (tmp_path / "err.jsonl").read_bytes() == (tmp_path / "ref-err.jsonl").read_bytes()


def test_resume_refuses_a_changed_input_or_other_options(tmp_path):
    src = tmp_path / "in.jsonl"
    make_jsonl(src, 500)
    out = tmp_path / "out.jsonl"
    args = [*COMMON, src, "-o", out]
    kill_after(args, tmp_path, tmp_path / ".out.jsonl.repair-journal", "commit", 1)
    res = cli([*args, "--resume", "--no-fix-encoding"], tmp_path)
    assert res.returncode == 2 and b"options differ from the interrupted run" in res.stderr
    with open(src, "ab") as fh:
        fh.write(b'{"text": "one more"}\n')
    res = cli([*args, "--resume"], tmp_path)
    assert res.returncode == 2 and b"changed since the interrupted run" in res.stderr
    assert not out.exists()


def test_resume_without_a_journal_starts_from_the_beginning(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text('{"text": "IA"}\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["fix", "--no-judge", "--no-model", "--resume", str(src), "-o", str(tmp_path / "o.jsonl")])
    assert res.exit_code == 0 and "nothing to resume" in res.stderr
    assert json.loads((tmp_path / "o.jsonl").read_text())["repaired"] == "AI"
    res = CliRunner().invoke(main, ["fix", "--no-judge", "--no-model", "--resume", str(src)])
    assert res.exit_code == 2 and "--resume needs an output" in res.output
