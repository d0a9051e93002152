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


#: Byte-order marks of the encodings that are not UTF-8 (longest first: UTF-32 LE starts like UTF-16 LE).
_OTHER_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"),
               (b"\xfe\xff", "UTF-16"))
UTF8_BOM = b"\xef\xbb\xbf"


def check_not_utf16(head: bytes, name: str) -> None:
    """Raise InputError when ``head`` (the first bytes of an input) starts with a UTF-16 or
    UTF-32 byte-order mark: such a file is not UTF-8 anywhere, so it is one error, with the
    way to convert it, rather than an error for every line.

    >>> check_not_utf16("\\ufeffT".encode("utf-16-le"), "a.txt")
    Traceback (most recent call last):
    ...
    repair.io.errors.InputError: a.txt: UTF-16 input (it starts with a UTF-16 byte-order mark): convert to UTF-8, e.g. `iconv -f UTF-16 -t UTF-8 a.txt > a.utf8.txt`
    """
    for bom, encoding in _OTHER_BOMS:
        if head.startswith(bom):
            p = name.rsplit(".", 1)
            converted = f"{p[0]}.utf8.{p[1]}" if len(p) == 2 and "/" not in p[1] else f"{name}.utf8"
            raise InputError(f"{name}: {encoding} input (it starts with a {encoding} byte-order mark): convert to "
                             f"UTF-8, e.g. `iconv -f {encoding} -t UTF-8 {name} > {converted}`", 1, 0)


def read_document(stream: BinaryIO, name: str, errors: str = "strict") -> str:
    """A whole text document; a leading UTF-8 byte-order mark is dropped."""
    return decode_document(stream.read(), name, errors)


def decode_document(data: bytes, name: str, errors: str = "strict") -> str:
    """The text of a whole document's bytes; a leading UTF-8 byte-order mark is dropped.
    An InputError for invalid UTF-8 carries the line as well as the byte offset; UTF-16
    and UTF-32 (by their byte-order mark) are an InputError that says how to convert."""
    check_not_utf16(data[:4], name)
    skip = 3 if data.startswith(UTF8_BOM) else 0
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


class _NotStandard(ValueError):
    pass


def _no_constants(token: str):
    raise _NotStandard(token)


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
        obj = json.loads(line, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        msg = exc.msg.removesuffix(" at")  # "Invalid control character at": the position follows
        return RecordError(name, number, f"{name}: line {number}: malformed JSON: {msg} at column {exc.colno}", line)
    except _NotStandard as exc:
        return RecordError(name, number, f"{name}: line {number}: malformed JSON: {exc} is not JSON (standard JSON "
                                         f"has no NaN or Infinity; write null or a string)", line)
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
