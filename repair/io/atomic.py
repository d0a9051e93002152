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

The target is resolved first (``os.path.realpath``): ``-o LINK`` writes to the file the link
points to and leaves the link in place, and two spellings of one output (``out/a.jsonl``,
``out//a.jsonl``, a linked directory) are one output. The resumable partial file is opened
without following links (a link planted at its name is removed, never written through) and
locked (``flock``) while it is written, so that a second run writing the same output stops
with :class:`OutputBusy` instead of mixing its records into the first run's.

A character device or a FIFO (``-o /dev/null``, ``-o pipe``) is not a file to replace: it is
written to directly, as a stream (:class:`StreamOutput`), with nothing renamed.
"""
from __future__ import annotations

import contextlib
import errno
import gzip
import os
import shutil
import stat
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


class OutputBusy(RuntimeError):
    """Another run is writing the same output right now (its partial file is locked)."""


def resolved(target: str | Path) -> Path:
    """``target`` with every symbolic link resolved (the file a write really goes to)."""
    return Path(os.path.realpath(target))


def partial_path(target: str | Path) -> Path:
    """The partial file of a resumable output: ``.NAME.repair-partial`` beside the resolved target."""
    target = resolved(target)
    return target.parent / f".{target.name}.repair-partial"


def output_kind(target: str | Path) -> str:
    """What writing to ``target`` means: ``"file"`` (a regular file, or nothing yet: written
    atomically), ``"stream"`` (a character device or a FIFO: written to directly), or
    ``"directory"``; a block device or a socket is ``"other"`` (refused)."""
    try:
        mode = os.stat(target).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "file"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return "stream"
    return "other"


def _lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


def _open_partial(path: Path, target: Path) -> int:
    """Open (creating it) and lock the partial file ``path``, never through a link: a link
    or anything else that is not a regular file at that name is removed first."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | os.O_NONBLOCK
    for _ in range(5):
        with contextlib.suppress(FileNotFoundError):
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode):
                if stat.S_ISDIR(st.st_mode):
                    raise IsADirectoryError(errno.EISDIR, f"{path} is a directory; remove it", str(path))
                os.unlink(path)  # a planted link (or FIFO, device): removed, never written through
        try:
            fd = os.open(path, flags, 0o600)
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # a link appeared meanwhile: go round again
                continue
            raise
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            continue
        if not _lock(fd):
            os.close(fd)
            raise OutputBusy(f"another repair run is writing {target} (its partial file {path} is locked); "
                             f"wait for it to finish, or stop it")
        # the file locked must still be the one at that name (a finishing run renames it away)
        try:
            now = os.lstat(path)
        except FileNotFoundError:
            os.close(fd)
            continue
        if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
            os.close(fd)
            continue
        os.set_blocking(fd, True)
        return fd
    raise OSError(errno.EAGAIN, f"cannot open the partial file {path}: it keeps changing", str(path))


def check_not_busy(target: str | Path) -> None:
    """Raise OutputBusy when another run holds ``target``'s partial file (checked up front,
    so that a second run stops before it reads anything)."""
    path = partial_path(target)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | os.O_NONBLOCK)
    except OSError:
        return
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode) and not _lock(fd):
            raise OutputBusy(f"another repair run is writing {target} (its partial file {path} is locked); "
                             f"wait for it to finish, or stop it")
    finally:
        os.close(fd)  # releases the probe's lock


class AtomicOutput:
    """An output file under construction: append, commit, then finalize onto ``target``.

    ``resumable``: the partial file is ``.NAME.repair-partial`` (see :func:`partial_path`),
    and ``resume_at`` reopens it cut back to that committed length; otherwise it has a
    unique name."""

    def __init__(self, target: str | Path, gz: bool = False, resume_at: int | None = None, resumable: bool = True):
        self.target = resolved(target)
        self.gz = gz
        self.target.parent.mkdir(parents=True, exist_ok=True)
        if not resumable:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
            self.path = Path(tmp)
            fh = os.fdopen(fd, "wb", buffering=1 << 20)
            resume_at = None
        else:
            self.path = partial_path(self.target)
            fd = _open_partial(self.path, self.target)
            fh = os.fdopen(fd, "r+b", buffering=1 << 20)
            if resume_at is None or os.fstat(fd).st_size < resume_at:
                resume_at = None  # a fresh start: whatever the file held goes
            fh.truncate(resume_at or 0)
            fh.seek(resume_at or 0)
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
        try:
            if self.target.exists():
                with contextlib.suppress(OSError):
                    os.chmod(self.path, self.target.stat().st_mode & 0o777)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(self.path, 0o666 & ~umask)
            if backup is not None:
                make_backup(self.target, Path(backup))
            os.replace(self.path, self.target)  # still locked: no other run can take the name meanwhile
            _fsync_dir(self.target.parent)
        finally:
            self._fh.close()
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


class StreamOutput:
    """An output that is a character device or a FIFO: written to as it goes, nothing
    renamed, nothing to resume (the same methods as :class:`AtomicOutput`)."""

    def __init__(self, target: str | Path, gz: bool = False):
        self.target = Path(target)
        self.path = self.target
        self.gz = gz
        self._fh = open(self.target, "wb", buffering=1 << 16)
        self._member: gzip.GzipFile | None = None
        self.committed = 0

    write = AtomicOutput.write

    def commit(self) -> int:
        if self._member is not None:
            self._member.close()
            self._member = None
        self._fh.flush()
        return 0

    def finalize(self, backup: str | Path | None = None) -> int:
        self.commit()
        self._fh.close()
        return 0

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.commit()
        with contextlib.suppress(Exception):
            self._fh.close()

    close_for_resume = abort


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
    completes without error. A character device or FIFO is written to directly."""
    if output_kind(path) == "stream":
        stream = StreamOutput(path, gz)
        try:
            yield stream  # type: ignore[misc]
        finally:
            stream.finalize()
        return
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
