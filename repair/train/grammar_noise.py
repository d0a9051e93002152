"""The grammar families run backwards: clean English damaged the way the EN->FR->EN round
trip damages its grammar, for training the language-model post-editor.

The candidate families (:mod:`repair.families`) repair "a plan of investment", "the AI global
race", "the shares of the company", "fell of 4%", "since two years", "published on Friday
its report", "risks to delay", "The inflation remains high". Each function here makes that
damage on a clean sentence, from the same word lists (``repair/data/families/*.yaml``), and
returns the sentence unchanged when it gives the damage nothing to work on.

>>> import random
>>> possessive("The company's shares fell by 7%.", random.Random(0))
'The shares of the company fell by 7%.'
>>> word_order("China leads the global AI race.", random.Random(0))
'China leads the AI global race.'
>>> time_since("It has been closed for two years.", random.Random(0))
'It has been closed since two years.'
>>> preposition("Sales fell by 4% in March.", random.Random(0))
'Sales fell of 4% in March.'
>>> noun_compound("The government unveiled an investment plan.", random.Random(0))
'The government unveiled a plan of investment.'
"""
from __future__ import annotations

import random
import re
from functools import lru_cache

import yaml

from ..families.lexicon import forms, indefinite_article, pos, verb_lemmas, verb_tags
from ..families.wordlists import DATA_DIR

_COUNT = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|many|a few)"
_UNITS = "years|months|weeks|days|decades|hours"


class _Loader(yaml.SafeLoader):
    """YAML without the 1.1 booleans: the word lists' ``on`` and ``no`` are words."""


_Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != "tag:yaml.org,2002:bool"]
                                   for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


@lru_cache(maxsize=None)
def _data(name: str) -> dict:
    with open(DATA_DIR / f"{name}.yaml", encoding="utf-8") as f:
        return yaml.load(f, Loader=_Loader)


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted({str(w) for w in words}, key=len, reverse=True))


def _article(art: str, next_word: str) -> str:
    """``art`` (a/an/the/...) fitted to the word after it."""
    if art.lower() in ("a", "an"):
        new = indefinite_article(next_word)
        return new.capitalize() if art[:1].isupper() else new
    return art


def _pick(s: str, pattern: re.Pattern, rng: random.Random, make) -> str:
    """Apply ``make(match)`` (None: not applicable) at one random match of ``pattern``."""
    matches = [m for m in pattern.finditer(s)]
    rng.shuffle(matches)
    for m in matches:
        new = make(m)
        if new is not None and new != m.group(0):
            return s[:m.start()] + new + s[m.end():]
    return s


def _is_noun(word: str) -> bool:
    return "NOUN" in pos(word.lower())


# -- POSSESSIVE: "the company's shares" -> "the shares of the company" -------------------------
@lru_cache(maxsize=None)
def _possessive_re() -> re.Pattern:
    d = _data("possessives")
    return re.compile(r"\b(?:(?P<the>[Tt]he) (?P<owner>" + _alt(d["owners"]) + r")|(?P<name>[A-Z][a-z]{2,}))['’]s "
                      r"(?P<head>" + _alt(list(d["name_heads"]) + list(d["person_heads"])) + r")\b")


def possessive(s: str, rng: random.Random) -> str:
    def make(m):
        before, after = s[:m.start()].split()[-1:], s[m.end():].split()[:1]
        if before and before[0][:1].isupper() and m.group("name"):
            return None  # part of a longer name ("The Body Shop's results")
        nxt = after[0].strip(",.;:") if after and after[0][-1:] not in ",.;:" else ""
        if nxt and "NOUN" in pos(nxt) and not (pos(nxt) & {"ADP", "AUX"} or "VBD" in verb_tags(nxt)):
            return None  # a compound goes on ("Audi's sales figures")
        owner = f"the {m.group('owner')}" if m.group("owner") else m.group("name")
        the = "The" if m.start() == 0 else "the"
        return f"{the} {m.group('head')} of {owner}"

    return _pick(s, _possessive_re(), rng, make)


