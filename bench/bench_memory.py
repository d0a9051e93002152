#!/usr/bin/env python
"""Memory of a worker process holding the pipeline's models, per backend.

Run from the repository root::

    python bench/bench_memory.py                       # torch, ct2-float32, ct2 (the default)
    python bench/bench_memory.py --backends torch,ct2-int8

For each backend, a fresh process (one thread) builds the default pipeline with that
backend, loads the judge and the post-editor, repairs every source of ``eval/dev.jsonl``,
and reports its resident memory (RSS, from /proc: Linux only) after loading and after the
repairs, its peak (VmHWM), the seconds the two models took to load (from the model cache:
run once before, so that no conversion is timed), and whether torch or transformers were
imported. This is the memory each ``repair fix --workers N`` worker holds.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
def mem():
    s = open("/proc/self/status").read()
    return {k: round(int(s.split(k + ":")[1].split()[0]) / 1024) for k in ("VmRSS", "VmHWM")}
from repair.config import DEFAULT_CONFIG
from repair.pipeline import Repairer
backend, _, ct = sys.argv[1].partition("-")
r = Repairer(DEFAULT_CONFIG.with_options(backend=backend, compute_type=ct or "auto"))
base = mem()
t = time.perf_counter()
scorer = r.judge.scorer
r.postedit.model
load_s = time.perf_counter() - t
loaded = mem()
for line in open(sys.argv[2], encoding="utf-8"):
    if line.strip():
        r.repair(json.loads(line)["source"])
done = mem()
print(json.dumps({"backend": sys.argv[1], "judge": f"{scorer.backend}-{scorer.compute_type}",
                  "postedit": f"{r.postedit.backend}-{r.postedit.compute_type}", "load_s": round(load_s, 2),
                  "rss_before_mb": base["VmRSS"], "rss_loaded_mb": loaded["VmRSS"], "rss_after_mb": done["VmRSS"],
                  "peak_mb": done["VmHWM"], "torch": "torch" in sys.modules,
                  "transformers": "transformers" in sys.modules}))
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backends", default="torch,ct2-float32,ct2")
    ap.add_argument("--dataset", default=str(ROOT / "eval" / "dev.jsonl"))
    args = ap.parse_args(argv)
    env = dict(os.environ, OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    rows = []
    for spec in [s for s in args.backends.split(",") if s]:
        # once to fill the model cache, once measured
        subprocess.run([sys.executable, "-c", CHILD, spec, args.dataset], env=env, capture_output=True)
        proc = subprocess.run([sys.executable, "-c", CHILD, spec, args.dataset], env=env, capture_output=True,
                              text=True)
        if proc.returncode:
            print(f"{spec}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(f"{'backend':14} {'judge':18} {'post-editor':16} {'load s':>7} {'RSS idle':>9} {'loaded':>7} "
          f"{'after dev':>9} {'peak':>6}  torch imported")
    for r in rows:
        print(f"{r['backend']:14} {r['judge']:18} {r['postedit']:16} {r['load_s']:>7} {r['rss_before_mb']:>8}M "
              f"{r['rss_loaded_mb']:>6}M {r['rss_after_mb']:>8}M {r['peak_mb']:>5}M  "
              f"{'yes' if r['torch'] else 'no'}{' (and transformers)' if r['transformers'] else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
