"""The batch engine: inputs in, outputs out, in order, resumable, in parallel.

One loop in the parent process reads the inputs (:mod:`repair.batch.readers`), hands
chunks of units to an executor (:mod:`repair.batch.executors`: this process, a process
pool, or a Dask cluster) and writes their outcomes back in input order:

- at most ``workers * 3`` chunks are in flight, and results are taken in submission
  order, so the output order is the input order and the memory used does not grow with
  the input;
- every unit gives one output record or one error record (to ``--errors-file``, or
  stderr), and the run goes on;
- outputs are written to partial files and renamed when complete; progress is committed
  to a journal (:mod:`repair.batch.journal`) so that ``resume=True`` continues an
  interrupted run without duplicates or gaps.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sys
import time
from collections import deque
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Sequence

from ..io.atomic import AtomicOutput, OutputBusy, StreamOutput, check_not_busy, partial_path
from ..io.errors import ErrorSink, RecordError
from ..io.files import file_identity, file_size
from ..io.records import write_out
from ..io.sources import InputSpec
from . import journal as jn
from .progress import FixStats, Reporter, is_terminal
from .readers import End, Fail, ReadOptions, Resumed, Units, Write, produce


class BatchUsageError(ValueError):
    """The run cannot start as asked (exit code 2)."""


class BatchFailure(RuntimeError):
    """The run stopped before the end; the journal is kept for ``--resume`` (exit code 1)."""


class OutputFailure(BatchFailure):
    """An output, the errors file, the journal or stdout could not be written (a full disk,
    a closed pipe): the run stopped, what was written is kept (exit code 4)."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped the run; the message says what was kept and how to go on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class BatchSettings:
    """How a batch run moves records (the repair itself is a RepairConfig's business), with
    the documented defaults."""

    #: JSONL key or CSV/TSV column holding the text.
    field: str = "text"
    #: Invalid UTF-8: "strict" (error record) or "replace" (U+FFFD).
    errors: str = "strict"
    #: Worker processes (1: repair in this process).
    workers: int = 1
    #: Add ``rejected`` to JSONL records and print every edit and held-back proposal.
    explain: bool = False
    #: No progress bar, no summary line.
    quiet: bool = False
    #: Append error records here (default: stderr).
    errors_file: str | None = None
    #: Continue an interrupted run from its journal.
    resume: bool = False
    #: With --in-place: the backup of each input is INPUT + this suffix.
    backup_suffix: str = ".bak"
    #: Commit progress to the journal at least every this many records ...
    checkpoint_records: int = 2000
    #: ... and at least every this many seconds.
    checkpoint_seconds: float = 5.0
    #: Units per chunk sent to a worker, and the most bytes in one chunk.
    chunk_records: int = 128
    chunk_bytes: int = 1 << 20
    #: Follow symbolic links that lead out of a directory input (and write through links in -o DIR).
    follow_links: bool = False


@dataclass
class _Job:
    index: int
    spec: InputSpec
    stats: FixStats = field(default_factory=FixStats)
    output: object | None = None  # AtomicOutput or _Stdout, opened at the first write
    resume_out: int | None = None
    failed: bool = False
    aborted: bool = False
    changed_text: bool = False
    size: int = 0  # the input's size on disk, for the progress bar
    reported: int = 0  # raw bytes shown on the progress bar
    submitted: int = 0  # raw position of the last chunk handed to the executor
    since_commit: int = 0
    last_commit: float = field(default_factory=time.monotonic)


class _Stdout:
    def __init__(self, stream: BinaryIO):
        self.stream = stream

    def write(self, data: bytes) -> None:
        self.stream.write(data)

    def commit(self) -> int:
        self.stream.flush()
        return 0

    def finalize(self, backup=None) -> int:
        self.stream.flush()
        return 0

    def abort(self) -> None:
        self.stream.flush()

    def close_for_resume(self) -> None:
        with contextlib.suppress(Exception):
            self.stream.flush()


