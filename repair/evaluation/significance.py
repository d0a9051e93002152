"""Paired bootstrap resampling between stages, with 95% confidence intervals (sacrebleu).

sacrebleu's :class:`~sacrebleu.significance.PairedTest` resamples the segments (the same
resamples for every system) and recomputes BLEU, chrF and TER from their sufficient
statistics, as Moses' ``bootstrap-hypothesis-difference-significance.pl`` does. Its seed
comes from the ``SACREBLEU_SEED`` environment variable, which is set for the duration of
a call, so that a given ``seed`` always gives the same p-values and intervals.
"""
from __future__ import annotations

import contextlib
import os
from typing import Iterator, Sequence

from sacrebleu.significance import PairedTest

from .metrics import Scorer

METRIC_KEYS = {"BLEU": "bleu", "chrF2": "chrf", "TER": "ter"}
DEFAULT_SEED = 12345  # sacrebleu's own default
ALPHA = 0.05


@contextlib.contextmanager
def _sacrebleu_seed(seed: int) -> Iterator[None]:
    old = os.environ.get("SACREBLEU_SEED")
    os.environ["SACREBLEU_SEED"] = str(int(seed))
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SACREBLEU_SEED", None)
        else:
            os.environ["SACREBLEU_SEED"] = old


def paired_bootstrap(systems: Sequence[tuple[str, Sequence[str]]], references: Sequence[str],
                     n_samples: int = 1000, seed: int = DEFAULT_SEED, case_sensitive_ter: bool = True,
                     scorer: Scorer | None = None, more_references: Sequence[Sequence[str]] = ()) -> dict:
    """Compare every pair of ``systems`` (name, hypotheses) on ``references``.

    Returns ``intervals`` (per system and metric: score, bootstrap mean and the half-width
    of the 95% confidence interval), ``comparisons`` (per ordered pair ``baseline`` before
    ``system`` and metric: both scores, the difference and its p-value) and the metrics'
    signatures with the seed and the number of resamples.

    Two systems with identical outputs get p-value 1.0 (sacrebleu's test would report
    its smallest p-value for a zero difference). ``scorer`` lends its statistics cache.
    ``more_references``: further reference streams, as sacrebleu takes several.
    """
    if len(systems) < 1:
        raise ValueError("no systems to compare")
    if n_samples < 1:
        raise ValueError("n_samples must be at least 1")
    refs = [list(references), *(list(r) for r in more_references)]
    scorer = scorer or Scorer(case_sensitive_ter)
    outputs = {name: list(hyps) for name, hyps in systems}
    intervals: dict[str, dict] = {}
    comparisons: list[dict] = []
    signatures: dict[str, str] = {}
    with _sacrebleu_seed(seed):
        for b in range(max(1, len(systems) - 1)):
            named = [(name, list(hyps)) for name, hyps in systems[b:]]
            if len(named) == 1:  # one system: intervals only, compared with itself
                named = named * 2
            test = PairedTest(named, scorer.metrics(), refs, test_type="bs", n_samples=n_samples)
            sigs, scores = test()
            for metric_name, results in scores.items():
                if metric_name == "System":
                    continue
                key = METRIC_KEYS.get(metric_name, metric_name.lower())
                signatures.setdefault(key, str(sigs[metric_name]))
                base = results[0]
                if b == 0:
                    for (name, _), res in zip(named[: len(systems)], results):
                        intervals.setdefault(name, {})[key] = {
                            "score": round(res.score, 4), "mean": round(float(res.mean), 4),
                            "ci": round(float(res.ci), 4)}
                if len(systems) == 1:
                    continue
                for (name, _), res in zip(named[1:], results[1:]):
                    same = outputs[name] == outputs[named[0][0]]
                    p_value = 1.0 if same else float(res.p_value)
                    comparisons.append({
                        "baseline": named[0][0], "system": name, "metric": key,
                        "baseline_score": round(base.score, 4), "score": round(res.score, 4),
                        "delta": round(res.score - base.score, 4), "p_value": round(p_value, 4),
                        "significant": bool(p_value < ALPHA), "identical_outputs": same})
    order = {"bleu": 0, "chrf": 1, "ter": 2}
    names = [n for n, _ in systems]
    comparisons.sort(key=lambda c: (names.index(c["baseline"]), names.index(c["system"]), order.get(c["metric"], 9)))
    return {"test": "paired bootstrap resampling (sacrebleu)", "n_samples": n_samples, "seed": seed,
            "alpha": ALPHA, "signatures": signatures, "intervals": intervals, "comparisons": comparisons}
