"""Reading one input as a stream of work: units in chunks, plus what the writer must do.

:func:`produce` yields, in order, the actions for one input:

- ``Write(bytes)``: bytes the writer puts out as they are (a CSV header);
- ``Units(spec, units, raw_pos)``: a chunk of units for a worker;
- ``Fail(error, abort)``: the input (or its rest) cannot be read; one error record, and
  with ``abort`` no output file at all (a text document that is not valid UTF-8);
- ``Resumed(raw_pos)``: reading continues at ``raw_pos`` of the raw file (``--resume``),
  where the interrupted run stopped;
- ``End()``: the input is finished.

Only the reader sees the stream; records are never all in memory, except a text
document, which is one record (and is cut into pieces for the workers).
"""
from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from typing import Iterator

from ..config import DEFAULT_CONFIG, RepairConfig
from ..io.errors import InputError, RecordError
from ..io.files import InputFile
from ..io.read import UTF8_BOM, check_not_utf16, decode_document
from ..io.sources import InputSpec
from ..io.tables import DELIMITERS, TableReader, format_row
from ..chunks import exact_cuts
from ..pipeline import is_markup, text_pieces
from .work import JsonlSpec, TableSpec, TextSpec, Unit


@dataclass
class Write:
    data: bytes


@dataclass
class Units:
    spec: object
    units: list[Unit]
    raw_pos: int | None


@dataclass
class Fail:
    error: RecordError
    abort: bool


@dataclass
class End:
    pass


@dataclass
class Resumed:
    raw_pos: int


@dataclass(frozen=True)
class ReadOptions:
    #: The repair's configuration: where a text document is cut into pieces (``text_pieces``).
    config: RepairConfig = DEFAULT_CONFIG
    field: str = "text"
    errors: str = "strict"
    explain: bool = False
    chunk_records: int = 128
    chunk_bytes: int = 1 << 20
    #: A text document's pieces are cut further, where a cut changes nothing (after a blank
    #: line, between long lines), into units of about this many characters, so that progress
    #: shows within one long document.
    paragraph_chars: int = 2000


def produce(spec: InputSpec, opts: ReadOptions, in_offset: int = 0, line: int = 0) -> Iterator[object]:
    """The actions for reading ``spec`` from ``in_offset`` (the start of line ``line + 1``)."""
    try:
        inp = InputFile(spec.source, spec.gzip_in)
    except OSError as exc:
        yield Fail(_error(spec, 0, f"{spec.display}: cannot open: {exc.strerror or exc}"), True)
        yield End()
        return
    pos = {"line": line}
    gave = False  # whether anything of this input reached the writer
    try:
        if in_offset == 0:
            check_not_utf16(_peek(inp, 4), spec.display)
        if spec.fmt == "jsonl":
            actions = _jsonl(inp, spec, opts, in_offset, line, pos)
        elif spec.fmt in DELIMITERS:
            actions = _table(inp, spec, opts, in_offset, line, pos)
        else:
            actions = _text(inp, spec, opts, in_offset)
        for action in actions:
            gave = True
            yield action
    except InputError as exc:
        yield Fail(_error(spec, exc.line or 0, str(exc)), abort=True)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        # a truncated or corrupt file (often gzip): what was read stands, the rest is one
        # error; when nothing could be read (a document, a table's header), no output at all
        where = pos["line"] + 1
        yield Fail(_error(spec, where, f"{spec.display}: line {where}: cannot read the rest of the file: "
                                       f"{type(exc).__name__}: {exc}"), abort=not gave and in_offset == 0)
    finally:
        inp.close()
    yield End()


def _peek(inp: InputFile, n: int) -> bytes:
    peek = getattr(inp.stream, "peek", None)
    return peek(n)[:n] if peek is not None else b""


def _error(spec: InputSpec, line: int, reason: str) -> RecordError:
    return RecordError(spec.display, line, reason)


def _chunks(units: Iterator[Unit], opts: ReadOptions, inp: InputFile, wspec, pos: dict) -> Iterator[Units]:
    batch: list[Unit] = []
    size = 0
    try:
        for u in units:
            batch.append(u)
            size += u.size
            pos["line"] = u.last_line
            if len(batch) >= opts.chunk_records or size >= opts.chunk_bytes:
                yield Units(wspec, batch, _raw_pos(inp))
                batch, size = [], 0
    except Exception:
        if batch:  # what was read before the damage stands
            yield Units(wspec, batch, _raw_pos(inp))
        raise
    if batch:
        yield Units(wspec, batch, _raw_pos(inp))


def _raw_pos(inp: InputFile) -> int | None:
    return inp.raw_position() if inp.path != "-" else None


