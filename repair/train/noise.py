"""A noise model of the EN->FR->EN machine-translation round trip.

Each function takes a clean sentence and a ``random.Random`` and returns the sentence with
one kind of round-trip damage (or unchanged when the sentence gives it nothing to work
on). :func:`garble` mixes them. The word lists are also the post-editor's list of known
round-trip markers (:data:`MARKERS`), used to decide which sentences are worth the model.

>>> import random
>>> false_friends("Its shares fell.", random.Random(0), p=1.0)
'Its actions fell.'
"""
from __future__ import annotations

import random
import re

# clean English -> what the round trip makes of it (first element is the usual one)
FALSE_FRIENDS: dict[str, tuple[str, ...]] = {
    "shares": ("actions",), "share price": ("action price", "price of the action"),
    "shareholders": ("shareholders",),
    "tariffs": ("prices", "rights of customs"), "tariff": ("price",),
    "customs duties": ("rights of customs",),
    "chips": ("fleas",), "chip": ("flea",), "chipmaker": ("flea manufacturer",),
    "shipments": ("expeditions",), "shipment": ("expedition",),
    "company": ("society",), "companies": ("societies",),
    "currently": ("actually",), "current": ("actual",),
    "possibly": ("eventually",), "possible": ("eventual",),
    "chief executive": ("director general", "general director"),
    "MPs": ("deputies",), "lawmakers": ("deputies", "legislators"),
    "police": ("forces of order",),
    "outlets": ("points of sale",), "outlet": ("point of sale",),
    "library": ("bookstore",), "bookshop": ("library",),
    "attend": ("assist at",), "attended": ("assisted at",),
    "achieve": ("realise",), "achieved": ("realised",),
    "advice": ("advices",), "information": ("informations",),
    "research": ("researches",), "training": ("formation",),
    "support": ("sustain",), "supported": ("sustained",),
    "evidence": ("evidences", "proofs"), "lawyer": ("advocate",), "lawyers": ("advocates",),
    "data": ("datas",), "asked": ("demanded",),
    "warned": ("warned",), "launched": ("launched",),
    "carmakers": ("automobile builders",), "carmaker": ("automobile builder",),
    "smartphone": ("intelligent phone",), "smartphones": ("intelligent phones",),
    "sales": ("sellings",), "market share": ("share of market",),
    "workers": ("workers",), "unemployment": ("the unemployment",),
    "record": ("record",), "billion": ("billion",),
}
FALSE_FRIENDS = {k: v for k, v in FALSE_FRIENDS.items() if v != (k,)}

ACRONYMS = {"AI": "IA", "EU": "UE", "UN": "ONU", "NATO": "OTAN", "GDP": "PIB", "WTO": "OMC",
            "WHO": "OMS", "IMF": "FMI", "ECB": "BCE", "CEO": "PDG",
            "DNA": "ADN", "HIV": "VIH", "Aids": "Sida"}

CALQUES: dict[str, tuple[str, ...]] = {
    "if so": ("in the affirmative", "if yes"), "if not": ("in the negative",),
    "it is a question of": ("it is question of",), "there is talk of": ("it is question of",),
    "strikes by": ("strikes of",), "according to": ("according to",),
    "in charge of": ("in charge of",), "ahead of": ("in advance of",),
    "last year": ("the last year",), "next week": ("the next week",),
    "said": ("declared", "indicated"), "told reporters": ("told journalists", "declared to the press"),
    "a spokesman": ("a spokesperson", "a door-word"), "spokeswoman": ("door-word",),
    "in a statement": ("in a press release", "in a communiqué"),
    "take place": ("have place",), "took place": ("had place",),
    "make a decision": ("take a decision",), "made a decision": ("took a decision",),
    "at least": ("at least",), "as well as": ("as well as",),
    "explain whether": ("explain if",), "asking whether": ("asking if",),
    "to be held": ("to hold",), "is expected to": ("should",),
    "since January": ("since January",), "for years": ("since years",),
    "for two years": ("since two years",), "for months": ("since months",),
}
CALQUES = {k: v for k, v in CALQUES.items() if v != (k,)}

#: Round-trip markers: the phrases the noise model puts in, lower-cased. A sentence with
#: one of these (or another cheap sign of damage) is "suspicious" and goes to the model.
MARKERS: frozenset[str] = frozenset(
    v.lower() for vals in list(FALSE_FRIENDS.values()) + list(CALQUES.values()) for v in vals
) | frozenset(a.lower() for a in ACRONYMS.values())


def _case_like(src: str, repl: str) -> str:
    if src[:1].isupper() and not repl[:1].isupper():
        return repl[:1].upper() + repl[1:]
    return repl


