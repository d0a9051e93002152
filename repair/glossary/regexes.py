"""The regular expressions of glossary rules: checked once, run in bounded time.

A glossary is data, and a glossary from a user is untrusted input: a regex such as
``(a+)+$`` takes time exponential in the length of the text with a backtracking engine
(Python's ``re``), and one that can match the empty string (``z*``, ``\\b``) inserts its
replacement at every position. So every rule regex is analysed when its glossary loads
(:func:`analyse`, from one parse by Python's own regex parser):

- its shortest match: a rule that can match the empty string is a load error;
- its required literals (:mod:`repair.glossary.prefilter`), so that it runs only on texts
  that contain one of them;
- the **linear-time check** (:func:`hazard`): no backreference, and no repetition that can
  match the same text in more than one way, which is what makes backtracking blow up:
  a repeated part of variable length that can end with a character it can start with
  (``(a+)+``, ``(\\w+\\s?)*``, ``(a?a)+``), a repeated alternation whose branches can match
  the same text (``(a|a)*``, ``(\\w|\\d)+``), or two unbounded repetitions of overlapping
  characters with nothing required between them (``\\d+\\d+``, ``\\w+\\s*\\w+``). Character
  sets are compared on a sample of ~1,000 characters (Latin, punctuation, digits and letters
  of other scripts): a heuristic, not a proof, and it errs towards refusing;
- the same pattern in RE2 syntax (:func:`to_re2`), when RE2 can run it: RE2 has no
  lookaround and no backreference.

Which engine runs a rule is the rule's ``engine`` (or its glossary's; see
:data:`ENGINES`). A compiled pattern is memoised by (pattern, flags, engine), so the loader,
the matcher and ``repair glossary check`` compile each one once, and only when first used.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

try:  # Python 3.11+
    from re import _constants as C, _parser as P
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as C  # type: ignore
    import sre_parse as P  # type: ignore

from .prefilter import leading_from_parsed, required_from_parsed

#: ``linear`` (the default): RE2 (linear time by construction) when it can run the rule,
#: else Python's ``re`` if the rule passes the linear-time check, else a load error.
#: ``checked``: Python's ``re`` for every rule, each of which must pass the check (the
#: shipped glossaries: written and tested against Python's semantics, e.g. a Unicode ``\\b``).
#: ``backtracking``: the author's opt-in for a rule the check refuses: the ``regex``
#: module (Python's syntax) with a time limit per text (:data:`BACKTRACKING_TIMEOUT`).
ENGINES = ("linear", "checked", "backtracking")
#: Seconds one backtracking rule may spend on one text; past that its hits there are dropped.
BACKTRACKING_TIMEOUT = 0.25

_MAX = C.MAXREPEAT
_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT} | ({C.POSSESSIVE_REPEAT} if hasattr(C, "POSSESSIVE_REPEAT") else set())


@dataclass(frozen=True)
class Analysis:
    """What one parse of a pattern tells (see the module docstring)."""

    min_width: int
    required: frozenset[str] | None
    hazard: str | None  # why the linear-time check fails (None: it passes)
    re2: str | None  # the pattern in RE2 syntax (None: RE2 cannot run it)
    error: str | None  # a compile error found without compiling (a variable-width lookbehind)
    #: the most characters a match and the text its lookarounds read can span (None: unbounded),
    #: so that the rule need only be run near its anchor (repair.glossary.match)
    reach: int | None = None
    #: whether neither a match nor its lookarounds can hold a line break (and no ``^``/``$``):
    #: then a rule of unbounded reach need only be run on the lines that hold its anchor
    line_bound: bool = False
    #: strings one of which every match starts with (None: unknown), so that a rule need only
    #: be tried where one of them starts (repair.glossary.match)
    lead: frozenset[str] | None = None


#: Beyond this many characters a pattern's reach counts as unbounded (the rule scans whole texts).
MAX_REACH = 2000


def line_bound(items, flags: int = 0) -> bool:
    """Whether no match of the parsed ``items``, nor any text its lookarounds read, can
    hold a line break, and it has no anchor but ``\\b``/``\\B`` (a ``^`` or ``$`` means
    where a text begins or ends). Reading text in order, such a pattern stops at a "\\n":
    it matches in a line plus the line breaks around it exactly as in the whole text.

    >>> line_bound(P.parse(r"\\bthere (?:is|are) (\\d+|a few) (?=years)")), line_bound(P.parse(r"foo\\s+bar"))
    (True, False)
    >>> line_bound(P.parse(r"(?<![\\d,])\\d+")), line_bound(P.parse(r"^Read more")), line_bound(P.parse(r"a.b"), re.S)
    (True, False, False)
    """
    for op, av in items:
        if op is C.LITERAL:
            if av == 10:
                return False
        elif op is C.NOT_LITERAL:
            if av != 10:
                return False
        elif op is C.ANY:
            if flags & re.DOTALL:
                return False
        elif op is C.IN:
            if _set_mask(op, av, flags) & _bit("\n"):
                return False
        elif op is C.AT:
            if str(av) not in ("AT_BOUNDARY", "AT_NON_BOUNDARY"):
                return False
        elif op is C.SUBPATTERN:
            if not line_bound(av[-1], _flags(flags, av)):
                return False
        elif op is C.BRANCH:
            if not all(line_bound(b, flags) for b in av[1]):
                return False
        elif op in _REPEATS:
            if not line_bound(av[2], flags):
                return False
        elif op in (C.ASSERT, C.ASSERT_NOT):
            if not line_bound(av[1], flags):
                return False
        elif op is getattr(C, "ATOMIC_GROUP", None):
            if not line_bound(av, flags):
                return False
        else:  # back-references, conditionals and anything unknown
            return False
    return True


def reach(items) -> int | None:
    """The most characters that a match of the parsed ``items``, with what its lookarounds
    read, can span; None when unbounded (``+``, ``*``, back-references).

    >>> reach(P.parse(r"(?<=\\b[Tt]he )years (\\d{4})\\b")), reach(P.parse(r"\\bfoo\\w+")) is None
    (14, True)
    """
    total = 0
    for op, av in items:
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN, C.CATEGORY, C.RANGE):
            total += 1
        elif op is C.AT:
            pass
        elif op is C.SUBPATTERN:
            part = reach(av[-1])
            if part is None:
                return None
            total += part
        elif op is C.BRANCH:
            parts = [reach(b) for b in av[1]]
            if any(x is None for x in parts):
                return None
            total += max(parts, default=0)
        elif op in _REPEATS:
            low, high, body = av
            part = reach(body)
            if part is None or high == _MAX:
                return None
            total += high * part
        elif op in (C.ASSERT, C.ASSERT_NOT):
            part = reach(av[1])
            if part is None:
                return None
            total += part
        elif op is getattr(C, "ATOMIC_GROUP", None):
            part = reach(av)
            if part is None:
                return None
            total += part
        elif op is C.GROUPREF_EXISTS:
            parts = [reach(b) if b is not None else 0 for b in av[1:]]
            if any(x is None for x in parts):
                return None
            total += max(parts)
        else:  # back-references and anything unknown
            return None
        if total > MAX_REACH:
            return None
    return total


_ANALYSES: dict[tuple[str, int], Analysis] = {}


def analyse(pattern: str, flags: int = 0) -> Analysis:
    """The analysis of ``pattern`` (raises ``re.error`` for a syntax error); memoised, kept
    across runs in a small JSON cache, and shipped for the shipped glossaries' patterns
    (:class:`_Cache`, repair.glossary.shipped)."""
    key = (pattern, flags)
    found = _ANALYSES.get(key)
    if found is not None:
        return found
    _cache().load()
    found = _ANALYSES.get(key)
    if found is not None:
        return found
    found = _ANALYSES[key] = fresh_analysis(pattern, flags)
    _cache().added += 1
    return found


def fresh_analysis(pattern: str, flags: int = 0) -> Analysis:
    """:func:`analyse` without its memo and caches (raises ``re.error``)."""
    parsed = P.parse(pattern, flags)
    state_flags = parsed.state.flags
    return Analysis(
        min_width=parsed.getwidth()[0],
        required=required_from_parsed(parsed),
        hazard=hazard(parsed, state_flags),
        re2=to_re2(parsed, state_flags),
        error=_lookbehind_error(parsed.data),
        reach=reach(parsed),
        line_bound=line_bound(parsed, state_flags),
        lead=leading_from_parsed(parsed),
    )


# -- the linear-time check -------------------------------------------------------------------------
def hazard(parsed, flags: int = 0) -> str | None:
    """Why ``parsed`` (a parsed pattern) can take more than linear time with a backtracking
    engine, or None.

    >>> hazard(P.parse(r"(a+)+$")) is not None, hazard(P.parse(r"\\b(\\w+) (?:of|in) the\\b")) is None
    (True, True)
    >>> hazard(P.parse(r"(?: [A-Z][\\w'’-]+)*")) is None, hazard(P.parse(r"(?:ab|\\w\\w)+")) is not None
    (True, True)
    """
    try:
        return _Hazards(flags).sequence(list(parsed.data), flags)
    except RecursionError:  # pragma: no cover - absurdly nested
        return "nested too deeply to check"


class _Hazards:
    def __init__(self, flags: int):
        self.flags = flags

    def sequence(self, items, flags) -> str | None:
        for i, (op, av) in enumerate(items):
            found = self.item(op, av, flags)
            if found:
                return found
        return self.adjacent(items, flags)

    def item(self, op, av, flags) -> str | None:
        if op in (C.GROUPREF, getattr(C, "GROUPREF_EXISTS", None), getattr(C, "GROUPREF_IGNORE", None)):
            return "a backreference"
        if op is C.SUBPATTERN:
            return self.sequence(list(av[-1]), _flags(flags, av))
        if op in (C.ASSERT, C.ASSERT_NOT):
            return self.sequence(list(av[1]), flags)
        if op is getattr(C, "ATOMIC_GROUP", None):
            return self.sequence(list(av), flags)
        if op is C.BRANCH:
            for alt in av[1]:
                found = self.sequence(list(alt), flags)
                if found:
                    return found
            return None
        if op in _REPEATS:
            lo, hi, body = av
            items = list(body)
            found = self.sequence(items, flags)
            if found:
                return found
            if hi == 1:
                return None
            wmin, wmax = _width(items)
            if wmin != wmax and not _delimited(items, flags):
                if _first(items, flags) & _last(items, flags):
                    return (f"a repeated part of variable length that can end with a character it can start "
                            f"with ({_show(body)}): it can match the same text in many ways")
            branch = _repeated_branch_overlap(items, flags)
            if branch:
                return f"a repeated alternation whose branches can match the same text ({branch})"
        return None

    def adjacent(self, items, flags) -> str | None:
        """An unbounded repetition followed, with only optional items between, by another
        that could take over the end of its match (it can start with a character the first
        one takes, and take the character the first one ends with): the text between them
        can be split in many ways (quadratic time, or worse)."""
        prev = None  # (chars, last chars) of the repetitions so far, while all after them is optional
        for op, av in items:
            if op in _REPEATS and av[1] == _MAX:
                body = list(av[2])
                chars, last = _chars(body, flags), _last(body, flags)
                if prev is not None and prev[0] & _first(body, flags) and prev[1] & chars:
                    return (f"two unbounded repetitions of overlapping characters with nothing required between "
                            f"them (before {_show([(op, av)])}): quadratic time")
                prev = (chars, last) if prev is None or av[0] > 0 else (prev[0] | chars, prev[1] | last)
                continue
            if prev is not None and _item_width(op, av)[0] == 0:
                continue  # optional (and bounded): what comes after it still meets the repetition
            prev = None
        return None


def _repeated_branch_overlap(items, flags) -> str | None:
    for op, av in items:
        if op is C.BRANCH:
            alts = [list(a) for a in av[1]]
            for i in range(len(alts)):
                for j in range(i + 1, len(alts)):
                    a, b = alts[i], alts[j]
                    wa, wb = _width(a), _width(b)
                    if wa[1] < wb[0] or wb[1] < wa[0]:
                        continue  # no common length: no common text
                    if _single_chars(a) and _single_chars(b) and len(a) == len(b):
                        # same length, one character per item: a common text must match at each position
                        if all(_item_edge(*x, flags, _first) & _item_edge(*y, flags, _first) for x, y in zip(a, b)):
                            return f"{_show(a)}|{_show(b)}"
                        continue
                    if not (_first(a, flags) & _first(b, flags) and _last(a, flags) & _last(b, flags)):
                        continue
                    ca, cb = _chars(a, flags), _chars(b, flags)
                    if all(m & cb for m in _mandatory(a, flags)) and all(m & ca for m in _mandatory(b, flags)):
                        return f"{_show(a)}|{_show(b)}"
        elif op is C.SUBPATTERN:
            found = _repeated_branch_overlap(list(av[-1]), _flags(flags, av))
            if found:
                return found
        elif op is C.IN:
            continue
    return None


def _delimited(items, flags) -> bool:
    """Whether every match of ``items`` starts (or ends) with a character that the rest of
    it cannot contain (``[/,][ \\t]*``, ``-[\\w']+``, ``\\w+,``): then the iterations of a
    repetition of it can be told apart, however long they are."""
    for edge, rest in ((items[:1], items[1:]), (items[-1:], items[:-1])):
        if edge and _single_chars(edge) and rest:
            if not _set_mask(*edge[0], flags) & _chars(rest, flags):
                return True
    return False


def _mandatory(items, flags) -> list[int]:
    """Character sets of which every match of ``items`` contains at least one character
    each (a text without such a character cannot match)."""
    out: list[int] = []
    for op, av in items:
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            out.append(_set_mask(op, av, flags))
        elif op is C.SUBPATTERN:
            out += _mandatory(list(av[-1]), _flags(flags, av))
        elif op in _REPEATS and av[0] >= 1:
            out += _mandatory(list(av[2]), flags)
        elif op is C.BRANCH and all(_width(list(alt))[0] > 0 for alt in av[1]):
            out.append(_chars([(op, av)], flags))
    return out


def _single_chars(items) -> bool:
    return all(op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN) for op, _ in items)


def _flags(flags: int, av) -> int:
    add, delete = (av[1], av[2]) if len(av) == 4 else (0, 0)
    return (flags | add) & ~delete


def _width(items) -> tuple[int, int]:
    lo = hi = 0
    for op, av in items:
        a, b = _item_width(op, av)
        lo += a
        hi = min(hi + b, _MAX)
    return lo, hi


def _item_width(op, av) -> tuple[int, int]:
    if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
        return 1, 1
    if op is C.SUBPATTERN:
        return _width(list(av[-1]))
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _width(list(av))
    if op is C.BRANCH:
        ws = [_width(list(a)) for a in av[1]]
        return min(w[0] for w in ws), max(w[1] for w in ws)
    if op in _REPEATS:
        lo, hi, body = av
        a, b = _width(list(body))
        return a * lo, (_MAX if hi == _MAX and b else min(b * hi, _MAX))
    if op in (C.GROUPREF,):
        return 0, _MAX
    return 0, 0  # AT, ASSERT, ASSERT_NOT


# -- character sets, sampled -------------------------------------------------------------------------
def _sample() -> list[str]:
    chars = [chr(c) for c in range(0x250)]  # ASCII, Latin-1, Latin Extended-A and -B
    chars += [chr(c) for c in range(0x2000, 0x2070)]  # general punctuation, spaces
    chars += list("€£¥₹№°±×÷¿¡«»‹›„‚‟′″ΑαΒβΩωЖжЯяЁёاب١٢٣٤中文日本한국ㄱﬁﬂ½¼²³ⅠⅡ①\u0301\u0308\u200b\ufeff\u3000")
    return chars


_ALPHA = _sample()
_INDEX = {c: i for i, c in enumerate(_ALPHA)}
_ALL = (1 << len(_ALPHA)) - 1
_MASKS: dict = {}


def _bit(ch: str) -> int:
    i = _INDEX.get(ch)
    if i is None:  # a character outside the sample: it gets a place of its own
        global _ALL
        i = len(_ALPHA)
        _ALPHA.append(ch)
        _INDEX[ch] = i
        _ALL = (1 << len(_ALPHA)) - 1
        _MASKS.clear()
    return 1 << i


def _case_bits(code: int, ignore: bool) -> int:
    ch = chr(code)
    bits = _bit(ch)
    if ignore:
        for other in {ch.lower(), ch.upper(), ch.casefold()}:
            if len(other) == 1:
                bits |= _bit(other)
    return bits


def _forms(ch: str) -> tuple[str, ...]:
    """``ch`` and its one-character case variants."""
    return tuple({x for x in (ch, ch.lower(), ch.upper(), ch.casefold()) if len(x) == 1})


def _category(cat, ch: str, ascii_: bool) -> bool:
    name = str(cat)
    if ascii_ and ord(ch) > 127:
        return name.endswith(("NOT_DIGIT", "NOT_SPACE", "NOT_WORD", "NOT_LINEBREAK"))
    if "DIGIT" in name:
        hit = unicodedata.category(ch) == "Nd"
    elif "SPACE" in name:
        hit = ch.isspace()
    elif "WORD" in name:
        hit = ch.isalnum() or ch == "_"
    else:  # LINEBREAK
        hit = ch == "\n"
    return hit != ("NOT_" in name)


def _set_mask(op, av, flags) -> int:
    ignore = bool(flags & re.IGNORECASE)
    ascii_ = bool(flags & re.ASCII)
    key = (op, repr(av), ignore, ascii_, flags & re.DOTALL)
    mask = _MASKS.get(key)
    if mask is not None:
        return mask
    if op is C.LITERAL:
        mask = _case_bits(av, ignore)
    elif op is C.NOT_LITERAL:
        mask = _ALL & ~_case_bits(av, ignore)
    elif op is C.ANY:
        mask = _ALL if flags & re.DOTALL else _ALL & ~_bit("\n")
    else:  # IN
        for o, a in av:  # literals outside the sample get their place first
            if o is C.LITERAL:
                _case_bits(a, ignore)
        negate = any(o is C.NEGATE for o, _ in av)
        mask = 0
        for i, ch in enumerate(_ALPHA):
            forms = _forms(ch) if ignore else (ch,)
            hit = False
            for o, a in av:
                if o is C.LITERAL:
                    hit = any(ord(x) == a for x in forms) or (ignore and chr(a).lower() == ch.lower())
                elif o is C.RANGE:
                    hit = any(a[0] <= ord(x) <= a[1] for x in forms)
                elif o is C.CATEGORY:
                    hit = _category(a, ch, ascii_)
                if hit:
                    break
            if hit != negate:
                mask |= 1 << i
    _MASKS[key] = mask
    return mask


def _chars(items, flags) -> int:
    """Every character that ``items`` can match (a sample mask)."""
    mask = 0
    for op, av in items:
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            mask |= _set_mask(op, av, flags)
        elif op is C.SUBPATTERN:
            mask |= _chars(list(av[-1]), _flags(flags, av))
        elif op is C.BRANCH:
            for alt in av[1]:
                mask |= _chars(list(alt), flags)
        elif op in _REPEATS:
            mask |= _chars(list(av[2]), flags)
        elif op is getattr(C, "ATOMIC_GROUP", None):
            mask |= _chars(list(av), flags)
        elif op is C.GROUPREF:
            mask |= _ALL
    return mask


def _first(items, flags) -> int:
    """The characters a match of ``items`` can start with."""
    mask = 0
    for op, av in items:
        mask |= _item_edge(op, av, flags, _first)
        if _item_width(op, av)[0] > 0:
            return mask
    return mask


def _last(items, flags) -> int:
    """The characters a match of ``items`` can end with."""
    mask = 0
    for op, av in reversed(items):
        mask |= _item_edge(op, av, flags, _last)
        if _item_width(op, av)[0] > 0:
            return mask
    return mask


def _item_edge(op, av, flags, edge) -> int:
    if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
        return _set_mask(op, av, flags)
    if op is C.SUBPATTERN:
        return edge(list(av[-1]), _flags(flags, av))
    if op is C.BRANCH:
        mask = 0
        for alt in av[1]:
            mask |= edge(list(alt), flags)
        return mask
    if op in _REPEATS:
        return edge(list(av[2]), flags)
    if op is getattr(C, "ATOMIC_GROUP", None):
        return edge(list(av), flags)
    if op is C.GROUPREF:
        return _ALL
    return 0


def _show(items) -> str:
    """A short rendering of parsed items, for messages."""
    try:
        text = to_re2(items, 0, plain=True) or "..."
    except Exception:  # noqa: BLE001 - only for a message
        text = "..."
    return text if len(text) <= 40 else text[:37] + "..."


def _lookbehind_error(items) -> str | None:
    for op, av in items:
        if op in (C.ASSERT, C.ASSERT_NOT):
            direction, body = av
            if direction < 0:
                lo, hi = body.getwidth()
                if lo != hi:
                    return "look-behind requires fixed-width pattern"
            found = _lookbehind_error(list(body))
        elif op is C.SUBPATTERN:
            found = _lookbehind_error(list(av[-1]))
        elif op is C.BRANCH:
            found = next((e for e in (_lookbehind_error(list(a)) for a in av[1]) if e), None)
        elif op in _REPEATS:
            found = _lookbehind_error(list(av[2]))
        else:
            found = None
        if found:
            return found
    return None


# -- RE2 syntax --------------------------------------------------------------------------------------
_RE2_CATEGORY = {
    "DIGIT": r"\p{Nd}", "NOT_DIGIT": r"\P{Nd}",
    "SPACE": r"\x{9}-\x{d}\x{1c}-\x{1f}\x{20}\x{85}\p{Z}", "WORD": r"\p{L}\p{N}_",
}
_RE2_AT = {"AT_BEGINNING": "^", "AT_BEGINNING_STRING": r"\A", "AT_END": "$", "AT_END_STRING": r"\z",
           "AT_BOUNDARY": r"\b", "AT_NON_BOUNDARY": r"\B"}


class _NoRE2(Exception):
    pass


def to_re2(parsed, flags: int = 0, plain: bool = False) -> str | None:
    """``parsed`` (a parsed Python pattern, or its items) written in RE2 syntax, with
    ``\\w``, ``\\d`` and ``\\s`` spelled as the Unicode classes they are in Python; None when
    RE2 cannot run it (lookaround, backreference, atomic or possessive parts).

    RE2's ``\\b`` is a boundary between ASCII word characters, so a rule that relies on a
    word boundary next to a non-ASCII letter should use the ``checked`` engine.

    >>> to_re2(P.parse(r"(?i)\\b(\\w+) ?%"), re.I)
    '(?i)\\\\b([\\\\p{L}\\\\p{N}_]+) ?\\\\%'
    >>> to_re2(P.parse(r"(?<!\\w)IA")) is None
    True
    """
    items = list(parsed.data) if hasattr(parsed, "data") else list(parsed)
    names = {}
    if hasattr(parsed, "state"):
        names = {v: k for k, v in parsed.state.groupdict.items()}
    try:
        body = _re2_seq(items, names)
    except _NoRE2:
        return None
    if plain:
        return body
    prefix = ""
    if flags & re.IGNORECASE:
        prefix += "i"
    if flags & re.MULTILINE:
        prefix += "m"
    if flags & re.DOTALL:
        prefix += "s"
    if flags & re.ASCII:
        return None  # ASCII classes: rare enough to leave to Python's re
    return (f"(?{prefix})" if prefix else "") + body


def _re2_seq(items, names) -> str:
    return "".join(_re2_item(op, av, names) for op, av in items)


def _re2_char(code: int, in_class: bool = False) -> str:
    ch = chr(code)
    if ch.isalnum() and code < 128 or ch in " _":
        return ch
    if 32 < code < 127:
        return "\\" + ch
    return "\\x{%x}" % code


def _re2_item(op, av, names) -> str:
    if op is C.LITERAL:
        return _re2_char(av)
    if op is C.NOT_LITERAL:
        return f"[^{_re2_char(av, True)}]"
    if op is C.ANY:
        return "."
    if op is C.IN:
        return _re2_class(av)
    if op is C.AT:
        name = str(av)
        if name not in _RE2_AT:
            raise _NoRE2
        return _RE2_AT[name]
    if op is C.SUBPATTERN:
        group, add, delete, body = av
        inner = _re2_seq(list(body), names)
        if add & ~(re.IGNORECASE | re.MULTILINE | re.DOTALL) or delete & ~(re.IGNORECASE | re.MULTILINE | re.DOTALL):
            raise _NoRE2
        fl = _re2_flags(add, delete)
        if group is None:
            return f"(?{fl}:{inner})" if fl else f"(?:{inner})"
        if fl:
            inner = f"(?{fl}:{inner})"
        name = names.get(group)
        return f"(?P<{name}>{inner})" if name else f"({inner})"
    if op is C.BRANCH:
        return "(?:" + "|".join(_re2_seq(list(a), names) for a in av[1]) + ")"
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        lo, hi, body = av
        inner = _re2_seq(list(body), names)
        if len(body) != 1 or body[0][0] not in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN, C.SUBPATTERN, C.BRANCH):
            inner = f"(?:{inner})"
        if (lo, hi) == (0, _MAX):
            q = "*"
        elif (lo, hi) == (1, _MAX):
            q = "+"
        elif (lo, hi) == (0, 1):
            q = "?"
        elif hi == _MAX:
            q = f"{{{lo},}}"
        elif lo == hi:
            q = f"{{{lo}}}"
        else:
            q = f"{{{lo},{hi}}}"
        if hi != _MAX and hi > 1000 or lo > 1000:
            raise _NoRE2
        return inner + q + ("?" if op is C.MIN_REPEAT else "")
    raise _NoRE2  # ASSERT, ASSERT_NOT, GROUPREF, ATOMIC_GROUP, POSSESSIVE_REPEAT, ...


def _re2_flags(add: int, delete: int) -> str:
    def letters(f):
        return ("i" if f & re.IGNORECASE else "") + ("m" if f & re.MULTILINE else "") + ("s" if f & re.DOTALL else "")
    a, d = letters(add), letters(delete)
    return a + (f"-{d}" if d else "")


def _re2_class(av) -> str:
    negate = False
    parts = []
    for o, a in av:
        if o is C.NEGATE:
            negate = True
        elif o is C.LITERAL:
            parts.append(_re2_char(a, True))
        elif o is C.RANGE:
            parts.append(f"{_re2_char(a[0], True)}-{_re2_char(a[1], True)}")
        elif o is C.CATEGORY:
            name = str(a).replace("CATEGORY_", "")
            if name in _RE2_CATEGORY:
                parts.append(_RE2_CATEGORY[name])
            elif (name.startswith("NOT_") and name[4:] in _RE2_CATEGORY
                  and len([x for x in av if x[0] is not C.NEGATE]) == 1):  # \W alone: [^word]
                return f"[{_RE2_CATEGORY[name[4:]]}]" if negate else f"[^{_RE2_CATEGORY[name[4:]]}]"
            else:
                raise _NoRE2  # a negated class among others: RE2 has no class subtraction
        else:
            raise _NoRE2
    return ("[^" if negate else "[") + "".join(parts) + "]"


# -- engines -------------------------------------------------------------------------------------------
class BacktrackingTimeout(Exception):
    """A ``backtracking`` rule ran past its time limit on one text."""


class _Backtracking:
    """A pattern of the ``regex`` module whose searches stop after a time limit."""

    def __init__(self, pattern: str, flags: int, timeout: float):
        import regex

        self._p = regex.compile(pattern, _regex_flags(flags))
        self._timeout = timeout

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None):
        try:
            return list(self._p.finditer(text, pos, len(text) if endpos is None else endpos,
                                         timeout=self._timeout))
        except TimeoutError:
            raise BacktrackingTimeout(f"ran past its {self._timeout} s time limit") from None


def _regex_flags(flags: int) -> int:
    import regex

    out = 0
    for name in ("IGNORECASE", "MULTILINE", "DOTALL", "ASCII", "VERBOSE"):
        if flags & getattr(re, name):
            out |= getattr(regex, name)
    return out


class _RE2:
    """A pattern run by RE2 (through google-re2), with Python ``re``-like finditer."""

    def __init__(self, re2_pattern: str):
        import re2

        options = re2.Options()
        options.log_errors = False
        self._p = re2.compile(re2_pattern, options)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None):
        return self._p.finditer(text, pos, len(text) if endpos is None else endpos)


_COMPILED: dict[tuple[str, int, str], object] = {}


def engine_for(pattern: str, flags: int, engine: str) -> str:
    """Which engine runs ``pattern`` under the rule's ``engine`` setting: ``re2``, ``re`` or
    ``backtracking`` (raises ValueError with the reason when none may)."""
    if engine == "backtracking":
        return "backtracking"
    a = analyse(pattern, flags)
    if engine == "linear" and a.re2 is not None and _re2_accepts(a.re2):
        return "re2"
    if a.hazard is None:
        return "re"
    why = f"it can take more than linear time: {a.hazard}"
    if engine == "linear":
        why += " (and RE2, the linear-time engine, cannot run it: it needs lookaround or a backreference)"
    raise ValueError(f"{why}; rewrite it, or mark the rule `engine: backtracking` to run it with a "
                     f"{BACKTRACKING_TIMEOUT} s time limit per text")


def engine_or_none(pattern: str, flags: int, engine: str) -> str | None:
    """:func:`engine_for`, or None where no engine may run ``pattern`` (the loader reports why)."""
    try:
        return engine_for(pattern, flags, engine)
    except ValueError:
        return None


def _re2_accepts(re2_pattern: str) -> bool:
    key = (re2_pattern, -1, "re2-ok")
    ok = _COMPILED.get(key)
    if ok is None:
        try:
            import re2

            options = re2.Options()
            options.log_errors = False
            re2.compile(re2_pattern, options)
            ok = True
        except Exception:  # noqa: BLE001 - re2.error, or google-re2 missing
            ok = False
        _COMPILED[key] = ok
    return bool(ok)


def compiled(pattern: str, flags: int, engine: str = "checked"):
    """The compiled pattern (an object with ``finditer(text, pos, endpos)`` whose matches
    have ``start``, ``end``, ``group`` and ``expand``), memoised."""
    key = (pattern, flags, engine)
    found = _COMPILED.get(key)
    if found is None:
        which = engine_for(pattern, flags, engine)
        if which == "re2":
            found = _RE2(analyse(pattern, flags).re2)
        elif which == "backtracking":
            found = _Backtracking(pattern, flags, BACKTRACKING_TIMEOUT)
        else:
            found = re.compile(pattern, flags)
        _COMPILED[key] = found
    return found


# -- the cache of analyses -------------------------------------------------------------------------------
#: Bump when the analysis changes: older caches are then ignored.
CACHE_VERSION = 5  # 2: anchors chosen by selectivity (repair.glossary.prefilter); 3: reach; 4: anchors joined
# across small alternations and case classes ("it is to note that", not "i"); 5: digits as "0", line_bound, lead


def to_entry(pattern: str, flags: int, a: Analysis) -> list:
    """One analysis as a JSON list (the caches' format)."""
    return [flags, pattern, a.min_width, None if a.required is None else sorted(a.required), a.hazard, a.re2,
            a.error, a.reach, a.line_bound, None if a.lead is None else sorted(a.lead)]


def from_entries(entries) -> dict[tuple[str, int], Analysis]:
    """The analyses of :func:`to_entry` lists; ValueError or TypeError when malformed."""
    out = {}
    for flags, pattern, wmin, required, hazard_, re2_, error, reach_, line_bound_, lead in entries:
        if not (isinstance(flags, int) and isinstance(pattern, str) and isinstance(wmin, int)):
            raise ValueError("not an analysis")
        out[(pattern, flags)] = Analysis(
            wmin, None if required is None else frozenset(required), hazard_, re2_, error, reach_,
            bool(line_bound_), None if lead is None else frozenset(lead))
    return out


class _Cache:
    """Analyses of earlier runs (:mod:`repair.glossary.cache`): a start-up with 1,800 regex
    rules need not parse them all again. Those of the shipped glossaries come with them
    (:mod:`repair.glossary.shipped`), so even a machine's first run does not."""

    def __init__(self):
        self.loaded = False
        self.added = 0
        self.shipped: set[tuple[str, int]] = set()

    @property
    def name(self) -> str:
        return f"regex-analyses-v{CACHE_VERSION}.json"

    def load(self) -> None:
        if self.loaded:
            return
        self.loaded = True
        from . import cache, shipped

        found = shipped.read_analyses()
        self.shipped = set(found)
        for key, a in found.items():
            _ANALYSES.setdefault(key, a)
        entries = cache.read(self.name)
        if not isinstance(entries, list):
            return
        try:
            for key, a in from_entries(entries).items():
                _ANALYSES.setdefault(key, a)
        except (ValueError, TypeError):
            return

    def save(self) -> None:
        """Write the analyses back when this run added some (those that came with the
        shipped glossaries need not be)."""
        if not self.added:
            return
        from . import cache

        entries = [to_entry(p, f, a) for (p, f), a in _ANALYSES.items() if (p, f) not in self.shipped]
        if len(entries) <= 200_000:  # a cache, not an archive
            cache.write(self.name, entries)
        self.added = 0


_CACHE = _Cache()


def _cache() -> _Cache:
    return _CACHE


def save_cache() -> None:
    """Keep this run's new analyses for the next start-up."""
    _CACHE.save()
