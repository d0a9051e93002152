"""Atomic output: the one way mt-repair writes a file.

An output is written to a *partial* file beside its target and renamed onto the target when
complete, so a half-written output never takes a real name. :class:`AtomicOutput` is the
writer; it can also be committed from time to time (flushed and fsync'd; the batch engine
notes the committed length in its journal) and reopened at a committed length to resume an
interrupted run: its partial file then has a fixed name, ``.NAME.repair-partial``. A gzip
output is written as a series of gzip members, one per commit, so that a partial file cut
back to its last commit is still a valid gzip stream that can be appended to.

:func:`atomic_output` (a context manager) and :func:`write_atomic` (bytes in one go) use a
unique partial name for outputs that are written in one go.
"""
from __future__ import annotations

import contextlib
import gzip
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator, Sequence


def refuse_clobber(output: str | Path, inputs: Sequence[str | Path]) -> None:
    """Raise ValueError when ``output`` is one of ``inputs`` (an input is never overwritten)."""
    out = Path(output)
    if not out.exists():
        return
    for inp in inputs:
        if str(inp) == "-":
            continue
        with contextlib.suppress(OSError):
            if os.path.samefile(out, inp):
                raise ValueError(f"refusing to overwrite input file {inp}; choose another -o")


def partial_path(target: str | Path) -> Path:
    target = Path(target)
    return target.parent / f".{target.name}.repair-partial"


class AtomicOutput:
    """An output file under construction: append, commit, then finalize onto ``target``.

    ``resumable``: the partial file is ``.NAME.repair-partial`` (see :func:`partial_path`),
    and ``resume_at`` reopens it cut back to that committed length; otherwise it has a
    unique name."""

    def __init__(self, target: str | Path, gz: bool = False, resume_at: int | None = None, resumable: bool = True):
        self.target = Path(target)
        self.gz = gz
        self.target.parent.mkdir(parents=True, exist_ok=True)
        if not resumable:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
            self.path = Path(tmp)
            fh = os.fdopen(fd, "wb", buffering=1 << 20)
        elif resume_at is not None and partial_path(self.target).exists():
            self.path = partial_path(self.target)
            fh = open(self.path, "r+b", buffering=1 << 20)
            fh.truncate(resume_at)
            fh.seek(resume_at)
        else:
            self.path = partial_path(self.target)
            fh = open(self.path, "wb", buffering=1 << 20)
        self._fh = fh
        self._member: gzip.GzipFile | None = None
        self.committed = resume_at or 0

    def write(self, data: bytes) -> None:
        if not data:
            return
        if self.gz:
            if self._member is None:
                # a new gzip member; closing it (at commit) leaves the file open
                self._member = gzip.GzipFile(filename="", fileobj=self._fh, mode="wb", compresslevel=6, mtime=0)
            self._member.write(data)
        else:
            self._fh.write(data)

    def commit(self) -> int:
        """Make everything written so far durable; returns the committed length."""
        if self._member is not None:
            self._member.close()  # ends the gzip member; the file stays open
            self._member = None
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.committed = self._fh.tell()
        return self.committed

    def finalize(self, backup: str | Path | None = None) -> int:
        """Commit and move onto the target (after linking the target to ``backup``)."""
        size = self.commit()
        self._fh.close()
        if self.target.exists():
            with contextlib.suppress(OSError):
                os.chmod(self.path, self.target.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.path, 0o666 & ~umask)
        if backup is not None:
            make_backup(self.target, Path(backup))
        os.replace(self.path, self.target)
        _fsync_dir(self.target.parent)
        return size

    def abort(self) -> None:
        """Drop the partial file (the target is left as it was)."""
        with contextlib.suppress(Exception):
            if self._member is not None:
                self._member.close()
        with contextlib.suppress(Exception):
            self._fh.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)

    def close_for_resume(self) -> None:
        """Leave the partial file as it is (an interrupted run)."""
        with contextlib.suppress(Exception):
            self._fh.close()


def make_backup(path: Path, backup: Path) -> None:
    """``backup`` becomes a copy of ``path`` (a hard link where possible; mtime kept)."""
    if backup.exists():
        if os.path.samefile(path, backup):
            return
        raise FileExistsError(f"backup {backup} already exists; remove it or choose another --backup-suffix")
    try:
        os.link(path, backup)
    except OSError:
        shutil.copy2(path, backup)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_output(path: str | Path, gz: bool = False) -> Iterator[AtomicOutput]:
    """A file (with a ``write(bytes)`` method) that appears at ``path`` only when the block
    completes without error."""
    out = AtomicOutput(path, gz, resumable=False)
    try:
        yield out
    except BaseException:
        out.abort()
        raise
    out.finalize()


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_output(path) as fh:
        fh.write(data)
