"""What a run tells the person watching it: a progress bar, messages, a summary.

The bar (tqdm) appears only when stderr is a terminal and ``quiet`` is off. For ``repair fix``
it counts input bytes (so that it can show an ETA), with the records done and their rate
beside it; it moves with every record (or paragraph of a text document), also while a chunk
of records is still being worked on. After ``--resume``, what the earlier run did is where
the bar starts, and neither the rate nor the ETA counts it. Messages (warnings, ``--explain``
lines, error records without ``--errors-file``) go to stderr above the bar; the summary line
is printed below it, after the bar is closed, unless ``quiet``.

:func:`counter` is the same kind of bar for other commands (``repair eval``'s stages,
``repair score``'s documents): a count of items, on a terminal only.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

#: Warnings printed before the rest are only counted.
MAX_WARNINGS = 100
#: The width and height a bar assumes when the terminal reports 0x0 (a pseudo-terminal
#: whose size was never set, as under some CI runners and ``script``).
FALLBACK_SIZE = (80, 24)


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` and ``word``, in the plural unless ``n`` is 1, with thousands separators.

    >>> plural(1, "record"), plural(0, "record"), plural(12345, "file"), plural(2, "was", "were")
    ('1 record', '0 records', '12,345 files', '2 were')
    """
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def rate_text(count: float, seconds: float, unit: str = "records") -> str:
    """``count`` per second in words, with the precision a person needs: '1,240 records/s',
    '12.3 records/s', '0.16 records/s'; '' when there is nothing to say.

    >>> rate_text(3120, 2.5), rate_text(37, 3), rate_text(1, 6.4), rate_text(0, 1)
    ('1,248 records/s', '12.3 records/s', '0.16 records/s', '')
    """
    if count <= 0 or seconds <= 0:
        return ""
    rate = count / seconds
    if rate >= 100:
        return f"{rate:,.0f} {unit}/s"
    if rate >= 1:
        return f"{rate:.1f} {unit}/s"
    return f"{rate:.2g} {unit}/s"


def is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _size_options(stream) -> dict:
    """tqdm's size options for ``stream``: follow the terminal's width, unless it says 0x0,
    in which case tqdm would draw nothing; then assume :data:`FALLBACK_SIZE`."""
    try:
        cols, rows = os.get_terminal_size(stream.fileno())
    except (AttributeError, ValueError, OSError):
        return {"dynamic_ncols": True}
    if cols <= 0 or rows <= 0:
        return {"ncols": (cols or FALLBACK_SIZE[0]) - MARGIN, "nrows": rows or FALLBACK_SIZE[1]}
    return {"dynamic_ncols": True}


#: Columns a bar leaves free at the right, so that the "^C" a terminal echoes on Ctrl-C
#: stays on the bar's line (and is cleared with it) instead of wrapping below it.
MARGIN = 3


def _narrower(bar):
    """Make a bar that follows the terminal's width stop :data:`MARGIN` columns short of it."""
    follow = getattr(bar, "dynamic_ncols", None)
    if callable(follow):
        def shape(fp):
            cols, rows = follow(fp)
            return (max(10, cols - MARGIN) if cols else cols), rows

        bar.dynamic_ncols = shape
        bar.ncols, bar.nrows = shape(bar.fp)
    return bar


def counter(total: int | None, desc: str, unit: str, quiet: bool = False, stream=None, bar: bool | None = None
            ) -> "Counter":
    """A progress bar over ``total`` items named ``unit`` (on a terminal, unless ``quiet``),
    for commands that work in steps (``repair eval``'s stages, ``repair score``'s files)."""
    stream = stream or sys.stderr
    if bar is None:
        bar = not quiet and is_terminal(stream)
    return Counter(total, desc, unit, stream, bar)


