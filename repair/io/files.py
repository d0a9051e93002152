"""Opening inputs (gzip transparently) and writing outputs that can be resumed.

An output is written to a *partial* file beside its target (``.NAME.repair-partial``),
committed from time to time (flushed and fsync'd, its length noted in the run's journal),
and renamed onto the target when complete. A gzip output is written as a series of gzip
members, one per commit, so that a partial file cut back to its last commit is still a
valid gzip stream that can be appended to.
"""
from __future__ import annotations

import contextlib
import gzip
import io
import os
import shutil
import sys
import zlib
from pathlib import Path
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b"


def is_gzip_name(name: str | Path) -> bool:
    return str(name).lower().endswith(".gz")


class InputFile:
    """A binary input stream (decompressed when gzip), with the position in the raw file
    (for progress) and the position in the decompressed stream (for resuming)."""

    def __init__(self, path: str, gz: bool | None = None):
        self.path = path
        if path == "-":
            raw = sys.stdin.buffer
            self._owns = False
            if not hasattr(raw, "peek"):
                raw = io.BufferedReader(raw)  # to look at the first bytes without losing them
            if gz is None:
                gz = raw.peek(2)[:2] == GZIP_MAGIC
        else:
            raw = open(path, "rb", buffering=1 << 20)
            self._owns = True
            if gz is None:
                gz = raw.peek(2)[:2] == GZIP_MAGIC
        self.raw = raw
        self.gz = bool(gz)
        self.stream: BinaryIO = io.BufferedReader(GzipReader(raw), 1 << 16) if self.gz else raw

    def raw_position(self) -> int:
        try:
            return self.raw.tell()
        except (OSError, ValueError):
            return 0

    def skip_to(self, offset: int, current: int = 0) -> None:
        """Continue reading at ``offset`` of the (decompressed) stream, now at ``current``."""
        if offset <= current:
            return
        if self.gz or self.path == "-":
            remaining = offset - current
            while remaining:
                chunk = self.stream.read(min(remaining, 1 << 20))
                if not chunk:
                    raise EOFError(f"{self.path}: shorter than {offset} bytes")
                remaining -= len(chunk)
        else:
            self.stream.seek(offset)

    def close(self) -> None:
        if self._owns:
            with contextlib.suppress(Exception):
                self.stream.close()
            with contextlib.suppress(Exception):
                self.raw.close()


class GzipReader(io.RawIOBase):
    """The decompressed bytes of a gzip stream (one or more members), streamed.

    Unlike ``gzip.GzipFile`` behind a read-ahead buffer, a stream that is cut short or
    corrupt gives every byte that could be decompressed before the damage; only the read
    after them raises (EOFError or zlib.error)."""

    def __init__(self, raw: BinaryIO, chunk: int = 1 << 16):
        self._raw = raw
        self._chunk = chunk
        self._d = None
        self._pending = b""
        self._error: Exception | None = None
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while not self._pending and not self._done:
            self._fill()
        if not self._pending:
            if self._error is not None:
                err, self._error = self._error, None
                raise err
            return 0
        n = min(len(b), len(self._pending))
        b[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def _fill(self) -> None:
        if self._d is None or self._d.eof:  # at the start, or between members
            data = self._d.unused_data if self._d is not None else b""
            data = data or self._raw.read(self._chunk)
            stripped = data.lstrip(b"\x00")
            while data and not stripped:  # zero padding after the last member
                data = self._raw.read(self._chunk)
                stripped = data.lstrip(b"\x00")
            if not data:
                self._done = True
                return
            self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            data = stripped
        else:
            data = self._d.unconsumed_tail or self._raw.read(self._chunk)
            if not data:
                self._done = True
                self._error = EOFError("compressed file ended before the end-of-stream marker was reached")
                return
        try:
            self._pending = self._d.decompress(data, 1 << 20)
        except zlib.error as exc:
            self._done, self._error = True, exc


def file_identity(path: str) -> dict:
    """What tells that an input changed: size and modification time (ns)."""
    st = os.stat(path)
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def partial_path(target: str | Path) -> Path:
    target = Path(target)
    return target.parent / f".{target.name}.repair-partial"


class PartialOutput:
    """An output file under construction: append, commit, then finalize onto ``target``."""

    def __init__(self, target: str | Path, gz: bool, resume_at: int | None = None):
        self.target = Path(target)
        self.gz = gz
        self.path = partial_path(self.target)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        if resume_at is not None and self.path.exists():
            fh = open(self.path, "r+b", buffering=1 << 20)
            fh.truncate(resume_at)
            fh.seek(resume_at)
        else:
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
