"""NOUN_COMPOUND: "N of N" calques where English makes a compound noun.

Five patterns, each a section of noun_compounds.yaml:

- sectors: "the industry of the automobile" -> "the car industry";
- portfolios: "the minister of the Interior" -> "the interior minister";
- measures: "a delay of two years" -> "a two-year delay", "a man of 45 years" -> "a 45-year-old man";
- quantities: "the barrier of 10,000 points" -> "the 10,000-point barrier", "the threshold of
  1.5C" -> "the 1.5C threshold" (a threshold only with a temperature);
- topics: "a plan of investment" -> "an investment plan" (a head noun of the list, "of", a
  modifier of the list with no article, and no noun after it);
- eras: "the restrictions of the Biden era" -> "the Biden-era restrictions".
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon, wordlists
from .proposal import make
from .tokens import capitalise_first, sentence_case, sentences

FAMILY = "NOUN_COMPOUND"
NAME = "noun_compounds"
DET = r"(?P<det>\b(?:[Tt]he|[Aa]n?|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur|[Tt]his|[Tt]hat) )"
NUMBER_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
                "hundred").split()
NUMBER = r"(?:\d+(?:[.,]\d+)?|(?:" + "|".join(NUMBER_WORDS) + r")(?:-(?:one|two|three|four|five|six|seven|eight|nine))?)"
TEMPERATURE = r"\d(?:[\d.]*\d)?\s?(?:°C|°F|C|F|degrees(?: Celsius)?)"
QUANTITY = r"(?:[$€£]\s?\d(?:[\d,.]*\d)?(?:\s?(?:bn|m|billion|million|trillion))?|\d(?:[\d,.]*\d)?(?:\s?(?:%|°C|C|per cent|points|dollars|euros|pounds|barrels|degrees))?)"


def _alt(words) -> str:
    return "|".join(re.escape(str(w)) for w in sorted(set(map(str, words)), key=len, reverse=True))


def _det(det: str, head_words: str) -> str:
    """The determiner before the new compound: "a"/"an" chosen again, case kept."""
    d = det.strip()
    if d.lower() in ("a", "an"):
        new = lexicon.indefinite_article(head_words.split()[0])
        return capitalise_first(new) if d[0].isupper() else new
    return d


@lru_cache(maxsize=1)
def _patterns():
    doc = wordlists.load(NAME)
    pats = []
    # sectors
    sec = doc["sectors"]
    mods = {str(m["of"]): m for m in sec["modifiers"]}
    rx = re.compile(r"\b(?P<the>[Tt]he )(?P<head>" + _alt(sec["heads"]) + r") of (?:the )?(?P<mod>" + _alt(mods)
                    + r")(?![\w-])(?! (?:of|and|to)\b)")
    pats.append(("sectors", rx, mods, sec))
    # portfolios
    por = doc["portfolios"]
    pmods = {str(m["of"]): m for m in por["modifiers"]}
    # "the Minister of the Interior", "the Ministry of Defence": a capitalised title is English
    rx = re.compile(r"\b(?P<the>[Tt]he )(?P<head>(?:minister|ministry) of (?:the )?)(?P<mod>"
                    + _alt(pmods) + r")(?![\w-])(?! (?:and|of)\b)")
    pats.append(("portfolios", rx, pmods, por))
    # measures
    mea = doc["measures"]
    units = {str(u["of"]): u for u in mea["units"]}
    rx = re.compile(DET + r"(?P<head>" + _alt(list(mea["heads"]) + list(mea["ages"])) + r") of (?P<num>" + NUMBER
                    + r") (?P<unit>" + _alt(units) + r")(?![\w-])(?! (?:ago|old|of|and)\b)")
    pats.append(("measures", rx, units, mea))
    # quantities
    qua = doc["quantities"]
    rx = re.compile(r"\b(?P<det>[Tt]he )(?:(?P<head>" + _alt(qua["heads"]) + r") of (?P<num>" + QUANTITY + r")|(?P<thead>"
                    + _alt(qua["temperature_heads"]) + r") of (?P<temp>" + TEMPERATURE + r"))(?![\w-])")
    pats.append(("quantities", rx, None, qua))
    # topics
    top = doc["topics"]
    rx = re.compile(DET + r"(?P<pre>(?:new|major|big|huge|vast|large|national|global|European|international) )?"
                    r"(?P<head>" + _alt(top["heads"]) + r") of (?P<mod>" + _alt(top["modifiers"]) + r")(?![\w-])")
    pats.append(("topics", rx, {str(m): m for m in top["modifiers"]}, top))
    # eras
    era = doc["eras"]
    rx = re.compile(r"\b(?P<det>[Tt]he )(?P<head>" + _alt(era["heads"]) + r") of the (?P<name>[A-Z][\w’'-]+) era\b")
    pats.append(("eras", rx, None, era))
    return pats


def _origin(section: dict, item) -> str:
    return wordlists.origin(NAME, item if item is not None else section)


def propose(text: str, spans: list[tuple[int, int]] | None = None) -> list:
    from . import compound_of

    out = []
    for s0, s1 in sentences(text, spans):
        mine = []
        for kind, rx, table, section in _patterns():
            for m in rx.finditer(text, s0, s1):
                cands, item = _candidates(kind, m, table, text, s1)
                if not cands:
                    continue
                start = m.start()
                if text[start].isupper():
                    cands = [capitalise_first(c) for c in cands]
                p = make(FAMILY, text, start, m.end(), cands, _origin(section, item), (s0, s1), pattern=kind)
                if p:
                    mine.append(p)
        for start, end, cands, origin, kind in compound_of.propose_spans(text, s0, s1):
            if any(p.start < end and start < p.end for p in mine):
                continue  # a listed pattern already proposes here
            cands = [sentence_case(text[start:end], c, start == s0) for c in cands]
            if text[start].isupper():
                cands = [capitalise_first(c) for c in cands]
            p = make(FAMILY, text, start, end, cands, origin, (s0, s1), pattern=kind)
            if p:
                mine.append(p)
        out.extend(mine)
    return out


def _after_ok(text: str, end: int, s1: int) -> bool:
    """What follows the match is not a noun going on with it ("plan of investment banks")."""
    if re.match(r" of (?:up to |about |around |nearly |almost |more than )?[$€£]?\d", text[end:s1]):
        return False  # "a plan of aid of €400m": the amount belongs in the compound too ("a €400m aid plan")
    m = re.match(r" ([A-Za-z-]+)", text[end:s1])
    if not m:
        return True
    w = m.group(1)
    p = lexicon.pos(w)
    return "NOUN" not in p or bool(p & {"ADJ", "ADV", "ADP", "DET", "AUX", "PRON", "CCONJ"}) or bool(lexicon.verb_tags(w) & {"VBD"})


def _candidates(kind: str, m: re.Match, table, text: str, s1: int):
    g = m.groupdict()
    if kind == "sectors":
        item = table[g["mod"]]
        head = g["head"]
        alts = [str(item["as"])] + [str(a) for a in item.get("alternatives") or []]
        return [f"the {a} {head}" for a in alts], item
    if kind == "portfolios":
        item = table[g["mod"]]
        head = g["head"].split()[0]
        mod = str(item["as"])
        alts = [mod] + [str(a) for a in item.get("alternatives") or []]
        if head[0].isupper():
            alts = [" ".join(w.capitalize() for w in a.split()) for a in alts]
        return [f"the {a} {head}" for a in alts], item
    if kind == "measures":
        item = table[g["unit"]]
        unit = str(item["as"])
        ages = {str(a) for a in wordlists.load(NAME)["measures"]["ages"]}
        head = g["head"]
        num = g["num"]
        if head in ages:
            if unit != "year":
                return [], item
            compounds = [f"{num}-year-old"]
        else:
            compounds = [f"{num}-{unit}"] + [f"{num}-{a}" for a in item.get("alternatives") or []]
        return [f"{_det(g['det'], c)} {c} {head}" for c in compounds], item
    if kind == "quantities":
        num = g["num"] or g["temp"]
        head = g["head"] or g["thead"]
        if not _after_ok(text, m.end(), s1):
            return [], None
        q = num
        pm = re.fullmatch(r"(\d(?:[\d,.]*\d)?) points", num)
        if pm:
            q = f"{pm.group(1)}-point"
        return [f"the {q} {head}"], None
    if kind == "topics":
        if not _after_ok(text, m.end(), s1):
            return [], None
        item = table[g["mod"]]
        pre = g["pre"] or ""
        phrase = f"{pre}{g['mod']} {g['head']}"
        return [f"{_det(g['det'], phrase)} {phrase}"], item
    if kind == "eras":
        name, head = g["name"], g["head"]
        if not lexicon.pos(name.lower()) or name.lower() in ("cold",):
            return [f"the {name}-era {head}", f"{name}-era {head}"], None
        return [], None
    return [], None