# -- NOUN_COMPOUND: "an investment plan" -> "a plan of investment" ------------------------------
@lru_cache(maxsize=None)
def _compound_tables():
    d = _data("noun_compounds")
    sectors = {str(m["as"]): str(m["of"]) for m in d["sectors"]["modifiers"]}
    topic = re.compile(r"\b(?P<art>[Tt]he|[Aa]n?|[Ii]ts|[Tt]heir) (?P<mod>" + _alt(d["topics"]["modifiers"]) +
                       r") (?P<head>" + _alt(d["topics"]["heads"]) + r")\b(?! of\b)")
    sector = re.compile(r"\b(?P<art>[Tt]he|[Ii]ts|[Tt]heir) (?P<mod>" + _alt(sectors) + r") (?P<head>" +
                        _alt(d["sectors"]["heads"]) + r")\b(?! of\b)")
    units = {str(u["as"]): str(u["of"]) for u in d["measures"]["units"]}
    measure = re.compile(r"\b(?P<art>[Aa]n?|[Tt]he) (?P<n>" + _COUNT[3:-1] + r")-(?P<unit>" + _alt(units) +
                         r") (?P<head>" + _alt(d["measures"]["heads"]) + r")\b")
    age = re.compile(r"\b(?P<art>[Aa]n?) (?P<n>\d+)-year-old (?P<head>" + _alt(d["measures"]["ages"]) + r")\b")
    portfolios = {str(m["as"]): str(m["of"]) for m in d["portfolios"]["modifiers"]}
    portfolio = re.compile(r"\b(?P<art>[Tt]he) (?P<mod>" + _alt(portfolios) + r") (?P<head>minister|ministry)\b")
    return sectors, topic, sector, units, measure, age, portfolios, portfolio


def noun_compound(s: str, rng: random.Random) -> str:
    sectors, topic, sector, units, measure, age, portfolios, portfolio = _compound_tables()
    makers = [
        (topic, lambda m: f"{_article(m.group('art'), m.group('head'))} {m.group('head')} of {m.group('mod')}"),
        (sector, lambda m: f"{m.group('art')} {m.group('head')} of the {sectors[m.group('mod')]}"),
        (measure, lambda m: f"{_article(m.group('art'), m.group('head'))} {m.group('head')} of {m.group('n')} "
                            f"{units[m.group('unit')]}" if m.group("n") not in ("1", "one") else None),
        (age, lambda m: f"{_article(m.group('art'), m.group('head'))} {m.group('head')} of {m.group('n')} years"),
        (portfolio, lambda m: f"{m.group('art')} {m.group('head')} of the {portfolios[m.group('mod')]}"),
    ]
    rng.shuffle(makers)
    for pattern, make in makers:
        t = _pick(s, pattern, rng, make)
        if t != s:
            return t
    return s


# -- WORD_ORDER: "the global AI race" -> "the AI global race" -----------------------------------
@lru_cache(maxsize=None)
def _order_res():
    d = _data("word_order")
    nat = [str(n["adj"]) for n in _data("nationalities")["nationalities"]]
    topic = re.compile(r"\b(?P<art>[Tt]he|[Aa]n?) (?P<adj>" + _alt(d["topic_order"]["adjectives"]) + r") (?P<topic>" +
                       _alt(d["topic_order"]["topics"]) + r") (?P<noun>[a-z]{3,})\b")
    nationality = re.compile(r"\b(?P<art>[Tt]he|[Aa]n?) (?P<nat>" + _alt(nat) + r") (?P<adj>" +
                             _alt(d["classifying_adjectives"]) + r") (?P<noun>[a-z]{3,})\b")
    postposed = re.compile(r"\b(?P<art>[Tt]he|[Aa]n?) (?P<adj>" + _alt(d["postposed"]["adjectives"]) +
                           r") (?P<noun>[a-z]{4,})(?= (?:was|is|will|has|had|of|in|for|on|at)\b|[,.;])")
    return topic, nationality, postposed


def word_order(s: str, rng: random.Random) -> str:
    topic, nationality, postposed = _order_res()
    makers = [
        (topic, lambda m: f"{m.group('art')} {m.group('topic')} {m.group('adj')} {m.group('noun')}"
         if _is_noun(m.group("noun")) else None),
        (nationality, lambda m: f"{m.group('art')} {m.group('adj')} {m.group('nat')} {m.group('noun')}"
         if _is_noun(m.group("noun")) else None),
        (postposed, lambda m: f"{_article(m.group('art'), m.group('noun'))} {m.group('noun')} {m.group('adj')}"
         if pos(m.group("noun")) == frozenset({"NOUN"}) else None),
    ]
    rng.shuffle(makers)
    for pattern, make in makers:
        t = _pick(s, pattern, rng, make)
        if t != s:
            return t
    return s


