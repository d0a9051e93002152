#!/usr/bin/env python
"""Language-model judge throughput: backends (torch, CTranslate2 per compute type), and
windowing and batching, side by side.

Run from the repository root::

    python bench/bench_judge.py --threads 1            # backends: torch, ct2-float32, ct2-int8
    python bench/bench_judge.py --threads 1 --reps 3 --backends torch,ct2-float32 --modes

Workload: every candidate the judge scores on ``eval/dev.jsonl`` (the shipped glossary's
``judge: true`` proposals plus the rescue candidates of repair.evaluation.calibration.judge), and,
for the garble score, every paragraph of the dev set.

Contenders, the same candidates, in interleaved repetitions (each repetition runs every
contender once, in turn, with the score cache emptied first):

- ``<backend> window+batch``: the judge as shipped (each candidate's sentence plus the one
  before, all windows of a text in batches), on each backend of ``--backends``
  (``torch``: transformers float32, the reference; ``ct2-<compute type>``: CTranslate2);
- with ``--modes``, on the first backend also: ``window`` (the same windows, one forward
  pass each), ``paragraph+batch`` (no windowing: the whole text before and after each
  change) and ``paragraph`` (whole texts, one at a time).

Garble score: ``score_documents`` batched, per backend (and one paragraph at a time with ``--modes``).
Time is the process's CPU time by default (``--clock wall``: elapsed time; with one
thread the work is single-threaded, and CPU time stays steady on a shared machine).
Prints medians (seconds, candidates/s, sentences/s), ratios against the first backend,
the machine's load average, and each model's load time and the process's memory (RSS)
growth while loading it.
"""
from __future__ import annotations

import argparse
import os
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


def rss_mb() -> float:
    try:
        with open("/proc/self/status") as fh:
            return int(fh.read().split("VmRSS:")[1].split()[0]) / 1024
    except OSError:  # not Linux
        return float("nan")


def load(spec: str, threads: int) -> LMScorer:
    backend, _, ct = spec.partition("-")
    return LMScorer.load(backend=backend, compute_type=ct or "auto", threads=threads or None)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--dataset", default=str(ROOT / "eval" / "dev.jsonl"))
    ap.add_argument("--backends", default="torch,ct2-float32,ct2-int8",
                    help="comma-separated: torch, ct2-float32, ct2-int8, ct2-int8_float32, ...; the first is the "
                         "reference of the ratios")
    ap.add_argument("--modes", action="store_true",
                    help="also time the windowing/batching variants on the first backend")
    ap.add_argument("--clock", choices=["cpu", "wall"], default="cpu",
                    help="cpu (default): the process's CPU time, steady on a shared machine (single-threaded "
                         "work with --threads 1); wall: elapsed time")
    ap.add_argument("--threads", type=int, default=0,
                    help="threads per model (0: the libraries' defaults); on a machine shared with other jobs, 1 is "
                         "often faster and far steadier than 2")
    args = ap.parse_args()
    if args.threads:
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
    specs = [s for s in args.backends.split(",") if s]

    records = list(load_dataset(args.dataset))
    glossary = rescue_glossary(Repairer(DEFAULT_CONFIG.with_options(use_judge=False, use_model=False)).glossary)
    work = []
    for r in records:
        props, _ = glossary.propose(r.source)
        judged = [p for p in props if p.needs_judge and not p.needs_evidence]
        if judged:
            work.append((r.source, judged))
    n_cands = sum(len(p) for _, p in work)
    n_windows = sum(len(p) * 2 for _, p in work)
    texts = [r.source for r in records]
    n_sents = sum(len(sentence_spans(t)) for t in texts)

    scorers: dict[str, LMScorer] = {}
    loads = {}
    for spec in specs:
        if spec.startswith("torch") and args.threads:
            import torch

            torch.set_num_threads(args.threads)
        before, t0 = rss_mb(), time.perf_counter()
        scorers[spec] = load(spec, args.threads)
        loads[spec] = (time.perf_counter() - t0, rss_mb() - before, scorers[spec].loaded_from)

    print(f"# {n_cands} candidates in {len(work)} texts; {len(texts)} paragraphs, {n_sents} sentences; "
          f"{args.reps} interleaved repetitions; threads {args.threads or 'default'}; "
          f"load average {os.getloadavg()[0]:.1f} at start (of {os.cpu_count()} CPUs)")
    for spec, (secs, mb, how) in loads.items():
        print(f"#   {spec:18} {scorers[spec].model_id} loaded in {secs:.1f}s ({how}), RSS +{mb:.0f} MB")

    judges: dict[str, tuple[LMScorer, Judge]] = {}
    for spec, sc in scorers.items():
        judges[f"{spec} window+batch"] = (sc, Judge(scorer=sc))
    garble: dict[str, tuple[LMScorer, bool]] = {f"{spec} garble": (sc, True) for spec, sc in scorers.items()}
    if args.modes:
        sc = scorers[specs[0]]
        judges.update({f"{specs[0]} window": (sc, Judge(scorer=sc, batched=False)),
                       f"{specs[0]} paragraph+batch": (sc, ParagraphJudge(scorer=sc)),
                       f"{specs[0]} paragraph": (sc, ParagraphJudge(scorer=sc, batched=False))})
        garble[f"{specs[0]} garble 1-by-1"] = (sc, False)
    times: dict[str, list[float]] = {k: [] for k in list(judges) + list(garble)}
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    loadavg = []
    for rep in range(args.reps):
        for name, (sc, judge) in judges.items():
            sc._cache.clear()
            t = clock()
            for text, props in work:
                judge.decide(text, props)
            times[name].append(clock() - t)
        for name, (sc, batched) in garble.items():
            t = clock()
            score_documents(texts, sc, batched=batched)
            times[name].append(clock() - t)
        loadavg.append(os.getloadavg()[0])
        print(f"  rep {rep + 1}: " + "  ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items()), flush=True)

    ref = f"{specs[0]} window+batch"
    base = statistics.median(times[ref])
    print(f"\n({'CPU' if args.clock == 'cpu' else 'wall'} time)")
    print(f"{'judge':30} {'median s':>9} {'cand/s':>8} {'windows/s':>10} {'speed-up':>9}")
    for name in judges:
        med = statistics.median(times[name])
        print(f"{name:30} {med:9.2f} {n_cands / med:8.1f} {n_windows / med:10.1f} {base / med:8.2f}x")
    gbase = statistics.median(times[f"{specs[0]} garble"])
    print(f"\n{'garble score':30} {'median s':>9} {'sent/s':>8} {'speed-up':>9}")
    for name in garble:
        med = statistics.median(times[name])
        print(f"{name:30} {med:9.2f} {n_sents / med:8.1f} {gbase / med:8.2f}x")
    print(f"\n(speed-up: median time of {specs[0]} divided by this one's; load average during the runs "
          f"{min(loadavg):.1f}-{max(loadavg):.1f} on {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
