"""A noise model of the EN->FR->EN machine-translation round trip.

Each function takes a clean sentence and a ``random.Random`` and returns the sentence with
one kind of round-trip damage (or unchanged when the sentence gives it nothing to work
on). :func:`garble` mixes them. The word tables live in :mod:`repair.roundtrip`, which the
post-editor also reads at run time (known round-trip markers, and the damage run backwards).

>>> import random
>>> false_friends("Its shares fell.", random.Random(0), p=1.0)
'Its actions fell.'
"""
from __future__ import annotations

import random
import re

from ..roundtrip import ACRONYMS, CALQUES, FALSE_FRIENDS, FURNITURE, MARKERS, case_like  # noqa: F401 (MARKERS)


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
        return case_like(m.group(0), rng.choice(table[key]))

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


