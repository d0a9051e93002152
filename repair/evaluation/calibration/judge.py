"""Calibrating the judge's margin, and measuring what the judge adds, on a dev set.

Rerun with::

    python -m repair.evaluation.calibration judge eval/dev.jsonl            # margin sweep + TER table
    python -m repair.evaluation.calibration judge eval/dev.jsonl --json out.json

What it does:

1. Collects the proposals the judge would see on every record: the glossary's
   ``judge: true`` proposals, plus, for measurement only, *rescue* candidates: hits of the
   context-conditioned rules (categories false_friend and calque) that their triggers or
   ``unless_near`` words held back (``unless`` phrases such as "food prices" still block).
   Each is scored once (:meth:`repair.judge.Judge.score`).
2. Labels each verdict: on a clean control any change is wrong; on a garbled record a
   change is right when it brings the text closer to the reference (word-level edit
   distance), wrong when it moves it away, neutral otherwise.
3. Sweeps the margin: for each value, how many clean controls would change, how many
   right and wrong changes would be made. The chosen margin is the smallest grid value
   at which no clean control changes and no wrong change is made, plus ``safety`` nats
   (default 2.0; see :mod:`repair.judge`).
4. Measures sacrebleu TER (case-sensitive) over the garbled records for the glossary
   alone, the glossary plus the judge (as shipped), and the routing variants, and counts
   clean controls changed by each.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from typing import Sequence

from ...edit import apply_edits
from ...glossary import CompiledGlossary
from ...judge import DEFAULT_MARGIN, Judge, Verdict

MARGIN_GRID = tuple(x / 2 for x in range(0, 21))  # 0.0 .. 10.0
RESCUE_CATEGORIES = ("false_friend", "calque")


def word_distance(a: str, b: str) -> int:
    """Word-level Levenshtein distance (whitespace tokens).

    >>> word_distance("the IA race", "the AI race"), word_distance("a b", "a b")
    (1, 0)
    """
    x, y = a.split(), b.split()
    prev = list(range(len(y) + 1))
    for i, wx in enumerate(x, 1):
        cur = [i]
        for j, wy in enumerate(y, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (wx != wy)))
        prev = cur
    return prev[-1]


@dataclass
class Labelled:
    record_id: str
    clean: bool
    verdict: Verdict
    rescue: bool  # a held-back hit, not a judge: true proposal of the shipped glossary
    label: str  # "right" | "wrong" | "neutral" (of the best candidate)

    def to_dict(self) -> dict:
        p = self.verdict.proposal
        return {"id": self.record_id, "clean": self.clean, "rule": p.rule_id, "before": p.before,
                "best": self.verdict.best, "margin": round(self.verdict.margin, 3), "rescue": self.rescue,
                "label": self.label}


def rescue_glossary(glossary: CompiledGlossary, categories: Sequence[str] = RESCUE_CATEGORIES) -> CompiledGlossary:
    """A copy of ``glossary`` in which every conditional rule of ``categories`` also has a
    judged twin (id ``<ID>~judge``) without triggers or ``unless_near``: where the rule's
    context conditions hold a hit back, the twin proposes it to the judge instead."""
    from ...glossary.rules import Glossary

    extra = []
    for r in glossary.rules:
        if r.category in categories and (r.triggers or r.unless_near) and not r.judge:
            extra.append(replace(r, id=f"{r.id}~judge", judge=True, triggers=(), unless_near=(), priority=r.priority - 1))
    twins = Glossary("judge-rescue", "<memory>", "0" * 64, tuple(extra))
    return CompiledGlossary(tuple(glossary.glossaries) + (twins,))


def routed_glossary(glossary: CompiledGlossary, rule_ids: Sequence[str]) -> CompiledGlossary:
    """A copy of ``glossary`` in which the rules ``rule_ids`` keep their triggers but are
    ``judge: true`` (so even a trigger-firing hit needs the judge)."""
    from ...glossary.rules import Glossary

    gs = []
    for g in glossary.glossaries:
        gs.append(Glossary(g.name, g.path, g.sha256, tuple(replace(r, judge=True) if r.id in rule_ids else r
                                                             for r in g.rules), g.version, g.description))
    return CompiledGlossary(gs)


def collect(records, glossary: CompiledGlossary, judge: Judge) -> list[Labelled]:
    """Score every judged proposal of ``glossary`` on ``records`` and label it."""
    out: list[Labelled] = []
    for rec in records:
        proposals, _ = glossary.propose(rec.source)
        judged = [p for p in proposals if p.needs_judge and not p.needs_evidence]
        base = word_distance(rec.source, rec.reference)
        for v in judge.score(rec.source, judged):
            p = v.proposal
            if rec.clean:
                label = "wrong"
            else:
                changed = apply_edits(rec.source, [replace(p.accept(), after=v.best)])
                d = word_distance(changed, rec.reference)
                label = "right" if d < base else "wrong" if d > base else "neutral"
            out.append(Labelled(rec.id, rec.clean, v, (p.rule_id or "").endswith("~judge"), label))
    return out


def sweep(labelled: Sequence[Labelled], grid: Sequence[float] = MARGIN_GRID) -> list[dict]:
    rows = []
    for m in grid:
        acc = [x for x in labelled if x.verdict.margin >= m]
        rows.append({"margin": m, "accepted": len(acc),
                     "clean_records_changed": len({x.record_id for x in acc if x.clean}),
                     "right": sum(x.label == "right" for x in acc),
                     "wrong": sum(x.label == "wrong" for x in acc),
                     "neutral": sum(x.label == "neutral" for x in acc)})
    return rows


def choose_margin(rows: Sequence[dict], safety: float = 2.0) -> float:
    """The smallest margin at which nothing wrong is accepted (and so no clean control
    changes), plus ``safety``."""
    for row in rows:
        if row["wrong"] == 0 and row["clean_records_changed"] == 0:
            return row["margin"] + safety
    return rows[-1]["margin"] + safety


def ter_table(records, variants: dict, judge: Judge) -> list[dict]:
    """TER (sacrebleu, case-sensitive) over the garbled records and clean controls changed,
    for each variant: name -> (CompiledGlossary, use the judge?)."""
    from ...config import DEFAULT_CONFIG
    from ...pipeline import Repairer
    from ..metrics import score_corpus

    rows = []
    garbled = [r for r in records if not r.clean]
    clean = [r for r in records if r.clean]
    for name, (glossary, with_judge) in variants.items():
        rep = Repairer(DEFAULT_CONFIG.with_options(use_judge=False))
        rep.glossary = glossary
        rep.judge = judge if with_judge else None
        hyps = [rep.repair(r.source).text for r in garbled]
        scores = score_corpus(hyps, [r.reference for r in garbled])
        changed = [r.id for r in clean if rep.repair(r.source).text != r.source]
        rows.append({"variant": name, "ter": scores.ter, "bleu": scores.bleu, "chrf": scores.chrf,
                     "clean_changed": len(changed), "clean_changed_ids": changed,
                     "ter_signature": scores.signatures["ter"]})
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m repair.evaluation.calibration judge", description=__doc__.split("\n\n")[0])
    ap.add_argument("dataset", help="a dev set (eval/dev.jsonl format)")
    ap.add_argument("--judge", help="a local causal LM directory (default: SmolLM2-135M-Instruct)")
    ap.add_argument("--margin", type=float, default=None,
                    help=f"margin for the TER table (default: the compute type's, {DEFAULT_MARGIN:g} in float32)")
    ap.add_argument("--backend", choices=["auto", "torch", "ct2"], default="auto")
    ap.add_argument("--compute-type", default="float32",
                    help="the judge's compute type (default float32, in which the margin was calibrated; the "
                         "shipped default on CPU is int8, see repair.lm_backend)")
    ap.add_argument("--safety", type=float, default=2.0, help="nats added to the smallest safe margin")
    ap.add_argument("--route", default="", help="comma-separated rule ids to route through the judge (TER table)")
    ap.add_argument("--json", help="also write everything as JSON here")
    args = ap.parse_args(argv)

    from ...config import DEFAULT_CONFIG
    from ...pipeline import Repairer
    from ..datasets import load_dataset

    ds = load_dataset(args.dataset)
    records = list(ds)
    base = Repairer(DEFAULT_CONFIG.with_options(use_judge=False)).glossary
    judge = Judge(args.judge, margin=args.margin, backend=args.backend, compute_type=args.compute_type)
    args.margin = judge.margin
    labelled = collect(records, rescue_glossary(base), judge)
    rows = sweep(labelled)
    chosen = choose_margin(rows, args.safety)
    print(f"# {len(labelled)} judged candidates on {ds.path} ({sum(not x.rescue for x in labelled)} from judge: true "
          f"rules, {sum(x.rescue for x in labelled)} rescue candidates)  judge {judge.signature()}")
    for x in sorted(labelled, key=lambda x: -x.verdict.margin):
        d = x.to_dict()
        print(f"{d['margin']:8.2f}  {d['label']:7} {'clean' if d['clean'] else '':5} {d['id']:14} {d['rule']:32} "
              f"{d['before']!r} -> {d['best']!r}")
    print("\nmargin  accepted  clean_changed  right  wrong  neutral")
    for r in rows:
        print(f"{r['margin']:6.1f}  {r['accepted']:8}  {r['clean_records_changed']:13}  {r['right']:5}  {r['wrong']:5}  "
              f"{r['neutral']:7}")
    print(f"\nchosen margin: {chosen:g} (smallest with no wrong change and no clean control changed, + {args.safety:g})")

    judge.margin = args.margin
    variants = {"glossary alone": (base, False), "glossary + judge": (base, True),
                "glossary + judge + rescue": (rescue_glossary(base), True)}
    if args.route:
        variants["glossary + judge, routed"] = (routed_glossary(base, args.route.split(",")), True)
    table = ter_table(records, variants, judge)
    print(f"\nmargin {judge.margin:g}; TER over {sum(not r.clean for r in records)} garbled records, "
          f"clean controls changed of {sum(r.clean for r in records)}")
    for t in table:
        print(f"{t['variant']:30} TER {t['ter']:7.3f}  BLEU {t['bleu']:7.3f}  chrF {t['chrf']:7.3f}  "
              f"clean changed {t['clean_changed']} {t['clean_changed_ids'] or ''}")
    print(table[0]["ter_signature"])
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"candidates": [x.to_dict() for x in labelled], "sweep": rows, "chosen_margin": chosen,
                       "ter": table, "judge": judge.signature()}, fh, indent=1)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
