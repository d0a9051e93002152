"""The proposals the families make: :class:`repair.edit.Proposal` records, plus (for pronouns)
the antecedent they were decided on."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..edit import Proposal

#: family id -> the dev set's category name
CATEGORIES = {
    "ADVERB_PLACEMENT": "adverb_placement",
    "NOUN_COMPOUND": "noun_compound",
    "ARTICLE": "article",
    "PREPOSITION": "preposition",
    "VERB_PATTERN": "verb_pattern",
    "PRONOUN": "pronoun",
    "WORD_ORDER": "word_order",
    "POSSESSIVE": "possessive",
}


@dataclass(frozen=True)
class FamilyProposal(Proposal):
    """A family's proposal. ``antecedent`` is the span (offsets into the same text) of the
    mention the proposal agrees with, and ``antecedent_kind`` its kind ("org", "male",
    "female", "person"); ``context`` (of every Proposal) is set to its start, so that the
    judge widens its window back to it (repair.rank)."""

    antecedent: tuple[int, int] | None = None
    antecedent_kind: str | None = None
    #: the family's pattern that made it (a section of its word list: "of_bare", "measures"),
    #: which may have its own calibrated margin (repair/data/families/margins.yaml)
    pattern: str | None = None


def margin_for(family: str, pattern: str | None = None) -> float | None:
    """The judge margin calibrated for ``family`` (or for its ``pattern``, where the margins
    file has ``FAMILY.pattern``), from ``repair/data/families/margins.yaml``
    (``python -m repair.evaluation.calibration families``); None when it has none."""
    margins = _margins()
    if pattern is not None and f"{family}.{pattern}" in margins:
        return margins[f"{family}.{pattern}"]
    return margins.get(family)


@lru_cache(maxsize=1)
def _margins() -> dict[str, float]:
    from . import wordlists

    path = wordlists.DATA_DIR / "margins.yaml"
    if not path.is_file():
        return {}
    doc = wordlists.load("margins")
    table = doc.get("margins") or {}
    out = {}
    for key, value in table.items():
        if key == "__line__":
            continue
        try:
            out[str(key)] = float(value)
        except (TypeError, ValueError):
            raise wordlists.WordListError(f"{wordlists.DISPLAY_DIR}/margins.yaml: the margin of {key} is not a number: "
                                          f"{value!r}") from None
    return out


def make(family: str, text: str, start: int, end: int, candidates, origin: str | None,
         sentence: tuple[int, int], **extra) -> FamilyProposal | None:
    """A proposal to replace ``text[start:end]`` by the first of ``candidates`` (the others
    are its alternatives), or None when no candidate differs from the text. Its ``margin`` is
    the family's calibrated margin (:func:`margin_for`)."""
    before = text[start:end]
    seen: list[str] = []
    for c in candidates:
        if c is not None and c != before and c not in seen:
            seen.append(c)
    if not seen:
        return None
    ante = extra.get("antecedent")
    extra.setdefault("margin", margin_for(family, extra.get("pattern")))
    return FamilyProposal(start, end, before, seen[0], source="family", rule_id=family, origin=origin,
                          alternatives=tuple(seen[1:]), needs_judge=True, category=CATEGORIES[family],
                          sentence=sentence, context=ante[0] if ante else None, **extra)


def context_sentences_needed(p: Proposal, spans: list[tuple[int, int]], default: int = 1) -> int:
    """How many sentences before the proposal's own a judge's window must take in to show
    its antecedent (at least ``default``)."""
    ante = getattr(p, "antecedent", None)
    if not ante:
        return default
    own = next((k for k, (a, b) in enumerate(spans) if a <= p.start < b or a <= p.start <= b), None)
    where = next((k for k, (a, b) in enumerate(spans) if a <= ante[0] < b), None)
    if own is None or where is None:
        return default
    return max(default, own - where)
