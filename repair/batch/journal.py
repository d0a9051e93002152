"""The resume journal: what an interrupted run had safely written.

A run that writes files keeps a small journal beside its output (``.NAME.repair-journal``
for ``-o FILE``, ``DIR/.repair-journal`` for ``-o DIR``, ``.repair-journal`` beside the
first input for ``--in-place``). It is a JSON-lines file, appended to and fsync'd:

- ``run``: the run's fingerprint (inputs, targets, options, glossary signatures);
- ``start``: an input is being read (its size and mtime, to notice a changed input);
- ``commit``: the output holds every record up to this input byte offset and line; its
  committed length, the errors file's length, and the counts so far;
- ``done``: the input's output is complete and in place.

On ``--resume`` the last ``commit`` of the input in progress says where to continue: the
partial output and the errors file are cut back to their committed lengths and the input
is read from the committed offset. A line torn by the interruption is ignored. The
journal is deleted when the run completes.
"""
from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

VERSION = 1


class JournalError(ValueError):
    """The journal cannot be used to resume (another run, a changed input)."""


class JournalBusy(JournalError):
    """Another run is using the journal (and so the same outputs) right now."""


def _lock(fh, path: Path) -> None:
    """Hold an exclusive lock on the journal while the run lasts (released when it ends,
    however it ends)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        raise JournalBusy(f"another repair run is writing the same output (its journal {path} is locked)") from None


@dataclass
class JobState:
    """Where one input stands in the journal."""

    index: int
    identity: dict | None = None
    in_offset: int = 0
    line: int = 0
    out_offset: int = 0
    err_offset: int | None = None
    counts: dict = field(default_factory=dict)
    done: bool = False
    out_size: int | None = None


@dataclass
class JournalState:
    fingerprint: dict
    jobs: dict[int, JobState] = field(default_factory=dict)
    err_offset: int | None = None


def journal_path(first_target: str | None, to_dir: str | None, first_input: str | None) -> Path | None:
    if to_dir:
        return Path(to_dir) / ".repair-journal"
    if first_target:
        t = Path(first_target)
        if t == Path(first_input or ""):  # in place: one journal beside the first input
            return t.parent / ".repair-journal"
        return t.parent / f".{t.name}.repair-journal"
    return None


class Journal:
    """Appends records to the journal file, each one flushed and fsync'd."""

    def __init__(self, path: Path, fh):
        self.path = path
        self._fh = fh

    @classmethod
    def create(cls, path: Path, fingerprint: dict) -> "Journal":
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fh = open(path, "x", encoding="utf-8")
        except FileExistsError:
            raise JournalBusy(f"another repair run is writing the same output (its journal {path} is in use)") from None
        _lock(fh, path)
        j = cls(path, fh)
        j._append({"kind": "run", "v": VERSION, "fingerprint": fingerprint})
        return j

    @classmethod
    def reopen(cls, path: Path) -> "Journal":
        """The journal of an interrupted run, for appending (JournalBusy if a run holds it)."""
        fh = open(path, "a", encoding="utf-8")
        _lock(fh, path)
        return cls(path, fh)

    def _append(self, record: dict) -> None:
        self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def start(self, index: int, identity: dict | None) -> None:
        self._append({"kind": "start", "job": index, "identity": identity})

    def commit(self, index: int, in_offset: int, line: int, out_offset: int, err_offset: int | None,
               counts: dict) -> None:
        self._append({"kind": "commit", "job": index, "in": in_offset, "line": line, "out": out_offset,
                      "err": err_offset, "counts": counts})

    def done(self, index: int, out_size: int | None, counts: dict, err_offset: int | None) -> None:
        self._append({"kind": "done", "job": index, "size": out_size, "counts": counts, "err": err_offset})

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._fh.close()

    def remove(self) -> None:
        self.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def load(path: Path) -> JournalState:
    """The state recorded in the journal at ``path``."""
    state: JournalState | None = None
    with open(path, "rb") as fh:
        for raw in fh:
            try:
                rec = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                break  # a line torn by the interruption: everything before it stands
            kind = rec.get("kind")
            if kind == "run":
                if rec.get("v") != VERSION:
                    raise JournalError(f"{path}: written by another version of mt-repair")
                state = JournalState(rec["fingerprint"])
                continue
            if state is None:
                raise JournalError(f"{path}: not a mt-repair journal")
            job = state.jobs.setdefault(rec["job"], JobState(rec["job"]))
            if kind == "start":
                job.identity = rec.get("identity")
            elif kind == "commit":
                job.in_offset, job.line, job.out_offset = rec["in"], rec["line"], rec["out"]
                job.err_offset, job.counts = rec.get("err"), rec.get("counts", {})
                state.err_offset = rec.get("err")
            elif kind == "done":
                job.done, job.out_size, job.counts = True, rec.get("size"), rec.get("counts", {})
                state.err_offset = rec.get("err")
    if state is None:
        raise JournalError(f"{path}: empty or not a mt-repair journal")
    return state
