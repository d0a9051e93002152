"""What a worker does with a chunk of input: parse, repair, render, one outcome per unit.

A *unit* is what the reader hands over: a JSONL line (raw bytes, parsed here so that
parsing runs in the workers too), a CSV/TSV row, or a piece of a text document. A worker
turns each unit into an :class:`Outcome`: the bytes to write, or an error record, with
counts and ``--explain`` lines. A unit never yields both or neither.

Each worker process builds its :class:`~repair.batch.record.RecordRepairer` once, in the
pool initializer (:func:`init_worker`); :func:`process` then uses it for every chunk.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field, fields
from typing import Any

from ..config import RepairConfig
from ..edit import Edit, Rejected, Repaired
from ..explain import line_col
from ..io.read import Record, RecordError, parse_jsonl_line
from ..io.tables import format_row
from .record import RecordRepairer, TextOptions


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
    markup: bool  # the document is HTML: one unit, repaired as markup
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
    out: bytes = b""
    error: dict | None = None
    warning: str | None = None
    changed: bool = False
    edits: int = 0
    explain: list[str] = field(default_factory=list)


# -- the worker's state ----------------------------------------------------------------------
_STATE: dict[str, Any] = {}


def init_worker(config: RepairConfig, options: TextOptions, threads: int | None = None) -> None:
    """Pool initializer: build the Repairer (glossaries, models) once per process. A
    failure is kept and raised by :func:`process`, so that the parent sees its message.

    ``threads``: the intra-op threads each worker's models may use (the cores shared out
    among the workers, so that N workers do not each start a thread per core)."""
    _exit_when_orphaned(os.getppid())
    if threads:
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, str(threads))
        if "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(threads)
    try:
        from ..pipeline import Repairer

        _STATE["repairer"] = RecordRepairer(Repairer(config), options)
        _STATE.pop("error", None)
    except BaseException as exc:  # noqa: BLE001 - reported by process()
        _STATE["error"] = exc


def _exit_when_orphaned(parent: int, every: float = 1.0) -> None:
    """A pool worker whose parent was killed (SIGKILL, OOM killer) can wait forever on the
    pool's queue locks, holding its models in memory; a daemon thread ends the process
    once the parent is gone. Nothing is lost: the parent's journal has every finished
    chunk, and ``--resume`` redoes the rest."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(3)

    threading.Thread(target=watch, name="mt-repair-orphan-watch", daemon=True).start()


def use_repairer(repairer: RecordRepairer) -> None:
    """Run :func:`process` in this process with ``repairer`` (no pool)."""
    _STATE["repairer"] = repairer
    _STATE.pop("error", None)


def process(spec, units: list[Unit]) -> list[Outcome]:
    """The outcomes of ``units`` (of the input described by ``spec``), in order."""
    if "error" in _STATE:
        raise _STATE["error"]
    rr: RecordRepairer = _STATE["repairer"]
    handler = _HANDLERS[type(spec)]
    out = []
    for unit in units:
        try:
            out.append(handler(rr, spec, unit))
        except Exception as exc:  # noqa: BLE001 - one bad record must not stop the run
            out.append(Outcome(error=_error(spec.name, unit.line, f"{spec.name}: line {unit.line}: internal error "
                                            f"while repairing: {type(exc).__name__}: {exc}", unit)))
    return out


def _error(name: str, line: int, reason: str, unit: Unit | None = None, raw: str = "") -> dict:
    if not raw and unit is not None:
        data = unit.data
        if isinstance(data, bytes):
            raw = data[:2000].decode("utf-8", "replace")
        elif isinstance(data, list):
            raw = json.dumps(data, ensure_ascii=False)[:1000]
        elif isinstance(data, str):
            raw = data[:1000]
    return {"error": reason, "file": name, "line": line, "input": raw[:1000]}