def journal_location(specs: Sequence[InputSpec], output: str | None) -> Path | None:
    """Where the journal of a run that writes files lives (None when it writes to stdout)."""
    targets = [s.target for s in specs if s.target is not None and not s.stream]
    if not targets:
        return None
    if specs and specs[0].in_place:
        first = Path(specs[0].source)
        return first.parent / ".repair-journal"
    if output and len(targets) == 1 and str(targets[0]) == str(output):
        t = Path(output)
        return t.parent / f".{t.name}.repair-journal"
    return Path(output) / ".repair-journal" if output else None


def fingerprint(specs: Sequence[InputSpec], settings: BatchSettings, config, signature: str) -> dict:
    """What must be the same for a run to continue another: inputs, targets and every
    option that changes the output (``config``: the RepairConfig; ``signature``: the
    resources' signature, e.g. the glossaries')."""
    inputs = json.dumps([[s.source, s.target, s.fmt, s.in_place] for s in specs], ensure_ascii=False)
    return json.loads(json.dumps({
        "inputs": {"count": len(specs), "sha256": hashlib.sha256(inputs.encode("utf-8", "surrogatepass")).hexdigest()},
        "field": settings.field, "errors": settings.errors, "explain": settings.explain,
        "config": dataclasses.asdict(config), "glossaries": signature, "backup_suffix": settings.backup_suffix,
    }))


def check_errors_file(specs: Sequence[InputSpec], errors_file: str | None, journal: Path | None = None) -> None:
    """Raise BatchUsageError when ``errors_file`` is (or links to) an input, an output or the
    journal: error records must never be appended to an input nor lost at an output's rename."""
    if not errors_file:
        return
    real = os.path.realpath(errors_file)

    def same(path: str) -> bool:
        if os.path.realpath(path) == real:
            return True
        try:
            return os.path.samefile(path, errors_file)
        except OSError:
            return False

    for spec in specs:
        if spec.source != "-" and same(spec.source):
            raise BatchUsageError(f"--errors-file {errors_file} is the input {spec.display}; choose another file")
        if spec.target is not None and (same(spec.target) or same(str(partial_path(spec.target)))):
            raise BatchUsageError(f"--errors-file {errors_file} is the output {spec.target}; choose another file")
    if journal is not None and same(str(journal)):
        raise BatchUsageError(f"--errors-file {errors_file} is the resume journal {journal}; choose another file")


def run_batch(specs: Sequence[InputSpec], executor, settings: BatchSettings = BatchSettings(), *,
              output: str | None = None, signature: str = "", stdout: BinaryIO | None = None,
              reporter: Reporter | None = None, notes: Sequence[str] = ()) -> FixStats:
    """Repair every input of ``specs`` into its target with ``executor`` (see
    :mod:`repair.batch.executors`); returns the counts. ``signature`` names the resources
    (glossaries) for the resume journal.

    Raises BatchUsageError when the run cannot start (e.g. a journal that does not match,
    another run writing the same output), BatchFailure when it stops early (the journal is
    then kept for ``resume``), OutputFailure when an output cannot be written, Interrupted on
    Ctrl-C. ``notes`` are printed with the summary (e.g. the links a directory walk did not
    follow)."""
    to_terminal = stdout is None and any(s.target is None for s in specs) and is_terminal(sys.stdout)
    stdout = stdout if stdout is not None else sys.stdout.buffer
    total = None if any(s.source == "-" for s in specs) else sum(file_size(s.source) for s in specs)
    # no bar when the repaired text itself goes to the terminal: the two would overwrite each other
    reporter = reporter or Reporter(total, settings.quiet, bar=False if to_terminal else None)
    engine = _Engine(list(specs), settings, executor, output, signature, stdout, reporter, to_terminal)
    engine.notes = list(notes)
    try:
        return engine.run()
    finally:
        reporter.close()


