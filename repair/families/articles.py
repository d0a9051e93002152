"""ARTICLE: "the" before generic and abstract nouns, "the" before a nationality in front of a
name, and "a" missing in verb-noun phrases (articles.yaml).

- abstract: "The inflation remains high" -> "Inflation remains high" (a verb, a comma or the
  end of the sentence after the noun);
- generic_plurals: "the French consumers are worried" -> "French consumers are worried" (a
  verb or a comma after the noun);
- names: "The Brazilian Ana Souza won" -> "Brazil's Ana Souza won" (or "Brazilian Ana Souza");
- collocations: "did not send official delegation" -> "did not send an official delegation";
- time: "The last year was the hottest" -> "Last year was the hottest".
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon, names, wordlists
from .proposal import make
from .tokens import apostrophe, capitalise_first, sentences, sentences_matching, tokenize

FAMILY = "ARTICLE"
NAME = "articles"


def _alt(words) -> str:
    return "|".join(re.escape(str(w)) for w in sorted(set(map(str, words)), key=len, reverse=True))


def _verb_follows(text: str, pos: int, s1: int, punctuation: bool | str, tags_ok: set[str]) -> bool:
    """The next word is a verb with one of ``tags_ok`` (VBZ after a singular noun, VBP after a
    plural), or, with ``punctuation``, a comma ("the tourism and luxury business" is a
    compound); with ``punctuation="end"`` also the full stop that ends the sentence.

    A word that is also a noun ("remains", "fear", "rates") counts as a verb unless a verb
    follows it ("the inflation rates rose")."""
    m = re.match(r"\s*([\w’'-]+|[,;:.])(?:\s+([\w’'-]+))?", text[pos:s1])
    if not m:
        return punctuation is not False
    w = m.group(1).lower()
    if w in ",;:":
        return punctuation is not False
    if w == ".":
        return punctuation == "end"
    if _finite(w):
        return True
    tags = lexicon.verb_tags(w)
    p = lexicon.pos(w)
    # "blocked", "closed" are adjectives too; after a plural subject and before no verb they are the verb
    not_verb = {"ADP", "DET", "ADV"} | (set() if w.endswith("ed") and "VBD" in tags else {"ADJ"})
    if not tags & tags_ok or p & not_verb:
        return False
    nxt = (m.group(2) or "").lower()
    return not (nxt and (_finite(nxt) or (lexicon.verb_tags(nxt) & {"VBD", "VBZ"} and "NOUN" not in lexicon.pos(nxt))))


def _finite(w: str) -> bool:
    return w in lexicon.MODALS or w in lexicon.BE or w in lexicon.HAVE or w in lexicon.DO


@lru_cache(maxsize=1)
def _compiled():
    doc = wordlists.load(NAME)
    ab = doc["abstract"]
    abstract = re.compile(r"(?<![\w-])(?P<the>[Tt]he )(?P<noun>" + _alt(ab["nouns"]) + r")(?![\w-])")
    gp = doc["generic_plurals"]
    nats = names.nationalities()
    generic = re.compile(r"(?<![\w-])(?P<the>[Tt]he )(?P<nat>" + _alt(nats) + r") (?P<noun>" + _alt(gp["nouns"])
                         + r")(?![\w-])")
    named = re.compile(r"(?<![\w-])(?P<the>[Tt]he )(?P<nat>" + _alt(nats) + r") (?P<name>[A-Z][\w’'-]+(?: [A-Z][\w’'-]+)+)")
    colls = []
    for item in doc["collocations"]:
        if "verb" not in item:
            continue
        # not the present tense: "China files official complaint", "Xi's book sets distribution
        # record" are headlines, which drop their articles
        forms = {f for t, fs in lexicon.forms(str(item["verb"])).items() if t != "VBZ" for f in fs}
        rx = re.compile(r"(?<![\w-])(?P<verb>" + _alt(forms) + r") (?P<adjs>(?:[a-z][\w-]* ){0,2}?)(?P<noun>"
                        + _alt(item["nouns"]) + r")(?![\w-])")
        colls.append((rx, item))
    times = [(re.compile(str(t["regex"])), t) for t in doc["time"]]
    verb_forms = {f for item in doc["collocations"] if "verb" in item
                  for t, fs in lexicon.forms(str(item["verb"])).items() if t != "VBZ" for f in fs}
    trigger = re.compile(r"(?<![\w-])(?:" + _alt(verb_forms) + r") ")
    return abstract, ab, generic, gp, named, doc["names"], (colls, trigger), times


def propose(text: str, spans: list[tuple[int, int]] | None = None) -> list:
    abstract, ab, generic, gp, named, names_section, (colls, trigger), times = _compiled()
    out = []
    spans = sentences(text, spans)
    with_verb = set(sentences_matching(text, spans, trigger))

    def add(start, end, cands, origin, sent):
        if text[start].isupper():
            cands = [capitalise_first(c) for c in cands]
        p = make(FAMILY, text, start, end, cands, origin, sent)
        if p:
            out.append(p)

    def drop_the(m, origin, sent):
        """Drop "the": the article alone, unless the next word must take its capital."""
        if m.group("the")[0].isupper():
            add(m.start(), m.end(), [text[m.end("the"):m.end()]], origin, sent)
        else:
            add(m.start(), m.end("the"), [""], origin, sent)

    from . import articles_more

    for s0, s1 in spans:
        sent = (s0, s1)
        n_before = len(out)
        for m in abstract.finditer(text, s0, s1):
            if _verb_follows(text, m.end(), s1, "end", {"VBD", "VBZ"}):
                drop_the(m, wordlists.origin(NAME, ab), sent)
        for m in generic.finditer(text, s0, s1):
            if _verb_follows(text, m.end(), s1, True, {"VBD", "VBP"}):
                drop_the(m, wordlists.origin(NAME, gp), sent)
        for m in named.finditer(text, s0, s1):
            words = m.group("name").split()
            first, second = words[0], words[1]
            # a first name (known, or no dictionary word), then a surname ("Jannik Sinner")
            if len(first) < 3 or not names.is_name_word(first) or len(second) < 3 or second.isupper():
                continue
            if first not in names.first_names() and not names.is_name_word(second):
                continue
            if lexicon.previous_word(text, s0, m.start()).lower() in lexicon.BE:
                continue  # "the first woman to do it is the Australian Simone Young": an identification
            entry = names.nationalities()[m.group("nat")]
            add(m.start(), m.end("nat"), [str(entry["possessive"]).replace("'", apostrophe(text)), m.group("nat")],
                wordlists.origin("nationalities", entry), sent)
        for rx, item in colls if sent in with_verb else ():
            for m in rx.finditer(text, s0, s1):
                if not _collocation_ok(text, m, s0, s1):
                    continue
                phrase = m.group("adjs") + m.group("noun")
                art = lexicon.indefinite_article(phrase)
                cands = [f"{art} {phrase}", f"the {phrase}"]
                if text[m.end():m.end() + 4] == " of ":
                    cands.reverse()
                start = m.start("adjs") if m.group("adjs") else m.start("noun")
                p = make(FAMILY, text, start, m.end(), cands, wordlists.origin(NAME, item), sent)
                if p:
                    out.append(p)
        for rx, item in times:
            for m in rx.finditer(text, s0, s1):
                if m.start() != s0:
                    continue
                add(m.start(), m.end("what"), [capitalise_first(m.group("what"))], wordlists.origin(NAME, item), sent)
        listed = out[n_before:]
        for start, end, cands, origin, kind in articles_more.propose_spans(text, s0, s1):
            if any(p.start < end and start < p.end for p in listed):
                continue
            p = make(FAMILY, text, start, end, cands, origin, sent, pattern=kind)
            if p:
                out.append(p)
    return out


def _collocation_ok(text: str, m: re.Match, s0: int, s1: int) -> bool:
    """No determiner or possessive before the noun; the words between verb and noun are
    adjectives; the noun is not the first half of a compound; the verb is not a participle
    used as an adjective ("the signed contract")."""
    for w in m.group("adjs").split():
        p = lexicon.pos(w)
        if (not (p & {"ADJ", "NOUN"} or lexicon.verb_tags(w) & {"VBG", "VBN"})
                or p & {"DET", "ADP", "PRON", "AUX", "CCONJ"}):
            return False
    before = tokenize(text, max(s0, m.start() - 20), m.start())
    if before and before[-1].lower in lexicon.DETERMINERS:
        return False
    nxt = re.match(r"\s*([\w’'-]+|\S)", text[m.end():s1])
    if nxt:
        w = nxt.group(1)
        if w in ("-", "’", "'") or w.lower().startswith(("’s", "'s")):
            return False
        if w[:1].isupper():  # a headline run into the next sentence ("sets price record Five Kings ...")
            return False
        p = lexicon.pos(w.lower())
        if "NOUN" in p and not p & {"ADP", "DET", "ADV", "CCONJ", "PRON", "AUX"}:
            return False
    if not re.search(r"[.!?][\"”’')]*$", text[s0:s1]):  # headlines drop their articles
        return False
    return True
