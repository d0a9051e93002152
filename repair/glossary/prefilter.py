"""Required literals of a regular expression, so that one Aho-Corasick pass can tell which
regex rules could match a text at all.

A regex rule runs only on texts where one of its required literals occurs (found by the
same automaton that matches the literal phrases). One big alternation of all regex rules
defeats the regex engine's own literal prefix search and costs about four times more
than running the few rules whose anchor is present (bench/bench_glossary.py).
"""
from __future__ import annotations

import re

try:  # Python 3.11+
    from re import _constants as C, _parser as P
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as C  # type: ignore
    import sre_parse as P  # type: ignore


def required_literals(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Strings of which at least one occurs (case-folded) in the text around any match of
    ``pattern``; None when no such set can be derived.

    >>> sorted(required_literals(r"\\$ (\\d+) billion\\b"))
    [' billion']
    >>> sorted(required_literals(r"(?<=\\d) ?%"))
    ['%']
    >>> sorted(required_literals(r"\\b(it|this) acts of\\b"))
    [' acts of']
    >>> sorted(required_literals(r"(?:foo|bar)baz?"))
    ['bar', 'foo']
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
    best = _sequence(list(parsed))
    if not best:
        return None
    return frozenset(s.lower() for s in best)


#: Words so common in English news that a literal made of them alone (" of the ", "with ") says
#: almost nothing about whether a rule could match: such an anchor would run the rule on nearly
#: every text.
_COMMON = frozenset("""the of and to in is was for that with on as by at it from be has have are were this which
said but not his her their its they he she we will would been had who also after more than about into over or if
what when there can could should new a an one two year years time people other""".split())


_PUNCTUATION = frozenset(".,;:'\"-()!?/")


def _selectivity(literal: str) -> int:
    """How much a literal narrows the texts a rule could match: the length of its words, or 1
    when they are only common words, plus 3 for each rarer symbol (%, €, «); 0 for plain
    punctuation and spaces.

    >>> _selectivity(" with "), _selectivity("prison"), _selectivity(" of current"), _selectivity(","), _selectivity("%")
    (1, 6, 9, 0, 3)
    """
    words = re.findall(r"\w+", literal.lower())
    symbols = 3 * sum(1 for c in literal if not c.isalnum() and not c.isspace() and c not in _PUNCTUATION)
    if not words:
        return symbols
    if all(w in _COMMON for w in words):
        return 1 + symbols
    return sum(len(w) for w in words) + symbols


def _score(options: frozenset[str] | None) -> int:
    return min(_selectivity(s) for s in options) if options else 0


def _sequence(items) -> frozenset[str] | None:
    """The most selective requirement of a sequence of parsed items."""
    best: frozenset[str] | None = None
    run = ""

    def consider(cand):
        nonlocal best
        if cand and _score(cand) > _score(best):
            best = cand

    for op, av in items:
        if op is C.LITERAL:
            run += chr(av)
            continue
        if op is C.AT:  # zero-width: \b, ^, $ do not break a run
            continue
        consider(frozenset([run]) if run else None)
        run = ""
        if op is C.SUBPATTERN:
            consider(_sequence(list(av[-1])))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            low, _high, body = av
            if low >= 1:
                consider(_sequence(list(body)))
        elif op is C.BRANCH:
            alts = [_sequence(list(b)) for b in av[1]]
            if all(alts):
                consider(frozenset().union(*alts))
        elif op is C.ASSERT:  # positive lookaround: its text is in the text too
            consider(_sequence(list(av[1])))
        elif op is C.IN and len(av) == 1 and av[0][0] is C.LITERAL:
            run = chr(av[0][1])
        elif op is C.IN and 1 < len(av) <= 12 and all(o is C.LITERAL for o, _ in av):
            consider(frozenset(chr(v) for _, v in av))
    consider(frozenset([run]) if run else None)
    return best
