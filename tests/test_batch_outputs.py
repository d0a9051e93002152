"""Outputs and paths under hostile or careless use (issue 12, cases 1-6): special files and
links as -o, two runs on one output, an errors file that is an input or the output, links
out of an input directory, a full disk, --resume after a finished run."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading

import pytest

from repair.io.atomic import AtomicOutput, OutputBusy, partial_path

from .conftest import OWN_GLOSSARY_BATCH as BATCH
from .conftest import ROOT
from .conftest import run_own_glossary as run


@pytest.fixture
def glossary(tmp_path):
    g = tmp_path / "g.tsv"
    g.write_text("IA\tAI\n", encoding="utf-8")
    return g


def run_process(glossary, *args, stdout=None, preexec=None, quiet=True):
    """The CLI in a real process (stdout and exit code as a shell sees them)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    base = BATCH if quiet else [a for a in BATCH if a != "-q"]
    return subprocess.run([sys.executable, "-m", "repair", *base, "-g", str(glossary), *map(str, args)],
                          stdout=stdout if stdout is not None else subprocess.PIPE, stderr=subprocess.PIPE,
                          env=env, preexec_fn=preexec, timeout=120)


def _root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


# -- 1. special files and links as -o ---------------------------------------------------------------
@pytest.mark.skipif(not _root(), reason="creating a device node (mknod) needs root")
def test_a_character_device_is_written_to_not_replaced(tmp_path, glossary):
    src = tmp_path / "in.txt"
    src.write_text("The IA race.\n", encoding="utf-8")
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # another /dev/null
    res = run(glossary, src, "-o", null)
    assert res.exit_code == 0, res.output
    assert stat.S_ISCHR(os.lstat(null).st_mode), "the device node was replaced by a regular file"
    assert not partial_path(null).exists() and not list(tmp_path.glob(".null*"))


def test_a_fifo_reader_gets_the_output(tmp_path, glossary):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "The IA race."}\n' * 3, encoding="utf-8")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    res = run(glossary, src, "-o", fifo)
    assert res.exit_code == 0, res.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced by a regular file"
    reader.join(timeout=60)
    records = [json.loads(x) for x in got[0].splitlines()]
    assert [r["repaired"] for r in records] == ["The AI race."] * 3


def test_a_link_as_output_is_followed_not_replaced(tmp_path, glossary):
    src = tmp_path / "in.txt"
    src.write_text("The IA race.\n", encoding="utf-8")
    real = tmp_path / "real" / "out.txt"
    real.parent.mkdir()
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    res = run(glossary, src, "-o", link)
    assert res.exit_code == 0, res.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8") == "The AI race.\n"


def test_dash_output_is_stdout(tmp_path, glossary):
    src = tmp_path / "in.txt"
    src.write_text("The IA race.\n", encoding="utf-8")
    res = run(glossary, src, "-o", "-")
    assert res.exit_code == 0, res.output
    assert res.stdout == "The AI race.\n"
    assert not (tmp_path / "-").exists() and not os.path.exists("-")


def test_a_link_inside_an_output_directory_is_refused(tmp_path, glossary):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("The IA race.\n", encoding="utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").symlink_to(outside)
    res = run(glossary, src, "-o", out)
    assert res.exit_code == 2 and "symbolic link" in res.output and "--follow-links" in res.output
    assert outside.read_text(encoding="utf-8") == "precious\n"
    res = run(glossary, src, "-o", out, "--follow-links")
    assert res.exit_code == 0, res.output
    assert outside.read_text(encoding="utf-8") == "The AI race.\n" and (out / "a.txt").is_symlink()


# -- 2. two runs, one output --------------------------------------------------------------------------
def test_a_second_run_on_the_same_output_is_refused_whatever_the_spelling(tmp_path, glossary):
    src = tmp_path / "a.jsonl"
    src.write_text('{"text": "The IA race."}\n', encoding="utf-8")
    outd = tmp_path / "outd"
    outd.mkdir()
    (tmp_path / "alias").symlink_to(outd)
    first = AtomicOutput(outd / "a.jsonl")  # a run that is writing outd/a.jsonl right now
    first.write(b'{"text": "first run"}\n')
    first.commit()
    try:
        for spelling in (f"{outd}/", outd / "a.jsonl", f"{outd}//a.jsonl", tmp_path / "alias" / "a.jsonl",
                         f"{tmp_path}/outd/../outd/a.jsonl"):
            res = run(glossary, src, "-o", spelling)
            assert res.exit_code == 2, (spelling, res.output)
            assert "another repair run is writing" in res.output
        with pytest.raises(OutputBusy):
            AtomicOutput(tmp_path / "alias" / "a.jsonl")
    finally:
        first.finalize()
    assert (outd / "a.jsonl").read_bytes() == b'{"text": "first run"}\n'  # not mixed with another run's
    res = run(glossary, src, "-o", outd / "a.jsonl")  # free again
    assert res.exit_code == 0, res.output
    assert json.loads((outd / "a.jsonl").read_text(encoding="utf-8"))["repaired"] == "The AI race."


