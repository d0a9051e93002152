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
    #: which may have its own calibrated margin (repair/data/families/margins.yaml); where
    #: the pattern is marked ``needs_evidence: reason`` in its word list, so is the proposal
    #: (:attr:`Proposal.needs_evidence`, :func:`evidence_patterns`)
    pattern: str | None = None
    #: set by the pipeline when the text shows such damage (sure glossary edits): the judge then
    #: applies the family's calibrated margin even below its own (repair.rank)
    evidence: bool = False


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


@lru_cache(maxsize=1)
def below_judge() -> frozenset[str]:
    """The families whose calibrated margin applies even below the judge's margin
    (``repair/data/families/judge_bar.yaml``, with the clean-news scan that justifies each)."""
    from . import wordlists

    path = wordlists.DATA_DIR / "judge_bar.yaml"
    if not path.is_file():
        return frozenset()
    table = wordlists.load("judge_bar").get("below_judge") or {}
    return frozenset(str(k) for k in table if k != "__line__")


@lru_cache(maxsize=1)
def judge_bar_despite_evidence() -> frozenset[str]:
    """The families whose proposals keep the judge's margin even near round-trip evidence
    (``repair/data/families/judge_bar.yaml``, ``keep_judge_bar``)."""
    from . import wordlists

    path = wordlists.DATA_DIR / "judge_bar.yaml"
    if not path.is_file():
        return frozenset()
    table = wordlists.load("judge_bar").get("keep_judge_bar") or {}
    return frozenset(str(k) for k in table if k != "__line__")


@lru_cache(maxsize=1)
def evidence_patterns() -> frozenset[tuple[str, str]]:
    """(family, pattern) for every word-list section marked ``needs_evidence: reason``: a
    pattern English uses as readily as the calque ("imports of beef" beside "beef imports"),
    so that it is proposed only in text already shown to be a round trip."""
    from . import wordlists

    out = set()
    for name in wordlists.data_files():
        doc = wordlists.load(name)
        family = str(doc.get("family") or "")
        for key, node in doc.items():
            if isinstance(node, dict) and node.get("needs_evidence") and family:
                out.add((family, str(key)))
    return frozenset(out)


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
    if extra.get("pattern") is not None and (family, extra["pattern"]) in evidence_patterns():
        extra["needs_evidence"] = True
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
