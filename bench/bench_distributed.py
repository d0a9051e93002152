#!/usr/bin/env python
"""`repair fix` on Dask against local batch mode, and the numbers a 50-million-article
run is planned from.

Run from the repository root::

    python bench/bench_distributed.py            # about 4-6 minutes on 2 idle cores
    python bench/bench_distributed.py --quick    # a smoke run, about 1-2 minutes

1. **Throughput, records/s** (glossary only: ``--no-model --no-judge``), repetitions
   interleaved (local -j1, local -j2, cluster 1 worker, cluster 2 workers, then again)
   and medians quoted, ratios against local ``--workers 1``:

   - *local -jN*: :func:`repair.fixfiles.fix_files` with ``workers=N``, as ``repair fix
     -o FILE --workers N`` runs it (worker start-up and glossary loading included);
   - *dask N*: :func:`repair.distributed.fix_on_cluster` on an already running
     LocalCluster of N worker processes (one thread each), ``-o FILE`` (chunks streamed
     from this process) and ``-o DIR`` (one task per input file, 4 files); connecting,
     plugin registration and the worker signature check are included, cluster start-up
     is not (it is reported on its own).

   The corpus is "articles" of about 4 kB (the size of the seed article), made by joining
   paragraphs of the dev set, the test cases and the seed article.

2. **Costs per article and per worker**, each in a fresh process: building the Repairer
   (glossary only, default pipeline with the judge, and with the seq2seq post-editor),
   loading the judge's model (it loads lazily, on the first proposal that needs it), the
   mean time per article once loaded (wall and CPU; the judge's cache of window scores is
   cleared before each article, as text repeats much more in this corpus than in real
   news), and the process's peak RSS. These feed the "Scaling" section of README.md.

The report goes to stdout (Markdown), progress to stderr.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
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


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def paragraphs() -> list[str]:
    out = []
    for line in (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(json.loads(line)["source"])
    for name in ("positive.jsonl", "negative.jsonl"):
        for line in (ROOT / "tests" / "cases" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["original"])
    seed = (ROOT / "seeds" / "000_7d1c53471515dc93.txt").read_text(encoding="utf-8")
    out += [p for p in seed.split("\n") if p.strip()]
    return out


def articles(n: int, seed: int = 7, size: int = 4000) -> list[str]:
    rnd = random.Random(seed)
    paras = paragraphs()
    arts = []
    for _ in range(n):
        parts, length = [], 0
        while length < size:
            p = rnd.choice(paras)
            parts.append(p)
            length += len(p) + 2
        arts.append("\n\n".join(parts))
    return arts


def write_jsonl(path: Path, texts: list[str]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for i, t in enumerate(texts):
            fh.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")


# -- 1. throughput ---------------------------------------------------------------------------------
def bench_throughput(tmp: Path, records: int, repeats: int) -> dict:
    from distributed import LocalCluster

    from repair.batch.engine import BatchSettings
    from repair.config import RepairConfig
    from repair.distributed import fix_on_cluster
    from repair.fixfiles import fix_files

    texts = articles(records)
    corpus = tmp / "corpus.jsonl"
    write_jsonl(corpus, texts)
    shards = tmp / "shards"
    shards.mkdir()
    for k in range(4):
        write_jsonl(shards / f"shard-{k}.jsonl", texts[k::4])
    config = RepairConfig(use_model=False, use_judge=False)
    settings = BatchSettings(quiet=True)
    clusters, startup = {}, {}
    for n in (1, 2):
        t = time.perf_counter()
        clusters[n] = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        startup[n] = time.perf_counter() - t
    runs = {
        "local -j1": lambda out: fix_files([str(corpus)], str(out / "o.jsonl"), config=config,
                                           settings=_w(settings, 1)),
        "local -j2": lambda out: fix_files([str(corpus)], str(out / "o.jsonl"), config=config,
                                           settings=_w(settings, 2)),
        "dask 1 worker, -o FILE": lambda out: fix_on_cluster([str(corpus)], str(out / "o.jsonl"),
                                                             scheduler=clusters[1].scheduler_address,
                                                             config=config, settings=settings),
        "dask 2 workers, -o FILE": lambda out: fix_on_cluster([str(corpus)], str(out / "o.jsonl"),
                                                              scheduler=clusters[2].scheduler_address,
                                                              config=config, settings=settings),
        "dask 2 workers, -o DIR (4 parts)": lambda out: fix_on_cluster([str(shards)], str(out / "dir"),
                                                                       scheduler=clusters[2].scheduler_address,
                                                                       config=config, settings=settings),
    }
    times: dict[str, list[float]] = {k: [] for k in runs}
    reference = None
    try:
        for rep in range(repeats):
            for name, run in runs.items():
                out = tmp / f"out-{rep}-{len(times[name])}-{abs(hash(name))}"
                out.mkdir()
                t = time.perf_counter()
                stats = run(out)
                times[name].append(time.perf_counter() - t)
                assert stats.records == records, (name, stats.counts())
                if name.endswith("-o FILE") or name.startswith("local"):
                    data = (out / "o.jsonl").read_bytes()
                    reference = reference or data
                    assert data == reference, f"{name}: output differs from the local run"
                log(f"  rep {rep + 1}/{repeats} {name}: {times[name][-1]:.2f} s")
    finally:
        for c in clusters.values():
            c.close()
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"records": records, "bytes": corpus.stat().st_size, "median_s": med, "times": times,
            "cluster_startup_s": startup}


def _w(settings, n):
    import dataclasses

    return dataclasses.replace(settings, workers=n)


# -- 2. costs ----------------------------------------------------------------------------------------
COST_SCRIPT = r"""
import json, resource, statistics, sys, time
sys.path.insert(0, sys.argv[1])
options = json.loads(sys.argv[2])
texts = [json.loads(x)["text"] for x in open(sys.argv[3], encoding="utf-8")]
from repair.config import RepairConfig
from repair.pipeline import Repairer
t = time.perf_counter()
rr = Repairer(RepairConfig(**options))
build = time.perf_counter() - t
judge = rr.judge
t = time.perf_counter()
if judge is not None:
    judge.scorer  # the judge loads lazily, on the first proposal that needs it: load it now
