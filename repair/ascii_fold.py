"""What the post-editing model reads: typographic characters folded to the ASCII it was trained on.

The built-in post-editor's vocabulary (4,000 SentencePiece pieces) spells every character
outside ASCII as raw bytes, and the small model copies those bytes badly: "carmaker’s"
came back as "carmaker\\ufffd\\ufffd\\ufffds", and every sentence with a curly quote, a dash,
a euro sign or an accented name lost its model proposals to the guards. It was trained on
news whose quotes are mostly straight.

:func:`fold` maps such characters one for one to ASCII ("’" -> "'", "“" -> '"', "—" -> "-",
"€" -> "$", "é" -> "e"), so a folded text has the length and the word boundaries of the
original; :func:`unfold` puts the original typography back into what the model wrote: a
word it copied is the source's word exactly, and a word it changed gets back the characters
the source spelled that way (an apostrophe is "’" in a text that writes "’").

>>> fold("The carmaker’s “AI” unit — €5bn, Galthié")
'The carmaker\\'s "AI" unit - $5bn, Galthie'
>>> unfold("The carmaker's shares - $5bn, Galthie", "The carmaker’s actions — €5bn, Galthié")
'The carmaker’s shares — €5bn, Galthié'
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

#: typographic characters -> the ASCII character the model reads instead (one for one)
_PUNCT = {
    "’": "'", "‘": "'", "‚": "'", "′": "'", "ʼ": "'",
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "″": '"',
    "—": "-", "–": "-", "‒": "-", "−": "-", "‐": "-", "‑": "-",
    "€": "$", "£": "$", "¥": "$",
}


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    if c in _PUNCT:
        return _PUNCT[c]
    if c.isascii() or not c.isalpha():
        return c
    base = unicodedata.normalize("NFKD", c)
    # a Latin letter with diacritics ("é", "ü", "ç"): its base letter, when that is one ASCII letter
    if base[:1].isascii() and base[:1].isalpha() and all(unicodedata.combining(x) for x in base[1:]):
        return base[0]
    return c


def fold(text: str) -> str:
    """``text`` with typographic characters folded to ASCII, one character for one."""
    if text.isascii():
        return text
    return "".join(_fold_char(c) for c in text)


def unfold(output: str, source: str) -> str:
    """The model's ``output`` for the folded ``source``, with the source's typography back.

    Words are separated by single spaces (the post-editor's windows). A word whose folded
    form is a folded word of ``source`` becomes that source word; in a new word, each ASCII
    character that stood for one typographic character in ``source`` becomes that character
    again (a double quote opens or closes by its place in the word), and it stays ASCII
    where ``source`` wrote it both ways.

    >>> unfold('He said "no" to the dollar.', "He said “yes” to the euro.")
    'He said “no” to the dollar.'
    """
    if source.isascii():
        return output
    words: dict[str, str] = {}
    for w in source.split(" "):
        words.setdefault(fold(w), w)
    back: dict[str, set[str]] = {}
    for c in source:
        f = _fold_char(c)
        if f != c or c in "'\"-$":
            back.setdefault(f, set()).add(c)
    return " ".join(words.get(w) or _restore(w, back) for w in output.split(" "))


def _restore(word: str, back: dict[str, set[str]]) -> str:
    out = []
    for i, c in enumerate(word):
        seen = back.get(c)
        if not seen or c.isalpha() or (c == "-" and word != "-"):
            # letters stay ASCII in a new word (the model chose them), and so does a hyphen
            # inside a word ("co-operate"); only a dash standing alone is a dash again
            out.append(c)
        elif len(seen) == 1:
            out.append(next(iter(seen)))
        elif c == '"' and seen <= {"“", "”"}:
            out.append("“" if not any(x.isalnum() for x in word[:i]) else "”")
        elif c == '"' and seen <= {"«", "»"}:
            out.append("«" if not any(x.isalnum() for x in word[:i]) else "»")
        else:
            out.append(c)
    return "".join(out)
