"""POSSESSIVE: "the shares of the company fell" -> "the company's shares fell" (possessives.yaml).

French "les actions de la société", "la mère de la victime", "l'armée de la Pologne" kept as
"N of N" where English puts the owner first with "'s":

- the owner: "the" (and adjectives) + an organisation or person noun (pronouns.yaml:
  org_nouns, person_nouns; "the Danish group", "the victim"), their plurals or any plural
  that names people by what they do ("the smugglers", "the signallers": an owner takes "'"),
  "a" + such a noun ("the house of a collector" -> "a collector's house"), a name (a
  capitalised word that is no dictionary word: "Aviva", "Donald Trump", "HSBC") or a
  country ("the army of Poland" -> "Poland's army");
- the head: a noun (with its adjectives: "the late deliveries of Boeing"), not one of the
  heads English keeps with "of" (possessives.yaml ``not_heads``: parts and quantities, titles,
  actions done to the owner: "the takeover of the group"), and no -tion/-ment noun;
- not after a partitive ("5% of the shares of the company"), nor before "'s", "and", "or",
  "of", nor when a noun goes on after the owner ("the headquarters of Charlie Hebdo
  magazine").
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon, names, wordlists
from .proposal import make
from .tokens import Token, apostrophe, capitalise_first, sentences, tokenize

FAMILY = "POSSESSIVE"
NAME = "possessives"
PARTITIVE = frozenset(("of", "all", "half", "some", "most", "many", "none", "any", "each", "%", "percent", "cent",
                       "one", "two", "three", "both", "several", "few"))
NOMINALISATION = re.compile(r"\w{3,}(?:tion|sion|ment|ance|ence|ure|ism|ship|hood|ness|est)s?$")


@lru_cache(maxsize=1)
def _lists():
    doc = wordlists.load(NAME)
    pron = wordlists.load("pronouns")
    owners = {str(o) for o in doc["owners"]} | {str(w) for w in pron["org_nouns"]} | {str(w) for w in pron["person_nouns"]} \
        | {str(w) for w in pron["female_words"] if str(w).islower()} | {str(w) for w in pron["male_words"] if str(w).islower()}
    countries = {str(n["country"]): n for n in wordlists.load("nationalities")["nationalities"]
                 if not str(n["country"]).startswith("the ")}
    return doc, frozenset(owners), frozenset(map(str, doc["not_heads"])), countries, frozenset(map(str, doc["person_heads"]))


def _people_plural(w: str, owners: frozenset) -> bool:
    """A plural naming people or organisations: "victims", "smugglers", "signallers", "carmakers"."""
    if not w.endswith("s") or len(w) < 5:
        return False
    from .compound_of import singular

    sing = singular(w)
    if sing in owners:
        return True
    return sing.endswith(("er", "or", "ist", "ian")) and "NOUN" in lexicon.pos(w) and len(sing) > 4


def _owner(toks: list[Token], k: int, owners, countries):
    """The owner phrase at token ``k`` (after "of"): (end index, text, kind) with kind
    "sing" (takes 's), "plural" (takes '), or None."""
    if k >= len(toks):
        return None
    t = toks[k]
    if t.lower in ("the", "a", "an"):
        j = k + 1
        while j < len(toks) and toks[j].is_word and (lexicon.only(toks[j].lower, "ADJ") or toks[j].text in names.nationalities()
                                                     or "-" in toks[j].text and not toks[j].is_cap) and j - k < 3:
            j += 1
        if j >= len(toks) or not toks[j].is_word or re.search(r"['’]s?$", toks[j].text):
            return None
        if toks[j].is_cap:
            w = toks[j].text
            if t.lower == "the" and j == k + 1 and w.endswith(("is", "ans", "ites", "ists", "ds")) and not lexicon.pos(w.lower()) \
                    and w[1:].islower():
                return j + 1, "plural", "the"  # "the Houthis"
            return None
        last = j
        while last + 1 < len(toks) and toks[last + 1].is_word and not toks[last + 1].is_cap \
                and "NOUN" in lexicon.pos(toks[last + 1].lower) and "VBD" not in lexicon.verb_tags(toks[last + 1].lower) \
                and not lexicon.pos(toks[last + 1].lower) & {"ADP", "DET", "AUX", "CCONJ", "PRON", "ADV"} and last - k < 4:
            last += 1
            w = toks[last].lower
            if re.search(r"['’]s?$", toks[last].text):
                return None
            if w in owners or _people_plural(w, owners):
                j = last  # "the resident doctors": the owner's head is the last owner noun
        w = toks[j].lower
        if w in owners:
            return j + 1, "sing", t.lower
        if _people_plural(w, owners) and t.lower == "the":
            return j + 1, "plural", t.lower
        return None
    if t.is_cap and t.is_word:
        if t.text in countries:
            return k + 1, "sing", "name"
        j = k
        while j < len(toks) and toks[j].is_cap and toks[j].is_word and j - k < 3:
            j += 1
        words = [x.text for x in toks[k:j]]
        if re.search(r"['’]s?$", words[-1]):
            return None  # "the extent of Riyadh's interests": the name owns something else
        from .pronouns import CALENDAR

        if any(w in CALENDAR for w in words):
            return None
        if any(w in names.nationalities() for w in words) or lexicon.pos(words[0].lower()) and words[0].lower() not in ("group", "bank"):
            return None  # "the shares of Friday", "the sales of Christmas": not an owner
        if len(words) == 1 and words[0].isupper() and len(words[0]) < 2:
            return None
        first = names.first_names()
        if len(words) >= 2 and words[0] in first:
            return j, "sing", "person"  # "Donald Trump"
        return j, "sing", "name"
    return None


def propose(text: str, spans: list[tuple[int, int]] | None = None) -> list:
    doc, owners, not_heads, countries, person_heads = _lists()
    name_heads = frozenset(map(str, doc["name_heads"]))
    out = []
    apos = apostrophe(text)
    for s0, s1 in sentences(text, spans):
        if " of " not in text[s0:s1]:
            continue
        toks = tokenize(text, s0, s1)
        for i, t in enumerate(toks):
            if t.lower != "of" or i < 2:
                continue
            head = toks[i - 1]
            hw = head.lower
            if not head.is_word or head.is_cap or "NOUN" not in lexicon.pos(hw) or hw in not_heads \
                    or NOMINALISATION.search(hw) or lexicon.only(hw, "ADJ", "NOUN") and "NOUN" not in lexicon.pos(hw):
                continue
            # the head's determiner "the", with up to two adjectives between ("the late deliveries")
            b = i - 2
            while b >= 0 and i - 1 - b <= 2 and toks[b].is_word and toks[b].lower != "the" and not toks[b].is_cap \
                    and toks[b].lower not in lexicon.DETERMINERS and toks[b].lower not in lexicon.PREPOSITIONS \
                    and ("ADJ" in lexicon.pos(toks[b].lower) or "-" in toks[b].text
                         or "NOUN" in lexicon.pos(toks[b].lower) and not lexicon.verb_tags(toks[b].lower) & {"VBD", "VBZ"}):
                b -= 1  # adjectives and noun modifiers: "the late deliveries", "the order book"
            if b < 0 or toks[b].lower != "the":
                continue
            prev = toks[b - 1].lower if b > 0 else ""
            from .compound_of import OF_PHRASES

            if (prev in PARTITIVE and not (prev == "of" and b > 1 and toks[b - 2].lower in OF_PHRASES)) \
                    or (b > 0 and toks[b - 1].text == "%"):
                continue
            got = _owner(toks, i + 1, owners, countries)
            if got is None:
                continue
            end, number, det = got
            if hw not in person_heads and _person_head(hw):
                continue  # "the president of the company": a title
            head_phrase = text[toks[b + 1].start:head.end]
            if hw not in person_heads and hw not in name_heads and head_phrase.lower() not in name_heads:
                # "the town of Bobigny", "the hat of the referee", "the acquittal of the activists": English
                # says either; only the listed heads of a calque are proposed (what a business owns, a relative)
                continue
            # what follows the owner
            nxt = text[toks[end - 1].end:toks[end - 1].end + 6]
            if re.match(r"(?:['’]s?\b| and\b| or\b| of\b|-)", nxt):
                continue
            if end < len(toks):
                f = toks[end]
                fp = lexicon.pos(f.lower)
                agrees = {"VBD", "VBP"} if hw.endswith("s") else {"VBD", "VBZ"}  # the verb of the head
                if f.is_word and not f.is_cap and "NOUN" in fp and not fp & {"ADP", "DET", "AUX", "ADV", "CCONJ", "PRON"} \
                        and not lexicon.verb_tags(f.lower) & agrees:
                    continue  # "the headquarters of Charlie Hebdo magazine": the name is a modifier
                if f.is_cap and f.is_word and det != "name":
                    continue
                if f.lower in ("who", "whom", "that", "which", "whose") or (lexicon.verb_tags(f.lower) & {"VBG", "VBN"}
                                                                          and not lexicon.verb_tags(f.lower) & {"VBD", "VBZ"}):
                    continue  # "the family of a woman who ...": a heavy owner keeps "of"
            owner = text[toks[i + 1].start:toks[end - 1].end]
            if det in ("name", "person"):
                if owner.endswith("s"):
                    forms = [f"{owner}{apos}s", f"{owner}{apos}"]
                else:
                    forms = [f"{owner}{apos}s"]
            elif number == "plural":
                forms = [f"{owner}{apos}", f"{owner[len(det) + 1:]}{apos}"]
            else:
                forms = [f"{owner}{apos}s"]
            head_phrase = text[toks[b + 1].start:head.end]
            start = toks[b].start
            cands = [f"{f} {head_phrase}" for f in forms]
            if text[start].isupper():
                cands = [capitalise_first(c) for c in cands]
            elif start == s0:
                cands = [capitalise_first(c) for c in cands]
            item = doc["examples"]
            p = make(FAMILY, text, start, toks[end - 1].end, cands, wordlists.origin(NAME, item), (s0, s1),
                     pattern="name" if det in ("name", "person") else "noun")
            if p:
                out.append(p)
    return out


@lru_cache(maxsize=1)
def _person_nouns() -> frozenset:
    return frozenset(str(x) for x in wordlists.load("pronouns")["person_nouns"])


def _person_head(w: str) -> bool:
    """A singular head that names a person by a title ("the president of ...")."""
    return w in _person_nouns()
