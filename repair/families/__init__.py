"""Candidate generators for the grammar and word-order errors of the round trip.

Each family is a cheap generator (regular expressions and word-list lookups, no model) that
PROPOSES a repair and leaves the decision to the language-model judge: every proposal has
``needs_judge=True``, ``source="family"``, ``rule_id`` = the family id, ``origin`` = the
word-list entry that fired (``repair/data/families/<list>.yaml:<line>``), ``category`` = the
dev set's category, ``sentence`` = its sentence span, and ``alternatives`` = the other
candidates at the same site (both placements of an adverbial, "its"/"his"). Pronoun
proposals also carry their antecedent (:class:`~repair.families.proposal.FamilyProposal`).

    >>> from repair.families import propose_all
    >>> [(p.rule_id, p.before, p.after) for p in propose_all("Nvidia designs her chips in California.")]
    [('PRONOUN', 'her', 'its')]

Word lists and their fix/keep examples live in ``repair/data/families/*.yaml``;
``tests/test_families.py`` runs every example.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from ..edit import Proposal
from . import (adverb_placement, articles, noun_compounds, possessives, prepositions, pronouns, verb_patterns,
               word_order)
from .proposal import CATEGORIES, FamilyProposal, context_sentences_needed
from .tokens import sentences

Generator = Callable[[str, "list[tuple[int, int]] | None"], "list[Proposal]"]

#: family id -> generator(text, sentence spans) -> proposals
FAMILIES: dict[str, Generator] = {
    "ADVERB_PLACEMENT": adverb_placement.propose,
    "NOUN_COMPOUND": noun_compounds.propose,
    "ARTICLE": articles.propose,
    "PREPOSITION": prepositions.propose,
    "VERB_PATTERN": verb_patterns.propose,
    "PRONOUN": pronouns.propose,
    "WORD_ORDER": word_order.propose,
    "POSSESSIVE": possessives.propose,
}


def with_evidence(proposals: list[Proposal], evidence: bool | Callable[[Proposal], bool]) -> list[Proposal]:
    """The proposals, for text that shows machine-translation damage or not: ``evidence`` is
    a bool for all of them, or a test of each (the pipeline's: does its paragraph hold a sure
    glossary edit, or an edit the judge accepted?). Where there is evidence, a family proposal
    is marked so that the judge applies the family's calibrated margin (repair.rank); where
    there is none, the patterns that need it (``needs_evidence`` in their word lists) are
    dropped: clean English says "imports of beef" as readily as "beef imports"."""
    out = []
    for p in proposals:
        if evidence is True or (evidence is not False and evidence(p)):
            out.append(replace(p, evidence=True) if isinstance(p, FamilyProposal) else p)
        elif not getattr(p, "needs_evidence", False):
            out.append(p)
    return out


def propose_all(text: str, spans: list[tuple[int, int]] | None = None) -> list[Proposal]:
    """Every family's proposals for ``text`` (a paragraph, with the sure glossary edits
    applied), sorted by position. ``spans`` are its sentence spans
    (:func:`repair.segment.sentence_spans`), computed when not given."""
    spans = sentences(text, spans)
    out: list[Proposal] = []
    for generate in FAMILIES.values():
        out.extend(generate(text, spans))
    out.sort(key=lambda p: (p.start, p.end, p.rule_id))
    return out


__all__ = ["FAMILIES", "CATEGORIES", "FamilyProposal", "propose_all", "with_evidence", "context_sentences_needed"]
