"""POSSESSIVE: "the shares of the company fell" -> "the company's shares fell" (possessives.yaml).

The head is a noun that English puts after a possessive in news ("shares", "profits",
"headquarters"); the owner is "the" + an organisation noun, or a name. Not after a
partitive ("5% of the shares of the company"), nor before "'s", "and" or "of".
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon, names, wordlists
from .proposal import make
from .tokens import capitalise_first, sentences

FAMILY = "POSSESSIVE"
NAME = "possessives"
PARTITIVE = frozenset(("of", "all", "half", "some", "most", "many", "none", "any", "each", "%", "percent", "cent"))


def _alt(words) -> str:
    return "|".join(re.escape(str(w)) for w in sorted(set(map(str, words)), key=len, reverse=True))


@lru_cache(maxsize=1)
def _compiled():
    doc = wordlists.load(NAME)
    heads = {str(h): h for h in doc["heads"]}
    owners = {str(o): o for o in doc["owners"]}
    rx = re.compile(r"(?<![\w-])(?P<the>[Tt]he )(?P<head>" + _alt(heads) + r") of (?P<owner>the (?:" + _alt(owners)
                    + r")|[A-Z][\w’'-]*(?:[ -][A-Z][\w’'-]*)*)(?![\w’'-])")
    return doc, heads, rx


def propose(text: str, spans: list[tuple[int, int]] | None = None) -> list:
    doc, heads, rx = _compiled()
    out = []
    for s0, s1 in sentences(text, spans):
        for m in rx.finditer(text, s0, s1):
            owner = m.group("owner")
            prev = lexicon.previous_word(text, s0, m.start())
            if prev.lower() in PARTITIVE or text[max(s0, m.start() - 2):m.start()].strip().endswith("%"):
                continue
            nxt = text[m.end():m.end() + 5]
            if re.match(r"(?:['’]s\b| and\b| or\b| of\b|-)", nxt):
                continue
            following = re.match(r" ([a-z]+)", text[m.end():s1])
            if not owner.startswith("the ") and following and "NOUN" in lexicon.pos(following.group(1)) \
                    and not lexicon.pos(following.group(1)) & {"ADP", "DET", "AUX", "ADV", "CCONJ"} \
                    and not lexicon.verb_tags(following.group(1)) & {"VBD", "VBZ"}:
                continue  # "the headquarters of Charlie Hebdo magazine": the name is a modifier
            if owner in names.nationalities():
                continue
            if not owner.startswith("the "):
                words = owner.split()
                if any(lexicon.pos(w.lower()) and w.lower() not in ("group", "bank") for w in words[:1]) or owner.isupper() and len(owner) < 2:
                    continue  # "the shares of Friday", "the sales of Christmas": not a company
            poss = owner + ("’" if owner.endswith("s") else "’s") if "’" in text else owner + ("'" if owner.endswith("s") else "'s")
            new = f"{poss} {m.group('head')}"
            if text[m.start()].isupper():
                new = capitalise_first(new)
            p = make(FAMILY, text, m.start(), m.end(), [new], wordlists.origin(NAME, heads[m.group("head")]), (s0, s1))
            if p:
                out.append(p)
    return out
