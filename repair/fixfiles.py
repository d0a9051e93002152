"""Repairing whole inputs: a text document, or a stream of JSONL records.

The CLI calls these; they take open binary streams so that files, stdin and temporary
outputs are handled the same way.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable

from .explain import explain
from .io import RecordError, iter_jsonl, read_document
from .pipeline import Repairer

FORMATS = ("txt", "jsonl")


def detect_format(name: str, forced: str | None = None) -> str:
    """``forced`` if given, else by extension: .jsonl/.ndjson are records, anything else a document."""
    if forced:
        return forced
    return "jsonl" if Path(name).suffix.lower() in (".jsonl", ".ndjson") else "txt"


@dataclass
class FixStats:
    records: int = 0
    changed: int = 0
    edits: int = 0
    errors: int = 0
    warnings: list[str] = field(default_factory=list)

    def add(self, other: "FixStats") -> None:
        self.records += other.records
        self.changed += other.changed
        self.edits += other.edits
        self.errors += other.errors
        self.warnings += other.warnings


Explainer = Callable[[str], None]


def fix_document(repairer: Repairer, src: BinaryIO, name: str, dst: BinaryIO,
                 errors: str = "strict", on_explain: Explainer | None = None) -> FixStats:
    """Repair one text document from ``src`` into ``dst``."""
    text = read_document(src, name, errors)
    result = repairer.repair(text)
    dst.write(result.text.encode("utf-8"))
    if on_explain:
        for line in explain(result, text, name):
            on_explain(line)
    return FixStats(records=1, changed=int(result.changed), edits=len(result.edits))


def fix_jsonl(repairer: Repairer, src: BinaryIO, name: str, dst: BinaryIO, text_field: str = "text",
              errors: str = "strict", on_explain: Explainer | None = None,
              on_error: Callable[[RecordError], None] | None = None,
              on_warning: Callable[[str], None] | None = None) -> FixStats:
    """Repair each record's ``text_field``; write the record back whole with ``repaired`` and
    ``edits`` added (and ``rejected`` when explaining). A line that is not a record yields
    one error record through ``on_error`` instead of an output record."""
    stats = FixStats()
    for item in iter_jsonl(src, name, text_field, errors):
        if isinstance(item, RecordError):
            stats.errors += 1
            if on_error:
                on_error(item)
            continue
        stats.records += 1
        obj = item.obj
        if item.text is None:
            stats.warnings.append(item.warning or "")
            if on_warning:
                on_warning(item.warning or "")
        else:
            result = repairer.repair(item.text)
            obj["repaired"] = result.text
            obj["edits"] = [e.to_dict() for e in result.edits]
            if on_explain:
                obj["rejected"] = [r.to_dict() for r in result.rejected]
                for line in explain(result, item.text, f"{name}:{item.line}"):
                    on_explain(line)
            stats.changed += int(result.changed)
            stats.edits += len(result.edits)
        dst.write(json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n")
    return stats
