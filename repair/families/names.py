"""People's names and nationalities, from first_names.yaml and nationalities.yaml."""
from __future__ import annotations

from functools import lru_cache

from . import lexicon, wordlists


@lru_cache(maxsize=1)
def first_names() -> dict[str, tuple[str, wordlists.Entry]]:
    """First name -> (sex, entry): "male" or "female"."""
    doc = wordlists.load("first_names")
    out: dict[str, tuple[str, wordlists.Entry]] = {}
    for key in ("male_census", "female_census", "male", "female"):  # hand-written lists win
        sex = key.split("_")[0]
        for e in wordlists.strings(doc.get(key)):
            out[str(e)] = (sex, e)
    return out


@lru_cache(maxsize=1)
def nationalities() -> dict[str, dict]:
    """Nationality adjective -> its entry (adj, country, possessive)."""
    return {str(n["adj"]): n for n in wordlists.load("nationalities")["nationalities"]}


def is_name_word(word: str) -> bool:
    """A capitalised word that is not a dictionary word: a name ("Souza", "Hurkacz")."""
    return (word[:1].isupper() and not word.isupper() and word not in nationalities()
            and (word in first_names() or not lexicon.pos(word.lower())))