# -- PREPOSITION: "fell by 4%" -> "fell of 4%", "participate in" -> "participate to" -------------
@lru_cache(maxsize=None)
def _preposition_rules() -> list[tuple[re.Pattern, tuple[str, ...]]]:
    rules = []
    for v in _data("prepositions")["verbs"]:
        lemmas = v["verb"] if isinstance(v["verb"], list) else [v["verb"]]
        right, wrong = str(v.get("right", "")), [str(w) for w in v.get("wrong", [])]
        if v.get("call_on") or v.get("verb_to") or not wrong:
            continue
        words = {f for lemma in lemmas for fs in forms(str(lemma)).values() for f in fs}
        if not words:
            continue
        nxt = v.get("next") or ""
        if right:
            pat = re.compile(r"\b(?P<verb>" + _alt(words) + r") (?P<prep>" + re.escape(right) + r")\b(?=" + nxt + ")")
        else:  # the preposition was dropped in English: "attended the" -> "attended to the"
            pat = re.compile(r"\b(?P<verb>" + _alt(words) + r") (?P<prep>)(?=(?:the|a|an|its|their|his|her) )")
        rules.append((pat, tuple(wrong)))
    # "called on the unions to strike" -> "called the unions to strike"
    calls = {f for fs in forms("call").values() for f in fs}
    rules.append((re.compile(r"\b(?P<verb>" + _alt(calls) + r") (?P<prep>on)(?= (?:the |its |his |her |their )?\w+ to \w)"),
                  ("",)))
    return rules


def preposition(s: str, rng: random.Random) -> str:
    rules = list(_preposition_rules())
    rng.shuffle(rules)
    for pat, wrong in rules:
        def make(m, wrong=wrong):
            if m.group("verb").lower() in ("rising", "falling") and m.start() > 0 and s[m.start() - 2] == "a":
                return None
            w = rng.choice(wrong)
            if not m.group("prep"):
                return f"{m.group('verb')} {w} "
            return f"{m.group('verb')} {w}" if w else m.group("verb")
        t = _pick(s, pat, rng, make)
        if t != s:
            return re.sub(r"  +", " ", t)
    return s


# -- "for two years" -> "since two years" -------------------------------------------------------
_FOR_DURATION = re.compile(r"\b(?P<for>[Ff]or) (?P<d>" + _COUNT + r" (?:" + _UNITS + r")|(?:" + _UNITS + r"))\b(?! ago)")


def time_since(s: str, rng: random.Random) -> str:
    if not re.search(r"\b(?:has|have|had) been\b|\b(?:has|have|had) \w+ed\b", s):
        return s
    return _pick(s, _FOR_DURATION, rng, lambda m: ("Since " if m.group("for") == "For" else "since ") + m.group("d"))


# -- ADVERB_PLACEMENT: "published its report on Friday" -> "published on Friday its report" -----
@lru_cache(maxsize=None)
def _time_re() -> str:
    d = _data("time_phrases")
    macros = {k: v for k, v in d["macros"].items()}
    out = []
    for key in ("past", "dated", "period", "other"):
        for p in d.get(key, []):
            p = str(p)
            for k, v in macros.items():
                p = p.replace("{" + k + "}", v)
            out.append(p)
    return "(?:" + "|".join(out) + ")"


@lru_cache(maxsize=None)
def _adverb_res():
    d = _data("adverb_placement")
    skip = set(map(str, d["intransitive"])) | set(map(str, d["clause_verbs"]))
    move = re.compile(r"\b(?P<verb>[a-z]+ed) (?P<obj>(?:its|the|a|an|their|his|her) (?:[a-z]+ ){0,2}[a-z]+) "
                      r"(?P<time>" + _time_re() + r")(?=[,.;]|$)")
    before = [str(a["word"]) for a in d["adverbs"] if a.get("place") == "before"]
    adverb = re.compile(r"\b(?P<adv>" + _alt(before) + r") (?P<verb>[a-z]+ed) (?P<obj>(?:its|the|a|an|their|his|her) )")
    return skip, move, adverb


def adverb_placement(s: str, rng: random.Random) -> str:
    skip, move, adverb = _adverb_res()

    def transitive_past(verb: str) -> bool:
        return bool(verb_tags(verb) & {"VBD"}) and not any(lemma in skip for lemma in verb_lemmas(verb))

    makers = [
        (move, lambda m: f"{m.group('verb')} {m.group('time')} {m.group('obj')}" if transitive_past(m.group("verb"))
         and not re.search(r"\b(?:of|to|in|with|and|for)\b", m.group("obj")) else None),
        (adverb, lambda m: f"{m.group('verb')} {m.group('adv')} {m.group('obj')}"
         if transitive_past(m.group("verb")) else None),
    ]
    rng.shuffle(makers)
    for pattern, make in makers:
        t = _pick(s, pattern, rng, make)
        if t != s:
            return t
    return s


