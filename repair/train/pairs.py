"""Training pairs (model input, clean target), the eSCAPE way: clean text, damaged
synthetically, then passed through the glossary pre-pass exactly as at repair time, so the
model learns what the glossary leaves to it.

Mix (fractions of the pairs written): about 40% copies (input already clean), the rest
damaged by :mod:`repair.train.noise` and by partial Apertium round trips (some of the
word-level changes Apertium's EN->ES->FR->ES->EN round trip makes, so edits stay minimal).
Pairs whose damage is too large (chrF below ``min_chrf``, length ratio out of bounds) are
dropped.
"""
from __future__ import annotations

import difflib
import json
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from . import apertium, noise
from .corpus import training_sentences


@dataclass(frozen=True)
class PairOptions:
    copy_share: float = 0.4
    apertium_share: float = 0.12  # of the damaged pairs, when apertium is installed
    min_chrf: float = 55.0
    max_len_ratio: float = 1.4
    max_sentences: int | None = None
    passes: int = 3  # each pass damages every sentence afresh (another seed)
    # add every training sentence that uses a round-trip marker in its true sense ("civil
    # society", "military actions", "food prices", "her" for a woman) as a copy pair, so the
    # model learns that the marker alone is no reason to edit
    hard_negatives: bool = False
    seed: int = 0


def partial_round_trip(clean: str, trip: str, rng: random.Random, max_changes: int = 2) -> str:
    """Apply some of the word-level replacements that turn ``clean`` into ``trip``.

    >>> partial_round_trip("The lawyers said it to them.", "The advocates said it at them.", random.Random(0), 1)
    'The lawyers said it at them.'
    """
    a, b = clean.split(" "), trip.split(" ")
    ops = [op for op in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
           if op[0] == "replace" and (op[2] - op[1]) <= 2 and (op[4] - op[3]) <= 3
           and not any(_name_like(w) for w in a[op[1]:op[2]] + b[op[3]:op[4]])]
    if not ops:
        return clean
    chosen = sorted(rng.sample(ops, min(len(ops), rng.randint(1, max_changes))), key=lambda o: o[1])
    out: list[str] = []
    pos = 0
    for _, i1, i2, j1, j2 in chosen:
        out += a[pos:i1] + b[j1:j2]
        pos = i2
    out += a[pos:]
    return " ".join(w for w in out if w)


def _name_like(w: str) -> bool:
    """Names, numbers and quotes are not the kind of damage the model should learn to undo."""
    return any(c.isdigit() or c in "\"“”'’" for c in w) or w[:1].isupper()


def acceptable(src: str, tgt: str, opts: PairOptions) -> bool:
    import sacrebleu

    if src == tgt:
        return True
    ratio = len(src) / max(1, len(tgt))
    if not (1 / opts.max_len_ratio <= ratio <= opts.max_len_ratio):
        return False
    return sacrebleu.sentence_chrf(src, [tgt]).score >= opts.min_chrf


def _glossary():
    from ..config import DEFAULT_CONFIG
    from ..pipeline import Repairer

    # the glossary pass alone, as at repair time without the judge (deterministic, no LM)
    return Repairer(DEFAULT_CONFIG.with_options(use_model=False, use_judge=False))


