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
    """Strings of which at least one occurs in the text around any match of ``pattern``,
    read lower-cased and with every digit as "0" (repair.glossary.match.anchor_fold): the
    most selective such set; None when none can be derived.

    >>> sorted(required_literals(r"\\$ (\\d+) billion\\b"))
    ['0 billion']
    >>> sorted(required_literals(r"(?<=\\d) ?%"))
    ['0 %', '0%']
    >>> sorted(required_literals(r"\\b(it|this) acts of\\b"))
    ['it acts of', 'this acts of']
    >>> sorted(required_literals(r"\\b[Ii]t is to (?:note|notice) that\\b"))
    ['it is to note that', 'it is to notice that']
    >>> sorted(required_literals(r"\\b(?:the )?[Rr]eports? of force\\b"))  # "the report of force" holds one
    ['report of force', 'reports of force']
    >>> sorted(required_literals(r"(?:foo|bar)baz?"))
    ['barba', 'fooba']
    >>> sorted(required_literals(r"(\\d+) ?([€$])"))
    ['0 $', '0 €', '0$', '0€']
    >>> sorted(required_literals(r"\\b(\\d{1,2})h(\\d{2})\\b")), sorted(required_literals(r"(?<=\\bin )(19|20)\\d\\d"))
    (['0h00'], ['in 0000'])
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


def leading_from_parsed(parsed) -> frozenset[str] | None:
    """Strings one of which every match of the parsed pattern starts with, read as the
    automaton reads text (lower case, digits as "0"), when they are few and say something
    (see :func:`_selectivity`); None otherwise. A rule of unbounded reach then need only be
    tried where one of them starts (repair.glossary.match).

    >>> sorted(leading_from_parsed(P.parse(r"\\b[Tt]here (is|was) (\\d+|a few) years ago")))
    ['there is 0', 'there is a few', 'there was 0', 'there was a few']
    >>> leading_from_parsed(P.parse(r"(?<=\\bthe )years")), leading_from_parsed(P.parse(r"\\d+ years"))
    (None, None)
    """
    strings = _ends(list(parsed), False)
    if "" in strings or min(_selectivity(s) for s in strings) < 1:
        return None
    return frozenset(strings)


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
    when they are only common words, plus 3 for each rarer symbol (%, €, «) and 2 for each
    number after the first; 0 for plain punctuation, spaces and a lone number (a number's
    digits read "0" and it counts as no word).

    >>> _selectivity(" with "), _selectivity("prison"), _selectivity(" of current"), _selectivity(","), _selectivity("%")
    (1, 6, 9, 0, 3)
    >>> _selectivity("0"), _selectivity("0 000"), _selectivity("0h00"), _selectivity("in 0000")
    (0, 2, 4, 1)
    """
    words = re.findall(r"\w+", literal.lower())
    symbols = 3 * sum(1 for c in literal if not c.isalnum() and not c.isspace() and c not in _PUNCTUATION)
    symbols += 3 * len(re.findall(r"\s[?!;:]", literal))  # French spacing: rare in English
    # a number (every digit reads "0") says little alone, but numbers side by side ("0 000")
    # are rare in English
    numbers = sum(1 for w in words if not w.strip("0"))
    symbols += 2 * (numbers - 1) if numbers > 1 else 0
    words = [w for w in words if w.strip("0")]
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


def _char(code: int) -> str:
    """A literal character as the automaton reads it: lower case, a digit as "0"."""
    c = chr(code)
    return "0" if c.isdecimal() else c.lower()


def _set_strings(av) -> set[str] | None:
    """The characters (as :func:`_char` writes them) that a character set matches, when
    they are few: ``[Tt]``, ``[ -]``, ``\\d`` and ``[0-9]`` (each "0"), ``[\\d,.]``."""
    out: set[str] = set()
    for o, a in av:
        if o is C.LITERAL:
            out.add(_char(a))
        elif o is C.CATEGORY and a is C.CATEGORY_DIGIT:
            out.add("0")
        elif o is C.RANGE and all(chr(c).isdecimal() for c in range(a[0], a[1] + 1)):
            out.add("0")
        elif o is C.RANGE and a[1] - a[0] < 12:
            out.update(_char(c) for c in range(a[0], a[1] + 1))
        else:  # a negated set, a wider class or range
            return None
    return out if 1 <= len(out) <= 12 else None


#: ``x{n}`` with n up to this counts as n copies of x (``\\d{4}``: "0000").
MAX_EXACT_REPEAT = 4


def _finite_item(op, av) -> set[str] | None:
    if op is C.LITERAL:
        return {_char(av)}
    if op in (C.AT, C.ASSERT_NOT):  # zero-width: \b, ^, a negative lookaround
        return {""}
    if op is C.IN:
        return _set_strings(av)
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
    if op in _REPEATS and av[0] == av[1] <= MAX_EXACT_REPEAT:  # x{n}
        return _finite(list(av[2]) * av[0])
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
