"""Repairing whole inputs: the library behind ``repair fix``.

:func:`fix_files` plans the inputs (files, directories, stdin; see
:mod:`repair.io.sources`) and runs the batch engine (:mod:`repair.batch.engine`) with a
Repairer (or a configuration to build one per worker process). :func:`fix_document` and
:func:`fix_jsonl` repair one open stream into another, for callers that manage their own
files.
"""
from __future__ import annotations

from typing import BinaryIO, Callable, Sequence

from .batch.engine import BatchSettings, BatchUsageError, run_batch
from .batch.executors import executor_for
from .batch.progress import FixStats, Reporter
from .batch.work import JsonlSpec, TextSpec, Unit, process
from .config import DEFAULT_CONFIG, RepairConfig
from .io import RecordError
from .io.read import decode_document
from .io.records import write_out
from .io.sources import FORMATS, PlanError, detect_format, plan
from .pipeline import Repairer

__all__ = ["FORMATS", "FixStats", "detect_format", "fix_document", "fix_files", "fix_jsonl"]

Explainer = Callable[[str], None]


def fix_files(inputs: Sequence[str], output: str | None = None, *, config: RepairConfig = DEFAULT_CONFIG,
              repairer: Repairer | None = None, fmt: str | None = None, globs: Sequence[str] = (),
              in_place: bool = False, settings: BatchSettings = BatchSettings(),
              stdout: BinaryIO | None = None, reporter: Reporter | None = None) -> FixStats:
    """Repair ``inputs`` into ``output`` (a file, a directory, or stdout when None) with
    ``repairer`` (or, when None, a Repairer built for ``config``: once here for one worker,
    once per worker process for more).

    Raises BatchUsageError for inputs and options that cannot work together,
    repair.glossary.GlossaryError for a malformed glossary, BatchFailure when the run
    stops early (rerun with ``settings.resume``). Record-level problems do not raise:
    they are error records, counted in the returned stats."""
    if output == "-":
        output = None  # -o - is stdout
    try:
        planned = plan(inputs, output, fmt, globs, in_place, settings.follow_links)
    except PlanError as exc:
        raise BatchUsageError(str(exc)) from None
    specs = planned.specs
    if repairer is None:
        # built here even for a process pool: a malformed glossary is an error before any worker starts
        from .pipeline import get_repairer

        repairer = get_repairer(config)
    executor = executor_for(repairer, repairer.config, settings.workers)
    return run_batch(specs, executor, settings, output=output, signature=repairer.glossary.signature(),
                     stdout=stdout, reporter=reporter, notes=skipped_links_note(planned.skipped_links))


def skipped_links_note(links: Sequence[str], shown: int = 10) -> list[str]:
    """The summary's line about symbolic links a directory walk did not follow."""
    if not links:
        return []
    names = ", ".join(links[:shown]) + (f" and {len(links) - shown} more" if len(links) > shown else "")
    return [f"repair: skipped {len(links)} symbolic link{'s' if len(links) > 1 else ''} leading out of the input "
            f"directories (--follow-links to follow them): {names}"]


def fix_document(repairer: Repairer, src: BinaryIO, name: str, dst: BinaryIO,
                 errors: str = "strict", on_explain: Explainer | None = None) -> FixStats:
    """Repair one text document from ``src`` into ``dst`` (raises InputError for invalid UTF-8);
    a UTF-8 byte-order mark is kept."""
    data = src.read()
    text = decode_document(data, name, errors)
    if data.startswith(b"\xef\xbb\xbf"):
        dst.write(b"\xef\xbb\xbf")
    del data
    spec = TextSpec(name, on_explain is not None)
    points = repairer.pieces(text)
    stats = FixStats(records=1)
    line, col = 1, 1
    for a, b in zip(points, points[1:]):
        piece = text[a:b]
        (o,) = process(repairer, spec, [Unit(line, piece, None, line, len(piece), col=col)])
        if o.error:
            raise RuntimeError(o.error.reason)
        write_out(dst, o.out)
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
    stats = FixStats()
    offset = 0
    for number, raw in enumerate(src, start=1):
        offset += len(raw)
        if not raw.strip():
            continue
        (o,) = process(repairer, spec, [Unit(number, raw, offset, number, len(raw))])
        if o.error is not None:
            stats.errors += 1
            if on_error:
                on_error(o.error)
            continue
        if not o.out:
            continue
        stats.records += 1
        write_out(dst, o.out)
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
