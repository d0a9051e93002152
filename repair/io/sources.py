"""Which files to read and where each one's output goes.

Inputs are files, directories (walked recursively, keeping the files that ``--glob``
patterns match, hidden files and folders skipped) and ``-`` for stdin. Each becomes an
:class:`InputSpec` with its format and its output target:

- with ``--in-place``, the input itself;
- with ``-o FILE`` and a single input file (or stdin), FILE;
- with ``-o DIR`` (several inputs, a directory input, an existing directory, or a name
  ending in ``/``), the input's path mirrored under DIR: a directory input's tree is
  recreated below DIR (below ``DIR/NAME`` when there are several inputs);
- otherwise stdout (``target=None``; ``-o -`` says so too).

Symbolic links: a file or directory named on the command line is read wherever it points.
Inside a directory input, a link that leads out of the input tree is skipped (and named in
the run's summary) unless ``follow_links`` is set. An output target that is a character
device or a FIFO is written to as a stream (``stream=True``); ``-o FILE`` naming a link
writes to the file it points to; a target inside ``-o DIR`` that is a link is refused
unless ``follow_links``.
"""
from __future__ import annotations

import contextlib
import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .atomic import output_kind

FORMATS = ("txt", "jsonl", "csv", "tsv")
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "txt"}
#: What a directory walk picks up when no --glob is given.
DEFAULT_GLOBS = tuple(f"*{ext}{gz}" for ext in (".txt", ".jsonl", ".ndjson", ".csv", ".tsv") for gz in ("", ".gz"))


class PlanError(ValueError):
    """Inputs and options that cannot work together (a usage error)."""


def detect_format(name: str, forced: str | None = None) -> str:
    """``forced`` if given, else by extension (a trailing ``.gz`` is looked through):
    .jsonl/.ndjson are records, .csv/.tsv tables, anything else a text document.

    >>> detect_format("a.jsonl.gz"), detect_format("b.TSV"), detect_format("c.html"), detect_format("-")
    ('jsonl', 'tsv', 'txt', 'txt')
    """
    if forced:
        return forced
    p = Path(name.lower())
    if p.suffix == ".gz":
        p = p.with_suffix("")
    return _EXTENSIONS.get(p.suffix, "txt")


@dataclass(frozen=True)
class InputSpec:
    """One input and where its output goes."""

    source: str  # a path, or "-" for stdin
    display: str  # the name used in messages and error records
    fmt: str
    gzip_in: bool | None  # None: sniff (stdin)
    target: str | None  # None: stdout
    gzip_out: bool
    in_place: bool = False
    stream: bool = False  # the target is a character device or FIFO: written to directly


@dataclass
class Plan:
    """The inputs to read, and the links in directory inputs that were not followed."""

    specs: list[InputSpec]
    skipped_links: list[str]


def walk(directory: Path, globs: Sequence[str], exclude: Sequence[Path] = (), follow_links: bool = False,
         skipped: list[str] | None = None) -> list[Path]:
    """Files under ``directory`` matching ``globs`` (by name or by path relative to it),
    sorted; hidden files and folders, and the folders in ``exclude``, are skipped.

    A symbolic link that leads out of ``directory`` (or nowhere) is not followed unless
    ``follow_links``; its path is appended to ``skipped``. A link to a directory inside the
    tree is not walked twice."""
    found: list[Path] = []
    excluded = [e for e in exclude if e.exists()]
    top = os.path.realpath(directory)
    seen_dirs = {top}

    def inside(path: Path) -> bool:
        real = os.path.realpath(path)
        return real == top or real.startswith(top.rstrip(os.sep) + os.sep)

    def skip(path: Path) -> None:
        if skipped is not None:
            skipped.append(str(path))

    for root, dirs, files in os.walk(directory, followlinks=follow_links):
        rootp = Path(root)
        keep = []
        for d in sorted(dirs):
            if d.startswith("."):
                continue
            path = rootp / d
            if any(_same(path, e) for e in excluded):
                continue
            if path.is_symlink():
                if not follow_links:
                    if not inside(path):
                        skip(path)
                    continue
                real = os.path.realpath(path)
                if real in seen_dirs:  # a loop, or a tree already walked
                    continue
                seen_dirs.add(real)
            keep.append(d)
        dirs[:] = keep
        for f in sorted(files):
            if f.startswith("."):
                continue
            path = rootp / f
            rel = path.relative_to(directory).as_posix()
            if not any(fnmatch.fnmatch(f, g) or fnmatch.fnmatch(rel, g) for g in globs):
                continue
            if path.is_symlink() and not follow_links and not (inside(path) and path.exists()):
                skip(path)
                continue
            if path.is_file():
                found.append(path)
    return found