# -- VERB_PATTERN: "risks delaying" -> "risks to delay"; "resigned yesterday" -> "has resigned yesterday"
@lru_cache(maxsize=None)
def _verb_res():
    d = _data("verb_patterns")
    gerund_forms = {f for lemma in d["gerund_verbs"]["verbs"] for tag, fs in forms(str(lemma)).items()
                    if tag in ("VBZ", "VBD", "VB", "VBP") for f in fs}
    gerund = re.compile(r"\b(?P<verb>" + _alt(gerund_forms) + r") (?P<ing>[a-z]{3,}ing)\b")
    agreed = re.compile(r"\b(?P<verb>agreed|agrees|agree) to (?=[a-z]+ )")
    perfect = re.compile(r"^(?P<subj>(?:The [a-z]+|He|She|It|[A-Z][a-z]+)) (?P<verb>[a-z]+ed) "
                         r"(?P<rest>(?:[a-z]+ ){0,4}?)(?P<time>yesterday|last (?:week|month|year|night)|"
                         r"on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b")
    return gerund, agreed, perfect


def verb_pattern(s: str, rng: random.Random) -> str:
    gerund, agreed, perfect = _verb_res()

    def to_infinitive(m):
        lemmas = verb_lemmas(m.group("ing"))
        if not lemmas or "VBG" not in verb_tags(m.group("ing")):
            return None
        return f"{m.group('verb')} to {lemmas[0]}"

    def has_done(m):
        verb = m.group("verb")
        if not (verb_tags(verb) & {"VBD"}) or not (verb_tags(verb) & {"VBN"}):
            return None
        aux = "have" if m.group("subj").endswith("s") and m.group("subj").startswith("The ") else "has"
        return f"{m.group('subj')} {aux} {verb} {m.group('rest')}{m.group('time')}"

    makers = [(gerund, to_infinitive),
              (agreed, lambda m: {"agreed": "accepted", "agrees": "accepts", "agree": "accept"}[m.group("verb")] + " to "),
              (perfect, has_done)]
    rng.shuffle(makers)
    for pattern, make in makers:
        t = _pick(s, pattern, rng, make)
        if t != s:
            return t
    return s


# -- ARTICLE: "Inflation remains high" -> "The inflation remains high" --------------------------
@lru_cache(maxsize=None)
def _article_res():
    d = _data("articles")
    nat = [str(n["adj"]) for n in _data("nationalities")["nationalities"]]
    abstract = re.compile(r"(?:^|(?<=\bthat )|(?<=\bagainst )|(?<=\bon )|(?<=\band ))(?P<noun>" +
                          _alt([str(n) for n in d["abstract"]["nouns"]] + [str(n).capitalize() for n in d["abstract"]["nouns"]])
                          + r")(?= (?:is|was|has|had|remains|remained|rose|fell|will|would|could|and)\b|[,.])")
    plural = re.compile(r"(?:^|(?<=\bthat )|(?<=\band )|(?<=, )|(?<=\bof )|(?<=\bwhile ))(?P<nat>" + _alt(nat) + r") (?P<noun>" +
                        _alt(d["generic_plurals"]["nouns"]) + r")(?= (?:are|were|have|had|say|said|will|fear|feared|want)\b)")
    return abstract, plural


def article(s: str, rng: random.Random) -> str:
    abstract, plural = _article_res()

    def add_the(m):
        noun = m.group("noun")
        if m.start() == 0:
            return "The " + noun[:1].lower() + noun[1:]
        return "the " + noun

    def the_plural(m):
        the = "The" if m.start() == 0 else "the"
        return f"{the} {m.group('nat')} {m.group('noun')}"

    makers = [(abstract, add_the), (plural, the_plural)]
    rng.shuffle(makers)
    for pattern, make in makers:
        t = _pick(s, pattern, rng, make)
        if t != s:
            return t
    return s


#: name -> function, each the reverse of one grammar family
GRAMMAR_NOISES = {"possessive": possessive, "noun_compound": noun_compound, "word_order": word_order,
                  "preposition": preposition, "time_since": time_since, "adverb_placement": adverb_placement,
                  "verb_pattern": verb_pattern, "article": article}


def grammar_garble(s: str, rng: random.Random) -> tuple[str, tuple[str, ...]]:
    """One applicable grammar damage (tried in random order); returns the text and its name
    (``()`` when none applies)."""
    names = list(GRAMMAR_NOISES)
    rng.shuffle(names)
    for name in names:
        t = GRAMMAR_NOISES[name](s, rng)
        if t != s:
            return t, (name,)
    return s, ()
