"""The spine of mt-repair: one record type for every change, and one place that applies them.

Every stage (glossary, model, format fixers) produces :class:`Edit` records whose offsets
point into the ORIGINAL text. :func:`apply_edits` is the only function that rewrites text,
so ``apply_edits(original, repaired.edits) == repaired.text`` holds for every output.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable, Sequence


@dataclass(frozen=True)
class Edit:
    """One change: ``original[start:end] == before`` becomes ``after``.

    ``out_start``/``out_end`` locate ``after`` in the repaired text; they are filled in
    by :func:`apply_edits` so that callers can highlight output spans.
    """

    start: int
    end: int
    before: str
    after: str
    source: str  # "glossary" | "model" | ...
    rule_id: str | None = None
    origin: str | None = None  # "glossary-file:line" for glossary rules, model id for the model
    score: float | None = None  # judge margin, when judged
    out_start: int | None = None
    out_end: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Edit":
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__ if k in data})

    def describe(self) -> str:
        where = f" ({self.origin})" if self.origin else ""
        rule = self.rule_id or "-"
        return f"[{self.start}:{self.end}] {self.source}:{rule}{where}  {self.before!r} -> {self.after!r}"


@dataclass(frozen=True)
class Rejected:
    """A proposal that was not applied, with the reason (for ``--explain``)."""

    start: int
    end: int
    before: str
    after: str
    source: str
    rule_id: str | None
    reason: str
    origin: str | None = None
    score: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        return (f"[{self.start}:{self.end}] {self.source}:{self.rule_id or '-'}  "
                f"{self.before!r} -> {self.after!r}  rejected: {self.reason}")


@dataclass(frozen=True)
class Repaired:
    """The result of repairing one text: the new text, the edits that made it, and what was held back."""

    text: str
    edits: tuple[Edit, ...] = ()
    rejected: tuple[Rejected, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(self.edits)

    def to_dict(self) -> dict:
        return {"text": self.text, "edits": [e.to_dict() for e in self.edits],
                "rejected": [r.to_dict() for r in self.rejected]}


@dataclass(frozen=True)
class Proposal:
    """A candidate edit from a stage, before guards and the judge decide on it."""

    start: int
    end: int
    before: str
    after: str
    source: str
    rule_id: str | None
    origin: str | None = None
    alternatives: tuple[str, ...] = ()
    needs_judge: bool = False
    category: str | None = None
    priority: int = 0

    def accept(self, score: float | None = None) -> Edit:
        return Edit(self.start, self.end, self.before, self.after, self.source, self.rule_id,
                    self.origin, score)

    def reject(self, reason: str, score: float | None = None) -> Rejected:
        return Rejected(self.start, self.end, self.before, self.after, self.source, self.rule_id,
                        reason, self.origin, score)


class OverlappingEditsError(ValueError):
    """Raised when edits passed to :func:`apply_edits` overlap."""


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Rebuild ``text`` with ``edits`` applied (offsets into ``text``; they must not overlap).

    >>> e = Edit(0, 2, "IA", "AI", "glossary", "ACRONYM_IA")
    >>> apply_edits("IA chips", [e])
    'AI chips'
    """
    return locate_edits(text, edits)[0]


def locate_edits(text: str, edits: Iterable[Edit]) -> tuple[str, tuple[Edit, ...]]:
    """Apply ``edits`` to ``text`` and return the new text with edits carrying output offsets."""
    ordered: Sequence[Edit] = sorted(edits, key=lambda e: (e.start, e.end))
    parts: list[str] = []
    located: list[Edit] = []
    pos = 0
    out_len = 0
    for e in ordered:
        if e.start < pos:
            raise OverlappingEditsError(f"edit {e.describe()} overlaps an earlier edit")
        if text[e.start:e.end] != e.before:
            raise ValueError(f"edit {e.describe()} does not match text {text[e.start:e.end]!r}")
        gap = text[pos:e.start]
        parts.append(gap)
        out_len += len(gap)
        parts.append(e.after)
        located.append(_replace(e, out_start=out_len, out_end=out_len + len(e.after)))
        out_len += len(e.after)
        pos = e.end
    parts.append(text[pos:])
    return "".join(parts), tuple(located)


def shift_edits(edits: Iterable[Edit], offset: int) -> list[Edit]:
    """Move edits made on a slice of a text back into the coordinates of the whole text."""
    return [_replace(e, start=e.start + offset, end=e.end + offset) for e in edits]


def _replace(e, **changes):
    from dataclasses import replace

    return replace(e, **changes)