class Counter:
    """A bar that counts items through named steps (:meth:`start` each step), or nothing
    off a terminal; :meth:`write` prints a message above it either way."""

    _WITH_TOTAL = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} UNIT [{elapsed}<{remaining}]"
    _WITHOUT = "{desc} ... [{elapsed}]"

    def __init__(self, total: int | None, desc: str, unit: str, stream, bar: bool):
        self.stream = stream
        self.unit = unit
        self.n = 0
        self._bar = None
        if bar:
            from tqdm import tqdm

            self._bar = _narrower(tqdm(total=total, desc=desc, file=stream, mininterval=0.2, leave=False,
                                       bar_format=self._format(total), **_size_options(stream)))

    def _format(self, total) -> str:
        return (self._WITH_TOTAL if total else self._WITHOUT).replace("UNIT", self.unit)

    def start(self, desc: str, total: int | None) -> None:
        """A new step: ``desc``, counting from 0 to ``total`` (None: unknown)."""
        self.n = 0
        if self._bar is not None:
            self._bar.set_description_str(desc, refresh=False)
            self._bar.bar_format = self._format(total)
            self._bar.reset(total=total)
            self._bar.total = total

    def update(self, n: int = 1) -> None:
        self.n += n
        if self._bar is not None:
            self._bar.update(n)

    def write(self, line: str, file=None) -> None:
        if self._bar is not None:
            self._bar.write(line, file=file or self.stream)
        else:
            print(line, file=file or self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


@dataclass
class FixStats:
    """Counts for a run (or one input)."""

    records: int = 0
    changed: int = 0
    edits: int = 0
    errors: int = 0
    warnings: list[str] = field(default_factory=list)
    files: int = 0
    warning_count: int = 0

    def add(self, other: "FixStats") -> None:
        self.records += other.records
        self.changed += other.changed
        self.edits += other.edits
        self.errors += other.errors
        self.warnings += other.warnings
        self.files += other.files
        self.warning_count += other.warning_count

    def counts(self) -> dict:
        return {"records": self.records, "changed": self.changed, "edits": self.edits, "errors": self.errors,
                "warnings": self.warning_count, "files": self.files}

    @classmethod
    def from_counts(cls, counts: dict) -> "FixStats":
        return cls(records=counts.get("records", 0), changed=counts.get("changed", 0), edits=counts.get("edits", 0),
                   errors=counts.get("errors", 0), files=counts.get("files", 0),
                   warning_count=counts.get("warnings", 0))


class Reporter:
    """Progress bar, stderr messages and the summary line of a batch run.

    Progress comes in three kinds: :meth:`skip` (done by an earlier run, before ``--resume``:
    the bar starts there, the rate and ETA leave it out), :meth:`partial` (records of a chunk
    that is still being repaired: shown at once, replaced by the chunk's final count) and
    :meth:`advance` (done)."""

    def __init__(self, total_bytes: int | None = None, quiet: bool = False, stream=None, bar: bool | None = None):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.started = time.monotonic()
        self._warnings = 0
        if bar is None:
            bar = not quiet and is_terminal(self.stream)
        self._bar = None
        if bar:
            from tqdm import tqdm

            fmt = ("{percentage:3.0f}%|{bar}| {n_fmt}B/{total_fmt}B [{elapsed}<{remaining}{postfix}]" if total_bytes
                   else "{n_fmt}B [{elapsed}{postfix}]")
            self._bar = _narrower(tqdm(total=total_bytes or None, unit="B", unit_scale=True, unit_divisor=1024,
                                       file=self.stream, smoothing=0.05, mininterval=0.25, bar_format=fmt,
                                       **_size_options(self.stream)))
        self._records = 0  # done in this run
        self._earlier = 0  # done by the run that --resume continues
        self._shown_bytes = 0  # what the bar shows, partial chunks included
        self._partial: dict[object, tuple[int, int]] = {}  # chunk -> (bytes, records) shown so far
        self._last_postfix = 0.0

    # -- progress ------------------------------------------------------------------------------
    def skip(self, nbytes: int, records: int = 0) -> None:
        """Progress made before this run (a resumed run's start): shown, never in the rate."""
        self._earlier += records
        if self._bar is not None and nbytes > 0:
            bar = self._bar
            bar.initial += nbytes
            bar.n += nbytes
            bar.last_print_n += nbytes
            self._shown_bytes += nbytes
            self._refresh(force=True)

    def partial(self, key, nbytes: int, records: int) -> None:
        """Chunk ``key`` is ``nbytes``/``records`` along (replacing what it said before)."""
        before = self._partial.get(key, (0, 0))
        self._partial[key] = (nbytes, records)
        self._move(nbytes - before[0], records - before[1])

    def advance(self, nbytes: int, records: int, key=None) -> None:
        """``nbytes`` and ``records`` done; with ``key``, they replace that chunk's partial progress."""
        before = self._partial.pop(key, (0, 0)) if key is not None else (0, 0)
        self._move(nbytes - before[0], records - before[1])

    def _move(self, nbytes: int, records: int) -> None:
        self._records += records
        if self._bar is None:
            return
        self._refresh()  # the counts beside the bar first, so that the next draw shows them
        if nbytes:
            self._shown_bytes += nbytes
            self._bar.update(nbytes)

    def _refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_postfix >= 0.25:
            rate = rate_text(self._records, now - self.started)
            done = plural(self._earlier + self._records, "record")
            self._bar.set_postfix_str(f"{done}" + (f", {rate}" if rate else ""), refresh=force)
            self._last_postfix = now

    # -- messages --------------------------------------------------------------------------------
    def message(self, line: str) -> None:
        if self._bar is not None:
            self._bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)

    def warning(self, line: str) -> None:
        self._warnings += 1
        if self._warnings <= MAX_WARNINGS:
            self.message(line)
        elif self._warnings == MAX_WARNINGS + 1:
            self.message(f"(more warnings are only counted; the first {MAX_WARNINGS} were shown)")

    def close(self, leave: bool = True) -> None:
        """Draw the bar a last time and leave it on its line (or, ``leave=False``, clear it:
        after Ctrl-C); later messages go below it."""
        if self._bar is not None:
            self._refresh(force=True)
            self._bar.leave = leave
            self._bar.close()
            self._bar = None

    def summary(self, stats: FixStats, resumed: bool = False) -> str:
        seconds = time.monotonic() - self.started
        done = stats.records - (self._earlier if resumed else 0)
        rate = rate_text(done, seconds) if seconds >= 0.1 else ""  # "0.0 s (40 records/s)" would read oddly
        files = f" in {plural(stats.files, 'file')}" if stats.files > 1 else ""
        if stats.records == 0 and stats.errors and not stats.files:
            head = "repair: nothing repaired"
        else:
            head = (f"repair: {plural(stats.records, 'record')}{files}, {stats.changed:,} changed, "
                    f"{plural(stats.edits, 'edit')}")
        return (f"{head}, {plural(stats.errors, 'error')}, {plural(stats.warning_count, 'warning')}; "
                f"{seconds:.1f} s" + (f" ({rate})" if rate else "")
                + (" (resumed; counts include the earlier run)" if resumed else ""))
