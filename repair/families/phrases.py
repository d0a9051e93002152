"""Noun phrases over tokens, for the families' structural checks (no tagger: a word's possible
parts of speech from :mod:`repair.families.lexicon` read as constraints).

A noun phrase here is a determiner or quantifier (optional), then modifiers and a head:
adjectives, nouns, numbers, currency signs, "%", names, hyphenated words. It ends before
punctuation, a preposition, a conjunction, a relative word, "to", or a word that can only
be a verb.

    >>> from repair.families.tokens import tokenize
    >>> toks = tokenize("It left more than 700,000 homes without power.")
    >>> end = noun_phrase_end(toks, 2)
    >>> " ".join(t.text for t in toks[2:end])
    'more than 700,000 homes'
"""
from __future__ import annotations

from . import lexicon
from .tokens import Token

#: words that open a noun phrase before its determiner or number ("more than 700,000 homes")
PREDETERMINERS = (("more", "than"), ("less", "than"), ("fewer", "than"), ("up", "to"), ("at", "least"),
                  ("about",), ("around",), ("almost",), ("nearly",), ("some",), ("over",), ("roughly",),
                  ("just", "over"), ("just", "under"), ("all",), ("both",), ("half",))
RELATIVE = frozenset(("that", "which", "who", "whom", "whose", "where", "when", "while", "whereas", "because",
                      "if", "unless", "although", "though", "as", "since", "until", "so"))
CURRENCY = frozenset("$€£¥")
#: tokens inside a noun phrase that are not words
INNER = frozenset(("%", "-", "’s", "'s")) | CURRENCY


def is_finite_verb(tok: Token) -> bool:
    """``tok`` reads only as a finite verb or an auxiliary (not also as a noun or adjective)."""
    w = tok.lower
    if w in lexicon.MODALS or w in lexicon.BE or w in lexicon.HAVE or w in lexicon.DO:
        return True
    p = lexicon.pos(w)
    return bool(p) and "VERB" in p and not p & {"NOUN", "ADJ", "ADV", "ADP"} \
        and bool(lexicon.verb_tags(w) & {"VBD", "VBZ", "VBP"})


def starts_noun_phrase(tok: Token, sentence_start: bool = False, nxt: Token | None = None) -> bool:
    """A determiner, possessive, number, currency sign, quantifier or (inside a sentence) a name."""
    w = tok.lower
    if w in ("about", "around", "over", "up", "more", "less", "fewer", "almost", "nearly") and not (
            nxt is not None and (nxt.text[:1].isdigit() or nxt.text in CURRENCY or nxt.lower in ("than", "to", "half"))):
        return False  # "cares passionately about working mothers": a preposition
    if w in ("the", "a", "an", "its", "his", "her", "their", "our", "my", "your", "this", "these", "those",
             "several", "many", "some", "more", "less", "fewer", "up", "about", "around", "almost", "nearly",
             "over", "all", "both", "half", "new", "two", "three", "four", "five", "six", "seven", "eight", "nine",
             "ten", "dozens", "hundreds", "thousands", "millions"):
        return True
    if tok.text[:1].isdigit() or tok.text in CURRENCY:
        return True
    if not sentence_start and tok.is_cap and tok.is_word and not lexicon.pos(w):
        return True  # a name ("fined Thames Water")
    return False


def _predeterminer(toks: list[Token], j: int) -> int:
    for words in PREDETERMINERS:
        n = len(words)
        if tuple(t.lower for t in toks[j:j + n]) == words:
            return j + n
    return j


def noun_phrase_end(toks: list[Token], j: int, limit: int = 8) -> int:
    """Index just after the noun phrase starting at token ``j`` (``j`` itself when none)."""
    k = _predeterminer(toks, j)
    if k < len(toks) and toks[k].lower in lexicon.DETERMINERS:
        k += 1
    last_head = j
    while k < len(toks) and k - j < limit:
        t = toks[k]
        w = t.lower
        if t.text in INNER or t.text[:1].isdigit():
            k += 1
            last_head = k
            continue
        if not t.is_word:
            break
        if w in lexicon.PREPOSITIONS or w in lexicon.CONJUNCTIONS or w in RELATIVE or w == "to" \
                or w in lexicon.AUXILIARIES or w in lexicon.DETERMINERS or w in lexicon.PRONOUNS:
            break
        p = lexicon.pos(w)
        if p and not p & {"NOUN", "ADJ", "NUM", "PROPN"} and not (t.is_cap and k > j):
            # a word that is only a verb or an adverb ends the phrase; a participle used as
            # an adjective ("the signed contract") has ADJ or comes before the head
            if not (lexicon.verb_tags(w) & {"VBN", "VBG"} and k + 1 < len(toks) and "NOUN" in lexicon.pos(toks[k + 1].lower)):
                break
        if k > j and p and "VERB" in p and lexicon.verb_tags(w) & {"VBD", "VBZ"} and not t.is_cap \
                and k + 1 < len(toks) and (toks[k + 1].lower in lexicon.DETERMINERS or toks[k + 1].lower in lexicon.PRONOUNS):
            break  # "the company cuts its ...": a verb after the subject
        k += 1
        last_head = k
    return last_head


def follows_as_clause(toks: list[Token], k: int) -> bool:
    """What comes at token ``k`` (after a noun phrase) makes that phrase the subject of a clause:
    a finite verb or an auxiliary ("said yesterday the deal was off")."""
    if k >= len(toks):
        return False
    t = toks[k]
    if t.lower in ("not", "also", "still", "already", "now", "would", "could"):
        return True
    return is_finite_verb(t)
