"""Edit-level precision, recall and F0.5, as grammatical error correction is scored (M2/ERRANT).

The reference edits are the alignment of source -> reference, the system's edits the
alignment of source -> output (:func:`repair.evaluation.align.align`, the same procedure
for both). An edit of the system is correct (a true positive) when the reference has an
edit with the same source span and the same correction; otherwise it is wrong (a false
positive). A reference edit the system does not make is missed (a false negative).

Each reference edit takes the category of the dataset's annotated edit it overlaps
(``edits`` in the JSONL format), else ``other``. A wrong edit takes the category of the
annotated edit it overlaps, else the category of the glossary rule that made it, else
``other``. Each system edit is attributed to the pipeline :class:`~repair.edit.Edit`
records it overlaps: their source (glossary, model or both) and rule ids.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from ..edit import Edit
from .align import Span, align, overlaps
from .datasets import EvalRecord, RefEdit

CORRECT, WRONG, FOUND, MISSED = "correct", "wrong", "found", "missed"


@dataclass
class Counts:
    """True positives, false positives and false negatives, with P, R and F0.5.

    As in ERRANT's ``compare_m2``, precision is 1.0 when nothing was proposed and
    recall is 1.0 when nothing was to be found.

    >>> c = Counts(tp=3, fp=1, fn=3)
    >>> round(c.precision, 4), round(c.recall, 4), round(c.f05, 4)
    (0.75, 0.5, 0.6818)
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.fn else 1.0

    def f_beta(self, beta: float = 0.5) -> float:
        p, r = self.precision, self.recall
        return (1 + beta ** 2) * p * r / (beta ** 2 * p + r) if p + r else 0.0

    @property
    def f05(self) -> float:
        return self.f_beta(0.5)

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f0.5": round(self.f05, 4)}


@dataclass(frozen=True)
class RuleUse:
    """A pipeline edit behind a system edit: which rule (or model), from where."""

    rule: str
    source: str
    origin: str | None = None


@dataclass(frozen=True)
class RefSpan:
    """A reference edit with its category."""

    span: Span
    category: str

    def to_dict(self) -> dict:
        return {"start": self.span.start, "end": self.span.end, "before": self.span.before,
                "after": self.span.after, "category": self.category}


@dataclass(frozen=True)
class HypSpan:
    """A system edit with the reference's view of it and the pipeline edits behind it."""

    span: Span
    verdict: str  # CORRECT or WRONG
    category: str
    source: str  # "glossary", "model", "glossary+model", or "unattributed"
    rules: tuple[RuleUse, ...] = ()
    expected: tuple[int, ...] = ()  # indices of the reference edits it overlaps

    def to_dict(self) -> dict:
        return {"start": self.span.start, "end": self.span.end, "before": self.span.before,
                "after": self.span.after, "verdict": self.verdict, "category": self.category,
                "source": self.source, "rules": [{"rule": r.rule, "source": r.source, "origin": r.origin}
                                                  for r in self.rules],
                "expected": list(self.expected)}


@dataclass(frozen=True)
class RecordEdits:
    """The edit-level comparison of one output with its reference."""

    hyp: tuple[HypSpan, ...]
    ref: tuple[RefSpan, ...]
    missed: tuple[int, ...] = field(default=())  # indices into ``ref``

    @property
    def counts(self) -> Counts:
        tp = sum(h.verdict == CORRECT for h in self.hyp)
        return Counts(tp, len(self.hyp) - tp, len(self.missed))

    def by_category(self) -> dict[str, Counts]:
        out: dict[str, Counts] = {}
        for h in self.hyp:
            c = out.setdefault(h.category, Counts())
            if h.verdict == CORRECT:
                c.tp += 1
            else:
                c.fp += 1
        for i in self.missed:
            out.setdefault(self.ref[i].category, Counts()).fn += 1
        return out


def categorise(span: Span, annotated: Sequence[RefEdit]) -> str | None:
    """The category of the annotated edit that ``span`` overlaps most (the first on a tie)."""
    best, best_size = None, -1
    for a in annotated:
        if overlaps(span.start, span.end, a.start, a.end):
            size = min(span.end, a.end) - max(span.start, a.start)
            if size > best_size:
                best, best_size = a.category, size
    return best


def reference_spans(record: EvalRecord) -> tuple[RefSpan, ...]:
    """The reference edits of ``record`` (source -> reference), each with its category."""
    return tuple(RefSpan(s, categorise(s, record.edits) or "other")
                 for s in align(record.source, record.reference))


