#!/usr/bin/env python
"""Throughput of the full pipeline (glossary + seq2seq post-editor) against glossary-only,
side by side, in sentences per second.

Run from the repository root::

    python bench/bench_pipeline.py              # eval/dev.jsonl sources + the seed article, 5 rounds
    python bench/bench_pipeline.py --rounds 3 --model PATH --threads 2

Both Repairers are built once before timing (model loading is not counted). Each round
times glossary-only and then the full pipeline over the same texts, so both see the same
machine load (the rounds interleave the two); the report gives each one's median
sentences/s over the rounds and the ratio of the medians. "Sentences" are those of
``repair.segment.sentence_spans``; the full pipeline sends only suspicious sentences to the
model, so the share of sentences that reach it is printed too. Both run without the
language-model judge (its cost is measured by the judge's own benchmark), so the ratio is
the cost of the seq2seq post-editor alone.

On a 2-core CPU shared with other jobs, ``--threads 1`` is much faster than 2 (torch's
threads wait on each other when the cores are oversubscribed).
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a source checkout without installing
    sys.path.insert(0, str(ROOT))

from repair.config import DEFAULT_CONFIG  # noqa: E402
from repair.pipeline import Repairer  # noqa: E402
from repair.segment import sentence_spans  # noqa: E402


def load_texts() -> list[str]:
    dev = (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["source"] for line in dev if line.strip()]
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    texts += [p.read_text(encoding="utf-8") for p in seeds]
    return texts


def run(repairer: Repairer, texts: list[str]) -> float:
    t = time.perf_counter()
    for text in texts:
        repairer.repair(text)
    return time.perf_counter() - t


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--model", help="post-editing model directory (default: the built-in model)")
    ap.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    ap.add_argument("--batch-size", type=int, default=DEFAULT_CONFIG.batch_size)
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    texts = load_texts()
    n_sent = sum(len(sentence_spans(t)) for t in texts)
    glossary = Repairer(DEFAULT_CONFIG.with_options(use_model=False, use_judge=False))
    full = Repairer(DEFAULT_CONFIG.with_options(use_model=True, use_judge=False, model=args.model,
                                                batch_size=args.batch_size))
    mids = [glossary.repair(t).text for t in texts]
    n_windows = sum(len(full.postedit.windows(m)) for m in mids)
    suspicious = sum(1 for m in mids for s, e in sentence_spans(m) if full.postedit.windows(m[s:e]))
    run(glossary, texts[:3]), run(full, texts[:3])  # warm-up
    g_rates, f_rates = [], []
    for _ in range(args.rounds):
        g_rates.append(n_sent / run(glossary, texts))
        f_rates.append(n_sent / run(full, texts))
    g, f = statistics.median(g_rates), statistics.median(f_rates)
    print(f"# {platform.processor() or platform.machine()}, torch threads {args.threads}, "
          f"torch {torch.__version__}, model {full.postedit.model_id}, batch {args.batch_size}")
    print(f"# {len(texts)} texts, {n_sent} sentences; {suspicious} suspicious sentences "
          f"({100 * suspicious / n_sent:.0f}%) -> {n_windows} model windows; {args.rounds} interleaved rounds")
    print(f"{'pipeline':<16}{'median sent/s':>14}{'min':>10}{'max':>10}")
    for name, rates in (("glossary-only", g_rates), ("full (model)", f_rates)):
        print(f"{name:<16}{statistics.median(rates):>14.1f}{min(rates):>10.1f}{max(rates):>10.1f}")
    print(f"ratio glossary-only / full = {g / f:.1f}x (full pipeline is {g / f:.1f} times slower)")


if __name__ == "__main__":
    main()
