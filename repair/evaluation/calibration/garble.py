"""Calibrating the garble score's threshold, and measuring how well it separates.

    python -m repair.evaluation.calibration garble [--dev eval/dev.jsonl] [--clean tests/cases/negative.jsonl]

The threshold (:data:`repair.garble.DEFAULT_THRESHOLD`) is the 95th percentile of the
sentence scores of clean news; the AUCs say how well the score separates garbled text from
clean text and from its own reference.
"""
from __future__ import annotations

import json
import math
from typing import Sequence

from ...garble import default_scorer, score_documents


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """Probability that a random positive scores above a random negative (ties count half).

    >>> auc([3, 4], [1, 2]), auc([1], [1])
    (1.0, 0.5)
    """
    pairs = len(positives) * len(negatives)
    if not pairs:
        return math.nan
    wins = sum((p > q) + 0.5 * (p == q) for p in positives for q in negatives)
    return wins / pairs


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated ``q``-th percentile (0-100).

    >>> percentile([1, 2, 3, 4, 5], 50), percentile([1, 2], 95)
    (3.0, 1.95)
    """
    vals = sorted(v for v in values if not math.isnan(v))
    if not vals:
        return math.nan
    pos = (len(vals) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(vals) - 1)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)


def calibrate(dev_path: str = "eval/dev.jsonl", clean_paths: Sequence[str] = ("tests/cases/negative.jsonl",),
              scorer=None) -> dict:
    """The threshold (95th percentile of clean sentences) and AUCs on a dev set."""
    scorer = scorer if scorer is not None else default_scorer()
    dev = [json.loads(line) for line in open(dev_path, encoding="utf-8") if line.strip()]
    clean_texts = [r["source"] for r in dev if r.get("kind") == "clean"]
    for path in clean_paths:
        clean_texts += [json.loads(line)["original"] for line in open(path, encoding="utf-8") if line.strip()]
    garbled = [r for r in dev if r.get("kind") != "clean"]
    clean_reports = score_documents(clean_texts, scorer)
    src = score_documents([r["source"] for r in garbled], scorer)
    ref = score_documents([r["reference"] for r in garbled], scorer)
    dev_clean = clean_reports[:sum(r.get("kind") == "clean" for r in dev)]
    sentence_scores = [s.score for rep in clean_reports for s in rep.sentences]
    threshold = percentile(sentence_scores, 95)
    return {
        "threshold_p95_clean_sentences": round(threshold, 3),
        "clean_sentences": len(sentence_scores),
        "auc_garbled_vs_dev_clean": round(auc([r.score for r in src], [r.score for r in dev_clean]), 4),
        "auc_garbled_vs_all_clean": round(auc([r.score for r in src], [r.score for r in clean_reports]), 4),
        "auc_garbled_vs_references": round(auc([r.score for r in src], [r.score for r in ref]), 4),
        "paired_source_above_reference": round(sum(s.score > r.score for s, r in zip(src, ref)) / len(src), 4),
        "share_above_threshold": {
            "garbled_sources": _share(src, threshold), "references": _share(ref, threshold),
            "clean": _share(clean_reports, threshold)},
    }


def _share(reports, threshold) -> float:
    scores = [s.score for r in reports for s in r.sentences if not math.isnan(s.score)]
    return round(sum(s > threshold for s in scores) / len(scores), 4) if scores else math.nan