def compare(record: EvalRecord, output: str, pipeline_edits: Iterable[Edit] = (),
            rule_categories: Mapping[str, str] | None = None,
            ref: Sequence[RefSpan] | None = None) -> RecordEdits:
    """Compare ``output`` (a repair of ``record.source``) with ``record.reference``, edit by edit.

    ``pipeline_edits`` (the :class:`Edit` records that made ``output``) attribute each
    system edit to its rules; ``rule_categories`` maps rule ids to categories; ``ref``
    may pass :func:`reference_spans` when computed once for several outputs.
    """
    ref = tuple(reference_spans(record) if ref is None else ref)
    by_key = {r.span.key(): i for i, r in enumerate(ref)}
    pipeline_edits = list(pipeline_edits)
    rule_categories = rule_categories or {}
    hyp: list[HypSpan] = []
    found: set[int] = set()
    for s in align(record.source, output):
        uses = _rule_uses(s, pipeline_edits)
        i = by_key.get(s.key())
        if i is not None:
            found.add(i)
            hyp.append(HypSpan(s, CORRECT, ref[i].category, _source_label(uses), uses, (i,)))
            continue
        expected = tuple(k for k, r in enumerate(ref) if overlaps(s.start, s.end, r.span.start, r.span.end))
        category = (categorise(s, record.edits)
                    or next((rule_categories[u.rule] for u in uses if u.rule in rule_categories), None)
                    or "other")
        hyp.append(HypSpan(s, WRONG, category, _source_label(uses), uses, expected))
    missed = tuple(i for i in range(len(ref)) if i not in found)
    return RecordEdits(tuple(hyp), ref, missed)


def _rule_uses(span: Span, pipeline_edits: Sequence[Edit]) -> tuple[RuleUse, ...]:
    uses: list[RuleUse] = []
    for e in pipeline_edits:
        if not overlaps(span.start, span.end, e.start, e.end):
            continue
        rules = (e.rule_id or "").split(",") if e.rule_id else []
        origins = (e.origin or "").split(",") if e.origin else []
        if not rules:
            uses.append(RuleUse(e.source, e.source, e.origin))
        for k, rule in enumerate(rules):
            uses.append(RuleUse(rule, e.source, origins[k] if k < len(origins) else None))
    return tuple(dict.fromkeys(uses))


def _source_label(uses: Sequence[RuleUse]) -> str:
    parts = {p for u in uses for p in u.source.split("+")}
    if not parts:
        return "unattributed"
    order = ["glossary", "model"]
    return "+".join(sorted(parts, key=lambda p: (order.index(p) if p in order else len(order), p)))


def total(records: Iterable[RecordEdits]) -> Counts:
    """The counts of all ``records`` together (micro-averaged, as in M2 scoring)."""
    out = Counts()
    for r in records:
        out = out + r.counts
    return out


def category_counts(records: Iterable[RecordEdits]) -> dict[str, Counts]:
    """Counts per category over all ``records``, categories sorted by name."""
    out: dict[str, Counts] = {}
    for r in records:
        for cat, c in r.by_category().items():
            out[cat] = out.get(cat, Counts()) + c
    return dict(sorted(out.items()))


def rule_table(items: Iterable[tuple[Sequence[Edit], RecordEdits | None, bool]],
               rule_categories: Mapping[str, str] | None = None) -> list[dict]:
    """Per rule (or model): edits made, how many the reference calls correct or wrong, and
    how many fell on clean records; sorted by edits made, most first.

    ``items`` holds, per record, the pipeline edits, the comparison with the reference
    (None where there is none) and whether the record is a clean control. A pipeline edit
    is correct when every system edit it overlaps is correct, wrong when one is wrong.
    """
    rows: dict[str, dict] = {}
    rule_categories = rule_categories or {}
    for edits, cmp, clean in items:
        for e in edits:
            verdicts = {h.verdict for h in (cmp.hyp if cmp else ())
                        if overlaps(h.span.start, h.span.end, e.start, e.end)}
            for rule in (e.rule_id.split(",") if e.rule_id else [e.source]):
                row = rows.setdefault(rule, {"rule": rule, "source": e.source,
                                             "category": rule_categories.get(rule, "other"),
                                             "fired": 0, "correct": 0, "wrong": 0, "on_clean": 0})
                row["fired"] += 1
                if cmp is not None and verdicts:
                    row["wrong" if WRONG in verdicts else "correct"] += 1
                row["on_clean"] += clean
    return sorted(rows.values(), key=lambda r: (-r["fired"], r["rule"]))
