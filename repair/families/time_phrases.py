"""The time adverbials of ``repair/data/families/time_phrases.yaml`` as one regular expression."""
from __future__ import annotations

import re
from functools import lru_cache

from . import wordlists


@lru_cache(maxsize=1)
def compiled() -> tuple[re.Pattern, dict[str, tuple[str, wordlists.Entry]]]:
    """One alternation of every time phrase, each in its own named group; the dict maps a
    group name to (kind, entry): kind is ``past``, ``dated``, ``period`` or ``other``."""
    doc = wordlists.load("time_phrases")
    macros = {k: str(v) for k, v in doc["macros"].items() if k != "__line__"}
    groups: dict[str, tuple[str, wordlists.Entry]] = {}
    parts = []
    for kind in ("past", "dated", "period", "other"):
        for entry in wordlists.strings(doc.get(kind)):
            name = f"t{len(groups)}"
            groups[name] = (kind, entry)
            parts.append(f"(?P<{name}>{expand(entry, macros)})")
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])"), groups


def expand(pattern: str, macros: dict[str, str]) -> str:
    """``pattern`` with every ``{NAME}`` of ``macros`` written out (other braces, such as
    ``\\d{1,2}``, stay)."""
    return re.sub(r"\{([A-Z]+)\}", lambda m: macros.get(m.group(1), m.group()), pattern)


def match_at(text: str, pos: int, end: int | None = None):
    """The time phrase starting exactly at ``pos`` (longest), as (match, kind, entry), or None."""
    rx, groups = compiled()
    m = rx.match(text, pos, len(text) if end is None else end)
    if not m:
        return None
    name = m.lastgroup
    kind, entry = groups[name]
    return m, kind, entry


def find(text: str, start: int, end: int):
    """Every time phrase in ``text[start:end]``, as (match, kind, entry)."""
    rx, groups = compiled()
    for m in rx.finditer(text, start, end):
        kind, entry = groups[m.lastgroup]
        yield m, kind, entry
