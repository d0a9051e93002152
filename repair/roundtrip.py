"""The EN->FR->EN round trip's known word damage, as data the run time reads.

These tables say what a French round trip makes of English words and phrases (false friends,
calques, acronyms, page furniture). The post-editor reads them at run time: :data:`MARKERS`
decides which sentences are worth a model call, and :func:`undo_candidates` runs the damage
backwards to offer known repairs. The training code's noise model (``repair.train.noise``)
uses the same tables forwards to damage clean text; it depends on this module, never the
reverse.

>>> undo_candidates("The society raised her prices.")
['The company raised her prices.', 'The society raised its prices.', 'The society raised her tariffs.']
"""
from __future__ import annotations

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


def case_like(src: str, repl: str) -> str:
    """``repl`` capitalised when ``src`` is."""
    if src[:1].isupper() and not repl[:1].isupper():
        return repl[:1].upper() + repl[1:]
    return repl


FURNITURE = ("After promoting the newsletter", "Publicity", "Share this article",
             "The article continues after the advertisement", "Read also", "To read also")


#: Damaged forms that are themselves correct, idiomatic English with the original's meaning
#: ("told journalists" for "told reporters", "legislators" for "lawmakers"): the round trip
#: changed the wording, not the sense, so a minimal post-edit keeps them. They stay in the
#: noise model (the round trip does produce them), but the post-editor never proposes
#: undoing them and they alone do not make a sentence suspicious.
FLUENT: frozenset[str] = frozenset({"told journalists", "a spokesperson", "legislators", "in a press release",
                                    "declared", "indicated", "should"})

#: Damaged forms that are also common, correct English in other senses ("a privacy advocate", "the
#: advocate general"): the round trip does produce them, but without a context to tell the two
#: apart the post-editor never proposes undoing them, and they alone do not make a sentence
#: suspicious (the glossary's context-conditioned rules handle them where context decides).
AMBIGUOUS: frozenset[str] = frozenset({"advocate", "advocates"})


def _inverse() -> dict[str, tuple[str, ...]]:
    inv: dict[str, list[str]] = {}
    for table in (FALSE_FRIENDS, CALQUES):
        for clean, damaged in table.items():
            for d in damaged:
                if d.lower() in FLUENT or d.lower() in AMBIGUOUS:
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
            cand = window[:m.start()] + case_like(m.group(0), clean) + window[m.end():]
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
