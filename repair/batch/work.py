"""What a worker does with a chunk of input: parse, repair, render, one outcome per unit.

A *unit* is what the reader hands over: a JSONL line (raw bytes, parsed here so that
parsing runs in the workers too), a CSV/TSV row, or a piece of a text document (the pieces
:meth:`repair.pipeline.Repairer.pieces` would cut). A worker turns each unit into an
:class:`Outcome`: the bytes to write, or an error record, with counts and ``--explain``
lines. A unit never yields both or neither.

:func:`process` takes the Repairer as an argument; :func:`process_with` takes a
configuration and uses this process's Repairer for it (``repair.pipeline.get_repairer``),
which is how worker processes and Dask workers build the pipeline once.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..config import RepairConfig
from ..edit import Repaired
from ..explain import Context, explain_lines
from ..io.errors import RecordError
from ..io.read import Record, parse_jsonl_line
from ..io.records import Spliced, duplicate_keys, splice, top_level_members
from ..io.tables import format_row
from ..pipeline import Repairer, get_repairer


@dataclass(frozen=True)
class JsonlSpec:
    name: str
    field: str
    errors: str = "strict"
    explain: bool = False


@dataclass(frozen=True)
class TableSpec:
    name: str
    field_index: int
    width: int  # columns in the header
    repaired_index: int
    edits_index: int
    delimiter: str
    lineterminator: str
    field: str
    explain: bool = False


@dataclass(frozen=True)
class TextSpec:
    name: str
    explain: bool = False


@dataclass
class Unit:
    """One piece of input. ``end``/``last_line``: where the input stands after it."""

    line: int
    data: Any
    end: int
    last_line: int
    size: int
    col: int = 1  # text pieces: the column the piece starts at
    error: str | None = None  # a reader-side error (e.g. invalid UTF-8 in a CSV row)


@dataclass
class Outcome:
    out: bytes | Spliced = b""  # write with repair.io.records.write_out
    error: RecordError | None = None
    warning: str | None = None
    changed: bool = False
    edits: int = 0
    explain: list[str] = field(default_factory=list)


def process(repairer: Repairer, spec, units: list[Unit], on_unit=None) -> list[Outcome]:
    """The outcomes of ``units`` (of the input described by ``spec``), in order. ``on_unit``,
    when given, is called after each unit with the number of units done and their size (for
    progress)."""
    handler = _HANDLERS[type(spec)]
    out = []
    size = 0
    for unit in units:
        try:
            out.append(handler(repairer, spec, unit))
        except Exception as exc:  # noqa: BLE001 - one bad record must not stop the run
            out.append(Outcome(error=RecordError.of(
                spec.name, unit.line, f"{spec.name}: line {unit.line}: internal error while repairing: "
                                      f"{type(exc).__name__}: {exc}", unit.data)))
        size += unit.size
        if on_unit is not None:
            on_unit(len(out), size)
    return out


def process_with(config: RepairConfig, spec, units: list[Unit], on_unit=None) -> list[Outcome]:
    """:func:`process` with this process's Repairer for ``config`` (built on first use)."""
    return process(get_repairer(config), spec, units, on_unit)


# -- per format ------------------------------------------------------------------------------------
def _jsonl(repairer: Repairer, spec: JsonlSpec, unit: Unit) -> Outcome:
    raw: bytes = unit.data
    item = parse_jsonl_line(raw, spec.name, unit.line, unit.end - len(raw), spec.field, spec.errors)
    if item is None:  # blank lines are not sent, but be safe
        return Outcome()
    if isinstance(item, RecordError):
        return Outcome(error=item)
    assert isinstance(item, Record)
    if item.text is None:  # passed through as it came
        return Outcome(out=raw if raw.endswith(b"\n") else raw + b"\n", warning=item.warning)
    text, item.text = item.text, None
    obj, item.obj = item.obj, None
    clash = [k for k in added_fields(spec.explain) if k in obj]
    del obj  # the record is written back from its bytes: only its text was needed
    result = repairer.repair(text)
    explain = _explain(repairer, result, text, f"{spec.name}:{item.line}") if spec.explain else []
    del text
    out, warning = splice_repair(raw, spec.field, result, spec.explain, clash, f"{spec.name}: line {unit.line}")
    return Outcome(out=out, changed=result.changed, edits=len(result.edits), explain=explain, warning=warning)


