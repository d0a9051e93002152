"""What a batch run tells the person watching it: a progress bar, messages, a summary.

The bar (tqdm) appears only when stderr is a terminal and ``quiet`` is off. It counts
input bytes (so that it can show an ETA), with the records done and their rate beside it.
Messages (warnings, ``--explain`` lines, error records without ``--errors-file``) go to
stderr above the bar. The summary line is printed at the end unless ``quiet``.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

#: Warnings printed before the rest are only counted.
MAX_WARNINGS = 100


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
    """Progress bar, stderr messages and the summary line."""

    def __init__(self, total_bytes: int | None = None, quiet: bool = False, stream=None, bar: bool | None = None):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.started = time.monotonic()
        self._warnings = 0
        if bar is None:
            bar = not quiet and _isatty(self.stream)
        self._bar = None
        if bar:
            from tqdm import tqdm

            self._bar = tqdm(total=total_bytes or None, unit="B", unit_scale=True, unit_divisor=1024,
                             file=self.stream, dynamic_ncols=True, smoothing=0.05, mininterval=0.5,
                             bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]{postfix}")
        self._records = 0
        self._last_postfix = 0.0

    def advance(self, nbytes: int, records: int) -> None:
        self._records += records
        if self._bar is None:
            return
        if nbytes > 0:
            self._bar.update(nbytes)
        now = time.monotonic()
        if now - self._last_postfix > 0.5:
            self._postfix(now)

    def _postfix(self, now: float) -> None:
        rate = self._records / max(now - self.started, 1e-9)
        self._bar.set_postfix_str(f"{self._records:,} records, {rate:,.0f} rec/s", refresh=False)
        self._last_postfix = now

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

    def close(self) -> None:
        if self._bar is not None:
            self._postfix(time.monotonic())
            self._bar.close()
            self._bar = None

    def summary(self, stats: FixStats, resumed: bool = False) -> str:
        seconds = time.monotonic() - self.started
        rate = stats.records / seconds if seconds > 0 else 0.0
        files = f" in {stats.files:,} files" if stats.files != 1 else ""
        line = (f"repair: {stats.records:,} records{files}, {stats.changed:,} changed, {stats.edits:,} edits, "
                f"{stats.errors:,} errors, {stats.warning_count:,} warnings; {seconds:.1f} s ({rate:,.0f} records/s)"
                + (" (resumed; counts include the earlier run)" if resumed else ""))
        return line


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