# -- JSONL -------------------------------------------------------------------------------------
def _jsonl(inp: InputFile, spec: InputSpec, opts: ReadOptions, in_offset: int, line: int, pos: dict):
    inp.skip_to(in_offset)
    if in_offset:
        yield Resumed(inp.raw_position())
    wspec = JsonlSpec(spec.display, opts.field, opts.errors, opts.explain)

    def units() -> Iterator[Unit]:
        offset, number = in_offset, line
        for raw in inp.stream:
            number += 1
            offset += len(raw)
            if _blank(raw):
                continue  # a blank line is not a record
            yield Unit(number, raw, offset, number, len(raw))

    yield from _chunks(units(), opts, inp, wspec, pos)


def _blank(raw: bytes) -> bool:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return not raw or raw.isspace()


# -- CSV / TSV -------------------------------------------------------------------------------------
def _table(inp: InputFile, spec: InputSpec, opts: ReadOptions, in_offset: int, line: int, pos: dict):
    delimiter = DELIMITERS[spec.fmt]
    reader = TableReader(inp.stream, spec.display, delimiter, opts.errors)
    header = next(iter(reader), None)
    if header is None:
        return  # an empty file gives an empty file
    if header.error:
        raise InputError(f"{header.error} (in the header)", header.line)
    columns = header.fields
    if opts.field not in columns:
        shown = ", ".join(repr(c) for c in columns[:12]) + (", ..." if len(columns) > 12 else "")
        raise InputError(f"{spec.display}: line {header.line}: no column {opts.field!r} in the header ({shown}); "
                         "choose the text column with --field", header.line)
    out_columns = list(columns)
    for extra in ("repaired", "edits"):
        if extra not in out_columns:
            out_columns.append(extra)
    eol = reader.lineterminator or "\n"
    wspec = TableSpec(spec.display, columns.index(opts.field), len(columns), out_columns.index("repaired"),
                      out_columns.index("edits"), delimiter, eol, opts.field, opts.explain)
    if in_offset <= header.end:
        yield Write((UTF8_BOM if reader.bom else b"") + format_row(out_columns, delimiter, eol))
    else:
        inp.skip_to(in_offset, current=header.end)
        yield Resumed(inp.raw_position())
        reader = TableReader(inp.stream, spec.display, delimiter, opts.errors, offset=in_offset, line=line)
        reader.lineterminator = eol

    def units() -> Iterator[Unit]:
        for row in reader:
            yield Unit(row.line, row.fields, row.end, row.last_line, sum(len(f) for f in row.fields) + 1,
                       error=row.error)

    yield from _chunks(units(), opts, inp, wspec, pos)


# -- text documents ------------------------------------------------------------------------------
def _text(inp: InputFile, spec: InputSpec, opts: ReadOptions, in_offset: int):
    if in_offset > 0:
        return  # the document was complete when the run stopped
    data = inp.stream.read()
    size = len(data)
    text = decode_document(data, spec.display, opts.errors)
    if data.startswith(UTF8_BOM):
        yield Write(UTF8_BOM)  # kept as it came
    del data
    wspec = TextSpec(spec.display, opts.explain)
    points = _units(text, opts.config, opts.paragraph_chars)
    raw_size = _raw_pos(inp)
    units: list[Unit] = []
    batch_size = 0
    line, col = 1, 1
    for i, (a, b) in enumerate(zip(points, points[1:])):
        piece = text[a:b]
        newlines = piece.count("\n")
        last = i == len(points) - 2
        units.append(Unit(line, piece, size if last else None, line + newlines, len(piece), col=col))
        batch_size += len(piece)
        if newlines:
            line += newlines
            col = len(piece) - piece.rfind("\n")
        else:
            col += len(piece)
        if batch_size >= opts.chunk_bytes or len(units) >= opts.chunk_records or last:
            # the raw file was read whole: progress goes by the share of the text done
            at = None if raw_size is None else (raw_size if last else raw_size * b // max(1, len(text)))
            yield Units(wspec, units, at)
            units, batch_size = [], 0


def _units(text: str, config: RepairConfig, paragraph_chars: int) -> list[int]:
    """The pieces the repair cuts ``text`` into, each cut further where that changes nothing
    (never a markup document: it is repaired whole)."""
    pieces = text_pieces(text, config)
    if len(text) <= paragraph_chars or is_markup(text, config):
        return pieces
    points = [0]
    for a, b in zip(pieces, pieces[1:]):
        points += [a + c for c in exact_cuts(text[a:b], paragraph_chars)[1:]]
    return points
