"""CSV and TSV, streamed: rows with the line they start on and the byte offset after them.

The standard library's ``csv`` module does the parsing (quoted fields with embedded
newlines, doubled quotes). It reads from a generator of decoded lines that this module
feeds from the binary stream, so that the byte offset after each row is exact (for
resuming) and a line that is not valid UTF-8 spoils only the row it belongs to.
"""
from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from .errors import InputError

DELIMITERS = {"csv": ",", "tsv": "\t"}


def _allow_huge_fields() -> None:
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 2


@dataclass
class Row:
    """One row: its fields, the line it starts on, the byte offset just after it, and the
    reason it could not be read (then ``fields`` is what could be made of it)."""

    fields: list[str]
    line: int
    end: int
    last_line: int
    error: str | None = None


class TableReader:
    """Rows of a CSV/TSV stream, starting at byte ``offset`` (and line ``line``)."""

    def __init__(self, stream: BinaryIO, name: str, delimiter: str, errors: str = "strict",
                 offset: int = 0, line: int = 0):
        _allow_huge_fields()
        self.stream = stream
        self.name = name
        self.errors = errors
        self.offset = offset
        self._lines_read = line
        self._bad: dict[int, str] = {}
        self._reader = csv.reader(self._lines(), delimiter=delimiter, quotechar='"', doublequote=True,
                                  skipinitialspace=False, strict=False)
        self.lineterminator: str | None = None
        self.bom = False  # the table started with a UTF-8 byte-order mark

    def _lines(self) -> Iterator[str]:
        for raw in self.stream:
            start = self.offset
            self.offset += len(raw)
            self._lines_read += 1
            if start == 0 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
                start = 3
                self.bom = True
            if self.lineterminator is None and raw.endswith(b"\n"):
                self.lineterminator = "\r\n" if raw.endswith(b"\r\n") else "\n"
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                if self.errors == "replace":
                    yield raw.decode("utf-8", "replace")
                else:
                    self._bad[self._lines_read] = (
                        f"{self.name}: line {self._lines_read}, byte {start + exc.start}: invalid UTF-8 "
                        f"({raw[exc.start:exc.end]!r}); use --errors replace to substitute U+FFFD")
                    yield raw.decode("utf-8", "replace")

    def __iter__(self) -> Iterator[Row]:
        while True:
            first = self._lines_read + 1
            try:
                fields = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Row([], first, self.offset, self._lines_read,
                          f"{self.name}: line {first}: malformed {self._kind()}: {exc}")
                continue
            last = self._lines_read
            bad = [self._bad.pop(n) for n in range(first, last + 1) if n in self._bad]
            if not fields and not bad:
                continue  # a blank line is not a record
            yield Row(fields, first, self.offset, last, bad[0] if bad else None)

    def _kind(self) -> str:
        return "TSV" if self._reader.dialect.delimiter == "\t" else "CSV"


def read_header(stream: BinaryIO, name: str, delimiter: str, errors: str = "strict") -> tuple[Row | None, TableReader]:
    """The header row of a table (None for an empty file) and a reader positioned after it."""
    reader = TableReader(stream, name, delimiter, errors)
    for row in reader:
        if row.error:
            raise InputError(f"{row.error} (in the header)", row.line)
        return row, reader
    return None, reader


def format_row(fields: list[str], delimiter: str, lineterminator: str) -> bytes:
    """One row as CSV/TSV bytes (quoted where needed)."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, quotechar='"', doublequote=True, quoting=csv.QUOTE_MINIMAL,
               lineterminator=lineterminator).writerow(fields)
    return buf.getvalue().encode("utf-8")
