"""ADVERB_PLACEMENT: an adverbial between a verb and its object, French style.

"The ministry published on Friday its annual report" -> "... published its annual report on
Friday"; "approved on Tuesday a budget that will ..." -> "on Tuesday approved a budget that
will ..."; "launched officially its service" -> "officially launched its service"; "refused
categorically to say" -> "categorically refused to say"; "will meet probably" -> "will
probably meet".

English does not put an adverbial between a verb and its direct object. The verb is a
lexical verb (past, present, participle, or a base form after a modal or "to"; not
be/have/do, not an intransitive verb of the word list); the adverbial is a time phrase
(time_phrases.yaml), an adverb of adverb_placement.yaml, or any word ending in -ly that can
only be an adverb; what follows it is a noun phrase (:mod:`repair.families.phrases`) or,
after an adverb, "to" and a verb. Where the time phrase goes depends on what follows the
noun phrase:

- punctuation or the end: after the noun phrase ("delivered 766 aircraft last year,");
- a preposition (not "of") or "and": after the noun phrase ("arrested three men yesterday
  after the theft");
- "of", a relative word, "to" and a verb, a participle: before the verb ("on Wednesday
  announced the purchase of 12 jets");
- a finite verb: nothing (the noun phrase is the subject of a clause: "said on Friday the
  deal was off").

Adverbs go before the verb ("again" after the object). The adverbs of the list marked
``free`` ("probably", "also") go before the verb whatever follows ("will meet probably on
Friday").
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon, phrases, time_phrases, wordlists
from .proposal import make
from .tokens import Token, index_at, sentence_case, sentences, sentences_matching, tokenize

FAMILY = "ADVERB_PLACEMENT"
NAME = "adverb_placement"
#: what ends a clause after a noun phrase
END_PUNCT = frozenset(",;:()[]\"“”«»—–!?.")
MAX_OBJECT = 8


@lru_cache(maxsize=1)
def _lists():
    doc = wordlists.load(NAME)
    adverbs = {str(a["word"]): a for a in doc["adverbs"]}
    ly_not = frozenset(map(str, doc.get("ly_not_moved") or ()))
    return (adverbs, frozenset(map(str, doc["intransitive"])), frozenset(map(str, doc["clause_verbs"])), ly_not,
            doc)


@lru_cache(maxsize=1)
def _trigger() -> re.Pattern:
    """A time phrase, a listed adverb or an -ly word: the sentences worth a look."""
    adverbs = _lists()[0]
    return re.compile(time_phrases.compiled()[0].pattern + r"|\b(?:" + "|".join(map(re.escape, adverbs))
                      + r"|[a-z]{3,}ly)\b")


def _ly_adverb(word: str) -> bool:
    w = word.lower()
    return w.endswith("ly") and len(w) > 5 and w not in _lists()[3] and lexicon.only(w, "ADV")


def _is_lexical_verb(toks: list[Token], i: int) -> tuple[str, ...] | None:
    """The verb lemmas of ``toks[i]`` when it reads as a lexical verb here: a past or present
    form, a participle, or a base form after a modal, "to" or "not"."""
    tok = toks[i]
    prev = toks[i - 1] if i else None
    w = tok.lower
    if w in lexicon.AUXILIARIES or not tok.is_word or tok.is_cap and i > 0:
        return None
    tags = lexicon.verb_tags(w)
    base_ok = prev is not None and (prev.lower in lexicon.MODALS or prev.lower in ("to", "not", "n't", "n’t"))
    if not (tags & {"VBD", "VBZ", "VBN"} or (base_ok and "VB" in tags)):
        return None
    if prev is not None and (prev.lower in lexicon.DETERMINERS or (prev.lower in lexicon.PREPOSITIONS and prev.lower != "to")
                             or lexicon.only(prev.lower, "ADJ")):
        return None  # "the annual report", "of reports": a noun
    if not tags & {"VBD", "VBN"} and not base_ok and "NOUN" in lexicon.pos(w):
        # a plural noun as much as a verb ("reports"): only after a subject pronoun or a name
        if prev is None or not (prev.lower in lexicon.SUBJECT_PRONOUNS or (prev.is_cap and not lexicon.pos(prev.lower))):
            return None
    return lexicon.verb_lemmas(w)


def _modifies_next(toks: list[Token], j: int) -> bool:
    """A number, a currency sign, a comparative or "the same" follows: an adverb before it
    modifies it ("approximately $8,688", "even more", "exactly the same")."""
    tok = toks[j]
    w = tok.lower
    if w == "the" and j + 1 < len(toks):
        return toks[j + 1].lower in ("same", "most", "least", "very") or toks[j + 1].lower.endswith("est")
    return (tok.text[:1].isdigit() or tok.text in phrases.CURRENCY
            or w in ("more", "less", "fewer", "same", "as", "so", "too", "very", "most", "least", "about", "around", "over")
            or (w.endswith("er") and "ADJ" in lexicon.pos(w)))


def _follow(toks: list[Token], k: int) -> str:
    """How the clause goes on after a noun phrase ending before token ``k``:
    "end", "pp" (a preposition or "and"), "post" (the phrase goes on: "of", a relative, "to" +
    verb, a participle) or "clause" (a finite verb: the phrase was a subject)."""
    if k >= len(toks) or toks[k].text in END_PUNCT:
        return "end"
    t = toks[k]
    w = t.lower
    if w == "to":
        nxt = toks[k + 1].lower if k + 1 < len(toks) else ""
        return "post" if "VB" in lexicon.verb_tags(nxt) and not nxt[:1].isdigit() and nxt not in lexicon.DETERMINERS else "pp"
    if w == "of" or w in phrases.RELATIVE or w in ("worth", "able"):
        return "post"
    if phrases.follows_as_clause(toks, k):
        return "clause"
    if w in lexicon.PREPOSITIONS or w in ("and", "but", "or"):
        return "pp"
    if lexicon.verb_tags(w) & {"VBG", "VBN"}:
        return "post"
    return "post"


def propose(text: str, spans: list[tuple[int, int]] | None = None) -> list:
    adverbs, intransitive, clause_verbs, _, doc = _lists()
    to_verbs = frozenset(map(str, doc["to_verbs"]))
    out = []
    for s0, s1 in sentences_matching(text, sentences(text, spans), _trigger()):
        toks = tokenize(text, s0, s1)
        for i in range(len(toks) - 2):
            lemmas = _is_lexical_verb(toks, i)
            if not lemmas or any(l in intransitive for l in lemmas):
                continue
            if i and toks[i - 1].lower in lexicon.BE:
                continue  # a passive: "was designed specifically to comply" has no object
            verb = toks[i]
            pos = verb.end + 1
            if pos >= s1 or text[verb.end] != " ":
                continue
            hit = time_phrases.match_at(text, pos, s1)
            nxt = toks[i + 1]
            if hit is not None:
                m, tkind, entry = hit
                adv_end, kind, origin = m.end(), "time", entry.origin
                place, free = "after", False
            elif nxt.start == pos and (nxt.lower in adverbs or _ly_adverb(nxt.text)):
                item = adverbs.get(nxt.lower)
                if item and verb.text in (item.get("not_after") or ()):
                    continue
                place = str(item.get("place", "before")) if item else "before"
                free = bool(item.get("free")) if item else False
                adv_end, kind, tkind = nxt.end, "adverb", None
                origin = wordlists.origin(NAME, item) if item else wordlists.origin(NAME, doc["ly_adverbs"])
            else:
                continue
            j = index_at(toks, adv_end + 1)
            if text[adv_end:adv_end + 1] != " " or j is None:
                j = None
            adverbial = text[pos:adv_end]
            perfect = i > 0 and toks[i - 1].lower in lexicon.AUXILIARIES
            if kind == "adverb" and place == "before":
                # "refused categorically to say", "launched officially its service", "will meet
                # probably": the adverb before the verb
                to_verb = (j is not None and toks[j].lower == "to" and j + 1 < len(toks)
                           and "VB" in lexicon.verb_tags(toks[j + 1].lower) and any(l in to_verbs for l in lemmas))
                np_object = False
                if j is not None and _modifies_next(toks, j):
                    continue  # "receives approximately $8,688", "get even more": the adverb goes with what follows
                if j is not None and phrases.starts_noun_phrase(toks[j], nxt=toks[j + 1] if j + 1 < len(toks) else None):
                    k = phrases.noun_phrase_end(toks, j, MAX_OBJECT)
                    np_object = k > j and _follow(toks, k) != "clause"
                participle = i > 0 and toks[i - 1].text == "," and not verb.lower.endswith("s")
                if (free and not participle) or to_verb or np_object:
                    _add(out, text, verb.start, adv_end, [f"{adverbial} {verb.text}"], origin, (s0, s1), verb.start == s0)
                continue
            if j is None or not phrases.starts_noun_phrase(toks[j], nxt=toks[j + 1] if j + 1 < len(toks) else None):
                continue
            if time_phrases.match_at(text, toks[j].start, s1):  # "in March this year"
                continue
            k = phrases.noun_phrase_end(toks, j, MAX_OBJECT)
            if k <= j or (k - 1 == j and toks[j].lower in lexicon.DETERMINERS):
                continue
            follow = _follow(toks, k)
            if follow == "clause":
                continue
            if any(l in clause_verbs for l in lemmas) and not (
                    (follow == "end" and (k >= len(toks) or toks[k].text in ".!?")) or follow == "post"):
                # a clause verb's object may be a clause without "that" ("said on Tuesday Kim's
                # body, which ..., was"): only a noun phrase that ends the sentence or goes on
                # as a noun phrase ("of", "to" + a verb, a relative)
                continue
            obj_end = toks[k - 1].end
            obj = text[toks[j].start:obj_end]
            if toks[k - 1].lower in lexicon.PREPOSITIONS or toks[k - 1].lower in lexicon.DETERMINERS:
                continue
            if perfect and kind == "time" and toks[i - 1].lower in ("has", "have") and tkind in ("past", "dated") \
                    and "VBN" in lexicon.verb_tags(verb.lower):
                # "has announced yesterday a plan": the simple past, and the adverbial after the
                # object (or before the verb) together (VERB_PATTERN proposes the tense alone)
                past = lexicon.inflect(lemmas[0], "VBD")
                aux = toks[i - 1]
                if past:
                    cand = f"{past} {obj} {adverbial}" if follow == "end" else f"{adverbial} {past} {obj}"
                    _add(out, text, aux.start, obj_end, [cand], origin, (s0, s1), aux.start == s0)
                continue
            after_object = f"{verb.text} {obj} {adverbial}"
            before_verb = None if (perfect and kind == "time") else f"{adverbial} {verb.text} {obj}"
            if kind == "time":
                if follow == "end":
                    cands = [after_object]
                elif follow == "pp":
                    # a short object and a prepositional phrase: the unmarked English order puts
                    # the time phrase after the object ("arrested three men yesterday after ...")
                    cands = [after_object]
                else:
                    cands = [before_verb]
            elif place == "after":
                cands = [after_object] if follow in ("end", "pp") else []
            else:
                cands = [before_verb]
            _add(out, text, verb.start, obj_end, [c for c in cands if c], origin, (s0, s1), verb.start == s0)
    return out


def _add(out, text, start, end, cands, origin, sent, at_start):
    cands = [sentence_case(text[start:end], c, at_start) for c in cands]
    p = make(FAMILY, text, start, end, cands, origin, sent)
    if p:
        out.append(p)
