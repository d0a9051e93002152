"""Reading documents and JSONL records, with errors that name file, line and byte."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from .errors import InputError, RecordError


def decode(data: bytes, name: str, errors: str = "strict", base_offset: int = 0, line: int | None = None) -> str:
    """UTF-8 text of ``data``; with ``errors="strict"`` invalid bytes raise an InputError
    naming ``name`` and the byte offset (and line, when known); ``"replace"`` puts U+FFFD."""
    try:
        return data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as exc:
        where = f"line {line}, " if line is not None else ""
        raise InputError(f"{name}: {where}byte {base_offset + exc.start}: invalid UTF-8 "
                         f"({data[exc.start:exc.end]!r}); use --errors replace to substitute U+FFFD",
                         line, base_offset + exc.start) from None


def read_document(stream: BinaryIO, name: str, errors: str = "strict") -> str:
    """A whole text document; a leading UTF-8 byte-order mark is dropped."""
    return decode_document(stream.read(), name, errors)


def decode_document(data: bytes, name: str, errors: str = "strict") -> str:
    """The text of a whole document's bytes; a leading UTF-8 byte-order mark is dropped.
    An InputError for invalid UTF-8 carries the line as well as the byte offset."""
    skip = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return decode(data[skip:] if skip else data, name, errors, base_offset=skip)
    except InputError as exc:
        if exc.byte is not None:
            exc.line = data.count(b"\n", 0, exc.byte) + 1
        raise


@dataclass
class Record:
    """One JSONL record: the parsed object, where it came from, and its text (None when missing)."""

    obj: dict
    name: str
    line: int
    text: str | None
    warning: str | None = None


def iter_jsonl(stream: BinaryIO, name: str, text_field: str = "text",
               errors: str = "strict") -> Iterator[Record | RecordError]:
    """One Record or RecordError per non-blank line, streamed."""
    offset = 0
    for number, raw in enumerate(stream, start=1):
        start = offset
        offset += len(raw)
        item = parse_jsonl_line(raw, name, number, start, text_field, errors)
        if item is not None:
            yield item


def parse_jsonl_line(raw: bytes, name: str, number: int, start: int = 0, text_field: str = "text",
                     errors: str = "strict") -> Record | RecordError | None:
    """The Record or RecordError of one JSONL line (``start``: its byte offset in the
    file); None for a blank line, which is not a record."""
    if start == 0 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        start = 3
    if not raw or raw.isspace():
        return None
    try:
        line = decode(raw, name, errors, base_offset=start, line=number)
    except InputError as exc:
        return RecordError(name, number, str(exc), raw[:2000].decode("utf-8", "replace"))
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        msg = exc.msg.removesuffix(" at")  # "Invalid control character at": the position follows
        return RecordError(name, number, f"{name}: line {number}: malformed JSON: {msg} at column {exc.colno}", line)
    except RecursionError:
        return RecordError(name, number, f"{name}: line {number}: malformed JSON: nested too deeply", line)
    if not isinstance(obj, dict):
        return RecordError(name, number, f"{name}: line {number}: a record must be a JSON object", line)
    value = obj.get(text_field)
    if value is None and text_field not in obj:
        return Record(obj, name, number, None, f"{name}: line {number}: no field {text_field!r}; passed through unchanged")
    if not isinstance(value, str):
        return Record(obj, name, number, None,
                      f"{name}: line {number}: field {text_field!r} is not a string; passed through unchanged")
    return Record(obj, name, number, value)
