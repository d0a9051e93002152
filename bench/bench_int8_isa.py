#!/usr/bin/env python
"""The judge's scores and speed in int8 and float32 on each of MKL's x86 code paths, side by side.

Run from the repository root::

    python bench/bench_int8_isa.py                       # AVX2, AVX512, AVX512_E1 (VNNI), this CPU's own
    python bench/bench_int8_isa.py --paths AVX2,AVX512_E1 --sentences 120

Why: CTranslate2's int8 GEMM on x86 is MKL's. Without VNNI (or AMX) its 16-bit partial sums
saturate, so int8 scores depend on the CPU, and on AVX2 on what else is in the batch.
repair.lm_backend.auto_compute_type runs the judge in int8 only where they do not.

Each path runs in its own process with ``MKL_ENABLE_INSTRUCTIONS`` set (MKL reads it once),
1 thread, on the first ``--sentences`` sentences of ``eval/dev.jsonl``; a CPU without a path
falls back to the best it has, so run it on a CPU with VNNI (or AMX) to see every path.
Prints, per path and compute type: the median and largest distance (nats, total log-probability
of a sentence) from this CPU's own path in the same compute type, the largest distance between
a batched score and the same sentence scored alone, and sentences per CPU-second (median of
``--reps`` repetitions) with its ratio to float32 on the same path.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = r"""
import json, sys, time
from repair.judge import LMScorer
from repair.segment import sentence_spans
n, reps = int(sys.argv[1]), int(sys.argv[2])
sents = []
for line in open("eval/dev.jsonl", encoding="utf-8"):
    t = json.loads(line)["source"]
    sents += [t[a:b] for a, b in sentence_spans(t)]
sents = sents[:n]
out = {}
for ct in ("int8", "float32"):
    s = LMScorer.load(compute_type=ct, threads=1)
    speeds = []
    for _ in range(reps):
        t0 = time.process_time()
        batched = s.total_logprobs(sents, batched=True, use_cache=False)
        speeds.append(len(sents) / (time.process_time() - t0))
    single = s.total_logprobs(sents, batched=False, use_cache=False)
    out[ct] = {"batched": batched, "single": single, "speed": speeds}
print(json.dumps(out))
"""


def run_path(path: str | None, n: int, reps: int) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    env.pop("MKL_ENABLE_INSTRUCTIONS", None)
    if path:
        env["MKL_ENABLE_INSTRUCTIONS"] = path
    proc = subprocess.run([sys.executable, "-c", CHILD, str(n), str(reps)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paths", default="AVX2,AVX512,AVX512_E1", help="MKL_ENABLE_INSTRUCTIONS values")
    ap.add_argument("--sentences", type=int, default=240)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    own = run_path(None, args.sentences, args.reps)
    runs = {"(this CPU)": own} | {p: run_path(p, args.sentences, args.reps) for p in args.paths.split(",")}
    print(f"{args.sentences} dev sentences, 1 thread; distances in nats of total log-probability")
    print(f"{'MKL path':<12} {'type':<8} {'vs own: median':>15} {'max':>7} {'batch vs single':>16} "
          f"{'sent/CPU-s':>11} {'x float32':>10}")
    for name, run in runs.items():
        f32 = statistics.median(run["float32"]["speed"])
        for ct in ("int8", "float32"):
            r = run[ct]
            d = [abs(a - b) for a, b in zip(r["batched"], own[ct]["batched"])]
            bs = max(abs(a - b) for a, b in zip(r["batched"], r["single"]))
            sp = statistics.median(r["speed"])
            print(f"{name:<12} {ct:<8} {statistics.median(d):>15.3f} {max(d):>7.3f} {bs:>16.3f} "
                  f"{sp:>11.1f} {sp / f32:>10.2f}")


if __name__ == "__main__":
    main()
