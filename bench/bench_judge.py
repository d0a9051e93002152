#!/usr/bin/env python
"""Language-model judge throughput: windowing and batching, side by side.

Run from the repository root::

    python bench/bench_judge.py            # 5 interleaved repetitions (a few minutes on 2 cores)
    python bench/bench_judge.py --reps 3 --threads 1   # quicker; steadier on a shared machine

Workload: every candidate the judge scores on ``eval/dev.jsonl`` (the shipped glossary's
``judge: true`` proposals plus the rescue candidates of repair.evaluation.calibration.judge), and,
for the garble score, every paragraph of the dev set.

Contenders, the same model and the same candidates, in interleaved repetitions (each
repetition runs every contender once, in turn, with the score cache emptied first):

- ``window+batch``  the judge as shipped: each candidate's sentence plus the one before,
                    all windows of a text in batches (padding + attention mask);
- ``window``        the same windows, one forward pass each;
- ``paragraph+batch`` no windowing: the whole text before and after each change, batched;
- ``paragraph``     whole texts, one forward pass each.

Garble score: ``score_documents`` batched vs one forward pass per paragraph.
Prints medians (seconds, candidates/s, sentences/s) and ratios against the shipped mode.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from repair.config import DEFAULT_CONFIG  # noqa: E402
from repair.evaluation.datasets import load_dataset  # noqa: E402
from repair.garble import score_documents  # noqa: E402
from repair.judge import Judge, LMScorer  # noqa: E402
from repair.evaluation.calibration.judge import rescue_glossary  # noqa: E402
from repair.pipeline import Repairer  # noqa: E402
from repair.segment import sentence_spans  # noqa: E402


class ParagraphJudge(Judge):
    """No windowing: the whole text is scored for every candidate."""

    def window(self, text, start, end, sentences=None):
        return 0, len(text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--dataset", default=str(ROOT / "eval" / "dev.jsonl"))
    ap.add_argument("--threads", type=int, default=0,
                    help="torch threads (0: torch's default); on a machine shared with other jobs, 1 is "
                         "often faster and far steadier than 2")
    args = ap.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)

    records = list(load_dataset(args.dataset))
    glossary = rescue_glossary(Repairer(DEFAULT_CONFIG.with_options(use_judge=False)).glossary)
    work = []
    for r in records:
        props, _ = glossary.propose(r.source)
        judged = [p for p in props if p.needs_judge]
        if judged:
            work.append((r.source, judged))
    n_cands = sum(len(p) for _, p in work)
    n_windows = sum(len(p) * 2 for _, p in work)
    texts = [r.source for r in records]
    n_sents = sum(len(sentence_spans(t)) for t in texts)

    t0 = time.perf_counter()
    scorer = LMScorer.load()
    load_s = time.perf_counter() - t0

    print(f"# model {scorer.model_id} loaded in {load_s:.1f}s ({scorer.loaded_from}); torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads; {n_cands} candidates in {len(work)} texts; "
          f"{len(texts)} paragraphs, {n_sents} sentences; {args.reps} interleaved repetitions")

    judges = {"window+batch": Judge(scorer=scorer), "window": Judge(scorer=scorer, batched=False),
              "paragraph+batch": ParagraphJudge(scorer=scorer), "paragraph": ParagraphJudge(scorer=scorer, batched=False)}
    garble = {"garble batched": True, "garble one-by-one": False}
    times: dict[str, list[float]] = {k: [] for k in list(judges) + list(garble)}
    for rep in range(args.reps):
        for name, judge in judges.items():
            scorer._cache.clear()
            t = time.perf_counter()
            for text, props in work:
                judge.decide(text, props)
            times[name].append(time.perf_counter() - t)
        for name, batched in garble.items():
            t = time.perf_counter()
            score_documents(texts, scorer, batched=batched)
            times[name].append(time.perf_counter() - t)
        print(f"  rep {rep + 1}: " + "  ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items()), flush=True)

    base = statistics.median(times["window+batch"])
    print(f"\n{'mode':20} {'median s':>9} {'cand/s':>8} {'windows/s':>10} {'x shipped':>10}")
    for name in judges:
        med = statistics.median(times[name])
        print(f"{name:20} {med:9.2f} {n_cands / med:8.1f} {n_windows / med:10.1f} {med / base:9.2f}x")
    gbase = statistics.median(times["garble batched"])
    print(f"\n{'garble mode':20} {'median s':>9} {'sent/s':>8} {'x batched':>10}")
    for name in garble:
        med = statistics.median(times[name])
        print(f"{name:20} {med:9.2f} {n_sents / med:8.1f} {med / gbase:9.2f}x")
    print("\n(x shipped: median time relative to window+batch; higher is slower)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