def added_fields(rejected: bool = False) -> tuple[str, ...]:
    """The names of the fields that a repair adds to a JSONL record."""
    return ("repaired", "edits", "rejected") if rejected else ("repaired", "edits")


def splice_repair(raw: bytes, field: str, result: Repaired, rejected: bool = False, clash: list[str] = (),
                  where: str = "") -> tuple[Spliced, str | None]:
    """The JSONL line ``raw`` with the fields of :func:`add_repair` spliced in, every byte of
    the input kept (see :mod:`repair.io.records`), and a warning when the record already
    held fields of those names (they are replaced) or its text field twice (the last one,
    which JSON readers keep, is the one repaired)."""
    fields: list[tuple[str, object]] = [("repaired", result.text), ("edits", [e.to_dict() for e in result.edits])]
    if rejected:
        fields.append(("rejected", [r.to_dict() for r in result.rejected]))
    warnings = []
    members = ()
    if clash or raw.count(b'"' + field.encode("utf-8", "surrogatepass") + b'"') > 1:
        members = top_level_members(raw)
        dups = [k for k in duplicate_keys(members) if k == field]
        if dups:
            warnings.append(f"the field {field!r} occurs more than once; the last one was repaired")
    if clash:
        warnings.append(f"the record already had {', '.join(repr(k) for k in clash)}: replaced by this repair's")
    out = splice(raw, fields, members, clash)
    warning = f"{where}: {'; '.join(warnings)}" if warnings else None
    return out, warning


def _explain(repairer: Repairer, result: Repaired, text: str, where: str, first_line: int = 1,
             first_col: int = 1) -> list[str]:
    """The ``--explain`` lines of one record (or piece of a document)."""
    return explain_lines(result, text, where, first_line, first_col, context=Context.of(repairer))


def add_repair(obj: dict, result: Repaired, rejected: bool = False) -> dict:
    """``obj`` (a JSON record) with the fields the repair adds: ``repaired``, ``edits``, and
    with ``rejected`` the proposals held back."""
    obj["repaired"] = result.text
    obj["edits"] = [e.to_dict() for e in result.edits]
    if rejected:
        obj["rejected"] = [r.to_dict() for r in result.rejected]
    return obj


def _table(repairer: Repairer, spec: TableSpec, unit: Unit) -> Outcome:
    row: list[str] = unit.data
    if unit.error:
        return Outcome(error=RecordError.of(spec.name, unit.line, unit.error, unit.data))
    if len(row) > spec.width:
        return Outcome(error=RecordError.of(spec.name, unit.line, f"{spec.name}: line {unit.line}: {len(row)} fields, "
                                            f"but the header has {spec.width}", unit.data))
    row = row + [""] * (max(spec.width, spec.edits_index + 1) - len(row))
    if len(unit.data) <= spec.field_index:
        warning = f"{spec.name}: line {unit.line}: no field {spec.field!r}; passed through unchanged"
        row[spec.repaired_index], row[spec.edits_index] = "", ""
        return Outcome(out=format_row(row, spec.delimiter, spec.lineterminator), warning=warning)
    text = row[spec.field_index]
    result = repairer.repair(text)
    row[spec.repaired_index] = result.text
    row[spec.edits_index] = json.dumps([e.to_dict() for e in result.edits], ensure_ascii=False)
    explain = _explain(repairer, result, text, f"{spec.name}:{unit.line}") if spec.explain else []
    return Outcome(out=format_row(row, spec.delimiter, spec.lineterminator), changed=result.changed,
                   edits=len(result.edits), explain=explain)


def _text(repairer: Repairer, spec: TextSpec, unit: Unit) -> Outcome:
    text: str = unit.data
    result = repairer.repair(text)
    explain = _explain(repairer, result, text, spec.name, unit.line, unit.col) if spec.explain else []
    return Outcome(out=result.text.encode("utf-8", "surrogatepass"), changed=result.changed,
                   edits=len(result.edits), explain=explain)


_HANDLERS = {JsonlSpec: _jsonl, TableSpec: _table, TextSpec: _text}
