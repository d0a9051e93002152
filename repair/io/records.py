"""JSONL records written back byte for byte: the fields a repair adds are spliced into the
line as it came, never re-serialised from the parsed object.

Re-serialising a parsed record changes what the tool has no business changing: number
literals (``1.10`` -> ``1.1``, ``1E5`` -> ``100000.0``, ``1e400`` -> ``Infinity``), string
escapes, key order and spacing, duplicate keys (the last one wins), a byte-order mark.
Splicing keeps every byte of the input line and inserts the new members before the
closing brace of the top-level object:

>>> splice_members(b'{"n": 1.10, "text": "x"}\\n', [("repaired", "y")])
b'{"n": 1.10, "text": "x", "repaired": "y"}\\n'

Members that the input already had under an added name are taken out first (the caller
warns), so the output never holds a key twice. New values are JSON with non-ASCII
characters as they are and a lone surrogate (which JSON can carry only as an escape)
written as its ``\\uXXXX`` escape, so the output is always valid UTF-8.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Sequence

# the structural characters and the quote that opens a string
_STRUCT = re.compile(rb'["{}\[\]:,]')
_WS = b" \t\r\n"


@dataclass(frozen=True)
class Member:
    """A member of the top-level object: its key and the byte span ``start:end`` of
    ``"key": value`` in the line."""

    key: str
    start: int
    end: int


def top_level_members(raw: bytes) -> list[Member]:
    """The members of the JSON object on the line ``raw`` (which must parse), in order.

    >>> [(m.key, m.start, m.end) for m in top_level_members(b'{"a": [1, {"b": 2}], "c": "}"}')]
    [('a', 1, 19), ('c', 21, 29)]
    """
    members: list[Member] = []
    depth = 0
    key: str | None = None
    start = 0
    expect_key = False
    pos = 0
    search = _STRUCT.search
    while True:
        m = search(raw, pos)
        if m is None:
            break
        i = m.start()
        c = raw[i]
        if c == 0x22:  # '"': skip the string (bytes.find is far faster than a regex here)
            end = _string_end(raw, i)
            if depth == 1 and expect_key:
                key = json.loads(raw[i:end].decode("utf-8", "surrogatepass"))
                start = i
                expect_key = False
            pos = end
            continue
        pos = i + 1
        if c in b"{[":
            depth += 1
            if depth == 1:
                expect_key = c == 0x7B
        elif c in b"}]":
            if depth == 1 and key is not None:
                members.append(Member(key, start, _rstrip(raw, i)))
                key = None
            depth -= 1
        elif c == 0x2C and depth == 1:  # ','
            if key is not None:
                members.append(Member(key, start, _rstrip(raw, i)))
            key = None
            expect_key = True
    return members


def _string_end(raw: bytes, i: int) -> int:
    """The offset just after the JSON string that opens at ``raw[i]``."""
    j = i + 1
    while True:
        j = raw.find(b'"', j)
        if j < 0:
            return len(raw)
        k = j
        while raw[k - 1] == 0x5C:  # backslashes before the quote: an odd number escapes it
            k -= 1
        if (j - k) % 2 == 0:
            return j + 1
        j += 1


def _rstrip(raw: bytes, end: int) -> int:
    while end > 0 and raw[end - 1] in _WS:
        end -= 1
    return end


#: Strings longer than this are encoded in pieces of this size (no full-size temporary copy).
_PIECE = 1 << 20


def dumps_value(value: object) -> bytes:
    """``value`` as JSON bytes: non-ASCII as UTF-8, lone surrogates as ``\\uXXXX`` escapes.

    >>> dumps_value("caf\\u00e9 \\udc80")
    b'"caf\\xc3\\xa9 \\\\udc80"'
    """
    if isinstance(value, str) and len(value) > _PIECE:
        return b"".join(_dumps_long(value))
    return json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8", "backslashreplace")


def _dumps_long(value: str):
    yield b'"'
    for i in range(0, len(value), _PIECE):  # a Python str has no surrogate pairs to cut in two
        yield json.dumps(value[i:i + _PIECE], ensure_ascii=False)[1:-1].encode("utf-8", "backslashreplace")
    yield b'"'


@dataclass(frozen=True)
class Spliced:
    """A line with new bytes inserted at ``at``, kept as the original line and the insert
    (so that a long line is never copied whole to be written)."""

    raw: bytes
    at: int
    insert: bytes
    suffix: bytes = b""

    def chunks(self):
        view = memoryview(self.raw)
        return (view[:self.at], self.insert, view[self.at:], self.suffix)

    def __bytes__(self) -> bytes:
        return self.raw[:self.at] + self.insert + self.raw[self.at:] + self.suffix


def write_out(stream, data) -> None:
    """Write ``data`` (bytes, or a :class:`Spliced` line) to ``stream``."""
    if isinstance(data, Spliced):
        for chunk in data.chunks():
            if chunk:
                stream.write(chunk)
    else:
        stream.write(data)


def splice_members(raw: bytes, fields: Sequence[tuple[str, object]], members: Sequence[Member] = (),
                   drop: Sequence[str] = ()) -> bytes:
    """:func:`splice` as bytes."""
    return bytes(splice(raw, fields, members, drop))


def splice(raw: bytes, fields: Sequence[tuple[str, object]], members: Sequence[Member] = (),
           drop: Sequence[str] = ()) -> Spliced:
    """The line ``raw`` (a JSON object, with or without its line ending) with ``fields``
    added as the last members, after taking out the members whose key is in ``drop``
    (``members``: the line's members, from :func:`top_level_members`); every other byte
    comes out as it came in. The result ends with a newline.

    >>> raw = b'{"repaired": 1, "edits": 2, "text": "x", "edits": 3}'
    >>> splice_members(raw, [("repaired", "y")], top_level_members(raw), ["repaired", "edits"])
    b'{"text": "x", "repaired": "y"}\\n'
    """
    close = _rstrip(raw, len(raw)) - 1
    if close < 0 or raw[close:close + 1] != b"}":
        raise ValueError("not a JSON object")
    line = raw
    if drop and any(m.key in drop for m in members):
        line = _without(raw, members, set(drop))
        close = _rstrip(line, len(line)) - 1
    opening = line.index(b"{")
    empty = not line[opening + 1:close].strip(_WS)
    added = b", ".join(dumps_value(k) + b": " + dumps_value(v) for k, v in fields)
    sep = b"" if empty or not added else b", "
    at = _rstrip(line, close)
    return Spliced(line, at, sep + added, b"" if line.endswith(b"\n") else b"\n")


def _without(raw: bytes, members: Sequence[Member], drop: set[str]) -> bytes:
    """``raw`` without its members whose key is in ``drop``; the separators between the
    members that stay are kept as they were."""
    parts = [raw[:members[0].start]]
    first = True
    for i, m in enumerate(members):
        if m.key in drop:
            continue
        if not first:
            parts.append(raw[members[i - 1].end:m.start])  # the comma (and spaces) before it
        parts.append(raw[m.start:m.end])
        first = False
    parts.append(raw[members[-1].end:])
    return b"".join(parts)


def duplicate_keys(members: Sequence[Member]) -> list[str]:
    """Keys that occur more than once, in order of their second occurrence."""
    seen: set[str] = set()
    dups: list[str] = []
    for m in members:
        if m.key in seen and m.key not in dups:
            dups.append(m.key)
        seen.add(m.key)
    return dups
