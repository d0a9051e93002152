#!/usr/bin/env python
"""`repair fix` as a batch tool: throughput with 1 and 2 workers, glossary cost against
bare JSONL I/O, and peak memory on a 1 GB input against a 100 MB one.

Run from the repository root::

    python bench/bench_batch.py            # about 8-10 minutes on 2 idle cores
    python bench/bench_batch.py --quick    # a smoke run, about 1-2 minutes

Three measurements, each with its repetitions interleaved (A B A B ...) and medians quoted:

1. **Full pipeline, sentences/s, 1 vs 2 workers.** ``repair fix CORPUS.jsonl -o OUT
   --workers N`` with the command's defaults (glossary, encoding fixes, markup detection,
   the language-model judge), wall time of the whole command. It runs on a large corpus
   and on its first ~260 records (every distinct text, and a chunk for each worker): that
   run is mostly start-up (imports, glossaries, the judge's model, loaded once per
   worker), and the difference between the two is the steady-state rate. The corpus is the case files' and the seed article's texts, cycled.
2. **Glossary pass, MB/s, against bare JSONL I/O.** The batch engine in this process with
   ``--no-judge`` (glossary + encoding + markup; no models) on a JSONL file, against a loop
   that only reads the same file, ``json.loads`` each line, ``json.dumps`` it and writes it.
3. **Peak memory, 1 GB against 100 MB.** Max RSS of ``repair fix --workers 2`` (the largest
   of its processes, read from ``resource.getrusage(RUSAGE_CHILDREN)`` in a fresh wrapper
   process) on JSONL files of both sizes generated in the temp directory at run time and
   deleted afterwards. These runs use a two-rule glossary (``--no-default-glossaries -g``)
   so that 1 GB takes minutes rather than the hour the full glossary needs on 2 cores:
   what is measured is the streaming.

The report goes to stdout (a Markdown table plus the command and the machine); progress
goes to stderr.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from repair.segment import sentence_spans  # noqa: E402

MB = 1_000_000


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def case_texts() -> list[str]:
    texts = []
    for name in ("positive.jsonl", "negative.jsonl"):
        for line in (ROOT / "tests" / "cases" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["original"])
    seed = (ROOT / "seeds" / "000_7d1c53471515dc93.txt").read_text(encoding="utf-8")
    texts += [p for p in seed.split("\n") if p.strip()]
    return texts


def write_corpus(path: Path, records: int, rnd: random.Random) -> int:
    """A JSONL corpus of ``records`` records; returns its sentence count."""
    texts = case_texts()
    sentences = {t: len(sentence_spans(t)) for t in texts}
    total = 0
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(records):
            t = texts[i % len(texts)] if i < len(texts) else rnd.choice(texts)
            total += sentences[t]
            fh.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")
    return total


def write_big(path: Path, size: int, rnd: random.Random) -> None:
    """About ``size`` bytes of JSONL news-like records (text plus metadata)."""
    texts = case_texts()
    written = 0
    i = 0
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as fh:
        while written < size:
            body = " ".join(rnd.choice(texts) for _ in range(3))
            line = json.dumps({"id": i, "url": f"https://example.org/news/{i}", "text": body},
                              ensure_ascii=False) + "\n"
            fh.write(line)
            written += len(line.encode("utf-8"))
            i += 1


def repair_cmd(*args) -> list[str]:
    return [sys.executable, "-m", "repair", "fix", *map(str, args)]


def env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def timed(cmd: list[str]) -> float:
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env(), capture_output=True)
    if p.returncode not in (0, 3):
        raise SystemExit(f"{shlex.join(cmd)} failed:\n{p.stderr.decode()[-3000:]}")
    return time.perf_counter() - t


def max_rss_mb(cmd: list[str]) -> tuple[float, float]:
    """Peak RSS (MB) of ``cmd`` and its wall time, measured from a fresh wrapper process."""
    code = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
            "p = subprocess.run(sys.argv[1:], capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.perf_counter() - t, p.returncode); "
            "sys.stderr.buffer.write(p.stderr[-3000:])")
    p = subprocess.run([sys.executable, "-c", code, *cmd], env=env(), capture_output=True)
    kb, seconds, rc = p.stdout.split()
    if int(rc) not in (0, 3):
        raise SystemExit(f"{shlex.join(cmd)} failed:\n{p.stderr.decode()}")
    return int(kb) / 1024, float(seconds)


# ------------------------------------------------------------------------------ the three parts
def bench_workers(tmp: Path, records: int, repeats: int, rnd) -> dict:
    """Wall time of `repair fix` on a small and a large corpus, per worker count; the
    difference is the steady-state cost, free of start-up (imports, glossaries, and the
    judge's model, loaded once per worker)."""
    small, large = tmp / "small.jsonl", tmp / "corpus.jsonl"
    # the large corpus starts with every distinct text once; the small one is its start,
    # long enough for every worker to get a chunk (so each loads the judge, as in the
    # large run) and to meet every kind of proposal
    from repair.batch.engine import BatchSettings

    n_small = min(max(len(case_texts()), 2 * BatchSettings().chunk_records + 8), records // 2)
    s_large = write_corpus(large, records, rnd)
    with open(large, encoding="utf-8") as fh, open(small, "w", encoding="utf-8") as out:
        for _ in range(n_small):
            out.write(fh.readline())
    s_small = sum(len(sentence_spans(json.loads(x)["text"])) for x in small.read_text(encoding="utf-8").splitlines())
    times = {(w, c): [] for w in (1, 2) for c in ("small", "large")}
    for r in range(repeats):
        for workers in (1, 2):
            for name, corpus in (("small", small), ("large", large)):
                out = tmp / f"out-{name}-w{workers}.jsonl"
                t = timed(repair_cmd(corpus, "-o", out, "-q", "--workers", workers))
                times[workers, name].append(t)
                log(f"  workers={workers} {name} ({corpus.stat().st_size / MB:.1f} MB) rep {r + 1}/{repeats}: {t:.1f} s")
    same = (tmp / "out-large-w1.jsonl").read_bytes() == (tmp / "out-large-w2.jsonl").read_bytes()
    med = {k: statistics.median(v) for k, v in times.items()}
    steady = {w: (s_large - s_small) / max(med[w, "large"] - med[w, "small"], 1e-9) for w in (1, 2)}
    return {"records": records, "sentences": s_large, "small_records": n_small, "median_s": med,
            "sent_per_s": {w: s_large / med[w, "large"] for w in (1, 2)}, "steady": steady,
            "speedup": med[1, "large"] / med[2, "large"], "steady_speedup": steady[2] / steady[1],
            "same_output": same}


def bench_glossary_io(tmp: Path, size: int, repeats: int, rnd) -> dict:
    from repair.batch.engine import BatchSettings, run_batch
    from repair.batch.record import RecordRepairer
    from repair.config import RepairConfig
    from repair.io.sources import plan_inputs
    from repair.pipeline import Repairer

    src = tmp / "io.jsonl"
    write_big(src, size, rnd)
    nbytes = src.stat().st_size
    config = RepairConfig(use_judge=False, use_model=False)
    rr = RecordRepairer(Repairer(config))
    settings = BatchSettings(config=config, quiet=True)

    def glossary() -> float:
        out = tmp / "io.out.jsonl"
        t = time.perf_counter()
        run_batch(plan_inputs([str(src)], str(out)), settings, output=str(out), repairer=rr)
        return time.perf_counter() - t

    def bare() -> float:
        out = tmp / "io.bare.jsonl"
        t = time.perf_counter()
        with open(src, "rb") as fi, open(out, "wb") as fo:
            for line in fi:
                obj = json.loads(line)
                fo.write(json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n")
        return time.perf_counter() - t

    times = {"glossary": [], "bare": []}
    for r in range(repeats):
        for name, fn in (("glossary", glossary), ("bare", bare)):
            t = fn()
            times[name].append(t)
            log(f"  {name} rep {r + 1}/{repeats}: {nbytes / MB / t:.2f} MB/s")
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"mb": nbytes / MB, "mb_per_s": {k: nbytes / MB / v for k, v in med.items()},
            "ratio": med["glossary"] / med["bare"]}


def bench_memory(tmp: Path, sizes: list[int], repeats: int, rnd) -> dict:
    glossary = tmp / "two-rules.tsv"
    glossary.write_text("fleas\tchips\nIA\tAI\n", encoding="utf-8")
    files = {}
    for size in sizes:
        path = tmp / f"mem-{size // MB}MB.jsonl"
        log(f"  writing {path.name} ...")
        write_big(path, size, rnd)
        files[size] = path
    rss = {s: [] for s in sizes}
    secs = {s: [] for s in sizes}
    try:
        for r in range(repeats):
            for size, path in files.items():
                out = tmp / "mem.out.jsonl"
                mb, seconds = max_rss_mb(repair_cmd(path, "-o", out, "-q", "--no-judge", "--no-default-glossaries",
                                                    "-g", glossary, "--workers", 2))
                rss[size].append(mb)
                secs[size].append(seconds)
                out.unlink(missing_ok=True)
                log(f"  {size // MB} MB rep {r + 1}/{repeats}: max RSS {mb:.0f} MB, {seconds:.1f} s")
    finally:
        for path in files.values():
            path.unlink(missing_ok=True)
    return {s: {"rss_mb": statistics.median(rss[s]), "seconds": statistics.median(secs[s]),
                "mb_per_s": (s / MB) / statistics.median(secs[s])} for s in sizes}


# ------------------------------------------------------------------------------ report
def report(args, w, g, m) -> str:
    small, large = sorted(m)
    med = w["median_s"]
    lines = [
        "| measure | 1 worker | 2 workers | ratio |",
        "|---|---|---|---|",
        f"| full pipeline, `repair fix` wall time, {w['records']:,} records ({w['sentences']:,} sentences) "
        f"| {med[1, 'large']:.1f} s ({w['sent_per_s'][1]:,.0f} sent/s) | {med[2, 'large']:.1f} s "
        f"({w['sent_per_s'][2]:,.0f} sent/s) | {w['speedup']:.2f}x |",
        f"| the same on its first {w['small_records']} records (start-up) | {med[1, 'small']:.1f} s | {med[2, 'small']:.1f} s | |",
        f"| full pipeline, steady state (large minus start-up) | {w['steady'][1]:,.0f} sent/s | "
        f"{w['steady'][2]:,.0f} sent/s | **{w['steady_speedup']:.2f}x** |",
        "",
        "| measure | value | ratio |",
        "|---|---|---|",
        f"| glossary pass (no models), JSONL, {g['mb']:.0f} MB, in process | {g['mb_per_s']['glossary']:.2f} MB/s | |",
        f"| bare JSONL read + `json.loads`/`json.dumps` + write, same file | {g['mb_per_s']['bare']:.1f} MB/s | "
        f"glossary pass costs **{g['ratio']:.0f}x** bare I/O |",
        f"| peak RSS (largest process), {small // MB:,} MB JSONL, 2 workers | {m[small]['rss_mb']:.0f} MB "
        f"({m[small]['mb_per_s']:.1f} MB/s) | |",
        f"| peak RSS (largest process), {large // MB:,} MB JSONL, 2 workers | {m[large]['rss_mb']:.0f} MB "
        f"({m[large]['mb_per_s']:.1f} MB/s) | **{m[large]['rss_mb'] / m[small]['rss_mb']:.2f}x** for "
        f"{large // small}x the input |",
        "",
        f"Outputs of 1 and 2 workers byte-identical: {w['same_output']}.",
    ]
    head = [
        f"command: python bench/bench_batch.py {' '.join(sys.argv[1:])}".rstrip(),
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average at start {args.load} (other work on the machine slows every number here)",
        f"medians of {args.repeats} interleaved repetitions ({args.mem_repeats} for memory)",
        "",
    ]
    return "\n".join(head + lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run (1-2 minutes)")
    ap.add_argument("--records", type=int, help="records in the workers corpus (default 2000; quick 600)")
    ap.add_argument("--io-mb", type=int, help="size of the glossary/I-O file in MB (default 4; quick 1)")
    ap.add_argument("--mem-mb", help="the two memory sizes in MB (default 100,1000; quick 20,100)")
    ap.add_argument("--repeats", type=int, help="interleaved repetitions (default 3)")
    ap.add_argument("--mem-repeats", type=int, help="repetitions of the memory runs (default 1)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    args.records = args.records or (600 if args.quick else 2000)
    args.io_mb = args.io_mb or (1 if args.quick else 4)
    sizes = [int(x) * MB for x in (args.mem_mb or ("20,100" if args.quick else "100,1000")).split(",")]
    args.repeats = args.repeats or 3
    args.mem_repeats = args.mem_repeats or 1
    args.load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    rnd = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as d:
        tmp = Path(d)
        log("1/3 full pipeline, 1 vs 2 workers")
        w = bench_workers(tmp, args.records, args.repeats, rnd)
        log("2/3 glossary pass against bare JSONL I/O")
        g = bench_glossary_io(tmp, args.io_mb * MB, args.repeats, rnd)
        log("3/3 peak memory")
        m = bench_memory(tmp, sizes, args.mem_repeats, rnd)
    print(report(args, w, g, m))


if __name__ == "__main__":
    main()
