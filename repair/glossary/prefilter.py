"""Required literals of a regular expression, so that one Aho-Corasick pass can tell which
regex rules could match a text at all.

A regex rule runs only on texts where one of its required literals occurs (found by the
same automaton that matches the literal phrases). Parts of a pattern that can match only a
few strings are joined into one requirement: ``\b[Ii]t is to (?:note|notice) that\b``
requires "it is to note that" or "it is to notice that", not the letter "i" (its anchor
before: the shipped glossary now passes over news 2.8x faster, bench/README.md).
One big alternation of all regex rules defeats the regex engine's own literal prefix search
and costs about four times more than running the few rules whose anchor is present
(bench/bench_glossary.py).
"""
from __future__ import annotations

import functools
import re

try:  # Python 3.11+
    from re import _constants as C, _parser as P
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as C  # type: ignore
    import sre_parse as P  # type: ignore


def required_literals(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Strings of which at least one occurs (case-folded) in the text around any match of
    ``pattern``: the most selective such set; None when none can be derived.

    >>> sorted(required_literals(r"\\$ (\\d+) billion\\b"))
    [' billion']
    >>> sorted(required_literals(r"(?<=\\d) ?%"))
    ['%']
    >>> sorted(required_literals(r"\\b(it|this) acts of\\b"))
    ['it acts of', 'this acts of']
    >>> sorted(required_literals(r"\\b[Ii]t is to (?:note|notice) that\\b"))
    ['it is to note that', 'it is to notice that']
    >>> sorted(required_literals(r"\\b(?:the )?[Rr]eports? of force\\b"))  # "the report of force" holds one
    ['report of force', 'reports of force']
    >>> sorted(required_literals(r"(?:foo|bar)baz?"))
    ['barba', 'fooba']
    >>> sorted(required_literals(r"(\\d+) ?([€$])"))
    ['$', '€']
    >>> required_literals(r"\\d+") is None
    True
    """
    try:
        parsed = P.parse(pattern, flags)
    except re.error:
        return None
    return required_from_parsed(parsed)


def required_from_parsed(parsed) -> frozenset[str] | None:
    """:func:`required_literals` of an already parsed pattern."""
    found = [s for s in _requirements(list(parsed)) if _score(s) > 0]
    if not found:
        return None
    return min(found, key=lambda s: (-_score(s), sorted(s)))


#: The most strings one requirement may list (``(a|b) (c|d)`` lists 4: "a c", "a d", ...).
MAX_STRINGS = 32


#: Words so common in English news that a literal made of them alone (" of the ", "with ") says
#: almost nothing about whether a rule could match: such an anchor would run the rule on nearly
#: every text.
_COMMON = frozenset("""the of and to in is was for that with on as by at it from be has have are were this which
said but not his her their its they he she we will would been had who also after more than about into over or if
what when there can could should new a an one two year years time people other""".split())


_PUNCTUATION = frozenset(".,;:'\"-()!?/")


@functools.lru_cache(maxsize=65536)
def _selectivity(literal: str) -> int:
    """How much a literal narrows the texts a rule could match: the length of its words, or 1
    when they are only common words, plus 3 for each rarer symbol (%, €, «); 0 for plain
    punctuation and spaces.

    >>> _selectivity(" with "), _selectivity("prison"), _selectivity(" of current"), _selectivity(","), _selectivity("%")
    (1, 6, 9, 0, 3)
    """
    words = re.findall(r"\w+", literal.lower())
    symbols = 3 * sum(1 for c in literal if not c.isalnum() and not c.isspace() and c not in _PUNCTUATION)
    symbols += 3 * len(re.findall(r"\s[?!;:]", literal))  # French spacing: rare in English
    if not words:
        return symbols
    if all(w in _COMMON for w in words):
        return 1 + symbols
    return sum(len(w) for w in words) + symbols


def _score(options: frozenset[str] | None) -> int:
    return min(_selectivity(s) for s in options) if options else 0


_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None))


def _finite(items) -> set[str] | None:
    """Every string (lower-cased) that the parsed ``items`` can match, when they are few
    (:data:`MAX_STRINGS`); else None."""
    out = {""}
    for op, av in items:
        part = _finite_item(op, av)
        if part is None:
            return None
        out = {a + b for a in out for b in part}
        if len(out) > MAX_STRINGS:
            return None
    return out


def _finite_item(op, av) -> set[str] | None:
    if op is C.LITERAL:
        return {chr(av).lower()}
    if op in (C.AT, C.ASSERT_NOT):  # zero-width: \b, ^, a negative lookaround
        return {""}
    if op is C.IN and 1 <= len(av) <= 12 and all(o is C.LITERAL for o, _ in av):  # [Tt], [ -]
        return {chr(v).lower() for _, v in av}
    if op is C.SUBPATTERN:
        return _finite(list(av[-1]))
    if op is C.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            part = _finite(list(branch))
            if part is None:
                return None
            out |= part
        return out if len(out) <= MAX_STRINGS else None
    if op in _REPEATS and av[:2] in ((0, 1), (1, 1)):  # x? and x{1}
        part = _finite(list(av[2]))
        if part is None:
            return None
        return part | {""} if av[0] == 0 else part
    return None


def _minimal(strings) -> frozenset[str]:
    """``strings`` less those that contain another of them (a text that holds "the
    government" holds "government": one of the set occurs either way)."""
    return frozenset(x for x in strings if not any(y != x and y in x for y in strings))


def _join(a, b) -> set[str] | None:
    return {x + y for x in a for y in b} if len(a) * len(b) <= MAX_STRINGS else None


def _ends(items, last: bool) -> set[str]:
    """Strings one of which every match of ``items`` starts with (``last``: ends with);
    {""} when nothing is known."""
    out = {""}
    for op, av in (reversed(items) if last else items):
        part = _finite_item(op, av)
        whole = part is not None
        if not whole:
            part = _item_ends(op, av, last)
        joined = _join(part, out) if last else _join(out, part)
        if joined is None:
            return out
        out = joined
        if not whole:
            return out
    return out


def _item_ends(op, av, last: bool) -> set[str]:
    if op is C.SUBPATTERN:
        return _ends(list(av[-1]), last)
    if op is C.BRANCH:
        out = set().union(*(_ends(list(b), last) for b in av[1]))
        return out if len(out) <= MAX_STRINGS else {""}
    if op in _REPEATS and av[0] >= 1:  # x+ starts and ends as x does
        return _ends(list(av[2]), last)
    return {""}  # a lookaround reads text but does not consume it: no end known


def _lookbehind(op, av) -> set[str] | None:
    """When the item is a positive lookbehind of few strings (or a group or alternation of
    such: ``(?:(?<=\\bits )|(?<=\\btheir ))``), the strings the text before it ends with."""
    if op is C.ASSERT and av[0] == -1:
        return _finite(list(av[1]))
    if op is C.SUBPATTERN and len(av[-1]) == 1:
        return _lookbehind(*list(av[-1])[0])
    if op is C.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            branch = list(branch)
            part = _lookbehind(*branch[0]) if len(branch) == 1 else None
            if part is None:
                return None
            out |= part
        return out if len(out) <= MAX_STRINGS else None
    return None


def _requirements(items) -> list[frozenset[str]]:
    """Every requirement that the sequence ``items`` puts on a text. Consecutive parts with
    few possible strings make one requirement (``[Ii]t is to (?:note|notice)``: "it is to
    note", "it is to notice"), which a lookbehind of few strings may open ("the " in
    ``(?<=\\bthe )years``), a lookahead's first strings may extend without ending it, and
    any other part ends with the strings that part can start with; that part's own
    requirements count too (a repetition of at least one, each branch's best, a positive
    lookaround's text), and what follows starts with the strings it can end with."""
    found: list[frozenset[str]] = []
    run = {""}

    def keep(strings):
        if strings is not None and "" not in strings:
            found.append(_minimal(strings))

    for op, av in items:
        behind = _lookbehind(op, av)
        if behind is not None:  # the text before this point ends with one of these
            keep(run)
            run = behind
            continue
        if op is C.ASSERT and av[0] == 1:  # a lookahead: the text goes on with its start
            keep(_join(run, _ends(list(av[1]), False)))
            found += _requirements(list(av[1]))
            continue
        part = _finite_item(op, av)  # None for a lookaround (handled above) and anything unbounded
        if part is not None:
            joined = _join(run, part)
            if joined is not None:
                run = joined
                continue
            keep(run)
            run = part
            continue
        keep(_join(run, _item_ends(op, av, False)) or run)
        run = {""}
        if op is C.SUBPATTERN:
            found += _requirements(list(av[-1]))
            run = _item_ends(op, av, True)
        elif op in _REPEATS:
            if av[0] >= 1:
                found += _requirements(list(av[2]))
                run = _item_ends(op, av, True)
        elif op is C.BRANCH:
            per_branch = [_requirements(list(b)) for b in av[1]]
            if all(per_branch):
                found.append(frozenset().union(*(max(b, key=_score) for b in per_branch)))
            run = _item_ends(op, av, True)
        elif op is C.ASSERT:  # a lookbehind of many strings: its text is in the text too
            found += _requirements(list(av[1]))
    keep(run)
    return found
