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


def _score(options: frozenset[str] | None) -> int:
    return min(len(s) for s in options) if options else 0


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