def test_a_link_planted_at_the_partial_name_is_not_written_through(tmp_path, glossary):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("The IA race.\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (out / ".a.txt.repair-partial").symlink_to(victim)
    res = run(glossary, src, "-o", out)
    assert res.exit_code == 0, res.output
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert (out / "a.txt").read_text(encoding="utf-8") == "The AI race.\n"
    assert not (out / "a.txt").is_symlink()


# -- 3. --errors-file pointing at an input or the output ---------------------------------------------
def test_errors_file_may_not_be_an_input_or_the_output(tmp_path, glossary):
    src = tmp_path / "in.jsonl"
    body = '{"text": "The IA race."}\nnot json\n'
    src.write_text(body, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    (tmp_path / "in-link.jsonl").symlink_to(src)
    os.link(out, tmp_path / "out-hard.jsonl")
    for errors in (src, tmp_path / "in-link.jsonl", out, tmp_path / "out-hard.jsonl"):
        res = run(glossary, src, "-o", out, "--errors-file", errors)
        assert res.exit_code == 2, (errors, res.output)
        assert "--errors-file" in res.output
    assert src.read_text(encoding="utf-8") == body
    assert out.read_text(encoding="utf-8") == "old\n"
    # the output directory's own files
    outd = tmp_path / "outd"
    res = run(glossary, src, "-o", f"{outd}/", "--errors-file", outd / "in.jsonl")
    assert res.exit_code == 2, res.output


# -- 4. links inside an input directory ----------------------------------------------------------------
def test_links_out_of_an_input_directory_are_skipped_and_named(tmp_path, glossary):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("The IA race.\n", encoding="utf-8")
    secret_dir = tmp_path / "secret"
    secret_dir.mkdir()
    (secret_dir / "s.txt").write_text("secret IA\n", encoding="utf-8")
    (src / "hostname.txt").symlink_to(secret_dir / "s.txt")
    (src / "elsewhere").symlink_to(secret_dir)
    (src / "sub" / "same.txt").symlink_to(src / "a.txt")  # inside the tree: fine
    out = tmp_path / "out"
    res = run_process(glossary, src, "-o", out, quiet=False)
    assert res.returncode == 0, res.stderr
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["a.txt", "sub/same.txt"]
    err = res.stderr.decode()
    assert "skipped 2 symbolic links" in err and "hostname.txt" in err and "elsewhere" in err
    assert "--follow-links" in err
    out2 = tmp_path / "out2"
    res = run(glossary, src, "-o", out2, "--follow-links")
    assert res.exit_code == 0, res.output
    assert (out2 / "hostname.txt").read_text(encoding="utf-8") == "secret AI\n"
    assert (out2 / "elsewhere" / "s.txt").read_text(encoding="utf-8") == "secret AI\n"


def test_a_link_loop_in_an_input_directory_ends(tmp_path, glossary):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("The IA race.\n", encoding="utf-8")
    (src / "loop").symlink_to(src)
    res = run(glossary, src, "-o", tmp_path / "out", "--follow-links")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "a.txt").exists()


# -- 5. a full disk ------------------------------------------------------------------------------------
def _big_jsonl(path, n=3000):
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": i, "text": f"The IA race number {i} goes on."}) + "\n")


def _limit_file_size(limit):
    def preexec():
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return preexec


def test_a_full_output_file_system_gives_one_line_and_a_resumable_run(tmp_path, glossary):
    src = tmp_path / "in.jsonl"
    _big_jsonl(src)
    out = tmp_path / "out.jsonl"
    res = run_process(glossary, src, "-o", out, "--checkpoint", "500", preexec=_limit_file_size(200_000))
    err = res.stderr.decode()
    assert res.returncode == 4, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert str(out) in err and "File too large" in err and "--resume" in err
    assert partial_path(out).exists() and not out.exists()
    res = run_process(glossary, src, "-o", out, "--checkpoint", "500", "--resume")
    assert res.returncode == 0, res.stderr
    expected = tmp_path / "expected.jsonl"
    assert run_process(glossary, src, "-o", expected).returncode == 0
    assert out.read_bytes() == expected.read_bytes()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
def test_stdout_to_dev_full_gives_one_line(tmp_path, glossary):
    src = tmp_path / "in.jsonl"
    _big_jsonl(src, 200)
    with open("/dev/full", "wb") as full:
        res = run_process(glossary, src, stdout=full)
    err = res.stderr.decode()
    assert res.returncode == 4, err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert err.strip() == "repair: cannot write stdout: No space left on device; what was written before stays there"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
def test_errors_file_on_a_full_device_gives_one_line(tmp_path, glossary):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "The IA race."}\nnot json\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = run_process(glossary, src, "-o", out, "--errors-file", "/dev/full")
    err = res.stderr.decode()
    assert res.returncode == 4, err
    assert "Traceback" not in err and "/dev/full" in err and "No space left on device" in err


# -- 6. --resume after a finished run ------------------------------------------------------------------
def test_resume_after_a_finished_run_changes_nothing(tmp_path, glossary):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "The IA race."}\nnot json\n{"text": "IA"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    errors = tmp_path / "errors.jsonl"
    res = run_process(glossary, src, "-o", out, "--errors-file", errors)
    assert res.returncode == 3
    before = (out.read_bytes(), os.stat(out).st_mtime_ns, errors.read_bytes())
    res = run_process(glossary, src, "-o", out, "--errors-file", errors, "--resume", quiet=False)
    assert res.returncode == 0, res.stderr
    assert "nothing to resume" in res.stderr.decode() and f"{out} is complete" in res.stderr.decode()
    assert (out.read_bytes(), os.stat(out).st_mtime_ns, errors.read_bytes()) == before
    assert len(errors.read_text(encoding="utf-8").splitlines()) == 1
    # an input changed since: repaired again
    src.write_text('{"text": "IA"}\n', encoding="utf-8")
    os.utime(src, ns=(before[1] + 10**9, before[1] + 10**9))
    res = run_process(glossary, src, "-o", out, "--errors-file", errors, "--resume")
    assert res.returncode == 0 and json.loads(out.read_text(encoding="utf-8"))["repaired"] == "AI"