def _explain_lines(result: Repaired, text: str, where: str, first_line: int = 1, first_col: int = 1) -> list[str]:
    lines = []
    for item in list(result.edits) + list(result.rejected):
        line, col = line_col(text, item.start)
        if line == 1:
            col += first_col - 1
        origin = f" ({item.origin})" if item.origin else ""
        head = f"{where}:{line + first_line - 1}:{col}: "
        if hasattr(item, "reason"):
            lines.append(f"{head}held back {item.source} {item.rule_id or '-'} {item.before!r} -> {item.after!r}: "
                         f"{item.reason}")
        else:
            lines.append(f"{head}{item.source} {item.rule_id or '-'}{origin} {item.before!r} -> {item.after!r}")
    return lines


# -- per format ------------------------------------------------------------------------------------
def _jsonl(rr: RecordRepairer, spec: JsonlSpec, unit: Unit) -> Outcome:
    raw: bytes = unit.data
    eol = b"\r\n" if raw.endswith(b"\r\n") else b"\n"
    item = parse_jsonl_line(raw, spec.name, unit.line, unit.end - len(raw), spec.field, spec.errors)
    if item is None:  # blank lines are not sent, but be safe
        return Outcome()
    if isinstance(item, RecordError):
        return Outcome(error=item.to_dict())
    assert isinstance(item, Record)
    obj = item.obj
    if item.text is None:
        return Outcome(out=_dumps(obj) + eol, warning=item.warning)
    result = rr.repair(item.text)
    obj["repaired"] = result.text
    obj["edits"] = [_as_dict(e) for e in result.edits]
    explain = []
    if spec.explain:
        obj["rejected"] = [_as_dict(r) for r in result.rejected]
        explain = _explain_lines(result, item.text, f"{spec.name}:{item.line}")
    return Outcome(out=_dumps(obj) + eol, changed=result.changed, edits=len(result.edits), explain=explain)


def _as_dict(item) -> dict:
    """``item.to_dict()`` (``dataclasses.asdict``) without its deep copy: the fields of
    Edit and Rejected are plain values."""
    return {name: getattr(item, name) for name in _FIELDS[type(item)]}


_FIELDS = {cls: tuple(f.name for f in fields(cls)) for cls in (Edit, Rejected)}


def _dumps(obj: dict) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _table(rr: RecordRepairer, spec: TableSpec, unit: Unit) -> Outcome:
    row: list[str] = unit.data
    if unit.error:
        return Outcome(error=_error(spec.name, unit.line, unit.error, unit))
    if len(row) > spec.width:
        return Outcome(error=_error(spec.name, unit.line, f"{spec.name}: line {unit.line}: {len(row)} fields, "
                                    f"but the header has {spec.width}", unit))
    row = row + [""] * (max(spec.width, spec.edits_index + 1) - len(row))
    if len(unit.data) <= spec.field_index:
        warning = f"{spec.name}: line {unit.line}: no field {spec.field!r}; passed through unchanged"
        row[spec.repaired_index], row[spec.edits_index] = "", ""
        return Outcome(out=format_row(row, spec.delimiter, spec.lineterminator), warning=warning)
    text = row[spec.field_index]
    result = rr.repair(text)
    row[spec.repaired_index] = result.text
    row[spec.edits_index] = json.dumps([_as_dict(e) for e in result.edits], ensure_ascii=False)
    explain = _explain_lines(result, text, f"{spec.name}:{unit.line}") if spec.explain else []
    return Outcome(out=format_row(row, spec.delimiter, spec.lineterminator), changed=result.changed,
                   edits=len(result.edits), explain=explain)


def _text(rr: RecordRepairer, spec: TextSpec, unit: Unit) -> Outcome:
    text: str = unit.data
    result = rr.repair(text) if spec.markup else rr.repair_plain(text)
    explain = _explain_lines(result, text, spec.name, unit.line, unit.col) if spec.explain else []
    return Outcome(out=result.text.encode("utf-8", "surrogatepass"), changed=result.changed,
                   edits=len(result.edits), explain=explain)


_HANDLERS = {JsonlSpec: _jsonl, TableSpec: _table, TextSpec: _text}