def _same(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return False


def plan_inputs(inputs: Sequence[str], output: str | None = None, fmt: str | None = None,
                globs: Sequence[str] = (), in_place: bool = False, follow_links: bool = False) -> list[InputSpec]:
    """The inputs to read, in order, each with its format and output target."""
    return plan(inputs, output, fmt, globs, in_place, follow_links).specs


def plan(inputs: Sequence[str], output: str | None = None, fmt: str | None = None,
         globs: Sequence[str] = (), in_place: bool = False, follow_links: bool = False) -> Plan:
    """:func:`plan_inputs`, with the links that directory walks did not follow."""
    inputs = list(inputs) or ["-"]
    if output == "-":
        output = None  # -o - is stdout
    skipped: list[str] = []
    globs = tuple(globs) or DEFAULT_GLOBS
    if inputs.count("-") > 1:
        raise PlanError("stdin can be read only once")
    if in_place and output:
        raise PlanError("--in-place writes over the inputs; it cannot be used with -o")
    if in_place and "-" in inputs:
        raise PlanError("--in-place needs input files, not stdin")
    out_path = Path(output) if output else None
    # expand directories
    expanded: list[tuple[str, Path | None, str]] = []  # (source, input root if from a directory, relative name)
    has_dir = False
    for name in inputs:
        if name == "-":
            expanded.append(("-", None, f"stdin.{fmt or 'txt'}"))
            continue
        p = Path(name)
        if p.is_dir():
            has_dir = True
            for f in walk(p, globs, [out_path] if out_path else [], follow_links, skipped):
                expanded.append((str(f), p, f.relative_to(p).as_posix()))
        elif p.is_file():
            expanded.append((name, None, p.name))
        elif p.exists():
            raise PlanError(f"not a regular file: {name}")
        else:
            raise PlanError(f"no such file or directory: {name}")
    to_dir = bool(out_path) and (has_dir or len(inputs) > 1 or out_path.is_dir() or output.endswith(("/", os.sep)))
    if to_dir and out_path.exists() and not out_path.is_dir():
        raise PlanError("several inputs (or a directory) need -o to name a directory")
    if out_path is not None and not to_dir and output_kind(out_path) == "other":
        raise PlanError(f"-o {output}: not a regular file, a character device or a FIFO; refusing to write to it")
    if has_dir and not out_path and not in_place:
        raise PlanError("a directory input needs -o DIR (or --in-place)")
    specs: list[InputSpec] = []
    targets: dict[str, str] = {}
    for source, root, rel in expanded:
        kind = detect_format(source if source != "-" else rel, fmt)
        display = "<stdin>" if source == "-" else source
        if in_place:
            target = source
        elif to_dir:
            if root is not None and len(inputs) > 1:
                rel = f"{root.resolve().name}/{rel}"
            target = str(out_path / rel)
        elif out_path:
            target = str(out_path)
        else:
            target = None
        stream = False
        if target is not None:
            key = os.path.normcase(os.path.realpath(target))
            if key in targets:
                raise PlanError(f"{targets[key]} and {display} would both be written to {target}")
            targets[key] = display
            if to_dir and not follow_links and os.path.islink(target):
                raise PlanError(f"{target} is a symbolic link (to {os.readlink(target)}); refusing to write through "
                                f"it: remove it, or pass --follow-links")
            kind_out = output_kind(target)
            if kind_out == "other" or (kind_out == "directory" and not in_place):
                raise PlanError(f"{target}: not a regular file, a character device or a FIFO; refusing to write to it")
            stream = kind_out == "stream" and not in_place
        specs.append(InputSpec(source, display, kind, None if source == "-" else is_gz(source), target,
                               target is not None and is_gz(target), in_place, stream))
    if not in_place:
        refuse_overwrite([s.target for s in specs if s.target is not None and not s.stream],
                         [s.source for s in specs])
    return Plan(specs, skipped)


def is_gz(name: str) -> bool:
    return name.lower().endswith(".gz")


def refuse_overwrite(targets: Sequence[str], sources: Sequence[str]) -> None:
    """Raise PlanError when a target is one of the sources (an input is never overwritten)."""
    inodes = {}
    for src in sources:
        if src != "-":
            with contextlib.suppress(OSError):
                st = os.stat(src)
                inodes[(st.st_dev, st.st_ino)] = src
    for target in targets:
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            st = os.stat(target)
            src = inodes.get((st.st_dev, st.st_ino))
            if src is not None:
                raise PlanError(f"refusing to overwrite input file {src}; choose another -o (or --in-place)")
