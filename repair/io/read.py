"""Reading documents and JSONL records, with errors that name file, line and byte."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import BinaryIO, Iterator

from .errors import InputError


def decode(data: bytes, name: str, errors: str = "strict", base_offset: int = 0, line: int | None = None) -> str:
    """UTF-8 text of ``data``; with ``errors="strict"`` invalid bytes raise an InputError
    naming ``name`` and the byte offset (and line, when known); ``"replace"`` puts U+FFFD."""
    try:
        return data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as exc:
        where = f"line {line}, " if line is not None else ""
        raise InputError(f"{name}: {where}byte {base_offset + exc.start}: invalid UTF-8 "
                         f"({data[exc.start:exc.end]!r}); use --errors replace to substitute U+FFFD") from None


def read_document(stream: BinaryIO, name: str, errors: str = "strict") -> str:
    """A whole text document; a leading UTF-8 byte-order mark is dropped."""
    data = stream.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return decode(data, name, errors)


@dataclass
class Record:
    """One JSONL record: the parsed object, where it came from, and its text (None when missing)."""

    obj: dict
    name: str
    line: int
    text: str | None
    warning: str | None = None


@dataclass
class RecordError:
    """A line that could not be read as a record; it takes the place of its output record."""

    name: str
    line: int
    reason: str
    raw: str = field(default="", repr=False)

    def to_dict(self) -> dict:
        return {"error": self.reason, "file": self.name, "line": self.line, "input": self.raw[:1000]}


def iter_jsonl(stream: BinaryIO, name: str, text_field: str = "text",
               errors: str = "strict") -> Iterator[Record | RecordError]:
    """One Record or RecordError per non-blank line, streamed."""
    offset = 0
    for number, raw in enumerate(stream, start=1):
        start = offset
        offset += len(raw)
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
            start += 3
        if not raw.strip():
            continue
        try:
            line = decode(raw, name, errors, base_offset=start, line=number)
        except InputError as exc:
            yield RecordError(name, number, str(exc), raw.decode("utf-8", "replace"))
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RecordError(name, number, f"{name}: line {number}: malformed JSON: {exc.msg} at column {exc.colno}", line)
            continue
        if not isinstance(obj, dict):
            yield RecordError(name, number, f"{name}: line {number}: a record must be a JSON object", line)
            continue
        value = obj.get(text_field)
        if value is None and text_field not in obj:
            yield Record(obj, name, number, None, f"{name}: line {number}: no field {text_field!r}; passed through unchanged")
        elif not isinstance(value, str):
            yield Record(obj, name, number, None,
                         f"{name}: line {number}: field {text_field!r} is not a string; passed through unchanged")
        else:
            yield Record(obj, name, number, value)
