"""ARTICLE, general patterns (articles.yaml):

- ``generic_subject``: "The" before a plural subject that names a class of people at the
  start of a sentence, then a verb: "The teachers went on strike" -> "Teachers went on
  strike", "The young people are leaving" -> "Young people are leaving" (the plural's
  singular is a person noun of pronouns.yaml, or ends in -er, -or, -ist, -ian, or it is
  one of ``generic_subject.nouns``);
- ``acronyms``: "the" before an acronym read as a word (``acronyms.names``): "the NASA" ->
  "NASA", "the CERN" -> "CERN" (not before a noun: "the NASA mission");
- ``fractions``: "the half of its 35 libraries" -> "half of its 35 libraries", "the third of
  the articles" -> "a third of the articles";
- ``holidays``: "after the Easter" -> "after Easter".
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon, wordlists
from .tokens import Token, tokenize

NAME = "articles"


@lru_cache(maxsize=1)
def _lists():
    doc = wordlists.load(NAME)
    pron = wordlists.load("pronouns")
    people = {str(w) for w in pron["person_nouns"]}
    return (doc, people, frozenset(map(str, doc["generic_subject"]["nouns"])),
            frozenset(map(str, doc["generic_subject"]["not_nouns"])),
            frozenset(map(str, doc["acronyms"]["names"])), frozenset(map(str, doc["holidays"]["names"])))


def _plural_people(w: str, people, listed, not_listed) -> bool:
    if w in not_listed or not w.endswith("s") and w not in ("people", "children", "men", "women"):
        return w in listed
    if w in listed or w in ("people", "children", "men", "women"):
        return True
    from .compound_of import singular

    sing = singular(w)
    if sing in people:
        return True
    if sing.endswith(("ist", "ian")) and len(sing) > 5:
        return "NOUN" in lexicon.pos(w)
    # an agent noun: a verb + -er/-or ("teachers", "savers", "growers"; not "numbers", "answers")
    return sing.endswith(("er", "or")) and len(sing) > 4 and any(
        lexicon.verb_lemmas(stem) and stem in lexicon.verb_lemmas(stem) for stem in (sing[:-2], sing[:-1]))


FREQUENCY = frozenset("now also still already often usually increasingly generally typically mostly largely".split())


def _verb_at(toks: list[Token], k: int) -> bool:
    """A plural subject's verb (or a modal) at token ``k``, after an adverb ("now"), a short
    prepositional phrase ("in Ireland", "from outside the EU") or a relative clause (", who
    complain ..."): the subject is generic."""
    if k < len(toks) and toks[k].text == "," and k + 1 < len(toks) and toks[k + 1].lower == "who":
        return True
    if k < len(toks) and toks[k].lower in ("in", "from", "across", "outside") and k + 1 < len(toks):
        j = k + 1
        while j < len(toks) and j - k <= 4 and (toks[j].is_cap or toks[j].lower in ("the", "outside", "across", "of")):
            j += 1
        if j > k + 1:
            k = j
    after_adverb = k < len(toks) and toks[k].lower in FREQUENCY
    if after_adverb:
        k += 1
    if k >= len(toks):
        return False
    w = toks[k].lower
    if w in lexicon.MODALS or w in ("are", "were", "have", "had", "do", "did", "will", "would", "could"):
        return True
    tags = lexicon.verb_tags(w)
    p = lexicon.pos(w)
    if not tags & {"VBD", "VBP"} or p & {"ADP", "DET", "ADV"} or "ADJ" in p and "VBD" not in tags:
        return False
    return after_adverb or not ("NOUN" in p and "VBD" not in tags)


def propose_spans(text: str, s0: int, s1: int):
    """(start, end, candidates, origin, pattern) for the sentence ``text[s0:s1]``."""
    doc, people, listed, not_listed, word_acronyms, holidays = _lists()
    toks = tokenize(text, s0, s1)
    out = []
    # generic_subject: "The teachers went on strike" (needs_evidence: the pipeline drops it in
    # text that shows no round-trip damage nearby)
    if len(toks) > 2 and toks[0].text == "The" and not doc["generic_subject"].get("off"):
        from .names import nationalities

        k = 1
        while k < len(toks) - 1 and k < 4 and toks[k].is_word and (not toks[k].is_cap or toks[k].text in nationalities()) \
                and not toks[k].text[:1].isdigit() \
                and toks[k].lower not in ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "other",
                                          "same", "last", "first", "remaining", "following") \
                and (lexicon.only(toks[k].lower, "ADJ", "NOUN") or "-" in toks[k].text or toks[k].text in nationalities()) \
                and not _plural_people(toks[k].lower, people, listed, not_listed):
            k += 1
        head = toks[k] if k < len(toks) else None
        if head is not None and head.is_word and not head.is_cap and _plural_people(head.lower, people, listed, not_listed) \
                and not (head.lower == "people" and toks[k - 1].text in nationalities()) \
                and _verb_at(toks, k + 1):
            rest = text[toks[1].start:head.end]
            out.append((toks[0].start, head.end, [rest[:1].upper() + rest[1:]],
                        wordlists.origin(NAME, doc["generic_subject"]), "generic_subject"))
    for i, t in enumerate(toks[:-1]):
        if t.lower != "the":
            continue
        nxt = toks[i + 1]
        after = toks[i + 2] if i + 2 < len(toks) else None
        # acronyms: "the NASA"
        if nxt.text in word_acronyms and not (after is not None and not after.is_word
                                              and after.text not in ",.;:!?)") and not (
                after is not None and after.is_word and (after.is_cap or "NOUN" in lexicon.pos(after.lower)
                                                         and not lexicon.verb_tags(after.lower) & {"VBD", "VBZ"})) \
                and not (after is not None and after.text in ("’s", "'s", "-")):
            if t.text == "The":
                out.append((t.start, nxt.end, [nxt.text], wordlists.origin(NAME, doc["acronyms"]), "acronyms"))
            else:
                out.append((t.start, nxt.start, [""], wordlists.origin(NAME, doc["acronyms"]), "acronyms"))
            continue
        # fractions: "the half of its", "the third of the"
        if nxt.lower in ("half", "third", "quarter", "fifth", "tenth") and after is not None and after.lower == "of" \
                and i + 3 < len(toks) and toks[i + 3].lower in ("the", "its", "their", "his", "her", "our", "all", "these", "those"):
            new = "half" if nxt.lower == "half" else f"a {nxt.lower}"
            if t.text == "The":
                new = new[:1].upper() + new[1:]
            out.append((t.start, nxt.end, [new], wordlists.origin(NAME, doc["fractions"]), "fractions"))
            continue
        # holidays: "after the Easter"
        if nxt.text in holidays and i > 0 and toks[i - 1].lower in lexicon.PREPOSITIONS and not (
                after is not None and after.is_word and (after.is_cap or "NOUN" in lexicon.pos(after.lower))):
            out.append((t.start, nxt.start, [""], wordlists.origin(NAME, doc["holidays"]), "holidays"))
    return out