def make_pairs(sentences: list[str], opts: PairOptions, use_apertium: bool = True) -> tuple[list[dict], Counter]:
    rng = random.Random(opts.seed)
    repairer = _glossary()
    stats: Counter = Counter()
    damaged: list[tuple[str, str, tuple[str, ...]]] = []
    copies: list[str] = []
    ap_idx: list[int] = []
    for i, s in enumerate(sentences):
        if rng.random() < opts.copy_share:
            copies.append(s)
            continue
        if use_apertium and rng.random() < opts.apertium_share:
            ap_idx.append(i)
            continue
        for _ in range(3):
            g, names = noise.garble(s, rng)
            if names:
                damaged.append((g, s, names))
                break
        else:
            copies.append(s)
    if ap_idx:
        trips = []
        for k in range(0, len(ap_idx), 2000):
            chunk = [sentences[i] for i in ap_idx[k:k + 2000]]
            trips += apertium.round_trip(chunk)
        for i, t in zip(ap_idx, trips):
            s = sentences[i]
            g = partial_round_trip(s, t, rng)
            if g != s:
                damaged.append((g, s, ("apertium",)))
    # keep the copy share
    n_copy = int(len(damaged) * opts.copy_share / (1 - opts.copy_share))
    rng.shuffle(copies)
    pairs: list[dict] = []
    for src, tgt, names in damaged:
        src = repairer.repair(src).text
        if not acceptable(src, tgt, opts):
            stats["dropped_divergent"] += 1
            continue
        if src == tgt:
            stats["fixed_by_glossary"] += 1
        for n in names:
            stats[f"noise:{n}"] += 1
        stats["damaged"] += 1
        pairs.append({"src": src, "tgt": tgt, "noise": list(names)})
    for s in copies[:n_copy]:
        src = repairer.repair(s).text
        stats["copy"] += 1
        pairs.append({"src": src, "tgt": s, "noise": []})
    if opts.hard_negatives:
        marker = _marker_regex()
        for s in sentences:
            if marker.search(s):
                pairs.append({"src": repairer.repair(s).text, "tgt": s, "noise": ["hard_negative"]})
                stats["hard_negative"] += 1
    rng.shuffle(pairs)
    stats["pairs"] = len(pairs)
    return pairs, stats


def _marker_regex():
    import re

    phrases = sorted((m for m in noise.MARKERS if m.upper() not in noise.ACRONYMS.values()), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in phrases + ["her"]) + r")(?![\w-])",
                      re.IGNORECASE)


def write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    tmp.replace(path)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def build(work: Path, sources: tuple[str, ...], opts: PairOptions, use_apertium: bool = True,
          log=print) -> tuple[Path, Path]:
    """Write ``train.jsonl`` and ``valid.jsonl`` under ``work`` (reused when present with the
    same options) and return their paths."""
    work = Path(work)
    stamp = json.dumps({"sources": sources, "opts": opts.__dict__, "apertium": use_apertium}, sort_keys=True)
    train_p, valid_p, stamp_p = work / "train.jsonl", work / "valid.jsonl", work / "pairs.options.json"
    if train_p.exists() and valid_p.exists() and stamp_p.exists() and stamp_p.read_text() == stamp:
        log(f"reusing pairs in {work}")
        return train_p, valid_p
    use_apertium = use_apertium and apertium.available()
    tr = list(training_sentences(sources, held_out=False))
    va = list(training_sentences(sources, held_out=True))
    if opts.max_sentences:
        random.Random(opts.seed).shuffle(tr)
        tr = tr[:opts.max_sentences]
        va = va[:max(50, opts.max_sentences // 20)]
    log(f"{len(tr)} training sentences, {len(va)} held-out sentences from {', '.join(sources)}")
    train_pairs: list[dict] = []
    tstats: Counter = Counter()
    for k in range(max(1, opts.passes)):
        p, st = make_pairs(tr, PairOptions(**{**opts.__dict__, "seed": opts.seed + 1000 * (k + 1)}), use_apertium)
        train_pairs += p
        tstats += st
        log(f"pass {k + 1}: {len(p)} pairs")
    random.Random(opts.seed).shuffle(train_pairs)
    valid_pairs, vstats = make_pairs(va, PairOptions(**{**opts.__dict__, "seed": opts.seed + 1}), use_apertium)
    write_jsonl(train_p, train_pairs)
    write_jsonl(valid_p, valid_pairs)
    (work / "pairs.stats.json").write_text(json.dumps({"train": tstats, "valid": vstats}, indent=1))
    stamp_p.write_text(stamp)
    log(f"train pairs: {dict(tstats)}")
    log(f"valid pairs: {dict(vstats)}")
    return train_p, valid_p
