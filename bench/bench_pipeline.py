#!/usr/bin/env python
"""Throughput of the pipeline's stages side by side, in sentences per second, per backend:
glossary-only, and for each backend of ``--backends``: glossary + post-editor (no judge),
glossary + judge (``--no-model``), the default pipeline (glossary + judge + post-editor) with and
without the grammar families, and the families' candidate generation alone (their ranking is
the difference).

Run from the repository root::

    python bench/bench_pipeline.py --threads 1        # torch, ct2-float32, ct2 (the default); 5 rounds
    python bench/bench_pipeline.py --rounds 3 --backends torch,ct2-float32 --model PATH

Backends: ``torch`` (transformers float32, the reference), ``ct2`` (CTranslate2 with the
default compute types: the judge in int8 at its margin of 3.0, the post-editor in float32),
``ct2-<compute type>`` (both models in that compute type). All Repairers are built and
warmed up once before timing (model loading is not counted). Each round times every
configuration over the same texts, so all see the same machine load (the rounds
interleave them); the judge's window cache is emptied before each timed run, so no run
profits from an earlier one. Time is the process's CPU time by default (``--clock wall``:
elapsed time): with one thread the work is single-threaded, and on a machine shared with
other jobs CPU time stays steady where wall time does not. The report gives each one's
median sentences per second over the rounds, the ratio to glossary-only, each backend's speed-up over the first backend
for the same configuration, the cost the post-editor adds to the default pipeline, and
the load average of the machine. "Sentences" are those of ``repair.segment.sentence_spans``;
only suspicious sentences reach the post-editor, so their share is printed too.

On a 2-core CPU shared with other jobs, ``--threads 1`` is much faster than 2 (the
threads wait on each other when the cores are oversubscribed).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a source checkout without installing
    sys.path.insert(0, str(ROOT))

from repair.config import DEFAULT_CONFIG  # noqa: E402
from repair.families import propose_all  # noqa: E402
from repair.pipeline import Repairer  # noqa: E402
from repair.segment import sentence_spans  # noqa: E402


def load_texts() -> list[str]:
    dev = (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["source"] for line in dev if line.strip()]
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    texts += [p.read_text(encoding="utf-8") for p in seeds]
    return texts


def run(repairer: Repairer, texts: list[str], clock=time.perf_counter) -> float:
    scorer = getattr(repairer.judge, "_scorer", None)
    if scorer is not None:
        scorer._cache.clear()
    t = clock()
    for text in texts:
        repairer.repair(text)
    return clock() - t


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--model", help="post-editing model directory (default: the built-in model)")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads per model (default 2)")
    ap.add_argument("--batch-size", type=int, default=DEFAULT_CONFIG.batch_size)
    ap.add_argument("--lm", metavar="MODEL", help="also time the LM post-editor (RepairConfig.model: 'lm' or "
                                                   "'lm:DIR'; torch), without and with the judge")
    ap.add_argument("--clock", choices=["cpu", "wall"], default="cpu",
                    help="cpu (default): the process's CPU time, steady on a shared machine (the work is "
                         "single-threaded with --threads 1); wall: elapsed time")
    ap.add_argument("--backends", default="torch,ct2-float32,ct2",
                    help="comma-separated: torch, ct2 (its default compute type), ct2-float32, ct2-int8, ...; "
                         "the first is the reference of the speed-ups")
    args = ap.parse_args(argv)

    os.environ["OMP_NUM_THREADS"] = str(args.threads)  # CTranslate2's threads (repair.lm_backend)
    import torch

    torch.set_num_threads(args.threads)
    texts = load_texts()
    n_sent = sum(len(sentence_spans(t)) for t in texts)
    base = DEFAULT_CONFIG.with_options(model=args.model, batch_size=args.batch_size)
    specs = [s for s in args.backends.split(",") if s]
    configs = {"glossary-only": base.with_options(use_model=False, use_judge=False)}
    for spec in specs:
        backend, _, ct = spec.partition("-")
        b = base.with_options(backend=backend, compute_type=ct or "auto")
        configs.update({f"glossary+model [{spec}]": b.with_options(use_model=True, use_judge=False),
                        f"judge [{spec}]": b.with_options(use_model=False, use_judge=True),
                        f"default [{spec}]": b.with_options(use_model=True, use_judge=True),
                        f"default, no families [{spec}]": b.with_options(use_model=True, use_judge=True,
                                                                          use_families=False)})
    if args.lm:
        configs["glossary+lm [torch]"] = base.with_options(model=args.lm, use_model=True, use_judge=False)
        configs["default+lm [torch]"] = base.with_options(model=args.lm, use_model=True, use_judge=True)
    repairers = {name: Repairer(cfg) for name, cfg in configs.items()}
    for spec in specs:  # one judge model per backend in memory
        repairers[f"judge [{spec}]"].judge = repairers[f"default [{spec}]"].judge
        repairers[f"default, no families [{spec}]"].judge = repairers[f"default [{spec}]"].judge
    full = repairers[f"default [{specs[0]}]"]
    mids = [repairers["glossary-only"].repair(t).text for t in texts]
    n_windows = sum(len(full.postedit.windows(m)) for m in mids)
    suspicious = sum(1 for m in mids for s, e in sentence_spans(m) if full.postedit.windows(m[s:e]))
    for r in repairers.values():  # warm-up: loads every model
        run(r, texts[:3])
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    rates: dict[str, list[float]] = {name: [] for name in repairers}
    rates["family candidates alone"] = []  # repair.families.propose_all on the glossary's output
    loadavg = []
    for _ in range(args.rounds):
        for name, r in repairers.items():
            rates[name].append(n_sent / run(r, texts, clock))
        t = clock()
        for m in mids:
            propose_all(m)
        rates["family candidates alone"].append(n_sent / max(clock() - t, 1e-9))
        loadavg.append(os.getloadavg()[0])
    med = {name: statistics.median(v) for name, v in rates.items()}
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, threads {args.threads}, "
          f"torch {torch.__version__}, model {full.postedit.model_id}, batch {args.batch_size}; "
          f"load average {min(loadavg):.1f}-{max(loadavg):.1f} during the rounds; sentences per "
          f"{'CPU-' if args.clock == 'cpu' else ''}second")
    print(f"# {len(texts)} texts, {n_sent} sentences; {suspicious} suspicious sentences "
          f"({100 * suspicious / n_sent:.0f}%) -> {n_windows} model windows; {args.rounds} interleaved rounds")
    print(f"{'pipeline':<30}{'median sent/s':>14}{'min':>10}{'max':>10}{'glossary-only / it':>20}"
          f"{'speed-up vs ' + specs[0]:>22}")
    for name, v in rates.items():
        ref = name.replace(f"[{name.partition('[')[2][:-1]}]", f"[{specs[0]}]") if "[" in name else name
        print(f"{name:<30}{med[name]:>14.1f}{min(v):>10.1f}{max(v):>10.1f}"
              f"{med['glossary-only'] / med[name]:>19.1f}x{med[name] / med.get(ref, med[name]):>21.2f}x")
    for spec in specs:
        slower = med[f"judge [{spec}]"] / med[f"default [{spec}]"]
        print(f"[{spec}] the post-editor makes the default pipeline {slower:.2f}x slower than glossary + judge "
              f"(--no-model)")
    for spec in specs:
        with_f, without = med[f"default [{spec}]"], med[f"default, no families [{spec}]"]
        ranking = 1000 / with_f - 1000 / without - 1000 / med["family candidates alone"]
        print(f"[{spec}] the families: candidate generation {1000 / med['family candidates alone']:.2f} ms per sentence, "
              f"ranking them with the judge {ranking:.2f} ms per sentence (default with and without families)")
    if args.lm:
        lm = repairers["default+lm [torch]"].postedit
        print(f"the LM post-editor ({lm.model_id}) makes it {med[f'judge [{specs[0]}]'] / med['default+lm [torch]']:.2f}x "
              f"slower than glossary + judge [{specs[0]}]; sentences rewritten by the LM in all: {lm.generated_sentences}")


if __name__ == "__main__":
    main()
