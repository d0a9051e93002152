"""NOUN_COMPOUND, general patterns: "N of N" where English puts the second noun first.

- ``of_bare``: a head noun, "of", and a bare singular noun phrase (no determiner) of one or
  two words that ends there: "a knife of kitchen" -> "a kitchen knife", "problems of supply"
  -> "supply problems", "the numbers of social security" -> "the social security numbers" (a
  plural is English as it stands: "a system of tunnels"). Modifiers that English puts after
  "of" as a rule ("the rule of law") are listed in noun_compounds.yaml (``of_bare``:
  ``not_modifiers``).
- ``of_bare_open``: the same with any head noun outside of_bare's list, but those that
  English follows with "of" and a bare noun as a rule ("a lack of funding", "a sign of
  weakness": ``of_bare_open.not_heads``). Both patterns ``need_evidence``: English says
  "imports of beef" as readily as "beef imports", so the pipeline proposes them only near
  round-trip damage (repair.families.with_evidence).
- ``measures`` (any head): "a visit of three days" -> "a three-day visit", "a bridge of 3km"
  -> "a 3km bridge", "holes of 13cm" -> "13cm holes".
- ``places``: a site of a place name: "the factory of Dresden" -> "the Dresden factory".
- ``dated``: an event of a month or a year: "the cyber attack of April" -> "the April cyber attack".
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon, wordlists
from .tokens import Token, capitalise_first, tokenize

NAME = "noun_compounds"
DETS = frozenset("the a an its his her their our this that these those".split())
MONTHS = frozenset("January February March April May June July August September October November December".split())
UNIT_ABBREV = re.compile(r"^(\d+(?:[.,]\d+)?)(km|cm|mm|m|kg|t|MW|GW|kW|mph|km/h|ha|sq ft)$")
#: "because of problems of supply": an "of" that ends a complex preposition
OF_PHRASES = frozenset(("because", "instead", "spite", "terms", "regardless", "ahead", "out", "outside", "inside"))
NUMBER_WORDS = frozenset(("one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty "
                          "fifty sixty hundred").split())


@lru_cache(maxsize=1)
def _lists():
    doc = wordlists.load(NAME)
    ob = doc["of_bare"]
    ob_open = doc.get("of_bare_open") or {}
    if ob_open and not ob_open.get("off"):
        ob = dict(ob, open=ob_open, open_not_heads=frozenset(map(str, ob_open.get("not_heads") or ())))
    return (ob, frozenset(map(str, ob["heads"])), frozenset(map(str, ob["not_modifiers"])),
            doc["measures"], {str(u["of"]): u for u in doc["measures"]["units"]}, doc["places"],
            frozenset(map(str, doc["places"]["heads"])), doc["dated"], frozenset(map(str, doc["dated"]["heads"])),
            frozenset(map(str, doc["measures"]["not_heads"])))


def _noun(w: str) -> bool:
    p = lexicon.pos(w)
    return "NOUN" in p and not p & {"DET", "ADP", "PRON", "AUX", "CCONJ"}


def _only_noun_or_adj(w: str) -> bool:
    p = lexicon.pos(w)
    if not p:  # not in the dictionary: a noun if it looks like one ("buybacks")
        return w.isalpha() and len(w) > 3
    if w in ("worth", "alone", "apart", "ago", "own"):
        return False
    return (bool(p) and not p & {"DET", "ADP", "PRON", "AUX", "CCONJ"} and bool(p & {"NOUN", "ADJ"})
            and not ("ADV" in p and "NOUN" not in p))


def singular(word: str) -> str:
    from lemminflect import getLemma

    if not word.endswith("s") or word.endswith("ss"):
        return word
    got = getLemma(word, "NOUN")
    return got[0] if got else word


def _article(det: str, first: str) -> str:
    d = det.strip()
    if d.lower() in ("a", "an"):
        new = lexicon.indefinite_article(first)
        return capitalise_first(new) if d[0].isupper() else new
    return d


def _phrase_ends(toks: list[Token], k: int) -> bool:
    """Nothing noun-like goes on at token ``k``."""
    if k >= len(toks):
        return True
    t = toks[k]
    if not t.is_word:
        return t.text not in ("-", "’s", "'s", "’", "'")
    w = t.lower
    if t.text[:1].isdigit():
        return False
    if w in ("and", "or", "&"):
        return False
    if w in ("worth", "ago", "alone"):
        return True  # "stages of social and economic development": the phrase goes on
    if w in lexicon.PREPOSITIONS or w in lexicon.CONJUNCTIONS or w in lexicon.AUXILIARIES or w in DETS \
            or w in ("to", "that", "which", "who", "whose", "where", "when", "it", "they", "he", "she"):
        return True
    p = lexicon.pos(w)
    if t.is_cap:
        return False
    if "NOUN" in p and not (lexicon.verb_tags(w) & {"VBD", "VBZ"}) and not p & {"ADV", "ADP"}:
        return False
    return True


def _start(toks: list[Token], h: int) -> tuple[int, str, list[str]] | None:
    """Where the noun phrase of the head at ``h`` starts: (index, determiner, modifiers before
    the head). After a determiner, up to two adjectives or nouns ("the cyber attack"); with no
    determiner (a bare plural or a sentence's first word), adjectives only."""
    k = h - 1
    mods: list[str] = []
    while k >= 0 and len(mods) < 2 and toks[k].is_word and toks[k].lower not in DETS and not toks[k].is_cap \
            and not toks[k].lower.endswith(("’s", "'s", "s’", "s'")) \
            and not toks[k].text[:1].isdigit() and toks[k].lower not in lexicon.PREPOSITIONS \
            and (lexicon.only(toks[k].lower, "ADJ", "NOUN") or not lexicon.pos(toks[k].lower)):
        mods.insert(0, toks[k].text)
        k -= 1
    if k >= 0 and toks[k].lower in DETS:
        return k, toks[k].text, mods
    # no determiner: only adjectives may come before the head
    while mods and not lexicon.only(mods[0].lower(), "ADJ"):
        mods.pop(0)
        k += 1
    if any(not lexicon.only(m.lower(), "ADJ") for m in mods):
        return None
    after_of = k >= 1 and toks[k].lower == "of" and toks[k - 1].lower in OF_PHRASES
    if k >= 0 and not after_of and (toks[k].lower == "of" or toks[k].text in ("’s", "'s") or (toks[k].is_word and "NOUN" in lexicon.pos(toks[k].lower)
                                                                          and not lexicon.verb_tags(toks[k].lower))):
        return None  # "one of the problems of ...", "the firm's problems of ...", a noun before
    if toks[h].lower.endswith("s") or mods or k < 0:  # a bare plural ("problems of supply"), a first word
        return k + 1, "", mods
    return None


def propose_spans(text: str, s0: int, s1: int):
    """(start, end, candidates, origin, pattern) for each general compound in the sentence."""
    ob, of_heads, not_mods, mea, units, places, place_heads, dated, dated_heads, mea_not_heads = _lists()
    toks = tokenize(text, s0, s1)
    out = []
    for i, t in enumerate(toks):
        if t.lower != "of" or i == 0 or i + 1 >= len(toks):
            continue
        h = i - 1
        head = toks[h]
        hw = head.lower
        if not head.is_word or head.is_cap and h > 0 or not (_noun(hw) or hw in of_heads) or len(hw) < 3:
            continue
        begin = _start(toks, h)
        if begin is None:
            continue
        b, det, adjs = begin
        if b > 1 and toks[b - 1].lower == "of" and det.lower() not in ("its", "his", "her", "their", "our") \
                and toks[b - 2].lower not in OF_PHRASES:
            continue  # "the members of the committee of ...": the head is itself an of-complement
        nxt = toks[i + 1]
        n_adj = 0  # adjectives stay first: "the new plan of renovation" -> "the new renovation plan"
        while n_adj < len(adjs) and ("ADJ" in lexicon.pos(adjs[n_adj].lower()) or "-" in adjs[n_adj]):
            n_adj += 1
        if any(a.lower() in ("great", "good", "former", "ex", "future", "then") for a in adjs):
            continue  # "a great deal of", "a former minister of": not a compound
        pre = " ".join(adjs[:n_adj] + [""]) if n_adj else ""
        head_text = " ".join(adjs[n_adj:] + [head.text])
        # -- measures: "a visit of three days", "a bridge of 3km"
        got = _measure(toks, i + 1, units)
        if got is not None and hw not in mea_not_heads and (det.lower() in ("a", "an") or (not det and hw.endswith("s"))):
            compound, end_k, item = got
            if _phrase_ends(toks, end_k) and not (end_k < len(toks) and toks[end_k].lower in ("ago", "old", "later", "earlier")):
                phrase = f"{pre}{compound} {head_text}"
                new = f"{_article(det, phrase)} {phrase}" if det else phrase
                out.append((toks[b].start, toks[end_k - 1].end, [new], wordlists.origin(NAME, item), "measures"))
            continue
        if nxt.is_cap and nxt.is_word:
            # -- places: "the factory of Dresden"; dated: "the cyber attack of April"
            if det.lower() != "the":
                continue
            end_k = i + 2
            if nxt.text in MONTHS and hw in dated_heads and _phrase_ends(toks, end_k):
                phrase = f"{pre}{nxt.text} {head_text}"
                out.append((toks[b].start, nxt.end, [f"{det} {phrase}"], wordlists.origin(NAME, dated), "dated"))
            elif hw in place_heads and not lexicon.pos(nxt.lower) and _phrase_ends(toks, end_k) \
                    and not (end_k < len(toks) and toks[end_k].text in ("’s", "'s", "-")):
                phrase = f"{pre}{nxt.text} {head_text}"
                out.append((toks[b].start, nxt.end, [f"{det} {phrase}"], wordlists.origin(NAME, places), "places"))
            continue
        if nxt.text[:1].isdigit() and len(nxt.text) == 4 and nxt.text.isdigit() and hw in dated_heads and det.lower() == "the":
            if _phrase_ends(toks, i + 2):
                phrase = f"{pre}{nxt.text} {head_text}"
                out.append((toks[b].start, nxt.end, [f"{det} {phrase}"], wordlists.origin(NAME, dated), "dated"))
            continue
        # -- of_bare: "a knife of kitchen", "problems of supply" (the pipeline proposes it only in
        # text with round-trip evidence); of_bare_open: any other head noun but those it lists
        if ob.get("off"):
            continue
        kind, section = "of_bare", ob
        if hw not in of_heads:
            if "open" not in ob or hw in ob["open_not_heads"] or not _noun(hw) or hw in lexicon.PREPOSITIONS:
                continue
            kind, section = "of_bare_open", ob["open"]
        mods = []
        k = i + 1
        while k < len(toks) and len(mods) < 2 and not (mods and "VBD" in lexicon.verb_tags(toks[k].lower)) \
                and toks[k].is_word and not toks[k].is_cap and _only_noun_or_adj(toks[k].lower) \
                and toks[k].lower not in lexicon.DETERMINERS and not toks[k].text[:1].isdigit() \
                and toks[k].lower not in NUMBER_WORDS and toks[k].lower not in ("million", "billion", "trillion", "thousand") \
                and toks[k].lower not in lexicon.PREPOSITIONS and toks[k].lower not in ("up", "down", "out", "off", "how", "what"):
            mods.append(toks[k])
            k += 1
        if not mods or not _phrase_ends(toks, k):
            continue
        if k + 1 < len(toks) and toks[k].lower == "of" and (toks[k + 1].text[:1].isdigit() or toks[k + 1].text in "$€£"
                                                             or toks[k + 1].lower in ("up", "about", "around", "nearly")):
            continue  # "a rise of salary of 4%": the amount belongs in the compound too ("a 4% pay rise")
        last = mods[-1].lower
        if not (_noun(last) or not lexicon.pos(last)) or last in not_mods or any(m.lower in not_mods for m in mods[:1]):
            continue
        if len(mods) == 1 and lexicon.only(mods[0].lower, "ADJ"):
            continue
        if lexicon.verb_tags(last) & {"VBG"} and "NOUN" not in lexicon.pos(last):
            continue
        if last.endswith("s") and singular(last) != last:
            continue  # a plural after "of" is English as it stands ("a system of tunnels", "sales of fireworks")
        words = [m.text for m in mods]
        sing = words[:-1] + [singular(words[-1])]
        cands = []
        for ws in (sing, words):
            phrase = f"{pre}{' '.join(ws)} {head_text}"
            cands.append(f"{_article(det, phrase)} {phrase}" if det else phrase)
        out.append((toks[b].start, mods[-1].end, cands, wordlists.origin(NAME, section), kind))
    return out


def _measure(toks: list[Token], k: int, units: dict):
    """A measure at token ``k``: ("three-day", end index, unit entry) or None."""
    if k >= len(toks):
        return None
    t = toks[k]
    m = UNIT_ABBREV.match(t.text)
    if m:
        return t.text, k + 1, units.get("km") or next(iter(units.values()))
    w = t.lower
    num = t.text if re.fullmatch(r"\d+(?:[.,]\d+)?", t.text) else (w if w in NUMBER_WORDS else None)
    if num is None or k + 1 >= len(toks):
        return None
    unit = toks[k + 1].lower
    if unit not in units:
        return None
    item = units[unit]
    return f"{num}-{item['as']}", k + 2, item
