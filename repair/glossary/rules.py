"""The glossary rule model: what a rule matches, what it becomes, and when it may fire."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

CASE_MODES = ("carry", "exact", "ignore")
SCOPES = ("span", "line")


class GlossaryError(ValueError):
    """A glossary file that cannot be used; the message names file and line."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Example:
    """A text a rule must fix (``expected`` set) or leave alone (``expected`` is None)."""

    text: str
    expected: str | None = None


@dataclass(frozen=True)
class Rule:
    """One glossary rule.

    A rule matches either literal phrases (``phrases``; whole words, Unicode-aware) or a
    regular expression (``regex``). ``replace`` is the replacement; for regex rules it is
    a template that may use ``\\1`` or ``\\g<name>``. ``alternatives`` are other plausible
    replacements that a judge may choose between.

    Context conditions, all evaluated in the window (the sentence, or ``window`` words on
    each side). A hit held back for lack of a trigger goes to the judge (when one is
    configured) only where the text shows round-trip damage near it (a sure edit in its
    sentence or the one before or after: repair.pipeline.Evidence), unless
    ``judge_when_held`` is set: then it goes to the judge wherever it is. The judge applies
    it only when it wins in context by the margin. Blockers (``unless_near``, ``unless``,
    ``unless_regex``) always block:

    - ``triggers``: at least one must occur in the window (empty means no such condition);
    - ``unless_near``: none may occur in the window;
    - ``unless``: phrases that, where one covers or overlaps the match, block it
      ("flea market" blocks "flea");
    - ``unless_regex``: the same, as regular expressions ("[A-Z][a-z]+, IA").

    Words in ``triggers`` and ``unless_near`` match whole words, case-insensitively, except
    a word written in capitals, an acronym, which matches only as written ("US" is not
    "us", "WHO" not "who"); a trailing ``*`` matches any ending ("import*" matches
    "imports", "imported").
    """

    id: str
    replace: str
    phrases: tuple[str, ...] = ()
    regex: str | None = None
    alternatives: tuple[str, ...] = ()
    case: str = "carry"
    scope: str = "span"
    triggers: tuple[str, ...] = ()
    unless_near: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    unless_regex: tuple[str, ...] = ()
    window: int | None = None  # None: the sentence
    engine: str = "linear"  # which regex engine may run regex and unless_regex (repair.glossary.regexes)
    judge: bool = False
    judge_when_held: bool = False
    enabled: bool = True
    priority: int = 0
    category: str = "other"
    description: str = ""
    fix: tuple[Example, ...] = ()
    keep: tuple[Example, ...] = ()
    path: str = "<memory>"
    line: int = 0
    glossary: str = ""

    @property
    def origin(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def flags(self) -> int:
        """The flags the rule's regex is compiled with."""
        return re.MULTILINE | (0 if self.case == "exact" else re.IGNORECASE)

    @property
    def conditional(self) -> bool:
        return bool(self.triggers or self.unless_near or self.unless or self.unless_regex)


@dataclass(frozen=True)
class Glossary:
    """The rules of one glossary file, with what identifies its version."""

    name: str
    path: str
    sha256: str
    rules: tuple[Rule, ...] = field(default=())
    version: str = ""
    description: str = ""

    def signature(self) -> str:
        return f"{self.name}@{self.version or '-'}#{self.sha256[:12]}"


def word_list_regex(words: tuple[str, ...]) -> re.Pattern | None:
    """One case-insensitive, whole-word regex for a list of words and phrases (``*`` = any ending).

    >>> bool(word_list_regex(("import*", "trade")).search("Imported goods"))
    True
    >>> bool(word_list_regex(("trade",)).search("trades"))
    False
    """
    if not words:
        return None
    alts = []
    for w in sorted(words, key=len, reverse=True):
        core = w[:-1] if w.endswith("*") else w
        alt = phrase_regex(core) + (r"\w*" if w.endswith("*") else "")
        # an acronym written in capitals matches only in capitals: "US" is not "us", "WHO"
        # not "who", "IT" not "it"
        alts.append(f"(?-i:{alt})" if is_acronym(core) else alt)
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)", re.IGNORECASE)


def is_acronym(word: str) -> bool:
    """A trigger or blocker word written in capitals ("US", "WHO", "NATO"), which matches
    only as written.

    >>> is_acronym("WHO"), is_acronym("Who"), is_acronym("A"), is_acronym("Le Pen")
    (True, False, False, False)
    """
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) and not any(c.isspace() for c in word)


def phrase_regex(phrase: str) -> str:
    """A regex source for a literal phrase, where spaces match any run of spaces and
    straight and curly apostrophes match each other."""
    out = []
    for part in re.split(r"(\s+|['’])", phrase):
        if not part:
            continue
        if part.isspace():
            out.append(r"\s+")
        elif part in ("'", "’"):
            out.append("['’]")
        else:
            out.append(re.escape(part))
    return "".join(out)
