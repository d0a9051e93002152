"""Reading line-aligned segments from plain text or JSONL."""
from __future__ import annotations

from ..io import InputError, RecordError, decode, iter_jsonl


def read_segments(path: str, field: str | None = None) -> list[str]:
    """Lines of a UTF-8 text file, or the ``field`` of each JSONL record when ``field`` is given."""
    if field:
        out = []
        with open(path, "rb") as fh:
            for item in iter_jsonl(fh, path, field):
                if isinstance(item, RecordError):
                    raise InputError(item.reason)
                if item.text is None:
                    raise InputError(item.warning or f"{path}: line {item.line}: no field {field!r}")
                out.append(item.text)
        return out
    with open(path, "rb") as fh:
        text = decode(fh.read(), path)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]
