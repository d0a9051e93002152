"""Cheap word knowledge for the families: parts of speech and inflections (lemminflect's
dictionary), closed word classes, and a/an.

No tagger: a word's possible parts of speech are those its dictionary entry allows, and the
families read them as constraints ("only an adjective", "can be a past-tense verb").
"""
from __future__ import annotations

from functools import lru_cache

DETERMINERS = frozenset("""the a an this that these those its his her their our my your some any no every each
all both another either neither several many few much more most such what which whose""".split())
PREPOSITIONS = frozenset("""of in on at to for from by with about against between into onto through during
before after above below under over among amid across along around behind beyond despite except
inside outside near since until till toward towards upon via within without per like than as""".split())
PRONOUNS = frozenset("""i you he she it we they me him her us them myself yourself himself herself itself
ourselves themselves who whom which that this these those one""".split())
SUBJECT_PRONOUNS = frozenset("i you he she it we they who which that".split())
MODALS = frozenset("will would shall should can could may might must".split())
BE = frozenset("be is are was were been being am 's ’s".split())
HAVE = frozenset("have has had having".split())
DO = frozenset("do does did".split())
AUXILIARIES = MODALS | BE | HAVE | DO | frozenset(("not", "n't", "n’t"))
CONJUNCTIONS = frozenset("and or but nor so yet because although though while whereas if unless whether".split())
#: words after which a clause, not a noun phrase, goes on
CLAUSE_WORDS = MODALS | BE | HAVE | DO | frozenset(("that", "which", "who", "whom", "whose", "where", "when"))


@lru_cache(maxsize=100_000)
def pos(word: str) -> frozenset[str]:
    """The parts of speech (universal tags: NOUN, VERB, ADJ, ADV, AUX, ...) ``word`` can have,
    from lemminflect's dictionary; closed-class words get their own tags (DET, ADP, PRON, CCONJ)."""
    from lemminflect import getAllLemmas

    w = word.lower()
    tags = set(getAllLemmas(w)) if w.isalpha() or "-" in w or "'" in w else set()
    if w in DETERMINERS:
        tags = {"DET"} | ({"PRON"} if w in PRONOUNS else set())
    if w in PREPOSITIONS:
        tags.add("ADP")
    if w in PRONOUNS and w not in DETERMINERS:
        tags = {"PRON"}
    if w in CONJUNCTIONS:
        tags.add("CCONJ")
    if w in AUXILIARIES:
        tags.add("AUX")
    return frozenset(tags)


def only(word: str, *tags: str) -> bool:
    """``word`` is known and every part of speech it can have is among ``tags``."""
    p = pos(word)
    return bool(p) and p <= set(tags)


def can_be(word: str, tag: str) -> bool:
    return tag in pos(word)


@lru_cache(maxsize=50_000)
def verb_lemmas(word: str) -> tuple[str, ...]:
    from lemminflect import getAllLemmas

    return tuple(getAllLemmas(word.lower()).get("VERB", ()))


@lru_cache(maxsize=20_000)
def forms(lemma: str) -> dict[str, tuple[str, ...]]:
    """Penn-tag -> inflected forms of the verb ``lemma`` (VB, VBD, VBN, VBG, VBZ, VBP)."""
    from lemminflect import getAllInflections, getInflection

    out = dict(getAllInflections(lemma, upos="VERB"))
    if out:  # the dictionary leaves out a past participle equal to the past tense
        for tag in ("VB", "VBD", "VBN", "VBG", "VBZ", "VBP"):
            if tag not in out:
                got = getInflection(lemma, tag=tag)
                if got:
                    out[tag] = tuple(got)
    return out


def inflect(lemma: str, tag: str) -> str | None:
    """The first ``tag`` form of the verb ``lemma`` ("take", "VBD" -> "took")."""
    f = forms(lemma).get(tag)
    if f:
        return f[0]
    from lemminflect import getInflection

    got = getInflection(lemma, tag=tag)
    return got[0] if got else None


def verb_tags(word: str) -> set[str]:
    """The Penn verb tags ``word`` has as a form of any verb ("published" -> {VBD, VBN})."""
    w = word.lower()
    return {tag for lemma in verb_lemmas(w) for tag, fs in forms(lemma).items() if w in fs}


_AN_LETTERS = set("aefhilmnorsx")
_SILENT_H = ("hour", "honest", "honour", "honor", "heir")
_YOO = ("uni", "use", "usu", "ura", "uro", "eu", "ewe", "one", "once", "ubiq", "utop", "uk", "ufo")


def indefinite_article(next_word: str) -> str:
    """"a" or "an" before ``next_word`` (by its sound: "an hour", "a university", "an MP", "an 11-year").

    >>> [indefinite_article(w) for w in ("investment", "official", "university", "hour", "MP", "11-year", "eight", "one-off", "European", "US")]
    ['an', 'an', 'a', 'an', 'an', 'an', 'an', 'a', 'a', 'a']
    """
    w = next_word.strip("\"'“‘(")
    if not w:
        return "a"
    head = w.split("-")[0]
    if head[:1].isdigit():
        digits = head.replace(",", "").split(".")[0]
        if digits.startswith("8") or digits in ("11", "18") or (len(digits) in (2 + 3, 2 + 6) and digits[:2] in ("11", "18")):
            return "an"
        return "a"
    if len(head) > 1 and head.isupper():  # an acronym read letter by letter (US, UK, EU are "a")
        if head in ("US", "USA", "UK", "EU", "UN", "UEFA", "UNESCO", "UNICEF"):
            return "a"
        return "an" if head[0].lower() in _AN_LETTERS else "a"
    lw = w.lower()
    if lw.startswith(_SILENT_H):
        return "an"
    if lw.startswith(_YOO):
        return "a"
    return "an" if lw[0] in "aeiou" else "a"


#: before a noun-ambiguous verb form ("benefit", "risks"): words that make it a verb
VERB_CONTEXT = MODALS | SUBJECT_PRONOUNS | frozenset(("to", "not", "also", "n't", "n’t", "now", "still", "already"))


def previous_word(text: str, s0: int, pos: int) -> str:
    """The word just before ``pos`` in the sentence starting at ``s0`` ("" if none)."""
    import re

    m = re.search(r"([\w’'-]+)[^\w’'-]*$", text[s0:pos])
    return m.group(1) if m and not re.search(r"[,;:(\"“”]\s*$", text[s0:pos]) else ""


def reads_as_verb(text: str, s0: int, start: int, word: str, after_noun: bool = False) -> bool:
    """``word`` (a verb form at ``start``) reads as a verb here, not as a noun: not after a
    determiner or a preposition; a form that is also a noun ("risks", "benefit") only after a
    subject pronoun, a modal, "to" or a name (or, with ``after_noun``, a noun: "the dispute
    risks to delay", where what follows already says it is a verb)."""
    prev = previous_word(text, s0, start)
    pl = prev.lower()
    if pl in ("that", "which", "who") and "NOUN" in pos(previous_word(text, s0, start - len(prev) - 1).lower()):
        return True  # "a decision that risks to disrupt": a relative pronoun, then its verb
    if pl in DETERMINERS or (pl in PREPOSITIONS and pl != "to") or only(pl, "ADJ"):
        return False
    w = word.lower()
    if "NOUN" not in pos(w) or verb_tags(w) & {"VBD", "VBN", "VBG"}:
        return True
    return (pl in VERB_CONTEXT or (prev[:1].isupper() and not pos(pl))
            or (after_noun and "NOUN" in pos(pl) and not pos(pl) & {"DET", "ADP", "PRON"}))
