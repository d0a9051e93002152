"""Reading line-aligned segments from plain text or JSONL."""
from __future__ import annotations

import contextlib
import sys

from ..io import InputError, RecordError, decode, iter_jsonl


def _open(path: str):
    """The file, or standard input for "-"."""
    return contextlib.nullcontext(sys.stdin.buffer) if path == "-" else open(path, "rb")


def read_segments(path: str, field: str | None = None) -> list[str]:
    """Lines of a UTF-8 text file, or the ``field`` of each JSONL record when ``field`` is given
    ("-": standard input)."""
    name = "<stdin>" if path == "-" else path
    if field:
        out = []
        with _open(path) as fh:
            for item in iter_jsonl(fh, name, field):
                if isinstance(item, RecordError):
                    raise InputError(item.reason)
                if item.text is None:
                    raise InputError(item.warning or f"{name}: line {item.line}: no field {field!r}")
                out.append(item.text)
        return out
    with _open(path) as fh:
        text = decode(fh.read(), name)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]
