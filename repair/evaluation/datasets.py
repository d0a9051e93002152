"""Evaluation datasets: garbled text with its minimal reference post-edit, and clean controls.

Three formats (documented in ``eval/README.md``):

- JSONL, one record per line: ``id``, ``kind``, ``topic``, ``source``, ``reference``,
  ``edits`` (``before``/``after``/``category``), ``traps``; only ``source`` and
  ``reference`` are required;
- line-aligned plain text pairs: a source file and a reference file (a directory that
  holds ``src.txt`` and ``ref.txt``, or a source file with ``ref=``);
- TSV: ``source<TAB>reference`` per line.

Every problem is an :class:`DatasetError` naming the file and the line.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..io import InputError

FORMATS = ("jsonl", "tsv", "pair")
KINDS = ("garbled", "clean")
CATEGORIES = ("acronym", "false_friend", "pronoun", "word_order", "calque", "article", "adverb_placement",
              "noun_compound", "preposition", "verb_pattern", "possessive", "number_format",
              "quotes", "hyphenation", "furniture", "grammar", "other")
#: The groups of categories reported together (eval/README.md): errors of grammar and word order,
#: which the candidate families and the post-editor address, and errors of words and formats,
#: which the glossary addresses (with the judge where context decides).
CATEGORY_GROUPS = {
    "grammar": ("adverb_placement", "noun_compound", "article", "preposition", "verb_pattern", "pronoun",
                "word_order", "possessive", "grammar"),
    "glossary/context": ("acronym", "false_friend", "calque", "number_format", "quotes", "hyphenation", "furniture"),
}
PAIR_FILES = ("src.txt", "ref.txt")

_NEWLINES = re.compile(r"\r\n|\r|\n")


class DatasetError(InputError):
    """A dataset that cannot be read; the message names the file and the line."""


@dataclass(frozen=True)
class RefEdit:
    """One annotated error of a record: ``source[start:end] == before``, corrected to ``after``."""

    start: int
    end: int
    before: str
    after: str
    category: str

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "before": self.before, "after": self.after,
                "category": self.category}


@dataclass(frozen=True)
class EvalRecord:
    """One segment of a dataset: the text to repair and its reference."""

    id: str
    source: str
    reference: str
    kind: str = "garbled"
    topic: str | None = None
    edits: tuple[RefEdit, ...] = ()
    traps: tuple[str, ...] = ()
    line: int = 0

    @property
    def clean(self) -> bool:
        return self.kind == "clean"


@dataclass(frozen=True)
class Dataset:
    """The records of one dataset, with where they came from and a hash of the files."""

    path: str
    format: str
    records: tuple[EvalRecord, ...]
    files: dict = field(default_factory=dict)  # path -> sha256 of its bytes
    sha256: str = ""  # of the one file, or of the files' hashes in order for a pair
    #: Further references, each a stream line-aligned with the records (``--ref`` given more
    #: than once): corpus BLEU, chrF and TER count them all, as sacrebleu does; edit-level
    #: scores and per-record scores use each record's own ``reference``.
    more_references: tuple[tuple[str, ...], ...] = ()

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self):
        return iter(self.records)

    def record(self, record_id: str) -> EvalRecord:
        """The record with id ``record_id``."""
        for r in self.records:
            if r.id == record_id:
                return r
        raise KeyError(f"{self.path}: no record with id {record_id!r}")

    @property
    def sources(self) -> list[str]:
        return [r.source for r in self.records]

    @property
    def references(self) -> list[str]:
        return [r.reference for r in self.records]

    @property
    def has_categories(self) -> bool:
        return any(r.edits for r in self.records)

    def summary(self) -> dict:
        return {"path": self.path, "format": self.format, "sha256": self.sha256, "files": dict(self.files),
                "records": len(self.records), "garbled": sum(not r.clean for r in self.records),
                "clean": sum(r.clean for r in self.records),
                "annotated_edits": sum(len(r.edits) for r in self.records),
                "references": 1 + len(self.more_references)}


def flatten(text: str) -> str:
    """A segment as scored: line breaks inside a record become single spaces, so that each
    record is one line of a sacrebleu input file.

    >>> flatten("a\\nb\\r\\nc")
    'a b c'
    """
    return _NEWLINES.sub(" ", text)


def detect_format(path: str | Path, ref: str | Path | None = None, fmt: str | None = None) -> str:
    """``fmt`` if given; a pair with ``ref`` or for a directory; else by extension."""
    if fmt:
        if fmt not in FORMATS:
            raise ValueError(f"unknown dataset format {fmt!r} (known: {', '.join(FORMATS)})")
        return fmt
    p = Path(path)
    if ref is not None or p.is_dir():
        return "pair"
    suffix = p.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".tsv":
        return "tsv"
    raise DatasetError(f"{path}: cannot tell the dataset format: use a .jsonl or .tsv file, a directory "
                       f"holding {PAIR_FILES[0]} and {PAIR_FILES[1]}, or give the reference file")


def load_dataset(path: str | Path, ref: str | Path | Sequence[str | Path] | None = None, fmt: str | None = None,
                 source_field: str = "source", reference_field: str = "reference") -> Dataset:
    """Read a dataset in any of the three formats (see the module docstring). ``path`` "-"
    is standard input (JSONL unless ``fmt`` or ``ref`` says otherwise). ``ref`` may name
    several reference files for a plain-text source: the first is each record's reference,
    the others count in the corpus scores (:attr:`Dataset.more_references`)."""
    refs = [ref] if isinstance(ref, (str, Path)) else list(ref or [])
    if str(path) == "-" and not fmt and not refs:
        fmt = "jsonl"
    kind = detect_format(path, refs[0] if refs else None, fmt)
    if refs and kind != "pair":
        raise DatasetError(f"{path}: a reference file goes with a plain-text source (--format pair), not {kind}")
    if kind == "pair":
        if not refs:
            src, refs = Path(path) / PAIR_FILES[0], [Path(path) / PAIR_FILES[1]]
        else:
            src = Path(path)
        return _load_pair(src, [Path(r) for r in refs], _display(path))
    data = _read_bytes(Path(path))
    path = _display(path)
    text = _decode(data, str(path))
    if kind == "jsonl":
        records = _parse_jsonl(text, str(path), source_field, reference_field)
    else:
        records = _parse_tsv(text, str(path))
    if not records:
        raise DatasetError(f"{path}: no records")
    digest = hashlib.sha256(data).hexdigest()
    return Dataset(str(path), kind, tuple(records), {str(path): digest}, digest)


def _display(path: str | Path) -> str:
    return "<stdin>" if str(path) == "-" else str(path)


def _read_bytes(path: Path) -> bytes:
    if str(path) == "-":
        import sys

        return sys.stdin.buffer.read()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DatasetError(f"{path}: is a directory") from None


def _decode(data: bytes, name: str) -> str:
    """UTF-8 text of a dataset file; invalid bytes are an error naming file, line and byte."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        start = bom + exc.start
        line = data[:start].count(b"\n") + 1
        raise DatasetError(f"{name}: line {line}: invalid UTF-8 at byte {start} "
                           f"({data[start:bom + exc.end]!r})") from None


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _load_pair(src: Path, refs: list[Path], display: str) -> Dataset:
    if str(src) != "-" and not src.is_file() and Path(display).is_dir():
        raise DatasetError(f"{display}: a plain-text dataset directory must hold {PAIR_FILES[0]} and {PAIR_FILES[1]}")
    src_data = _read_bytes(src)
    src_name = _display(src)
    src_lines = _lines(_decode(src_data, src_name))
    files = {src_name: hashlib.sha256(src_data).hexdigest()}
    streams = []
    for ref in refs:
        ref_data = _read_bytes(ref)
        ref_lines = _lines(_decode(ref_data, _display(ref)))
        if len(src_lines) != len(ref_lines):
            raise DatasetError(f"{src_name} has {len(src_lines)} lines but {_display(ref)} has {len(ref_lines)}; "
                               f"line n of the reference must be the post-edit of line n of the source")
        files[_display(ref)] = hashlib.sha256(ref_data).hexdigest()
        streams.append(tuple(ref_lines))
    if not src_lines:
        raise DatasetError(f"{src_name}: no records")
    records = [EvalRecord(str(n), s, r, "clean" if s == r else "garbled", line=n)
               for n, (s, r) in enumerate(zip(src_lines, streams[0]), start=1)]
    combined = hashlib.sha256("".join(files.values()).encode("ascii")).hexdigest()
    return Dataset(display, "pair", tuple(records), files, combined, tuple(streams[1:]))


