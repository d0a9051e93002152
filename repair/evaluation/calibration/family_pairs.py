"""Synthetic error pairs for the grammar families: each family's error made backwards on clean
sentences, so that every pair has a known right repair (the clean sentence).

A *corrupter* takes one sentence of clean news and returns the ways it can be garbled as
the round trip garbles it, one change each, as (start, end, replacement) on the sentence:
"an investment plan" -> "a plan of investment" (NOUN_COMPOUND), "the company's shares" ->
"the shares of the company" (POSSESSIVE), "Teachers went on strike" -> "The teachers went on
strike" (ARTICLE), "said it would" after an organisation -> "said she would" (PRONOUN),
"signed a contract on Monday." -> "signed on Monday a contract." (ADVERB_PLACEMENT), "fell by
5%" -> "fell of 5%" (PREPOSITION), "has led the bank since 2020" -> "leads the bank since
2020" (VERB_PATTERN), "the German rail network" -> "the rail German network" (WORD_ORDER).

The patterns look for the clean form with the same word knowledge the families use
(:mod:`repair.families.lexicon`, the families' word lists), and are deliberately not the
families' own code: a pair tests whether the family finds the error and the judge prefers
the clean sentence, not whether one regex undoes another.

    >>> pairs = list(corruptions("NOUN_COMPOUND", "The government unveiled an investment plan."))
    >>> [s[:a] + r + s[b:] for s, (a, b, r) in [("The government unveiled an investment plan.", p) for p in pairs]]
    ['The government unveiled a plan of investment.']
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Iterator

from ...families import lexicon, names, wordlists
from ...families.compound_of import singular
from ...families.phrases import noun_phrase_end
from ...families.tokens import Token, tokenize

Change = tuple[int, int, str]

NUMBERS = ("two three four five six seven eight nine ten".split())
PLURAL_TO_SING = {"years": "year", "months": "month", "weeks": "week", "days": "day", "hours": "hour"}


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _article(first: str) -> str:
    return lexicon.indefinite_article(first)


@lru_cache(maxsize=1)
def _lists():
    nc = wordlists.load("noun_compounds")
    pos = wordlists.load("possessives")
    pron = wordlists.load("pronouns")
    art = wordlists.load("articles")
    wo = wordlists.load("word_order")
    return {
        "of_heads": frozenset(map(str, nc["of_bare"]["heads"])),
        "not_mods": frozenset(map(str, nc["of_bare"]["not_modifiers"])),
        "owners": frozenset(map(str, pos["owners"])) | frozenset(map(str, pron["org_nouns"])),
        "name_heads": frozenset(map(str, pos["name_heads"])),
        "org_nouns": frozenset(map(str, pron["org_nouns"])),
        "generic": frozenset(map(str, art["generic_subject"]["nouns"])),
        "acronyms": frozenset(map(str, art["acronyms"]["names"])),
        "abstract": frozenset(map(str, art["abstract"]["nouns"])),
        "post_adj": frozenset(map(str, wo["postposed"]["adjectives"])),
        "topics": frozenset(map(str, wo["topic_order"]["topics"])),
        "topic_adj": frozenset(map(str, wo["topic_order"]["adjectives"])),
        "mod_adj": frozenset(map(str, wo["modifier_order"]["adjectives"])),
    }


def _noun(w: str) -> bool:
    p = lexicon.pos(w)
    return "NOUN" in p and not p & {"DET", "ADP", "PRON", "AUX", "CCONJ", "ADV"} and "VBD" not in lexicon.verb_tags(w)


# -- NOUN_COMPOUND: "an investment plan" -> "a plan of investment" ---------------------------------
def noun_compound(s: str) -> Iterator[Change]:
    L = _lists()
    toks = tokenize(s)
    for i in range(len(toks) - 2):
        det, mod, head = toks[i], toks[i + 1], toks[i + 2]
        if det.lower not in ("the", "a", "an", "its", "their", "his", "her"):
            continue
        if head.lower not in L["of_heads"] or mod.is_cap or not mod.is_word or not _noun(mod.lower) or lexicon.can_be(mod.lower, "ADJ"):
            continue
        if mod.lower in L["not_mods"] or i + 3 < len(toks) and toks[i + 3].is_word and _noun(toks[i + 3].lower):
            continue
        if i > 0 and toks[i - 1].is_word and _noun(toks[i - 1].lower):
            continue
        d = det.text
        if d.lower() in ("a", "an"):
            d = _article(head.text)
            d = _cap(d) if det.text[0].isupper() else d
        yield det.start, head.end, f"{d} {head.text} of {mod.text}"
    # measures: "a two-year delay" -> "a delay of two years"
    for m in re.finditer(r"\b(?P<det>[Aa]n?) (?P<num>\d+|" + "|".join(NUMBERS) + r")-(?P<unit>year|month|week|day|hour)"
                         r" (?P<head>[a-z]+)\b", s):
        head = m.group("head")
        if not _noun(head) or head in ("old",):
            continue
        d = _article(head)
        d = _cap(d) if m.group("det")[0].isupper() else d
        yield m.start(), m.end(), f"{d} {head} of {m.group('num')} {m.group('unit')}s"


# -- POSSESSIVE: "the company's shares" -> "the shares of the company" -----------------------------
def possessive(s: str) -> Iterator[Change]:
    L = _lists()
    for m in re.finditer(r"\b(?P<the>[Tt]he) (?P<owner>[a-z]+)(?P<apos>['’])s (?P<head>[a-z]+)\b", s):
        owner, head = m.group("owner"), m.group("head")
        if owner not in L["owners"] or not _noun(head) or head in ("own",):
            continue
        rest = s[m.end():m.end() + 3]
        if re.match(r"\s?[a-z]", rest) and _noun(re.match(r"\s?([a-z]+)", s[m.end():] + " x").group(1)):
            continue  # "the company's share price": the head goes on
        yield m.start(), m.end(), f"{m.group('the')} {head} of the {owner}"
    for m in re.finditer(r"(?<![\w’'-])(?P<owner>[A-Z][a-z]+[A-Za-z]*)(?P<apos>['’])s (?P<head>[a-z]+(?: [a-z]+)?)\b", s):
        owner, head = m.group("owner"), m.group("head")
        first = head.split()[0]
        head = head if head in L["name_heads"] else first
        if head not in L["name_heads"] or lexicon.pos(owner.lower()) or owner in names.nationalities():
            continue
        if m.start() == 0:
            continue
        end = m.start() + len(m.group(0)) - (len(m.group("head")) - len(head))
        yield m.start(), end, f"the {head} of {owner}"


# -- ARTICLE: "Teachers went on strike" -> "The teachers went on strike" ---------------------------
def article(s: str) -> Iterator[Change]:
    L = _lists()
    toks = tokenize(s)
    if len(toks) > 2 and toks[0].is_cap and toks[0].text[1:].islower():
        w = toks[0].lower
        verb = toks[1].lower
        tags = lexicon.verb_tags(verb)
        is_verb = verb in ("are", "were", "have", "had", "will", "would", "could", "can", "may") or (
            tags & {"VBD", "VBP"} and not lexicon.pos(verb) & {"ADJ", "ADP", "DET", "ADV"} and "NOUN" not in lexicon.pos(verb))
        people = w in L["generic"] or (w.endswith("s") and singular(w).endswith(("er", "or", "ist", "ian")) and _noun(w))
        if is_verb and people:
            yield toks[0].start, toks[0].end, f"The {w}"
        if is_verb and w in L["abstract"] and verb not in ("are", "were", "have"):
            yield toks[0].start, toks[0].end, f"The {w}"
    for i, t in enumerate(toks):
        if t.text in L["acronyms"] and i > 0 and toks[i - 1].lower in ("by", "with", "from", "of", "for", "at", "to") \
                and not (i + 1 < len(toks) and toks[i + 1].is_word and (toks[i + 1].is_cap or _noun(toks[i + 1].lower))):
            yield t.start, t.start, "the "
    for m in re.finditer(r"(?<![\w-])(?:(?P<half>half)|(?P<a>a) (?P<frac>third|quarter|fifth|tenth)) of (?=the|its|their)\b", s):
        if m.start() > 0 and s[max(0, m.start() - 4):m.start()].strip().lower() in ("the", "a", "one"):
            continue
        if m.group("half"):
            yield m.start(), m.end("half"), "the half"
        else:
            yield m.start(), m.end("frac"), f"the {m.group('frac')}"


# -- PRONOUN: "Lindt said it would" -> "Lindt said she would" --------------------------------------
def pronoun(s: str) -> Iterator[Change]:
    """"it"/"its" for an organisation named earlier in the sentence, with no person in it ->
    "she"/"her" (French "elle"/"sa" for "la société") or "he"/"his" ("le groupe"); a relative
    "which" after an organisation that opens the sentence -> "who"."""
    from ...families.pronouns import mentions

    L = _lists()
    found = mentions(s, 0, len(s), {})
    if found and not any(m.kind in ("person", "male", "female") for m in found):
        for m in re.finditer(r"(?<![\w’'-])(?P<p>its|it)(?![\w’'-])", s):
            before = [x for x in found if x.end <= m.start()]
            if not before or before[-1].kind != "org" or s[max(0, m.start() - 2):m.start()] in ("“", '"'):
                continue
            nxt = re.match(r"\s+([\w’'-]+)", s[m.end():])
            if m.group("p") == "it":
                if not nxt or not (lexicon.verb_tags(nxt.group(1)) & {"VBD", "VBZ"} or nxt.group(1) in lexicon.MODALS):
                    continue
                yield m.start(), m.end(), "she" if len(before) % 2 else "he"
            else:
                yield m.start(), m.end(), "her" if len(before) % 2 else "his"
    for m in re.finditer(r"(?P<name>\b(?:[A-Z]{2,5}|[Tt]he [a-z]+)), which (?P<verb>[a-z]+)\b", s):
        noun = m.group("name").split()[-1]
        if (noun.isupper() or noun in L["org_nouns"]) and m.start() == 0 and lexicon.verb_tags(m.group("verb")) & {"VBD", "VBZ"}:
            yield m.end("name") + 2, m.end("name") + 7, "who"


# -- ADVERB_PLACEMENT: "signed a contract on Monday." -> "signed on Monday a contract." ----------
TIME = re.compile(r"(?:on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|yesterday|last (?:week|month|year)"
                  r"|this (?:week|month|year))(?=[.,;])")


def adverb_placement(s: str) -> Iterator[Change]:
    toks = tokenize(s)
    intransitive = {str(v) for v in wordlists.load("adverb_placement")["intransitive"]}
    for i, t in enumerate(toks[:-3]):
        w = t.lower
        if not t.is_word or t.is_cap or "VBD" not in lexicon.verb_tags(w) or w in lexicon.AUXILIARIES:
            continue
        if any(l in intransitive for l in lexicon.verb_lemmas(w)) or (i and toks[i - 1].lower in lexicon.BE | lexicon.DETERMINERS):
            continue
        j = i + 1
        if toks[j].lower not in ("the", "a", "an", "its", "their", "his", "her") and not toks[j].text[:1].isdigit():
            continue
        k = noun_phrase_end(toks, j, 6)
        if k <= j + 1 or k >= len(toks):
            continue
        m = TIME.match(s, toks[k].start)
        if not m or s[toks[k - 1].end:toks[k].start] != " ":
            continue
        obj = s[toks[j].start:toks[k - 1].end]
        yield t.start, m.end(), f"{t.text} {m.group()} {obj}"
    # "officially launched its service" -> "launched officially its service"
    for m in re.finditer(r"\b(?P<adv>[a-z]{4,}ly|also|already|still|never|probably) (?P<verb>[a-z]+) (?=(?:the|a|an|its|their|his|her) )", s):
        adv, verb = m.group("adv"), m.group("verb")
        if not lexicon.only(adv, "ADV") or not lexicon.verb_tags(verb) & {"VBD", "VBZ"} or "NOUN" in lexicon.pos(verb):
            continue
        yield m.start(), m.end("verb"), f"{verb} {adv}"


# -- PREPOSITION: "fell by 5%" -> "fell of 5%" ---------------------------------------------------
PREPOSITION_SWAPS = (
    (r"\b(?:rose|fell|dropped|climbed|grew|jumped|declined|increased|decreased|risen|fallen|dropped|gained|lost) (by)(?= [$€£]?\d)", "of"),
    (r"\b(?:participate|participated|participates|participating) (in)\b", "to"),
    (r"\b(?:depend|depends|depended|depending) (on)\b", "of"),
    (r"\b(?:benefit|benefited|benefits|benefiting|benefitted) (from)\b(?! the doubt)", "of"),
    (r"\bresponsible (for)\b", "of"),
    (r"\b(?:recovered|recover|recovers) (from)\b", "of"),
    (r"\b(for)(?= (?:two|three|four|five|six|seven|eight|nine|ten|several|many) (?:years|months|weeks|days)\b(?! of| ago))", "during"),
    (r"\b(?:one|two|three|four|five|six|seven|eight|nine) (out of)(?= ten\b)", "on"),
    (r"\baged( )(?=\d)", " of "),
    (r"\b(?:called|calls|call|calling) (on)(?= (?:the|its|their|all) (?:[a-z]+ )?(?:unions?|workers|members|supporters|voters|citizens|countries|governments?)\b)", ""),
)


def preposition(s: str) -> Iterator[Change]:
    for rx, wrong in PREPOSITION_SWAPS:
        for m in re.finditer(rx, s):
            a, b = m.start(1), m.end(1)
            if wrong == "":
                yield a - 1, b, ""
            elif wrong == " of ":
                yield a, b, wrong
            else:
                yield a, b, wrong


# -- VERB_PATTERN: "has led the bank since 2020" -> "leads the bank since 2020" ------------------
def verb_pattern(s: str) -> Iterator[Change]:
    for m in re.finditer(r"\b(?P<has>has) (?P<vbn>[a-z]+)(?P<obj>(?: [\w’'-]+){0,3}) since (?:19|20)\d\d\b", s):
        vbn = m.group("vbn")
        if "VBN" not in lexicon.verb_tags(vbn) or vbn in ("been", "had", "got") or re.search(r"[,;]", m.group("obj")):
            continue
        lemmas = lexicon.verb_lemmas(vbn)
        vbz = lexicon.inflect(lemmas[0], "VBZ") if lemmas else None
        if vbz:
            yield m.start("has"), m.end("vbn"), vbz
    for m in re.finditer(r"\b(?P<verb>risks|risked|avoided|avoids|considered|considers) (?P<vbg>[a-z]+ing)\b", s):
        vb = lexicon.verb_lemmas(m.group("vbg"))
        if vb and "VBG" in lexicon.verb_tags(m.group("vbg")):
            yield m.start("vbg"), m.end("vbg"), f"to {vb[0]}"
    for m in re.finditer(r"\b(?P<verb>agreed|agrees|agree) (?=to [a-z]+\b)", s):
        tag = "VBD" if m.group("verb") == "agreed" else ("VBZ" if m.group("verb") == "agrees" else "VB")
        yield m.start("verb"), m.end("verb"), lexicon.inflect("accept", tag) or "accepted"
    for m in re.finditer(r"\b(?P<vbd>[a-z]+ed) (?P<when>yesterday|last (?:week|month|year)|on (?:Monday|Tuesday|Wednesday|Thursday|Friday))\b", s):
        vbd = m.group("vbd")
        lemmas = lexicon.verb_lemmas(vbd)
        if not lemmas or "VBD" not in lexicon.verb_tags(vbd) or "ADJ" in lexicon.pos(vbd):
            continue
        prev = s[:m.start()].split()[-1:] or [""]
        if prev[0].lower() in lexicon.AUXILIARIES or prev[0].lower() in lexicon.DETERMINERS or prev[0] in ("", "."):
            continue
        vbn = lexicon.inflect(lemmas[0], "VBN")
        subj_plural = prev[0].lower() in ("they", "we") or prev[0].endswith("s") and not prev[0].endswith("ss")
        if vbn:
            yield m.start("vbd"), m.end("vbd"), f"{'have' if subj_plural else 'has'} {vbn}"


# -- WORD_ORDER: "the German rail network" -> "the rail German network" --------------------------
def word_order(s: str) -> Iterator[Change]:
    L = _lists()
    nats = names.nationalities()
    toks = tokenize(s)
    for i in range(len(toks) - 3):
        det, adj, mod, head = toks[i:i + 4]
        if det.lower not in ("the", "a", "an", "its", "their"):
            continue
        if not (adj.text in nats or adj.text in L["mod_adj"] or adj.text in L["topic_adj"] and mod.text in L["topics"]):
            continue
        if not mod.is_word or not (mod.text in L["topics"] or not mod.is_cap and _noun(mod.lower) and not lexicon.can_be(mod.lower, "ADJ")):
            continue
        if not head.is_word or head.is_cap or not _noun(head.lower):
            continue
        if i + 4 < len(toks) and toks[i + 4].is_word and _noun(toks[i + 4].lower):
            continue
        yield adj.start, mod.end, f"{mod.text} {adj.text}"
    for m in re.finditer(r"\bthe (?P<order>next|first|last|past) (?P<n>two|three|four|five|six|seven|eight|nine|ten|\d+)\b(?!-)", s):
        yield m.start("order"), m.end("n"), f"{m.group('n')} {m.group('order')}"
    for m in re.finditer(r"\b(?P<det>[Aa]n?|[Tt]he) (?P<adj>[a-z]+) (?P<noun>[a-z]+)\b", s):
        adj, noun = m.group("adj"), m.group("noun")
        if adj not in L["post_adj"] or not lexicon.only(adj, "ADJ") or not _noun(noun) or lexicon.can_be(noun, "ADJ"):
            continue
        after = re.match(r"\s*([\w’'-]+|\S)?", s[m.end():])
        nxt = (after.group(1) or "") if after else ""
        if nxt and nxt[0].isalnum() and _noun(nxt.lower()):
            continue
        d = m.group("det")
        if d.lower() in ("a", "an"):
            d2 = _article(noun)
            d = _cap(d2) if d[0].isupper() else d2
        yield m.start(), m.end(), f"{d} {noun} {adj}"


CORRUPTERS: dict[str, Callable[[str], Iterator[Change]]] = {
    "NOUN_COMPOUND": noun_compound,
    "POSSESSIVE": possessive,
    "ARTICLE": article,
    "PRONOUN": pronoun,
    "ADVERB_PLACEMENT": adverb_placement,
    "PREPOSITION": preposition,
    "VERB_PATTERN": verb_pattern,
    "WORD_ORDER": word_order,
}


def corruptions(family: str, sentence: str) -> Iterator[Change]:
    """The changes that garble ``sentence`` as ``family``'s error, one at a time."""
    seen = set()
    for change in CORRUPTERS[family](sentence):
        a, b, r = change
        if sentence[a:b] == r or change in seen:
            continue
        seen.add(change)
        yield change
