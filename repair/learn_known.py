"""What a learned draft adds to the glossaries already in force.

A team that learns rules from its post-edits wants to review what the glossary does not
already do. :func:`against_known` runs the glossaries in force (by default the shipped ones)
on each draft rule's own ``fix`` examples, each of which is a pair sentence with only the
learned substitution applied:

- **known**: on every fix example a rule in force proposes that same substitution (as its
  replacement or one of its alternatives; sure or sent to the judge). The draft adds nothing:
  it is left out of the draft and named in its header, beside the rule that has it.
- **held**: a rule in force would make the substitution but its context conditions held it
  back ("no trigger nearby"). The draft stays, with a note that names the rule: widening
  that rule's conditions may be the better review.
- **partly known**: some fix examples are known; the draft stays, with a note.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence

from .edit import Proposal, Rejected


class ProposesEdits(Protocol):
    def propose(self, text: str) -> tuple[list[Proposal], list[Rejected]]: ...


@dataclass
class Known:
    """Where a draft stands against the glossaries in force."""

    fixed_by: dict[str, int] = field(default_factory=dict)  # rule id -> fix examples it makes
    held_by: dict[str, str] = field(default_factory=dict)  # rule id -> why its conditions held it back
    examples: int = 0
    covered: int = 0

    @property
    def all_known(self) -> bool:
        return self.examples > 0 and self.covered == self.examples


def _makes(start: int, end: int, options: Sequence[str], text: str, out: str) -> bool:
    return any(text[:start] + a + text[end:] == out for a in options)


def standing(fix: Sequence[tuple[str, str]], known: ProposesEdits) -> Known:
    """How the glossaries in ``known`` fare on a draft's fix examples ``(in, out)``."""
    k = Known(examples=len(fix))
    for text, out in fix:
        proposals, rejected = known.propose(text)
        # a hit held for want of a trigger word (needs_evidence) is a proposal the judge sees
        # only near other round-trip damage: it counts as held back here
        made = [p.rule_id for p in proposals if not p.needs_evidence
                and _makes(p.start, p.end, (p.after, *p.alternatives), text, out)]
        if made:
            k.covered += 1
            for rid in dict.fromkeys(made):
                k.fixed_by[rid] = k.fixed_by.get(rid, 0) + 1
            continue
        held = [(p, p.held) for p in proposals if p.needs_evidence] + [(r, r.reason) for r in rejected]
        for r, why in held:
            if r.source == "glossary" and _makes(r.start, r.end, (r.after,), text, out):
                k.held_by.setdefault(r.rule_id, why)
    return k


def against_known(drafts: list, known: ProposesEdits) -> tuple[list, list[str]]:
    """The drafts that add something to ``known`` (with notes where it partly has them), and
    one header line per draft left out because ``known`` already makes it."""
    kept, left_out = [], []
    for d in drafts:
        k = standing(d.fix, known)
        if k.all_known:
            rules = ", ".join(k.fixed_by)
            left_out.append(f"{d.id} ({d.phrase} -> {d.replace}, seen {d.count} time{'s' if d.count != 1 else ''}): {rules}")
            continue
        if k.covered:
            d.notes.append(f"the glossaries in force already make {k.covered} of its {k.examples} fix examples "
                           f"({', '.join(k.fixed_by)})")
        for rid, why in k.held_by.items():
            d.notes.append(f"{rid}, in force, makes this substitution but its conditions held it back here "
                           f"({why}): widening that rule may be the better review")
        kept.append(d)
    return kept, left_out