class _Tail:
    """A binary stream that remembers the last byte written to it."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.last = b""

    def write(self, data: bytes) -> None:
        if data:
            self.last = data[-1:]
        self.stream.write(data)

    def flush(self) -> None:
        self.stream.flush()


class _Engine:
    def __init__(self, specs, settings: BatchSettings, executor, output, signature, stdout, reporter: Reporter,
                 to_terminal: bool = False):
        self.specs = specs
        self.executor = executor
        self.settings = settings
        self.stdout = _Tail(stdout)
        self.to_terminal = to_terminal
        self.reporter = reporter
        self.read_opts = ReadOptions(executor.config, settings.field, settings.errors, settings.explain,
                                     max(1, min(settings.chunk_records, settings.checkpoint_records)),
                                     settings.chunk_bytes)
        self.output = output
        self.journal_path = journal_location(specs, output)
        self.fingerprint = fingerprint(specs, settings, executor.config, signature)
        self.journal: jn.Journal | None = None
        self.state: jn.JournalState | None = None
        self.total = FixStats()
        self.resumed = False
        self.wrote = False  # an output was opened: the journal is worth keeping
        self.complete = False  # --resume of a run that had finished: nothing to do
        self.notes: list[str] = []

    # -- set-up ---------------------------------------------------------------------------------
    def _open_journal(self) -> None:
        path = self.journal_path
        if path is None:
            if self.settings.resume:
                raise BatchUsageError("--resume needs an output file or directory (-o) or --in-place")
            return
        try:
            if path.exists():
                journal = jn.Journal.reopen(path)  # JournalBusy while another run holds it
                if not self.settings.resume:
                    journal.close()
                    raise BatchUsageError(f"an interrupted run left its journal at {path}: add --resume to continue "
                                          f"it, or delete it (and the .*.repair-partial files beside the outputs) "
                                          f"to start over")
                self.journal = journal
                self.state = jn.load(path)
                if self.state.fingerprint != self.fingerprint:
                    raise BatchUsageError(f"cannot resume: the inputs or options differ from the interrupted run "
                                          f"recorded in {path}")
                self.resumed = True
            else:
                if self.settings.resume and self._already_complete():
                    self.complete = True
                    return
                if self.settings.resume and not self.settings.quiet:
                    self.reporter.message(f"repair: nothing to resume ({path} not found); starting from the beginning")
                self.journal = jn.Journal.create(path, self.fingerprint)
        except (jn.JournalError, OSError, KeyError, TypeError) as exc:
            if self.journal is not None:
                self.journal.close()
                self.journal = None
            raise BatchUsageError(str(exc) if isinstance(exc, jn.JournalBusy)
                                  else f"cannot use the resume journal {path}: {exc}") from None
        except BatchUsageError:
            if self.journal is not None:
                self.journal.close()
                self.journal = None
            raise

    def _already_complete(self) -> bool:
        """With --resume and no journal: whether the run had finished (its journal is removed
        at the end): every output exists and is newer than its input (with --in-place,
        every backup exists)."""
        for spec in self.specs:
            if spec.target is None or spec.stream or spec.source == "-":
                return False
            try:
                if spec.in_place:
                    if not os.path.exists(spec.source + self.settings.backup_suffix):
                        return False
                elif os.stat(spec.target).st_mtime_ns < os.stat(spec.source).st_mtime_ns:
                    return False
            except OSError:
                return False
        return True

    def _check_outputs(self) -> None:
        """Refuse up front: an errors file that is an input or an output; an output that
        another run is writing (whatever the spelling of its path)."""
        check_errors_file(self.specs, self.settings.errors_file, self.journal_path)
        try:
            for spec in self.specs:
                if spec.target is not None and not spec.stream:
                    check_not_busy(spec.target)
        except OutputBusy as exc:
            raise BatchUsageError(str(exc)) from None

    # -- the loop ---------------------------------------------------------------------------------
    def run(self) -> FixStats:
        self._check_outputs()
        self._open_journal()
        if self.complete:
            if not self.settings.quiet:
                what = "the inputs were repaired in place" if self.specs[0].in_place else f"{self.output} is complete"
                self.reporter.message(f"repair: nothing to resume: {what} (the journal is removed when a run "
                                      f"finishes); outputs and errors left as they are")
            return self.total
        try:
            self._check_backups()
            err_cut = self.state.err_offset if self.state else None
            self.errors = ErrorSink(self.settings.errors_file, self.reporter.message, err_cut)
            executor = self.executor
        except OSError as exc:
            if self.journal is not None:
                self.journal.close() if self.resumed else self.journal.remove()
            raise BatchUsageError(f"cannot open the errors file {self.settings.errors_file}: "
                                  f"{exc.strerror or exc}") from None
        except BaseException:
            if self.journal is not None:
                self.journal.close() if self.resumed else self.journal.remove()
            raise
        self.pending: deque = deque()
        self.in_flight = 0
        self.chunks: dict[int, tuple[_Job, Units, int, int]] = {}  # id(handle) -> chunk, raw span, size
        if hasattr(executor, "watch"):
            executor.watch(self._on_progress)
        max_in_flight = max(2, self.settings.workers * 3)
        finished = interrupted = False
        try:
            for index, spec in enumerate(self.specs):
                job = _Job(index, spec, size=0 if spec.source == "-" else file_size(spec.source))
                start = self._resume_point(job)
                if start is None:
                    continue
                in_offset, line = start
                for action in produce(spec, self.read_opts, in_offset, line):
                    if isinstance(action, Units):
                        fut = executor.submit(action.spec, action.units)
                        self._track(job, action, fut)
                        self.pending.append((job, action, fut))
                        self.in_flight += 1
                        while self.in_flight >= max_in_flight:
                            self._drain_one()
                    elif isinstance(action, Resumed):
                        self.reporter.skip(action.raw_pos - job.reported)
                        job.reported = job.submitted = action.raw_pos
                    else:
                        self.pending.append((job, action, None))
            while self.pending:
                self._drain_one()
            finished = True
        except BrokenProcessPool:
            raise BatchFailure("a worker process died (out of memory?); rerun with --resume to continue") from None
        except OutputBusy as exc:
            raise BatchUsageError(str(exc)) from None
        except KeyboardInterrupt:
            interrupted = True
        finally:
            if not finished:
                for job, _, fut in self.pending:
                    if fut is not None:
                        fut.cancel()
                    if job.output is not None:
                        job.output.close_for_resume()
            executor.shutdown(cancel=not finished)
            self.errors.close()
            kept = False
            if self.journal is not None:
                if finished or not (self.resumed or self.wrote):
                    self.journal.remove()  # done, or stopped before writing anything
                else:
                    self.journal.close()
                    kept = True
            self.reporter.close(leave=not interrupted)
        if interrupted:
            self._end_line()
            raise Interrupted(self._interrupted(kept))
        if not self.settings.quiet:
            self._end_line()
            self.reporter.message(self.reporter.summary(self.total, self.resumed))
        for note in self.notes:
            self.reporter.message(note)
        return self.total

    @contextlib.contextmanager
    def _writing(self, what: str, job: _Job | None = None):
        """Turn an OSError while writing ``what`` into an OutputFailure that names it, says
        why, and says how to go on."""
        try:
            yield
        except FileExistsError:
            raise  # an existing backup: the caller's business
        except OSError as exc:
            if isinstance(exc, BrokenPipeError) and what == "stdout":
                raise OutputFailure("repair: stdout was closed (broken pipe)") from None
            cause = exc.strerror or str(exc)
            if self.journal is not None and (self.wrote or self.resumed):
                kept = ""
                if job is not None and job.spec.target is not None and not job.spec.stream:
                    kept = f"; the partial output is kept in {partial_path(job.spec.target)}"
                hint = f"{kept}; fix the cause and run the same command with --resume to continue"
            else:
                hint = "; what was written before stays there"
            raise OutputFailure(f"repair: cannot write {what}: {cause}{hint}") from None

    def _end_line(self) -> None:
        """When the repaired text went to the terminal and did not end its last line (a
        document without a final line break), end it, so that what follows starts a line."""
        if self.to_terminal and self.stdout.last not in (b"", b"\n"):
            self.reporter.message("")

    def _interrupted(self, kept: bool) -> str:
        """What Ctrl-C left behind, and what to do next."""
        if kept:
            return (f"repair: interrupted; the journal {self.journal_path} keeps what was done: run the same "
                    f"command with --resume to continue")
        if self.journal_path is not None:
            return "repair: interrupted before anything was written; run the same command to start again"
        return "repair: interrupted (output to stdout cannot be resumed: use -o to write a file)"

    def _check_backups(self) -> None:
        """With --in-place, refuse up front to replace an existing backup."""
        for index, spec in enumerate(self.specs):
            st = self.state.jobs.get(index) if self.state else None
            if not spec.in_place or st is not None:
                continue
            backup = Path(spec.source + self.settings.backup_suffix)
            if backup.exists():
                raise BatchUsageError(f"backup {backup} already exists; remove it or choose another --backup-suffix")

    def _resume_point(self, job: _Job) -> tuple[int, int] | None:
        """Where to start reading ``job`` (None: it was finished by the interrupted run)."""
        st = self.state.jobs.get(job.index) if self.state else None
        spec = job.spec
        if st is None:
            return 0, 0
        if st.done:
            target_ok = st.out_size is None or (spec.target and os.path.exists(spec.target)
                                                and os.path.getsize(spec.target) == st.out_size)
            if target_ok:
                self.total.add(FixStats.from_counts(st.counts))
                self.reporter.skip(job.size, st.counts.get("records", 0))
                return None
            self.reporter.warning(f"repair: {spec.target} is missing or changed since the interrupted run; "
                                  f"repairing {spec.display} again")
            return 0, 0
        if spec.source == "-":
            raise BatchUsageError("cannot resume reading stdin")
        partial = partial_path(spec.target)
        if spec.in_place and not partial.exists():
            backup = Path(spec.source + self.settings.backup_suffix)
            if backup.exists() and st.identity == file_identity(str(backup)):
                # the input had been replaced by its output; only the journal entry was missing
                self.total.add(FixStats.from_counts(st.counts))
                self.journal.done(job.index, os.path.getsize(spec.target), st.counts, self.errors.commit())
                self.reporter.skip(job.size, st.counts.get("records", 0))
                return None
        if st.identity is not None and file_identity(spec.source) != st.identity:
            raise BatchUsageError(f"cannot resume: {spec.display} changed since the interrupted run "
                                  f"(size or modification time); delete {self.journal_path} to start over")
        if st.out_offset and (not partial.exists() or partial.stat().st_size < st.out_offset):
            raise BatchUsageError(f"cannot resume: the partial output {partial} is missing or shorter than "
                                  f"recorded; delete {self.journal_path} to start over")
        job.resume_out = st.out_offset
        job.stats = FixStats.from_counts(st.counts)
        job.stats.files = 0
        self.reporter.skip(0, job.stats.records)
        return st.in_offset, st.line

    # -- writing ------------------------------------------------------------------------------------
    def _what(self, job: _Job) -> str:
        return "stdout" if job.spec.target is None else str(job.spec.target)

    def _output(self, job: _Job):
        if job.output is None:
            spec = job.spec
            if spec.target is None:
                job.output = _Stdout(self.stdout)
            elif spec.stream:
                with self._writing(spec.target, job):
                    job.output = StreamOutput(spec.target, spec.gzip_out)
            else:
                with self._writing(spec.target, job):
                    job.output = AtomicOutput(spec.target, spec.gzip_out, job.resume_out)
                self.wrote = True
                if self.journal is not None and job.resume_out is None:
                    with self._writing(f"the resume journal {self.journal_path}"):
                        self.journal.start(job.index, None if spec.source == "-" else file_identity(spec.source))
        return job.output

    def _error_record(self, record: RecordError) -> None:
        with self._writing(f"the errors file {self.settings.errors_file}" if self.settings.errors_file
                           else "stderr"):
            self.errors.write(record)

    # -- progress -----------------------------------------------------------------------------------
    def _track(self, job: _Job, action: Units, handle) -> None:
        """Remember what part of the input ``handle`` works on, for progress within it."""
        size = sum(u.size for u in action.units)
        if action.raw_pos is not None:
            span = max(0, action.raw_pos - job.submitted)
            job.submitted = action.raw_pos
        else:
            span = size
        self.chunks[id(handle)] = (job, action, span, size)

    def _on_progress(self, handle, units_done: int, size_done: int) -> None:
        chunk = self.chunks.get(id(handle))
        if chunk is None:
            return
        job, action, span, size = chunk
        records = 0 if job.spec.fmt == "txt" else units_done
        self.reporter.partial(id(handle), span * size_done // max(1, size), records)

    def _result(self, fut):
        """The outcomes of a chunk, passing on the executor's progress reports while waiting."""
        poll = getattr(self.executor, "poll", None)
        if poll is None:
            return fut.result()
        while True:
            try:
                return fut.result(timeout=0.2)
            except FutureTimeout:
                poll()

    def _drain_one(self) -> None:
        job, action, fut = self.pending.popleft()
        if fut is not None:
            self.in_flight -= 1
            outcomes = self._result(fut)
            self.chunks.pop(id(fut), None)
            self._write_units(job, action, outcomes, key=id(fut))
        elif isinstance(action, Write):
            out = self._output(job)
            with self._writing(self._what(job), job):
                out.write(action.data)
        elif isinstance(action, Fail):
            job.failed = True
            job.aborted = job.aborted or action.abort
            job.stats.errors += 1
            self._error_record(action.error)
        elif isinstance(action, End):
            self._finish(job)

    def _write_units(self, job: _Job, action: Units, outcomes, key=None) -> None:
        out = self._output(job)
        stats = job.stats
        text_doc = job.spec.fmt == "txt"
        raw_bytes = 0
        what = self._what(job)
        for unit, o in zip(action.units, outcomes):
            raw_bytes += unit.size
            if o.error is not None:
                stats.errors += 1
                self._error_record(o.error)
                continue
            with self._writing(what, job):
                write_out(out, o.out)
            if o.warning:
                stats.warning_count += 1
                self.reporter.warning(o.warning)
            for line in o.explain:
                self.reporter.message(line)
            stats.edits += o.edits
            if text_doc:
                job.changed_text = job.changed_text or o.changed
            else:
                stats.records += 1
                stats.changed += int(o.changed)
        done_records = 0 if text_doc else sum(1 for o in outcomes if o.error is None)  # as the summary counts
        if action.raw_pos is not None:
            self.reporter.advance(action.raw_pos - job.reported, done_records, key=key)
            job.reported = action.raw_pos
        else:
            self.reporter.advance(raw_bytes, done_records, key=key)
        job.since_commit += len(action.units)
        last = action.units[-1]
        if last.end is not None and (job.since_commit >= self.settings.checkpoint_records
                                     or time.monotonic() - job.last_commit >= self.settings.checkpoint_seconds):
            self._commit(job, last.end, last.last_line)

    def _commit(self, job: _Job, in_offset: int, line: int) -> None:
        with self._writing(self._what(job), job):
            out_offset = job.output.commit()
        with self._writing(f"the errors file {self.settings.errors_file}"):
            err_offset = self.errors.commit()
        if self.journal is not None and job.spec.target is not None and not job.spec.stream:
            with self._writing(f"the resume journal {self.journal_path}"):
                self.journal.commit(job.index, in_offset, line, out_offset, err_offset, job.stats.counts())
        job.since_commit = 0
        job.last_commit = time.monotonic()

    def _finish(self, job: _Job) -> None:
        spec = job.spec
        if spec.fmt == "txt" and not job.failed:
            job.stats.records += 1
            job.stats.changed += int(job.changed_text)
            self.reporter.advance(0, 1)
        if job.aborted:
            if job.output is not None:
                job.output.abort()
            size = None
        else:
            out = self._output(job)
            backup = spec.source + self.settings.backup_suffix if spec.in_place else None
            try:
                with self._writing(self._what(job), job):
                    size = out.finalize(backup) if spec.target is not None else out.finalize()
            except FileExistsError as exc:
                out.abort()
                job.stats.errors += 1
                self._error_record(RecordError(spec.display, 0, f"{spec.display}: {exc}"))
                size = None
            job.stats.files += 1
        if spec.target is None or spec.stream:
            size = None
        self.total.add(job.stats)
        if self.journal is not None and spec.target is not None and not spec.stream:
            with self._writing(f"the errors file {self.settings.errors_file}"):
                err_offset = self.errors.commit()
            with self._writing(f"the resume journal {self.journal_path}"):
                self.journal.done(job.index, size, job.stats.counts(), err_offset)
            self.wrote = True
        if job.size > job.reported:
            self.reporter.advance(job.size - job.reported, 0)


__all__ = ["BatchFailure", "BatchSettings", "BatchUsageError", "FixStats", "OutputFailure", "check_errors_file",
           "journal_location", "run_batch"]
