"""Errors about input: the exception for input that cannot be read at all, the record that
takes the place of one unreadable record, and the sink those records go to."""
from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


class InputError(ValueError):
    """Input that cannot be read as asked; the message names the file and where.

    ``line`` and ``byte`` locate the problem when known (1-based line, 0-based byte offset).
    """

    def __init__(self, message: str, line: int | None = None, byte: int | None = None):
        super().__init__(message)
        self.line = line
        self.byte = byte


@dataclass
class RecordError:
    """One record (a JSONL line, a CSV row, a document) that could not be repaired: it takes
    the place of its output record. ``raw`` is the input as it came, for the person fixing it.

    >>> RecordError("in.jsonl", 3, "in.jsonl: line 3: malformed JSON", '{"text": ').to_dict()
    {'error': 'in.jsonl: line 3: malformed JSON', 'file': 'in.jsonl', 'line': 3, 'input': '{"text": '}
    """

    name: str
    line: int
    reason: str
    raw: str = field(default="", repr=False)

    def to_dict(self) -> dict:
        return {"error": self.reason, "file": self.name, "line": self.line, "input": self.raw[:1000]}

    @classmethod
    def from_dict(cls, data: dict) -> "RecordError":
        return cls(data.get("file", ""), data.get("line", 0), data.get("error", ""), data.get("input", ""))

    @classmethod
    def of(cls, name: str, line: int, reason: str, data: object = None) -> "RecordError":
        """An error record for a unit of input ``data`` (raw bytes, a CSV row, a text), shown
        as far as the first 1,000 characters."""
        if isinstance(data, bytes):
            raw = data[:2000].decode("utf-8", "replace")
        elif isinstance(data, list):
            raw = json.dumps(data, ensure_ascii=False)[:1000]
        elif isinstance(data, str):
            raw = data[:1000]
        else:
            raw = ""
        return cls(name, line, reason, raw)


class ErrorSink:
    """Where error records go: appended to a file as JSON lines (committed together with the
    outputs, and cut back to a checkpoint on ``--resume``), or shown through ``echo``."""

    def __init__(self, path: str | None, echo: Callable[[str], None], cut_to: int | None = None):
        self.echo = echo
        self.fh = None
        self.path = path
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.fh = open(path, "ab")
            if cut_to is not None and self.fh.tell() > cut_to:
                self.fh.truncate(cut_to)
                self.fh.seek(cut_to)

    def write(self, record: RecordError) -> None:
        line = json.dumps(record.to_dict(), ensure_ascii=False)
        if self.fh is not None:
            self.fh.write(line.encode("utf-8", "surrogatepass") + b"\n")
        else:
            self.echo(line)

    def commit(self) -> int | None:
        """Make the records written so far durable; returns the file's length (None: no file)."""
        if self.fh is None:
            return None
        self.fh.flush()
        os.fsync(self.fh.fileno())
        return self.fh.tell()

    def close(self) -> None:
        if self.fh is not None:
            with contextlib.suppress(Exception):
                self.fh.flush()
                self.fh.close()
