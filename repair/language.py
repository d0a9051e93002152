"""Text in another language inside English text: left alone by the repair.

An English news article may quote a French minister in French ("« Le chômage a augmenté
de 7 % en un an »"), or carry a sentence in Spanish. Those words are not a garbled
translation: a glossary rule or the post-editor that "repairs" them (``7 %`` -> ``7%``)
damages correct text. :class:`ForeignText` tells, for a span of a text, whether it lies in a
quotation, or else a sentence, that is in another language; the glossary pass and the
post-editor's proposals there are held back with that reason.

The test is cheap and runs only where a proposal is: the words of the quotation (or
sentence) are counted against lists of function words (``repair/data/function_words.txt``);
it is another language when at least :data:`MIN_FOREIGN` of its words are function words of
another language (and not English ones), more than twice as many as its English function
words, and at least one word in six.

>>> f = ForeignText("“Le chômage a augmenté de 7 % en un an”, she said, up 7 % on the year.")
>>> f.reason(26, 29), f.reason(54, 57)
('inside a quotation in French', None)
"""
from __future__ import annotations

from .edit import Proposal, Rejected

import re
from functools import lru_cache
from importlib import resources

from .segment import sentence_around

#: Fewest function words of another language that make a span foreign.
MIN_FOREIGN = 2
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
#: Quotations on one line: “…”, «…», „…“, "…" (single quotes are too often apostrophes).
_QUOTE = re.compile(r"“([^“”\n]{1,3000})”|«([^«»\n]{1,3000})»|„([^„“”\n]{1,3000})[“”]|\"([^\"\n]{1,3000})\"")


@lru_cache(maxsize=1)
def function_words() -> tuple[frozenset[str], dict[str, tuple[str, frozenset[str]]]]:
    """The English function words, and those of each other language (code -> name, words)."""
    text = resources.files("repair").joinpath("data/function_words.txt").read_text(encoding="utf-8")
    english: frozenset[str] = frozenset()
    others: dict[str, tuple[str, frozenset[str]]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        head, words = line.split(":", 1)
        code, name = head.split(None, 1)
        ws = frozenset(words.split())
        if code == "en":
            english = ws
        else:
            others[code] = (name, ws)
    return english, {c: (n, ws - english) for c, (n, ws) in others.items()}


def language_of(text: str) -> str | None:
    """The name of the language ``text`` is in when it is not English (None: English, or
    too short to tell).

    >>> language_of("Le chômage des jeunes a augmenté de 7 % en un an"), language_of("De Gaulle spoke at la Sorbonne.")
    ('French', None)
    """
    words = [w.lower().replace("’", "'") for w in _WORD.findall(text)]
    if len(words) < 4:
        return None
    english, others = function_words()
    n_english = sum(1 for w in words if w in english)
    best, best_n = None, 0
    for _code, (name, ws) in others.items():
        n = sum(1 for w in words if w in ws)
        if n > best_n:
            best, best_n = name, n
    if best_n >= MIN_FOREIGN and best_n > 2 * n_english and best_n * 6 >= len(words):
        return best
    return None


class ForeignText:
    """The spans of one text that are in another language, found on demand."""

    def __init__(self, text: str):
        self.text = text
        self._quotes: list[tuple[int, int, str | None]] | None = None
        self._sentences: dict[tuple[int, int], str | None] = {}

    def quotes(self) -> list[tuple[int, int, str | None]]:
        if self._quotes is None:
            self._quotes = []
            for m in _QUOTE.finditer(self.text):
                g = next(i for i in range(1, 5) if m.group(i) is not None)
                self._quotes.append((m.start(g), m.end(g), language_of(m.group(g))))
        return self._quotes

    def reason(self, start: int, end: int) -> str | None:
        """Why ``text[start:end]`` is left alone (a quotation or a sentence in another
        language), or None."""
        for a, b, lang in self.quotes():
            if a <= start and end <= b:
                if lang:
                    return f"inside a quotation in {lang}"
                return None  # an English quotation: the repair goes on
        span = sentence_around(self.text, start, end)
        if span not in self._sentences:
            self._sentences[span] = language_of(self.text[span[0]:span[1]])
        lang = self._sentences[span]
        return f"in a sentence in {lang}" if lang else None


def leave_foreign_text(text: str, proposals: list[Proposal]) -> tuple[list[Proposal], list[Rejected]]:
    """Proposals that do not touch a quotation or sentence in another language, and the
    others rejected with that reason ."""
    if not proposals:
        return proposals, []
    foreign = ForeignText(text)
    ok, rejected = [], []
    for p in proposals:
        why = foreign.reason(p.start, p.end)
        if why:
            rejected.append(p.reject(why))
        else:
            ok.append(p)
    return ok, rejected
