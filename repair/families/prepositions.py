"""PREPOSITION: the French preposition kept after an English verb, adjective or noun
(prepositions.yaml): "participate to" -> "participate in", "fell of 4%" -> "fell by 4%",
"called the unions to strike" -> "called on the unions to strike", "strikes of air traffic
controllers" -> "strikes by ...", "by 3 votes against 2" -> "by 3 votes to 2".
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon, wordlists
from .proposal import make
from .tokens import capitalise_first, sentences, sentences_matching

FAMILY = "PREPOSITION"
NAME = "prepositions"
#: a short object between verb and preposition ("congratulated him for")
OBJECT = r"(?:him|her|them|us|me|it|you|[A-Z][\w’'-]+(?: [A-Z][\w’'-]+)?|(?:the|its|his|her|their) \w+) "
#: the noun phrase called on to act ("called the unions to strike")
CALLED = (r"(?P<np>(?:the|its|his|her|their|all|our) (?:[a-z]+ ){0,2}(?:unions?|workers|supporters|members|people|"
          r"voters|citizens|countries|governments?|authorities|parties|leaders|community|nations|states|witnesses|"
          r"employers|companies|allies|public|population|residents|farmers|students|international community)"
          r"|(?:[Uu]nions|[Ww]orkers|[Ss]upporters|[Vv]oters|[Cc]itizens|[Cc]ountries|[Gg]overnments|[Ww]itnesses)) "
          r"to (?P<vb>[a-z]+)\b")
def _alt(words) -> str:
    return "|".join(re.escape(str(w)) for w in sorted(set(map(str, words)), key=len, reverse=True))


@lru_cache(maxsize=1)
def _compiled():
    doc = wordlists.load(NAME)
    verbs = []
    for item in doc["verbs"]:
        lemmas = [str(v) for v in wordlists.strings(item["verb"])]
        tags = set(map(str, item.get("forms") or ())) or None
        forms = {f for l in lemmas for t, fs in lexicon.forms(l).items() if tags is None or t in tags for f in fs}
        obj = OBJECT if item.get("object") else ""
        if item.get("call_on"):
            rx = re.compile(r"(?<![\w-])(?P<verb>" + _alt(forms) + r") (?=" + CALLED + r")")
        else:
            rx = re.compile(r"(?<![\w-])(?P<verb>" + _alt(forms) + r") (?P<obj>" + obj + r")?(?P<prep>"
                            + _alt(item["wrong"]) + r")(?![\w-])" + (f"(?={item['next']})" if item.get("next") else ""))
        verbs.append((rx, item))
    phrases = [(re.compile(str(p["regex"])), p) for p in doc["phrases"]]
    all_forms = {f for item in doc["verbs"] for l in wordlists.strings(item["verb"]) for fs in lexicon.forms(str(l)).values()
                 for f in fs}
    trigger = re.compile(r"(?<![\w-])(?:" + _alt(all_forms) + r") ")
    return verbs, phrases, trigger


def propose(text: str, spans: list[tuple[int, int]] | None = None) -> list:
    verbs, phrases, trigger = _compiled()
    out = []
    spans = sentences(text, spans)
    with_verb = set(sentences_matching(text, spans, trigger))
    for s0, s1 in spans:
        sent = (s0, s1)
        for rx, item in verbs if sent in with_verb else ():
            for m in rx.finditer(text, s0, s1):
                if not lexicon.reads_as_verb(text, s0, m.start("verb"), m.group("verb")):
                    continue
                origin = wordlists.origin(NAME, item)
                if item.get("call_on"):
                    cm = re.compile(CALLED).match(text, m.end())
                    if not cm or "VB" not in lexicon.verb_tags(cm.group("vb")):
                        continue
                    p = make(FAMILY, text, m.start("verb"), m.end("verb"), [m.group("verb") + " on"], origin, sent)
                elif item.get("verb_to"):
                    tag = sorted(lexicon.verb_tags(m.group("verb")) - {"VBP"} or {"VB"})[0]
                    new = lexicon.inflect(str(item["verb_to"]), tag) or str(item["verb_to"])
                    if m.group("verb")[0].isupper():
                        new = capitalise_first(new)
                    p = make(FAMILY, text, m.start("verb"), m.end("prep"), [f"{new} {m.group('obj') or ''}".rstrip()
                             if not item["right"] else f"{new} {m.group('obj') or ''}{item['right']}"], origin, sent)
                elif item["right"]:
                    right = _case(m.group("prep"), str(item["right"]))
                    p = make(FAMILY, text, m.start("prep"), m.end("prep"), [right], origin, sent)
                else:  # drop the preposition and the space before it
                    p = make(FAMILY, text, m.start("prep") - 1, m.end("prep"), [""], origin, sent)
                if p:
                    out.append(p)
        for rx, item in phrases:
            for m in rx.finditer(text, s0, s1):
                right = _case(m.group("prep"), str(item["right"]))
                if right:
                    p = make(FAMILY, text, m.start("prep"), m.end("prep"), [right], wordlists.origin(NAME, item), sent)
                else:  # drop the preposition and the space before it
                    p = make(FAMILY, text, m.start("prep") - 1, m.end("prep"), [""], wordlists.origin(NAME, item), sent)
                if p:
                    out.append(p)
    return out


def _case(before: str, after: str) -> str:
    return capitalise_first(after) if before[:1].isupper() else after
