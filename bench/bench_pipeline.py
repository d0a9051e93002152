#!/usr/bin/env python
"""Throughput of the pipeline's stages side by side, in sentences per second: glossary-only,
glossary + post-editor (no judge), glossary + judge (``--no-model``) and the default
pipeline (glossary + judge + post-editor).

Run from the repository root::

    python bench/bench_pipeline.py              # eval/dev.jsonl sources + the seed article, 5 rounds
    python bench/bench_pipeline.py --rounds 3 --model PATH --threads 2
    python bench/bench_pipeline.py --rounds 3 --threads 1 --lm lm:DIR   # + the LM post-editor beside the T5

All Repairers are built and warmed up once before timing (model loading is not counted).
Each round times every configuration over the same texts, so all see the same machine load
(the rounds interleave them); the judge's window cache is emptied before each timed run, so
no run profits from an earlier one. The report gives each one's median sentences/s over the
rounds and the ratio to glossary-only, and the cost the post-editor adds to the default
pipeline (the ratio "judge" / "default"). "Sentences" are those of
``repair.segment.sentence_spans``; only suspicious sentences reach the model, so their share
is printed too.

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
    scorer = getattr(repairer.judge, "_scorer", None)
    if scorer is not None:
        scorer._cache.clear()
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
    ap.add_argument("--lm", metavar="MODEL", help="also time the LM post-editor (RepairConfig.model: 'lm' or "
                                                   "'lm:DIR'), without and with the judge")
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    texts = load_texts()
    n_sent = sum(len(sentence_spans(t)) for t in texts)
    base = DEFAULT_CONFIG.with_options(model=args.model, batch_size=args.batch_size)
    configs = {"glossary-only": base.with_options(use_model=False, use_judge=False),
               "glossary+model": base.with_options(use_model=True, use_judge=False),
               "judge": base.with_options(use_model=False, use_judge=True),
               "default": base.with_options(use_model=True, use_judge=True)}
    if args.lm:
        configs["glossary+lm"] = base.with_options(model=args.lm, use_model=True, use_judge=False)
        configs["default+lm"] = base.with_options(model=args.lm, use_model=True, use_judge=True)
    repairers = {name: Repairer(cfg) for name, cfg in configs.items()}
    full = repairers["default"]
    mids = [repairers["glossary-only"].repair(t).text for t in texts]
    n_windows = sum(len(full.postedit.windows(m)) for m in mids)
    suspicious = sum(1 for m in mids for s, e in sentence_spans(m) if full.postedit.windows(m[s:e]))
    for r in repairers.values():  # warm-up: loads every model
        run(r, texts[:3])
    rates: dict[str, list[float]] = {name: [] for name in repairers}
    for _ in range(args.rounds):
        for name, r in repairers.items():
            rates[name].append(n_sent / run(r, texts))
    med = {name: statistics.median(v) for name, v in rates.items()}
    print(f"# {platform.processor() or platform.machine()}, torch threads {args.threads}, "
          f"torch {torch.__version__}, model {full.postedit.model_id}, batch {args.batch_size}")
    print(f"# {len(texts)} texts, {n_sent} sentences; {suspicious} suspicious sentences "
          f"({100 * suspicious / n_sent:.0f}%) -> {n_windows} model windows; {args.rounds} interleaved rounds")
    print(f"{'pipeline':<16}{'median sent/s':>14}{'min':>10}{'max':>10}{'glossary-only / it':>20}")
    for name, v in rates.items():
        print(f"{name:<16}{med[name]:>14.1f}{min(v):>10.1f}{max(v):>10.1f}{med['glossary-only'] / med[name]:>19.1f}x")
    print(f"the post-editor makes the default pipeline {med['judge'] / med['default']:.2f}x slower than "
          f"glossary + judge (--no-model)")
    if args.lm:
        lm = repairers["default+lm"].postedit
        print(f"the LM post-editor ({lm.model_id}) makes it {med['judge'] / med['default+lm']:.2f}x slower; "
              f"sentences rewritten by the LM in all: {lm.generated_sentences}")

if __name__ == "__main__":
    main()
