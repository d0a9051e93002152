"""Paired bootstrap between stages: shape of the result, and determinism with a seed."""
from __future__ import annotations

import os

import pytest

from repair.evaluation.significance import paired_bootstrap

REFS = [f"The {w} company said its shares rose {n}% on Monday." for n, w in enumerate(
    ["chip", "car", "oil", "steel", "bank", "drug", "food", "media", "phone", "power"] * 2)]
NONE = [r.replace("its shares", "the actions").replace("% on", " % on") for r in REFS]
GLOSSARY = [r.replace("% on", " % on") if i % 3 == 0 else r for i, r in enumerate(REFS)]
SYSTEMS = [("none", NONE), ("glossary", GLOSSARY), ("full", list(GLOSSARY))]


@pytest.fixture(scope="module")
def result():
    return paired_bootstrap(SYSTEMS, REFS, n_samples=200, seed=7)


def test_shape(result):
    assert result["n_samples"] == 200 and result["seed"] == 7 and result["alpha"] == 0.05
    assert set(result["intervals"]) == {"none", "glossary", "full"}
    for per_metric in result["intervals"].values():
        assert set(per_metric) == {"bleu", "chrf", "ter"}
        for v in per_metric.values():
            assert set(v) == {"score", "mean", "ci"} and v["ci"] >= 0
    pairs = [(c["baseline"], c["system"], c["metric"]) for c in result["comparisons"]]
    assert pairs == [(b, s, m) for b, s in [("none", "glossary"), ("none", "full"), ("glossary", "full")]
                     for m in ("bleu", "chrf", "ter")]
    for c in result["comparisons"]:
        assert 0 < c["p_value"] <= 1
        assert c["delta"] == pytest.approx(c["score"] - c["baseline_score"], abs=1e-3)
    for key in ("bleu", "chrf", "ter"):
        assert "bs:200" in result["signatures"][key] and "seed:7" in result["signatures"][key]


def test_real_differences_are_significant_and_identical_outputs_are_not(result):
    by = {(c["baseline"], c["system"], c["metric"]): c for c in result["comparisons"]}
    assert by[("none", "glossary", "ter")]["delta"] < 0 and by[("none", "glossary", "ter")]["significant"]
    assert by[("none", "glossary", "bleu")]["delta"] > 0 and by[("none", "glossary", "bleu")]["significant"]
    same = by[("glossary", "full", "bleu")]
    assert same["identical_outputs"] and same["p_value"] == 1.0 and not same["significant"]


def test_same_seed_same_numbers_and_environment_restored(result, monkeypatch):
    monkeypatch.setenv("SACREBLEU_SEED", "99")
    again = paired_bootstrap(SYSTEMS, REFS, n_samples=200, seed=7)
    assert again == result
    assert os.environ["SACREBLEU_SEED"] == "99"
    other = paired_bootstrap(SYSTEMS, REFS, n_samples=200, seed=8)
    assert other["intervals"] != result["intervals"]
    assert [c["score"] for c in other["comparisons"]] == [c["score"] for c in result["comparisons"]]


def test_one_system_gives_intervals_only():
    one = paired_bootstrap(SYSTEMS[:1], REFS, n_samples=50, seed=1)
    assert set(one["intervals"]) == {"none"} and one["comparisons"] == []
