"""ADVERB_PLACEMENT: an adverbial between a verb and its object, French style.

"The ministry published on Friday its annual report" -> "... published its annual report on
Friday" (best guess for time phrases) or "... on Friday published its annual report" (the
alternative); "launched officially its service" -> "officially launched its service".

The verb is a past or present form of a lexical verb (not be/have/do, not an intransitive
verb of the word list), the adverbial is a time phrase (time_phrases.yaml) or an adverb of
adverb_placement.yaml, and what follows it starts a noun phrase (a determiner, a possessive,
"new" or a number). Nothing is proposed when what follows reads as a clause ("said on Friday
the deal was off"): a verb-like word before the next punctuation.
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon, time_phrases, wordlists
from .proposal import make
from .tokens import Token, index_at, sentence_case, sentences, sentences_matching, tokenize

FAMILY = "ADVERB_PLACEMENT"
OBJECT_START = frozenset("""the a an its his her their our this these those new several two three four five six
seven eight nine ten""".split())
#: words that end the object noun phrase (a clause or an adjunct starts)
OBJECT_STOP = frozenset("""that which who whom whose where when while because after before as if although
though since until so but or""".split())
STOP_PUNCT = frozenset(",;:()[]\"“”«»—–!?.")
MAX_OBJECT = 9


@lru_cache(maxsize=1)
def _lists():
    doc = wordlists.load("adverb_placement")
    adverbs = {str(a["word"]): (str(a.get("place", "before")), a["word"]) for a in doc["adverbs"]}
    return adverbs, frozenset(map(str, doc["intransitive"])), frozenset(map(str, doc["clause_verbs"]))


@lru_cache(maxsize=1)
def _trigger() -> re.Pattern:
    """A time phrase or a listed adverb: the sentences worth a look."""
    adverbs = _lists()[0]
    return re.compile(time_phrases.compiled()[0].pattern + r"|\b(?:" + "|".join(map(re.escape, adverbs)) + r")\b")


def _is_lexical_verb(tok: Token, prev: Token | None) -> tuple[str, ...] | None:
    """The verb lemmas of ``tok`` when it reads as a finite or perfect lexical verb here."""
    w = tok.lower
    if w in lexicon.AUXILIARIES or not tok.is_word:
        return None
    tags = lexicon.verb_tags(w)
    if not tags & {"VBD", "VBZ", "VBN"}:
        return None
    lemmas = lexicon.verb_lemmas(w)
    if prev is not None and (prev.lower in lexicon.DETERMINERS or prev.lower in lexicon.PREPOSITIONS
                             or lexicon.only(prev.lower, "ADJ")):
        return None  # "the annual report", "of reports": a noun
    if "VBD" not in tags and "VBN" not in tags and "NOUN" in lexicon.pos(w):
        # a plural noun as much as a verb ("reports"): only after a subject pronoun or a name
        if prev is None or not (prev.lower in lexicon.SUBJECT_PRONOUNS or (prev.is_cap and not lexicon.pos(prev.lower))):
            return None
    return lemmas


def _verb_like(tok: Token) -> bool:
    w = tok.lower
    if w in lexicon.MODALS or w in lexicon.BE or w in lexicon.HAVE or w in lexicon.DO:
        return True
    p = lexicon.pos(w)
    return bool(p) and "VERB" in p and not p & {"NOUN", "ADJ"} and bool(lexicon.verb_tags(w) & {"VBD", "VBZ", "VBP"})


def propose(text: str, spans: list[tuple[int, int]] | None = None) -> list:
    adverbs, intransitive, clause_verbs = _lists()
    out = []
    for s0, s1 in sentences_matching(text, sentences(text, spans), _trigger()):
        toks = tokenize(text, s0, s1)
        for i in range(len(toks) - 2):
            verb = toks[i]
            lemmas = _is_lexical_verb(verb, toks[i - 1] if i else None)
            if not lemmas or any(l in intransitive for l in lemmas):
                continue
            pos = verb.end + 1
            if pos >= s1 or text[verb.end] != " ":
                continue
            hit = time_phrases.match_at(text, pos, s1)
            if hit is not None:
                m, _, entry = hit
                adv_end, place, kind = m.end(), "after", "time"
            elif toks[i + 1].lower in adverbs and toks[i + 1].start == pos:
                place, entry = adverbs[toks[i + 1].lower]
                adv_end, kind = toks[i + 1].end, "adverb"
            else:
                continue
            j = index_at(toks, adv_end + 1)
            if j is None or text[adv_end:adv_end + 1] != " " or toks[j].lower not in OBJECT_START and not toks[j].text[:1].isdigit():
                continue
            if time_phrases.match_at(text, toks[j].start, s1):  # "in March this year"
                continue
            # the object: up to the next punctuation or clause word; a verb-like word first means a clause
            k, clause, stopped = j, False, False
            while k < len(toks) and k - j < MAX_OBJECT:
                t = toks[k]
                if t.text in STOP_PUNCT or t.lower in OBJECT_STOP:
                    stopped = True
                    break
                if k > j and _verb_like(t):
                    clause = True
                    break
                k += 1
            if clause or k == j:
                continue
            if k == len(toks):
                stopped = True
            if any(l in clause_verbs for l in lemmas) and not (k == len(toks) or toks[k].text in ".;:!?"):
                # a clause verb's object may be a clause without "that": only a whole sentence is safe
                continue
            obj_end = toks[k - 1].end
            # "stake in the company" - the object must not end in a preposition or article
            if toks[k - 1].lower in lexicon.PREPOSITIONS or toks[k - 1].lower in lexicon.DETERMINERS:
                continue
            adverbial = text[pos:adv_end]
            obj = text[toks[j].start:obj_end]
            perfect = i > 0 and (toks[i - 1].lower in lexicon.AUXILIARIES)
            if perfect and kind == "time" and toks[i - 1].lower in ("has", "have") and hit[1] in ("past", "dated") \
                    and stopped and "VBN" in lexicon.verb_tags(verb.lower):
                # "has announced yesterday a plan": the simple past and the adverbial after the
                # object together (VERB_PATTERN proposes the tense alone, overlapping)
                past = lexicon.inflect(lemmas[0], "VBD")
                aux = toks[i - 1]
                cands = [f"{past} {obj} {adverbial}"]
                cands = [sentence_case(text[aux.start:obj_end], c, aux.start == s0) for c in cands if c]
                p = make(FAMILY, text, aux.start, obj_end, cands, entry.origin, (s0, s1))
                if p:
                    out.append(p)
                continue
            after_object = f"{verb.text} {obj} {adverbial}" if stopped else None
            before_verb = None if (perfect and kind == "time") else f"{adverbial} {verb.text} {obj}"
            # the adverbial may also close the head noun phrase, before a prepositional phrase
            # ("won the title again in Paris")
            q = next((q for q in range(j + 1, k) if toks[q].lower in lexicon.PREPOSITIONS and toks[q].lower != "of"), None)
            after_head = (f"{verb.text} {text[toks[j].start:toks[q - 1].end]} {adverbial} {text[toks[q].start:obj_end]}"
                          if q is not None else None)
            cands = ([after_object, after_head, before_verb] if place == "after"
                     else [before_verb, after_object, after_head])
            at_start = verb.start == s0
            cands = [sentence_case(text[verb.start:obj_end], c, at_start) for c in cands if c]
            p = make(FAMILY, text, verb.start, obj_end, cands, entry.origin, (s0, s1))
            if p:
                out.append(p)
    return out
