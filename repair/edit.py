"""The spine of mt-repair: one record type for every change, and one place that applies them.

Every stage (glossary, model, format fixers) produces :class:`Edit` records whose offsets
point into the ORIGINAL text. :func:`apply_edits` is the only function that rewrites text,
so ``apply_edits(original, repaired.edits) == repaired.text`` holds for every output.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Iterable, Sequence


@dataclass(frozen=True)
class Edit:
    """One change: ``original[start:end] == before`` becomes ``after``.

    ``out_start``/``out_end`` locate ``after`` in the repaired text; they are filled in
    by :func:`apply_edits` so that callers can highlight output spans. ``sentence`` is,
    for model edits, the span (in the same text as ``start``/``end``) of the sentence the
    model was rewriting when it made the edit.
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
    sentence: tuple[int, int] | None = None

    def to_dict(self) -> dict:
        """The record form of the edit (JSON values), as output records carry it."""
        return {name: getattr(self, name) for name in _EDIT_FIELDS}

    @classmethod
    def from_dict(cls, data: dict) -> "Edit":
        fields = {k: data.get(k) for k in cls.__dataclass_fields__ if k in data}
        if fields.get("sentence") is not None:
            fields["sentence"] = tuple(fields["sentence"])
        return cls(**fields)

    def shifted(self, offset: int) -> "Edit":
        """The same edit ``offset`` characters further on (its sentence span too)."""
        sentence = None if self.sentence is None else (self.sentence[0] + offset, self.sentence[1] + offset)
        return _replace(self, start=self.start + offset, end=self.end + offset, sentence=sentence)



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
        """The record form (JSON values), as ``--explain`` JSON records carry it."""
        return {name: getattr(self, name) for name in _REJECTED_FIELDS}


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
    #: why the rule's context conditions held this hit back, when it was sent to the judge instead
    held: str | None = None
    #: the sentence the proposal was made in (model proposals), as in :attr:`Edit.sentence`
    sentence: tuple[int, int] | None = None
    #: where the judge should start reading, when the proposal depends on something before
    #: its own window (a pronoun's antecedent); only within the same paragraph
    context: int | None = None
    #: the margin (nats) the judge requires of this proposal, when its proposer calibrated one
    #: (None: the judge's own margin)
    margin: float | None = None
    #: the proposal goes to the judge only in text that shows machine-translation damage near it
    #: (repair.pipeline.Evidence): a family pattern marked ``needs_evidence``, or a glossary hit
    #: whose trigger word is in its paragraph but not in its window
    needs_evidence: bool = False

    def accept(self, score: float | None = None) -> Edit:
        return Edit(self.start, self.end, self.before, self.after, self.source, self.rule_id,
                    self.origin, score, sentence=self.sentence)

    def reject(self, reason: str, score: float | None = None) -> Rejected:
        return Rejected(self.start, self.end, self.before, self.after, self.source, self.rule_id,
                        reason, self.origin, score)


_EDIT_FIELDS = tuple(f.name for f in fields(Edit))
_REJECTED_FIELDS = tuple(f.name for f in fields(Rejected))


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
            raise OverlappingEditsError(f"edit {e!r} overlaps an earlier edit")
        if text[e.start:e.end] != e.before:
            raise ValueError(f"edit {e!r} does not match text {text[e.start:e.end]!r}")
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
    return [e.shifted(offset) for e in edits]


def _replace(e, **changes):
    from dataclasses import replace

    return replace(e, **changes)