def _parse_tsv(text: str, name: str) -> list[EvalRecord]:
    records = []
    for n, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) != 2:
            raise DatasetError(f"{name}: line {n}: expected 2 tab-separated columns (source, reference), "
                               f"found {len(cols)}")
        s, r = cols
        records.append(EvalRecord(str(n), s, r, "clean" if s == r else "garbled", line=n))
    return records


def _parse_jsonl(text: str, name: str, source_field: str, reference_field: str) -> list[EvalRecord]:
    records: list[EvalRecord] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        where = f"{name}: line {n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}: malformed JSON: {exc.msg} at column {exc.colno}") from None
        if not isinstance(obj, dict):
            raise DatasetError(f"{where}: a record must be a JSON object")
        for key in (source_field, reference_field):
            if key not in obj:
                raise DatasetError(f"{where}: no field {key!r}")
            if not isinstance(obj[key], str):
                raise DatasetError(f"{where}: field {key!r} is not a string")
        source, reference = obj[source_field], obj[reference_field]
        rid = obj.get("id", str(n))
        if not isinstance(rid, (str, int)) or isinstance(rid, bool):
            raise DatasetError(f"{where}: field 'id' must be a string")
        rid = str(rid)
        if rid in seen:
            raise DatasetError(f"{where}: id {rid!r} repeats line {seen[rid]}")
        seen[rid] = n
        kind = obj.get("kind", "clean" if source == reference else "garbled")
        if kind not in KINDS:
            raise DatasetError(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
        if kind == "clean" and source != reference:
            raise DatasetError(f"{where}: a clean record's reference must equal its source")
        topic = obj.get("topic")
        if topic is not None and not isinstance(topic, str):
            raise DatasetError(f"{where}: field 'topic' must be a string")
        traps = obj.get("traps", [])
        if not isinstance(traps, list) or not all(isinstance(t, str) for t in traps):
            raise DatasetError(f"{where}: field 'traps' must be a list of strings")
        edits = locate_ref_edits(source, obj.get("edits", []), where)
        records.append(EvalRecord(rid, source, reference, kind, topic, edits, tuple(traps), n))
    return records


def locate_ref_edits(source: str, edits, where: str = "record") -> tuple[RefEdit, ...]:
    """Source spans of annotated edits. As ``eval/README.md`` says, edits apply in order,
    each to the first occurrence of its ``before`` in the text the earlier ones produced;
    the span returned is where that text came from in ``source``.

    >>> [(e.start, e.end) for e in locate_ref_edits("a b a", [{"before": "a", "after": "c"},
    ...                                                       {"before": "a", "after": "d"}])]
    [(0, 1), (4, 5)]
    """
    if not isinstance(edits, list):
        raise DatasetError(f"{where}: field 'edits' must be a list")
    text = source
    pos_map = list(range(len(source) + 1))  # position in ``text`` -> position in ``source``
    out = []
    for k, e in enumerate(edits, start=1):
        if not isinstance(e, dict) or not isinstance(e.get("before"), str) or not isinstance(e.get("after"), str):
            raise DatasetError(f"{where}: edit {k}: needs string fields 'before' and 'after'")
        category = e.get("category", "other")
        if not isinstance(category, str) or not category:
            raise DatasetError(f"{where}: edit {k}: 'category' must be a non-empty string")
        before, after = e["before"], e["after"]
        i = text.find(before)
        if i < 0 or before == "":
            raise DatasetError(f"{where}: edit {k}: 'before' text {before!r} not found in the source "
                               f"(after applying the earlier edits)")
        j = i + len(before)
        start, end = pos_map[i], pos_map[j]
        out.append(RefEdit(start, end, source[start:end], after, category))
        text = text[:i] + after + text[j:]
        pos_map = pos_map[:i] + [start] * len(after) + pos_map[j:]
    return tuple(out)
