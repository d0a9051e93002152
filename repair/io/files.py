"""Opening inputs: gzip transparently, with the positions that progress and resuming need."""
from __future__ import annotations

import contextlib
import io
import os
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


def file_size(path: str) -> int:
    """The size of ``path`` in bytes (0 when it cannot be read: stdin, a missing file)."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