def compose_edits(original: str, first: Iterable[Edit], second: Iterable[Edit]) -> tuple[str, tuple[Edit, ...]]:
    """Edits on ``original`` that do what ``first`` (on ``original``) then ``second`` (on the
    text ``first`` produced) do together.

    Edits of the two passes that overlap (or touch, for insertions) merge into one edit
    whose ``source`` and ``rule_id`` join both, so every change stays explained.

    >>> t0 = "the IA fleas"
    >>> _, e1 = locate_edits(t0, [Edit(4, 6, "IA", "AI", "glossary", "ACRONYM_IA")])
    >>> text, edits = compose_edits(t0, e1, [Edit(0, 6, "the AI", "AI", "model", None)])
    >>> text, [(e.start, e.end, e.after, e.source, e.rule_id) for e in edits]
    ('AI fleas', [(0, 6, 'AI', 'glossary+model', 'ACRONYM_IA')])
    """
    mid, firsts = locate_edits(original, first)
    final, seconds = locate_edits(mid, second)
    seconds = sorted(seconds, key=lambda e: (e.start, e.end))
    # group first-pass edits (by their output span) with the second-pass edits touching them
    groups: list[tuple[list[Edit], list[Edit]]] = []
    items = [(e.out_start, e.out_end, 0, e) for e in firsts] + [(e.start, e.end, 1, e) for e in seconds]
    items.sort(key=lambda x: (x[0], x[1]))
    cur_end = -1
    for s, e, which, edit in items:
        if groups and (s < cur_end or (s == cur_end and (s == e or which != _last_kind(groups)))):
            groups[-1][which].append(edit)
            cur_end = max(cur_end, e)
        else:
            groups.append(([], []))
            groups[-1][which].append(edit)
            cur_end = e
    result: list[Edit] = []
    for f_edits, s_edits in groups:
        if not s_edits:
            result.extend(f_edits)
            continue
        if not f_edits:
            (e,) = s_edits if len(s_edits) == 1 else (None,)
            if e is not None:
                start0, end0 = to_original(e.start, firsts, "start"), to_original(e.end, firsts, "end")
                result.append(_replace(e, start=start0, end=end0, before=original[start0:end0],
                                       out_start=None, out_end=None, sentence=_sentence_to_original(e, firsts)))
                continue
        m_start = min([e.out_start for e in f_edits] + [e.start for e in s_edits])
        m_end = max([e.out_end for e in f_edits] + [e.end for e in s_edits])
        start0 = min([e.start for e in f_edits] + [to_original(m_start, firsts, "start")])
        end0 = max([e.end for e in f_edits] + [to_original(m_end, firsts, "end")])
        after = apply_edits(mid[m_start:m_end], shift_edits(s_edits, -m_start))
        sources = sorted({e.source for e in f_edits + s_edits}, key=["glossary", "model"].index
                         if all(e.source in ("glossary", "model") for e in f_edits + s_edits) else str)
        rules = [e.rule_id for e in f_edits + s_edits if e.rule_id]
        origins = [e.origin for e in f_edits + s_edits if e.origin]
        scores = [e.score for e in s_edits if e.score is not None]
        spans = [sp for sp in (_sentence_to_original(e, firsts) for e in s_edits) if sp]
        sentence = (min(a for a, _ in spans), max(b for _, b in spans)) if spans else None
        result.append(Edit(start0, end0, original[start0:end0], after, "+".join(sources),
                           ",".join(dict.fromkeys(rules)) or None, ",".join(dict.fromkeys(origins)) or None,
                           scores[0] if scores else None, sentence=sentence))
    result = [e for e in result if e.before != e.after]
    text, located = locate_edits(original, result)
    assert text == final
    return text, located


def _sentence_to_original(e: Edit, firsts: Sequence[Edit]) -> tuple[int, int] | None:
    if e.sentence is None:
        return None
    return to_original(e.sentence[0], firsts, "start"), to_original(e.sentence[1], firsts, "end")


def _last_kind(groups) -> int:
    f, s = groups[-1]
    return 1 if s else 0


def to_output(pos: int, firsts: Sequence[Edit]) -> int:
    """Map a position in the original text to the text that ``firsts`` (located edits, see
    :func:`locate_edits`) produced; the position must not lie inside an edit.

    >>> _, located = locate_edits("the IA fleas", [Edit(4, 6, "IA", "AI!", "glossary")])
    >>> to_output(7, located)
    8
    """
    delta = 0
    for e in firsts:
        if e.end > pos:
            break
        delta += (e.out_end - e.out_start) - (e.end - e.start)
    return pos + delta


def to_original(pos: int, firsts: Sequence[Edit], side: str) -> int:
    """Map a position in the first pass's output back to the original text; a position
    on or inside a first-pass output span maps to that edit's start (``side="start"``)
    or end (``side="end"``)."""
    delta = 0
    for e in firsts:
        if pos < e.out_start:
            break
        if e.out_start <= pos <= e.out_end and not (pos == e.out_end and side == "start" and pos > e.out_start):
            return e.start if side == "start" else e.end
        delta += (e.end - e.start) - (e.out_end - e.out_start)
    return pos + delta
