"""WORD_ORDER, general patterns (word_order.yaml):

- ``modifier_order``: a classifying adjective (a nationality, or one of
  ``modifier_order.adjectives``: "global", "electric", "world") after a noun used as a
  modifier: "the rail German network" -> "the German rail network", "the car electric sector"
  -> "the electric car sector", "the cocoa world prices" -> "the world cocoa prices";
- ``number_order``: a number before "next", "first", "last": "the two next years" -> "the next
  two years";
- ``superlative``: "the storm the most violent" -> "the most violent storm";
- ``named``: a vehicle or product noun before its name: "its rocket Starship" -> "its
  Starship rocket".
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon, names, wordlists
from .tokens import Token, tokenize

NAME = "word_order"
DETS = frozenset("the a an its his her their our this that these those".split())
#: determiners before a modifier_order phrase ("that", "those" are as often pronouns)
MODIFIER_DETS = frozenset("the a an its his her their our".split())
#: endings of words that are adjectives more often than nouns ("northern", "industrial")
ADJECTIVE_ENDINGS = ("ern", "al", "ic", "ive", "ous", "ful", "less", "ary", "ible", "able", "ese", "ish", "ian", "ed", "ing")
NUMBERS = frozenset("two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty "
                    "hundred".split())


@lru_cache(maxsize=1)
def _lists():
    doc = wordlists.load(NAME)
    mo = doc["modifier_order"]
    adjs = frozenset(map(str, mo["adjectives"])) | frozenset(names.nationalities())
    return doc, mo, adjs, frozenset(map(str, doc["named"]["nouns"]))


def _modifier_noun(t: Token) -> bool:
    """A lower-case word used as a noun modifier: a noun that is not an adjective."""
    if not t.is_word or t.is_cap or t.lower in DETS or t.text[:1].isdigit() or t.lower in lexicon.DETERMINERS \
            or t.lower in NUMBERS or t.lower in ("other", "same", "own", "next", "last", "first", "only", "very", "whole") \
            or t.lower.endswith(ADJECTIVE_ENDINGS) or "VBZ" in lexicon.verb_tags(t.lower) and not t.lower.endswith("ms"):
        return False
    p = lexicon.pos(t.lower)
    if not p:
        return t.lower.isalpha() and len(t.lower) > 2
    return "NOUN" in p and not p & {"ADJ", "ADV", "ADP", "DET", "PRON", "AUX", "CCONJ"} \
        and "VBD" not in lexicon.verb_tags(t.lower)


def _head_noun(t: Token) -> bool:
    if not t.is_word or t.is_cap:
        return False
    p = lexicon.pos(t.lower)
    return "NOUN" in p and not p & {"ADP", "DET", "PRON", "AUX", "CCONJ"} and "VBD" not in lexicon.verb_tags(t.lower)


def _ends(toks: list[Token], k: int) -> bool:
    """The noun phrase ends before token ``k``."""
    if k >= len(toks):
        return True
    t = toks[k]
    if not t.is_word:
        return t.text not in ("-", "’s", "'s")
    w = t.lower
    if w in lexicon.PREPOSITIONS or w in lexicon.CONJUNCTIONS or w in lexicon.AUXILIARIES \
            or w in ("to", "that", "which", "who", "where", "when"):
        return True
    p = lexicon.pos(w)
    if "NOUN" in p and not lexicon.verb_tags(w) & {"VBD", "VBZ", "VBP"}:
        return False
    return not t.is_cap or not p


def propose_spans(text: str, s0: int, s1: int):
    """(start, end, candidates, origin, pattern) for each general word-order error of the sentence."""
    doc, mo, adjs, named_nouns = _lists()
    toks = tokenize(text, s0, s1)
    out = []
    for i, t in enumerate(toks):
        if t.lower not in DETS:
            continue
        det = t.text
        # modifier_order: DET noun [noun] ADJ noun
        k = i + 1
        mods = []
        while k < len(toks) and len(mods) < 2 and _modifier_noun(toks[k]) \
                and not (mods and toks[k].text in adjs and k + 1 < len(toks) and _head_noun(toks[k + 1])):
            mods.append(toks[k])
            k += 1
        if len(mods) == 2 and lexicon.verb_tags(mods[1].lower):
            mods = []  # "his spokesman blame British intelligence": a verb, not a second modifier
        if mods and t.lower in MODIFIER_DETS and k + 1 < len(toks) and toks[k].text in adjs and _head_noun(toks[k + 1]) and _ends(toks, k + 2) \
                and toks[k + 1].lower not in adjs:
            adj, head = toks[k], toks[k + 1]
            mod_text = text[mods[0].start:mods[-1].end]
            new = f"{_article(det, adj.text)} {adj.text} {mod_text} {head.text}"
            cands = [new]
            if det.lower() == "the" and (head.lower.endswith("s") or adj.lower in ("global", "world", "worldwide")):
                cands.append(new[4:])  # generic: "world cocoa prices"
            origin = wordlists.origin("nationalities", names.nationalities()[adj.text]) if adj.text in names.nationalities() \
                else wordlists.origin(NAME, mo)
            out.append((t.start, head.end, cands, origin, "modifier_order"))
            continue
        # number_order: "the two next years"
        if t.lower == "the" and i + 2 < len(toks) and (toks[i + 1].lower in NUMBERS or toks[i + 1].text.isdigit()) \
                and toks[i + 2].lower in ("next", "first", "last", "previous", "past", "coming", "following"):
            n, order = toks[i + 1], toks[i + 2]
            out.append((n.start, order.end, [f"{order.text} {n.text}"], wordlists.origin(NAME, doc["number_order"]),
                        "number_order"))
            continue
        # superlative: "the storm the most violent"
        if t.lower == "the" and i + 4 < len(toks) and _head_noun(toks[i + 1]) and toks[i + 2].lower == "the" \
                and toks[i + 3].lower in ("most", "least") and lexicon.only(toks[i + 4].lower, "ADJ") and _ends(toks, i + 5):
            head, most, adj = toks[i + 1], toks[i + 3], toks[i + 4]
            out.append((t.start, adj.end, [f"{det} {most.text} {adj.text} {head.text}"],
                        wordlists.origin(NAME, doc["superlative"]), "superlative"))
            continue
        # named: "its rocket Starship"
        from .pronouns import CALENDAR

        if i + 2 < len(toks) and toks[i + 1].lower in named_nouns and toks[i + 2].is_cap and toks[i + 2].is_word \
                and toks[i + 2].text not in CALENDAR \
                and not lexicon.pos(toks[i + 2].lower) and (i + 3 >= len(toks) or not toks[i + 3].is_cap) \
                and _ends(toks, i + 3) and not re.match(r"\s*,", text[toks[i + 2].end:s1]):
            noun, name = toks[i + 1], toks[i + 2]
            out.append((noun.start, name.end, [f"{name.text} {noun.text}"], wordlists.origin(NAME, doc["named"]), "named"))
    return out


def _article(det: str, first: str) -> str:
    if det.lower() in ("a", "an"):
        new = lexicon.indefinite_article(first)
        return new[0].upper() + new[1:] if det[0].isupper() else new
    return det
