"""WORD_ORDER: French adjective and noun order kept in English (word_order.yaml).

- topic_order: "the AI global race" -> "the global AI race" (or "the global race of AI");
- nationality_order: "the nuclear French fleet" -> "the French nuclear fleet";
- postposed: "a crisis political major" -> "a major political crisis" (adjectives of the
  list after their noun, where the noun phrase ends);
- kin: "the brothers Gallagher" -> "the Gallagher brothers".
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon, names, wordlists
from .proposal import make
from .tokens import capitalise_first, sentences

FAMILY = "WORD_ORDER"
NAME = "word_order"
#: verbs whose object may be followed by its complement adjective ("make the process simple")
COMPLEMENT_VERBS = frozenset(f for v in ("take", "make", "keep", "leave", "find", "consider", "render", "deem", "call",
                                         "turn", "go", "get", "hold", "declare", "prove", "set", "push", "drive", "see")
                             for fs in lexicon.forms(v).values() for f in fs)
DET = r"(?P<det>(?<![\w-])(?:[Tt]he|[Aa]n?|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur|[Tt]his|[Tt]hat) )"


def _alt(words) -> str:
    return "|".join(re.escape(str(w)) for w in sorted(set(map(str, words)), key=len, reverse=True))


@lru_cache(maxsize=1)
def _compiled():
    doc = wordlists.load(NAME)
    to = doc["topic_order"]
    topic = re.compile(DET + r"(?P<topic>" + _alt(to["topics"]) + r") (?P<adj>" + _alt(to["adjectives"])
                       + r") (?P<noun>[a-z][a-z-]+)(?![\w-])")
    nats = names.nationalities()
    classifying = {str(a): a for a in doc["classifying_adjectives"]}
    nation = re.compile(DET + r"(?P<adj>" + _alt(classifying) + r") (?P<nat>" + _alt(nats) + r") (?P<noun>[a-z][a-z-]+)(?![\w-])")
    post = doc["postposed"]
    post_adj = {str(a): a for a in post["adjectives"]}
    postposed = re.compile(DET + r"(?P<noun>[a-z][a-z-]+) (?P<adjs>(?:" + _alt(post_adj) + r")(?: (?:" + _alt(post_adj)
                           + r"))?)(?![\w-])")
    kin = doc["kin"]
    kin_rx = re.compile(r"(?<![\w-])(?P<det>[Tt]he )(?P<kin>" + _alt(kin["nouns"]) + r") (?P<name>[A-Z][a-z]+)(?![\w-])")
    return doc, topic, to, nation, classifying, postposed, post_adj, post, kin_rx, kin


def _noun(word: str) -> bool:
    p = lexicon.pos(word)
    return "NOUN" in p and not p & {"DET", "ADP", "PRON", "AUX", "CCONJ"} and "VBD" not in lexicon.verb_tags(word)


def _phrase_ends(text: str, pos: int, s1: int) -> bool:
    """The noun phrase ends at ``pos``: punctuation, a preposition, a conjunction, a verb or the end."""
    m = re.match(r"\s*([\w’'-]+|\S)?", text[pos:s1])
    w = (m.group(1) or "") if m else ""
    if not w or not w[0].isalnum():
        return True
    lw = w.lower()
    p = lexicon.pos(lw)
    if lw in lexicon.PREPOSITIONS or lw in lexicon.CONJUNCTIONS or lw in lexicon.AUXILIARIES or lw in ("that", "which", "who", "to"):
        return True
    return bool(lexicon.verb_tags(lw) & {"VBD", "VBZ"}) and "ADJ" not in p and not ("NOUN" in p and "VBD" not in lexicon.verb_tags(lw))


def _det(det: str, rest: str) -> str:
    d = det.strip()
    if d.lower() in ("a", "an"):
        new = lexicon.indefinite_article(rest.split()[0])
        return capitalise_first(new) if d[0].isupper() else new
    return d


def propose(text: str, spans: list[tuple[int, int]] | None = None) -> list:
    doc, topic, to, nation, classifying, postposed, post_adj, post, kin_rx, kin = _compiled()
    out = []

    def add(m, cands, origin, sent, start=None):
        p = make(FAMILY, text, m.start() if start is None else start, m.end(), cands, origin, sent)
        if p:
            out.append(p)

    from . import word_order_more

    for s0, s1 in sentences(text, spans):
        sent = (s0, s1)
        n_before = len(out)
        for m in topic.finditer(text, s0, s1):
            noun = m.group("noun")
            if not _noun(noun) or lexicon.can_be(noun, "ADJ") and not lexicon.can_be(noun, "NOUN"):
                continue
            if not _phrase_ends(text, m.end(), s1):
                continue
            d, t, a = m.group("det"), m.group("topic"), m.group("adj")
            rest = f"{a} {t} {noun}"
            add(m, [f"{_det(d, rest)} {rest}", f"{_det(d, a)} {a} {noun} of {t}"], wordlists.origin(NAME, to), sent)
        for m in nation.finditer(text, s0, s1):
            noun = m.group("noun")
            if not _noun(noun) or not _phrase_ends(text, m.end(), s1):
                continue
            d, a, nat = m.group("det"), m.group("adj"), m.group("nat")
            rest = f"{nat} {a} {noun}"
            add(m, [f"{_det(d, rest)} {rest}"], wordlists.origin(NAME, classifying[a]), sent)
        for m in postposed.finditer(text, s0, s1):
            noun, adjs = m.group("noun"), m.group("adjs").split()
            if not lexicon.only(noun, "NOUN", "VERB") or "NOUN" not in lexicon.pos(noun) or noun in post_adj:
                continue
            # the adjective next to the noun must be only an adjective ("the oil major" is a compound)
            if not lexicon.only(adjs[0], "ADJ"):
                continue
            # "take their products global", "keep the economy strong": an object and its complement
            if lexicon.previous_word(text, s0, m.start()).lower() in COMPLEMENT_VERBS:
                continue
            if not _phrase_ends(text, m.end(), s1):
                continue
            rest = " ".join(list(reversed(adjs)) + [noun])
            d = _det(m.group("det"), rest)
            add(m, [f"{d} {rest}"], wordlists.origin(NAME, post_adj[adjs[-1]]) if adjs[-1] in post else
                wordlists.origin(NAME, post), sent)
        for m in kin_rx.finditer(text, s0, s1):
            name = m.group("name")
            if not names.is_name_word(name) or not _phrase_ends(text, m.end(), s1) or re.match(r"\s*(?:,|and\b|&)", text[m.end():s1]):
                continue
            add(m, [f"{m.group('det')}{name} {m.group('kin')}"], wordlists.origin(NAME, kin), sent)
        listed = out[n_before:]
        for start, end, cands, origin, kind in word_order_more.propose_spans(text, s0, s1):
            if any(p.start < end and start < p.end for p in listed):
                continue  # a listed pattern already proposes here
            if text[start].isupper():
                cands = [capitalise_first(c) for c in cands]
            p = make(FAMILY, text, start, end, cands, origin, sent, pattern=kind)
            if p:
                out.append(p)
    return out