def _phrase_swap(s: str, table: dict[str, tuple[str, ...]], rng: random.Random, p: float,
                 ignore_case: bool = True) -> str:
    keys = sorted(table, key=len, reverse=True)
    pat = re.compile(r"\b(" + "|".join(re.escape(k) for k in keys) + r")\b",
                     re.IGNORECASE if ignore_case else 0)
    lower = {k.lower(): k for k in keys}

    def sub(m: re.Match) -> str:
        if rng.random() >= p:
            return m.group(0)
        key = m.group(0) if m.group(0) in table else lower.get(m.group(0).lower())
        if key is None or (key != m.group(0) and key.upper() == key):  # acronyms: exact case only
            return m.group(0)
        return _case_like(m.group(0), rng.choice(table[key]))

    return pat.sub(sub, s)


def false_friends(s: str, rng: random.Random, p: float = 0.7) -> str:
    """Swap words for their round-trip false friends.

    >>> false_friends("The company raised tariffs on chips.", random.Random(1), p=1.0)
    'The society raised rights of customs on fleas.'
    """
    return _phrase_swap(s, FALSE_FRIENDS, rng, p)


def calques(s: str, rng: random.Random, p: float = 0.5) -> str:
    """Replace idioms by their word-for-word French calques.

    >>> calques("He was asked to explain whether it was true and, if so, how.", random.Random(0), p=1.0)
    'He was asked to explain if it was true and, if yes, how.'
    """
    return _phrase_swap(s, CALQUES, rng, p)


def acronyms(s: str, rng: random.Random, p: float = 0.8) -> str:
    """English acronyms become their French forms.

    >>> acronyms("The EU and NATO met.", random.Random(0), p=1.0)
    'The UE and OTAN met.'
    """
    pat = re.compile(r"\b(" + "|".join(ACRONYMS) + r")\b")
    return pat.sub(lambda m: ACRONYMS[m.group(0)] if rng.random() < p else m.group(0), s)


def articles(s: str, rng: random.Random, p: float = 0.5) -> str:
    """Articles added before abstract nouns and acronyms, or dropped ("a question of").

    >>> articles("AI will change how climate change is fought.", random.Random(0), p=1.0)
    'The AI will change how the climate change is fought.'
    >>> articles("It is a question of money.", random.Random(0), p=1.0)
    'It is question of money.'
    """
    def add(m: re.Match) -> str:
        if rng.random() >= p:
            return m.group(0)
        art = "The " if m.start() == 0 else "the "
        return art + m.group(0)

    s = re.sub(r"(?<!\bthe )(?<!\bThe )(?<!\ba )(?<!\ban )\b(?:AI|climate change|unemployment|inflation|"
               r"immigration|society|democracy|tourism|education|poverty)\b", add, s)
    s = re.sub(r"\b(is|was) a (question|matter) of\b",
               lambda m: f"{m.group(1)} {m.group(2)} of" if rng.random() < p else m.group(0), s)
    s = re.sub(r"\b([Aa]n) (?=[a-z])", lambda m: "" if rng.random() < p * 0.3 else m.group(0), s)
    return s


def adjective_order(s: str, rng: random.Random, p: float = 0.7) -> str:
    """"the ADJ NOUN of X" becomes "the X ADJ NOUN", as in "the AI global advance".

    >>> adjective_order("It shows the global advance of AI.", random.Random(0), p=1.0)
    'It shows the AI global advance.'
    """
    def sub(m: re.Match) -> str:
        if rng.random() >= p:
            return m.group(0)
        return f"{m.group(1)} {m.group(4)} {m.group(2)} {m.group(3)}"

    return re.sub(r"\b([Tt]he) ([a-z]{3,}(?:al|ic|ive|ous|ern|ish|ean|ese|ing|ed|ern)) ([a-z]{3,}) of "
                  r"([A-Z][A-Za-z]+|[a-z]{3,})\b", sub, s)


def pronouns(s: str, rng: random.Random, p: float = 0.6) -> str:
    """Gender errors: "its" becomes "her" (a company is feminine in French) and a man at
    the start of a sentence becomes "It" (from "C'est").

    >>> pronouns("He is a celebrity, and the firm said its profits rose.", random.Random(0), p=1.0)
    'It is a celebrity, and the firm said her profits rose.'
    """
    s = re.sub(r"\b([Ii])ts\b", lambda m: ("H" if m.group(1) == "I" else "h") + "er"
               if rng.random() < p else m.group(0), s)
    s = re.sub(r"^(He|She) (is|was) (a|an|the)\b",
               lambda m: f"It {m.group(2)} {m.group(3)}" if rng.random() < p else m.group(0), s)
    s = re.sub(r"\b(they) (are|were)\b(?= (?:a|an) )", lambda m: m.group(0), s)
    return s