lazy = time.perf_counter() - t
rr.repair(texts[0])  # warm-up
walls, cpus = [], []
for x in texts[1:]:
    if judge is not None:
        judge.scorer._cache.clear()  # no reuse of window scores across articles: as on unseen text
    t, c = time.perf_counter(), time.process_time()
    rr.repair(x)
    walls.append(time.perf_counter() - t)
    cpus.append(time.process_time() - c)
print(json.dumps({"build_s": build, "lazy_load_s": lazy, "per_article_s": statistics.mean(walls),
                  "cpu_per_article_s": statistics.mean(cpus),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PIPELINES = {
    "glossary only (--no-model --no-judge)": {"use_model": False, "use_judge": False},
    "default (glossary + judge)": {},
    "glossary + post-editor + judge (--model)": {"use_model": True},
}


def bench_costs(tmp: Path, n: int) -> dict:
    corpus = tmp / "costs.jsonl"
    write_jsonl(corpus, articles(n, seed=11))
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", OMP_NUM_THREADS="1")
    out = {}
    for name, options in PIPELINES.items():
        log(f"  costs: {name}")
        res = subprocess.run([sys.executable, "-c", COST_SCRIPT, str(ROOT), json.dumps(options), str(corpus)],
                             capture_output=True, text=True, env=env)
        if res.returncode != 0:
            out[name] = {"error": res.stderr.strip().splitlines()[-1] if res.stderr.strip() else "failed"}
        else:
            out[name] = json.loads(res.stdout.strip().splitlines()[-1])
    return out


def bench_worker_memory(tmp: Path, n: int) -> dict:
    """RSS of one Dask worker process after a run, glossary only and then the default pipeline."""
    import psutil
    from distributed import Client, LocalCluster

    from repair.batch.engine import BatchSettings
    from repair.config import RepairConfig
    from repair.distributed import fix_on_cluster

    corpus = tmp / "memory.jsonl"
    write_jsonl(corpus, articles(n, seed=13))
    out = {}
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as lc, \
            Client(lc) as client:
        out["idle worker"] = list(client.run(lambda: psutil.Process().memory_info().rss).values())[0] / 2**20
        for name, options in (("glossary only", {"use_model": False, "use_judge": False}),
                              ("default (glossary + judge)", {})):
            log(f"  worker memory: {name}")
            fix_on_cluster([str(corpus)], str(tmp / f"mem-{len(out)}.jsonl"), scheduler=lc.scheduler_address,
                           config=RepairConfig(**options), settings=BatchSettings(quiet=True))
            out[name] = list(client.run(lambda: psutil.Process().memory_info().rss).values())[0] / 2**20
    return out


def report(args, thr: dict, costs: dict) -> str:
    lines = [f"# bench_distributed ({'quick' if args.quick else 'full'})", "",
             f"Command: `python bench/bench_distributed.py{''.join(' ' + a for a in sys.argv[1:])}`  ",
             f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}  ",
             f"Load average (1 min) at start / end: {args.load_start:.1f} / {os.getloadavg()[0]:.1f} "
             "(above the CPU count, other work shared the machine: compare within one run only)", ""]
    if thr:
        base = thr["median_s"]["local -j1"]
        lines += [f"## Throughput: {thr['records']:,} articles of ~4 kB ({thr['bytes'] / 1e6:.1f} MB), glossary only, "
                  f"median of {len(thr['times']['local -j1'])} interleaved runs", "",
                  "| mode | median s | records/s | vs local -j1 |", "|---|---:|---:|---:|"]
        for name, s in thr["median_s"].items():
            lines.append(f"| {name} | {s:.2f} | {thr['records'] / s:,.0f} | {base / s:.2f}x |")
        lines += ["", "LocalCluster start-up (not in the runs above): " +
                  ", ".join(f"{n} worker(s) {s:.1f} s" for n, s in thr["cluster_startup_s"].items()), ""]
    if costs:
        lines += ["## Costs per article and per worker process (fresh process each, OMP_NUM_THREADS=1)", "",
                  "| pipeline | build Repairer s | load judge s | per article ms (wall) | "
                  "per article ms (CPU) | peak RSS MB |",
                  "|---|---:|---:|---:|---:|---:|"]
        for name, c in costs.items():
            if name == "worker_memory":
                continue
            if "error" in c:
                lines.append(f"| {name} | failed: {c['error']} | | | | |")
            else:
                lines.append(f"| {name} | {c['build_s']:.2f} | {c['lazy_load_s']:.2f} | {c['per_article_s'] * 1000:.1f} | "
                             f"{c['cpu_per_article_s'] * 1000:.1f} | "
                             f"{c['max_rss_mb']:.0f} |")
        lines.append("")
    if costs.get("worker_memory"):
        lines += ["Dask worker process RSS (one LocalCluster worker, after runs of "
                  f"{args.memory_articles} articles, cumulative): " +
                  ", ".join(f"{k} {v:.0f} MB" for k, v in costs["worker_memory"].items()), ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a smoke run: fewer records and repetitions")
    ap.add_argument("--records", type=int, help="articles in the throughput corpus (default 2000; quick 400)")
    ap.add_argument("--repeats", type=int, help="interleaved repetitions (default 3; quick 2)")
    ap.add_argument("--cost-articles", type=int, help="articles for the per-article costs (default 60; quick 15)")
    ap.add_argument("--no-throughput", action="store_true")
    ap.add_argument("--no-costs", action="store_true")
    ap.add_argument("--json", help="also write the raw numbers here")
    args = ap.parse_args()
    args.load_start = os.getloadavg()[0]
    records = args.records or (400 if args.quick else 2000)
    repeats = args.repeats or (2 if args.quick else 3)
    n_costs = args.cost_articles or (15 if args.quick else 60)
    with tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp:
        tmp = Path(tmp)
        thr = {} if args.no_throughput else bench_throughput(tmp, records, repeats)
        costs = {} if args.no_costs else bench_costs(tmp, n_costs)
        if not args.no_costs:
            args.memory_articles = 8 if args.quick else 30
            costs["worker_memory"] = bench_worker_memory(tmp, args.memory_articles)
    print(report(args, thr, costs))
    if args.json:
        Path(args.json).write_text(json.dumps({"throughput": thr, "costs": costs}, indent=1))


if __name__ == "__main__":
    main()
