#!/usr/bin/env python
"""Memory of one process with the judge alone, against one with the judge and the LM
post-editor (which shares the judge's model: repair.lm_postedit), and one with the judge and
the T5 post-editor: resident set size (VmRSS) and its peak (VmHWM) after repairing the same
texts, each configuration in a fresh process.

    python bench/bench_lm_memory.py --lm lm:DIR            # the first 20 records of eval/dev.jsonl
    python bench/bench_lm_memory.py --lm lm:DIR --records 156
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
import torch
torch.set_num_threads(1)
from repair.config import DEFAULT_CONFIG
from repair.pipeline import Repairer

def mem():
    s = open("/proc/self/status").read()
    return {k: round(int(s.split(k + ":")[1].split()[0]) / 1024, 1) for k in ("VmRSS", "VmHWM")}

options, path, n = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3])
texts = [json.loads(l)["source"] for l in open(path, encoding="utf-8") if l.strip()][:n]
r = Repairer(DEFAULT_CONFIG.with_options(**options))
t = time.perf_counter()
edits = sum(len(r.repair(x).edits) for x in texts)
m = mem()
print(json.dumps({"options": options, "records": len(texts), "edits": edits,
                  "judge_loaded": r.judge is not None and r.judge.loaded,
                  "seconds": round(time.perf_counter() - t, 1), "rss_mb": m["VmRSS"], "peak_mb": m["VmHWM"]}))
"""


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lm", required=True, help="the LM post-editor: 'lm' or 'lm:DIR'")
    ap.add_argument("--records", type=int, default=20)
    ap.add_argument("--data", default=str(ROOT / "eval" / "dev.jsonl"))
    args = ap.parse_args(argv)
    runs = {"judge alone (--no-model)": {"use_model": False},
            "judge + LM post-editor": {"model": args.lm},
            "judge + T5 post-editor (default)": {}}
    results = {}
    for name, options in runs.items():
        out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(options), args.data, str(args.records)],
                             capture_output=True, text=True, cwd=ROOT, check=True)
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{name:<34} RSS {results[name]['rss_mb']:>7.1f} MB  peak {results[name]['peak_mb']:>7.1f} MB  "
              f"({results[name]['edits']} edits, {results[name]['seconds']} s)", flush=True)
    base = results["judge alone (--no-model)"]
    for name in list(runs)[1:]:
        r = results[name]
        print(f"{name}: RSS {r['rss_mb'] / base['rss_mb']:.3f}x, peak {r['peak_mb'] / base['peak_mb']:.3f}x "
              f"of the judge alone")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