def numbers(s: str, rng: random.Random, p: float = 0.8) -> str:
    """French number, currency and quote formats.

    >>> numbers("It paid $5.5bn (£4.2bn), up 7% from 12,000 “units”.", random.Random(0), p=1.0)
    'It paid $ 5.5 billion (4.2 billion pounds sterling), up 7 % from 12 000 « units ».'
    """
    def maybe(f):
        return lambda m: f(m) if rng.random() < p else m.group(0)

    units = {"bn": "billion", "m": "million", "tn": "trillion"}
    s = re.sub(r"\$(\d+(?:\.\d+)?)(bn|m|tn)\b", maybe(lambda m: f"$ {m.group(1)} {units[m.group(2)]}"), s)
    s = re.sub(r"£(\d+(?:\.\d+)?)(bn|m|tn)\b",
               maybe(lambda m: f"{m.group(1)} {units[m.group(2)]} pounds sterling"), s)
    s = re.sub(r"€(\d+(?:\.\d+)?)(bn|m|tn)\b", maybe(lambda m: f"{m.group(1)} {units[m.group(2)]} euros"), s)
    s = re.sub(r"(\d)%", maybe(lambda m: f"{m.group(1)} %"), s)
    s = re.sub(r"(\d),(\d{3})\b", maybe(lambda m: f"{m.group(1)} {m.group(2)}"), s)
    s = re.sub(r"“([^”]+)”", maybe(lambda m: f"« {m.group(1)} »"), s)
    return s


FURNITURE = ("After promoting the newsletter", "Publicity", "Share this article",
             "The article continues after the advertisement", "Read also", "To read also")


def furniture(rng: random.Random) -> str:
    """A line of translated web-page furniture (the glossary deletes these; listed here so
    the post-editor's suspicion test knows them)."""
    return rng.choice(FURNITURE)


NOISES = (("false_friends", false_friends, 0.55), ("calques", calques, 0.35),
          ("pronouns", pronouns, 0.35), ("articles", articles, 0.3),
          ("adjective_order", adjective_order, 0.3), ("acronyms", acronyms, 0.3),
          ("numbers", numbers, 0.3))


def garble(s: str, rng: random.Random) -> tuple[str, tuple[str, ...]]:
    """Apply a random mix of the noise functions; returns the noisy text and the names of
    the functions that changed it.

    >>> garble("The company said its shares fell.", random.Random(3))[1] != ()
    True
    """
    applied = []
    for name, fn, prob in NOISES:
        if rng.random() < prob:
            t = fn(s, rng)
            if t != s:
                applied.append(name)
                s = t
    return s, tuple(applied)


#: Damaged forms that are themselves correct, idiomatic English with the original's meaning
#: ("told journalists" for "told reporters", "legislators" for "lawmakers"): the round trip
#: changed the wording, not the sense, so a minimal post-edit keeps them. They stay in the
#: noise model (the round trip does produce them), but the post-editor never proposes
#: undoing them and they alone do not make a sentence suspicious.
FLUENT: frozenset[str] = frozenset({"told journalists", "a spokesperson", "legislators", "in a press release",
                                    "declared", "indicated", "should"})


def _inverse() -> dict[str, tuple[str, ...]]:
    inv: dict[str, list[str]] = {}
    for table in (FALSE_FRIENDS, CALQUES):
        for clean, damaged in table.items():
            for d in damaged:
                if d.lower() in FLUENT:
                    continue
                inv.setdefault(d.lower(), [])
                if clean not in inv[d.lower()]:
                    inv[d.lower()].append(clean)
    inv.update({"her": ["its"], "it is a": ["he is a", "she is a"], "it was a": ["he was a", "she was a"],
                "is question of": ["is a question of"], "was question of": ["was a question of"]})
    return {k: tuple(v) for k, v in inv.items()}


#: Damaged phrase (lower-cased) -> the clean phrases it may come from: the noise model run
#: backwards. The post-editor offers these to the model as candidate repairs, next to its
#: own greedy output; the model's scores decide.
INVERSE: dict[str, tuple[str, ...]] = _inverse()


def undo_candidates(window: str) -> list[str]:
    """Copies of ``window`` with one damaged phrase replaced by a clean phrase it may come
    from (case carried over), one candidate per (place, replacement).

    >>> undo_candidates("The society raised her prices.")
    ['The company raised her prices.', 'The society raised its prices.', 'The society raised her tariffs.']
    """
    out: list[str] = []
    for m in _inverse_regex().finditer(window):
        for clean in INVERSE.get(m.group(0).lower(), ()):
            cand = window[:m.start()] + _case_like(m.group(0), clean) + window[m.end():]
            if cand != window and cand not in out:
                out.append(cand)
    for m in re.finditer(r"\b([Tt]he) ([A-Z]{2,5}) ([a-z]{3,}) ([a-z]{3,})\b", window):
        cand = window[:m.start()] + f"{m.group(1)} {m.group(3)} {m.group(4)} of {m.group(2)}" + window[m.end():]
        if cand not in out:
            out.append(cand)
    return out


_INV_RE: list[re.Pattern] = []


def _inverse_regex() -> re.Pattern:
    if not _INV_RE:
        keys = sorted(INVERSE, key=len, reverse=True)
        _INV_RE.append(re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(k) for k in keys) + r")(?![\w-])",
                                  re.IGNORECASE))
    return _INV_RE[0]
