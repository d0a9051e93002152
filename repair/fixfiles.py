"""Repairing whole inputs: the library behind ``repair fix``.

:func:`fix_files` plans the inputs (files, directories, stdin; see
:mod:`repair.io.sources`) and runs the batch engine (:mod:`repair.batch.engine`).
:func:`fix_document` and :func:`fix_jsonl` repair one open stream into another, for
callers that manage their own files.
"""
from __future__ import annotations

from typing import BinaryIO, Callable, Sequence

from .batch.engine import BatchSettings, BatchUsageError, run_batch
from .batch.progress import FixStats, Reporter
from .batch.record import RecordRepairer, TextOptions
from .batch.work import JsonlSpec, TextSpec, Unit, process, use_repairer
from .batch.chunks import split_points
from .io import RecordError
from .io.read import decode_document
from .io.sources import FORMATS, PlanError, detect_format, plan_inputs
from .pipeline import Repairer

__all__ = ["FORMATS", "FixStats", "detect_format", "fix_document", "fix_files", "fix_jsonl"]

Explainer = Callable[[str], None]


def fix_files(inputs: Sequence[str], output: str | None = None, *, fmt: str | None = None,
              globs: Sequence[str] = (), in_place: bool = False, settings: BatchSettings = BatchSettings(),
              stdout: BinaryIO | None = None, reporter: Reporter | None = None) -> FixStats:
    """Repair ``inputs`` into ``output`` (a file, a directory, or stdout when None).

    Raises BatchUsageError for inputs and options that cannot work together,
    repair.glossary.GlossaryError for a malformed glossary, BatchFailure when the run
    stops early (rerun with ``settings.resume``). Record-level problems do not raise:
    they are error records, counted in the returned stats."""
    try:
        specs = plan_inputs(inputs, output, fmt, globs, in_place)
    except PlanError as exc:
        raise BatchUsageError(str(exc)) from None
    if settings.workers <= 1:
        repairer = RecordRepairer(Repairer(settings.config), settings.text)
        signature = repairer.repairer.glossary.signature()
    else:  # the workers build their own; check the glossaries here, once
        from .glossary import load_glossaries

        repairer = None
        signature = "+".join(g.signature() for g in load_glossaries(settings.config.glossaries,
                                                                    settings.config.default_glossaries))
    return run_batch(specs, settings, output=output, repairer=repairer, glossary_signature=signature,
                     stdout=stdout, reporter=reporter)


def _record_repairer(repairer: Repairer | RecordRepairer) -> RecordRepairer:
    return repairer if isinstance(repairer, RecordRepairer) else RecordRepairer(repairer, TextOptions())


def _stream_units(rr: RecordRepairer, spec, units: list[Unit]):
    use_repairer(rr)
    return process(spec, units)


def fix_document(repairer: Repairer, src: BinaryIO, name: str, dst: BinaryIO,
                 errors: str = "strict", on_explain: Explainer | None = None) -> FixStats:
    """Repair one text document from ``src`` into ``dst`` (raises InputError for invalid UTF-8)."""
    text = decode_document(src.read(), name, errors)
    rr = _record_repairer(repairer)
    markup = rr.is_markup(text)
    spec = TextSpec(name, markup, on_explain is not None)
    points = [0, len(text)] if markup else split_points(text, rr.options.max_chars, rr.options.max_line)
    stats = FixStats(records=1)
    line, col = 1, 1
    for a, b in zip(points, points[1:]):
        piece = text[a:b]
        (o,) = _stream_units(rr, spec, [Unit(line, piece, None, line, len(piece), col=col)])
        if o.error:
            raise RuntimeError(o.error["error"])
        dst.write(o.out)
        stats.changed = stats.changed or int(o.changed)
        stats.edits += o.edits
        for x in o.explain:
            on_explain(x)
        newlines = piece.count("\n")
        line, col = (line + newlines, len(piece) - piece.rfind("\n")) if newlines else (line, col + len(piece))
    return stats


def fix_jsonl(repairer: Repairer, src: BinaryIO, name: str, dst: BinaryIO, text_field: str = "text",
              errors: str = "strict", on_explain: Explainer | None = None,
              on_error: Callable[[RecordError], None] | None = None,
              on_warning: Callable[[str], None] | None = None) -> FixStats:
    """Repair each record's ``text_field``; write the record back whole with ``repaired`` and
    ``edits`` added (and ``rejected`` when explaining). A line that is not a record yields
    one error record through ``on_error`` instead of an output record."""
    spec = JsonlSpec(name, text_field, errors, on_explain is not None)
    rr = _record_repairer(repairer)
    stats = FixStats()
    offset = 0
    for number, raw in enumerate(src, start=1):
        offset += len(raw)
        if not raw.strip():
            continue
        (o,) = _stream_units(rr, spec, [Unit(number, raw, offset, number, len(raw))])
        if o.error is not None:
            stats.errors += 1
            if on_error:
                e = o.error
                on_error(RecordError(e["file"], e["line"], e["error"], e.get("input", "")))
            continue
        if not o.out:
            continue
        stats.records += 1
        dst.write(o.out)
        if o.warning:
            stats.warnings.append(o.warning)
            stats.warning_count += 1
            if on_warning:
                on_warning(o.warning)
        stats.changed += int(o.changed)
        stats.edits += o.edits
        for x in o.explain:
            on_explain(x)
    return stats
