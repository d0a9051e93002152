"""The compiled glossary: every rule of every glossary in one matcher.

Literal phrases go into one Aho-Corasick automaton (pyahocorasick) built over a
case-folded copy of the text (digits read "0": :func:`anchor_fold`). Regular-expression
rules are compiled one by one, when first needed, by the engine their glossary allows
(repair.glossary.regexes), and the same automaton also finds their required literals
(repair.glossary.prefilter), so a regex rule runs only on texts where it could match, and
there only where it could match: where its leading strings start, around its literals, or
on their lines (:meth:`CompiledGlossary._run`). Context conditions are compiled when a rule
first has a hit to check. Matching therefore costs one automaton pass over the text
whatever the number of literal rules, plus a few short regex runs per regex rule whose
anchor occurs; the hits are then checked against word boundaries and context conditions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

import ahocorasick

from ..edit import Proposal, Rejected
from ..language import leave_foreign_text
from ..segment import sentence_around
from . import regexes
from .regexes import BacktrackingTimeout
from .rules import Glossary, Rule, word_list_regex

#: How a hit held back by a blocker (``unless``/``unless_near``) says so: the rule's author
#: has declared the text correct there, and later stages respect that (see :func:`is_blocked`).
BLOCKED = "blocked by"

_FOLD_MAP = str.maketrans({"’": "'", "‘": "'", "\u00a0": " ", "\u202f": " ", "\u2009": " "})
_WORD = re.compile(r"\w+")


class _DigitsToZero(dict):
    """``_FOLD_MAP`` that also maps every decimal digit (what ``\\d`` matches: Unicode Nd) to
    "0"; other characters are looked up once, then remembered (``str.translate`` leaves a
    character that maps to itself as it is)."""

    def __missing__(self, code: int) -> int:
        value = self[code] = ord("0") if chr(code).isdecimal() else code
        return value


_ANCHOR_MAP = _DigitsToZero(_FOLD_MAP)


def fold(text: str) -> str:
    """Lower-case ``text`` for matching without changing its length, and unify apostrophes
    and non-breaking spaces, so offsets in the folded text are offsets in the original.

    >>> fold("İA Nvidia’s\\u00a0FLEAS") == "İa nvidia's fleas"
    True
    """
    return _lower(text).translate(_FOLD_MAP)


def anchor_fold(text: str) -> str:
    """:func:`fold`, and every digit as "0": the text the automaton reads. The required
    literals of regex rules are written so (repair.glossary.prefilter: ``\\d{1,2}h\\d``
    requires "0h0"), and a phrase with digits is checked against the text itself.

    >>> anchor_fold("At 10h30, ٣ £")
    'at 00h00, 0 £'
    """
    return _lower(text).translate(_ANCHOR_MAP)


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):  # a few characters (İ) lower-case to two; keep them as they are
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def curl_quotes(replacement: str) -> str:
    """A replacement's straight single quotes as a text that writes "’" writes them: an
    apostrophe after a letter or digit is "’", an opening quote "‘".

    >>> curl_quotes("the Palme d'Or"), curl_quotes("farmers' incomes"), curl_quotes("the 'red' level")
    ('the Palme d’Or', 'farmers’ incomes', 'the ‘red’ level')
    """
    out = []
    for i, c in enumerate(replacement):
        if c == "'":
            c = "’" if i > 0 and replacement[i - 1].isalnum() else "‘"
        out.append(c)
    return "".join(out)


def carry_case(matched: str, replacement: str) -> str:
    """Give ``replacement`` the capitalisation pattern of ``matched``.

    >>> carry_case("FLEAS", "chips"), carry_case("Fleas", "chips"), carry_case("fleas", "chips")
    ('CHIPS', 'Chips', 'chips')
    >>> carry_case("Director General", "chief executive")
    'Chief Executive'
    """
    letters = [c for c in matched if c.isalpha()]
    if not letters or not replacement:
        return replacement
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return replacement.upper()
    words = [w for w in matched.split() if w[:1].isalpha()]
    if len(words) > 1 and all(w[0].isupper() for w in words):
        return " ".join(_upper_first(w) for w in replacement.split(" "))
    if letters[0].isupper():
        return _upper_first(replacement)
    return replacement


def _upper_first(s: str) -> str:
    for i, c in enumerate(s):
        if c.isalpha():
            return s[:i] + c.upper() + s[i + 1:]
    return s


@dataclass
class _Context:
    """The text being matched, with the windows of its hits."""

    text: str

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        a, b = sentence_around(self.text, start, end)
        return min(a, start), max(b, end)

    def words_around(self, start: int, end: int, n: int) -> tuple[int, int]:
        ls, le = _line_of(self.text, start)
        before = list(_WORD.finditer(self.text, ls, start))
        after = list(_WORD.finditer(self.text, end, le))
        a = before[-n].start() if len(before) >= n else ls
        b = after[n - 1].end() if len(after) >= n else le
        return a, b


def _line_of(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


class _RuleChecks:
    """The compiled context conditions of one rule."""

    def __init__(self, rule: Rule):
        self.triggers = word_list_regex(rule.triggers)
        self.unless_near = word_list_regex(rule.unless_near)
        self.unless = word_list_regex(rule.unless)
        self.unless_regex = [regexes.compiled(p, 0, rule.engine) for p in rule.unless_regex]


class CompiledGlossary:
    """All enabled rules of ``glossaries``, compiled once; later files override earlier
    rules with the same id."""

    def __init__(self, glossaries: Sequence[Glossary]):
        self.glossaries = tuple(glossaries)
        by_id: dict[str, Rule] = {}
        for g in self.glossaries:
            for r in g.rules:
                by_id.pop(r.id, None)
                by_id[r.id] = r
        self.rules: tuple[Rule, ...] = tuple(r for r in by_id.values() if r.enabled)
        self._checks: dict[str, _RuleChecks] = {}  # built when a rule first has a hit to check
        #: The rules in force by id (their descriptions explain edits: repair.explain).
        self.by_id: dict[str, Rule] = {r.id: r for r in self.rules}
        self._regex_rules, self._anchors, self._leads, self._reaches = self._build_regex()
        self._always = [i for i, a in enumerate(self._anchors) if not a]
        self._automaton = self._build_automaton()

    # -- building -------------------------------------------------------------------
    def _build_automaton(self):
        """One automaton over the folded text: literal phrases of phrase rules, and the
        required literals (anchors) of regex rules, which tell which regex rules to run."""
        phrases: dict[str, list[tuple[Rule, str, str | None]]] = {}
        anchors: dict[str, list[int]] = {}
        leads: dict[str, list[int]] = {}
        for r in self.rules:
            for phrase in r.phrases:
                key, folded = anchor_fold(phrase), fold(phrase)
                # a phrase with digits shares its key with the same phrase with other digits
                own = folded if key != folded else None
                phrases.setdefault(key, []).append((r, phrase, own))
        for i, (r, _own) in enumerate(self._regex_rules):
            for a in self._anchors[i] or ():
                anchors.setdefault(anchor_fold(a), []).append(i)
            for a in self._leads[i] or ():
                leads.setdefault(anchor_fold(a), []).append(i)
        if not phrases and not anchors:
            return None
        automaton = ahocorasick.Automaton()
        for key in phrases.keys() | anchors.keys() | leads.keys():
            automaton.add_word(key, (len(key), tuple(phrases.get(key, ())), tuple(anchors.get(key, ())),
                                     tuple(leads.get(key, ()))))
        automaton.make_automaton()
        return automaton

    def _reach(self, i: int) -> tuple[int | None, bool]:
        """How far around an anchor rule ``i``'s matches can reach (None: unbounded), and
        whether they stay within a line (regexes.line_bound)."""
        return self._reaches[i]

    def _build_regex(self):
        """The regex rules, each with its anchors (None: always run), the strings its
        matches start with where it is tried (None: it is scanned), and its reach and
        whether it stays within a line (:meth:`_reach`), all from its analysis; each is
        compiled when its anchor first occurs (:meth:`_compiled`)."""
        rules, anchors, leads, reaches = [], [], [], []
        for r in self.rules:
            if r.regex is None:
                continue
            rules.append([r, None])
            try:
                found = regexes.analyse(r.regex, r.flags)
            except re.error:  # reported when compiled
                anchors.append(None)
                leads.append(None)
                reaches.append((None, False))
                continue
            anchors.append(found.required)
            leads.append(lead_of(r, found))
            reaches.append((found.reach, found.line_bound))
        return rules, anchors, leads, reaches

    def _compiled(self, i: int):
        entry = self._regex_rules[i]
        if entry[1] is None:
            r = entry[0]
            entry[1] = regexes.compiled(r.regex, r.flags, r.engine)
        return entry[1]

    def _run(self, i: int, text: str, places: list[list[int]] | None, starts: list[int] | None = None) -> list:
        """The matches of regex rule ``i`` in ``text``. ``starts`` (when the rule's leading
        strings are known: regexes.Analysis.lead) lists where they start in the text: every
        match starts at one of them, so the rule is tried there alone, in order, each try
        after the last match's end (what a scan finds, without the scan). ``places`` holds
        lists of where its anchors occur (each as the offset of its last character, then its
        length): where the rule's reach is bounded and the anchors are few, it runs only in
        the stretches around them (a match holds an anchor, so none is missed; two characters more on each side keep
        ``\\b`` and lookarounds true to the whole text). A rule of unbounded reach whose
        matches stay within a line runs only on the lines that hold an anchor, each from the
        line break before it to the one after it (the pattern stops at both)."""
        pattern = self._compiled(i)
        if self._leads[i] is not None and starts is not None:
            found, end = [], 0
            for p in sorted(set(starts)):
                if p >= end:
                    m = pattern.match(text, p)
                    if m is not None and m.end() > m.start():
                        found.append(m)
                        end = m.end()
            return found
        if not places:
            return list(pattern.finditer(text))
        reach, by_line = self._reach(i)
        n = len(text)
        if reach is not None and sum(len(part) // 2 for part in places) * (2 * reach + 8) < n:
            spans = sorted((max(0, last + 1 - length - reach - 2), min(n, last + 1 + reach + 2))
                           for part in places for last, length in zip(part[::2], part[1::2]))
        elif by_line:
            spans = []
            for part in places:
                for last in part[::2]:
                    end = text.find("\n", last + 1)
                    spans.append((max(0, text.rfind("\n", 0, last + 1)), n if end < 0 else end + 1))
            spans.sort()
            if sum(b - a for a, b in spans) >= n:
                return list(pattern.finditer(text))
        else:
            return list(pattern.finditer(text))
        found = []
        a, b = spans[0]
        for s, e in spans[1:]:
            if s <= b:
                b = max(b, e)
                continue
            found.extend(pattern.finditer(text, a, b))
            a, b = s, e
        found.extend(pattern.finditer(text, a, b))
        return found

    def _rule_checks(self, rule: Rule) -> "_RuleChecks":
        checks = self._checks.get(rule.id)
        if checks is None:
            checks = self._checks[rule.id] = _RuleChecks(rule)
        return checks

    # -- matching -------------------------------------------------------------------
    def signature(self) -> str:
        return "+".join(g.signature() for g in self.glossaries)

    def propose(self, text: str) -> tuple[list[Proposal], list[Rejected]]:
        """All non-overlapping proposals of the glossary for ``text``, and the hits that
        the context conditions held back (with the reason).

        A hit held back only for want of a trigger word is a proposal still, marked
        ``needs_judge`` and ``needs_evidence`` with the reason in ``held``: the pipeline sends
        it to the judge where the text shows round-trip damage near it, and holds it back
        elsewhere. It never displaces a proposal that needs no trigger."""
        ctx = _Context(text)
        candidates: list[Proposal] = []
        untriggered: list[Proposal] = []  # held for want of a trigger: the judge decides near damage
        rejected: list[Rejected] = []
        curly = "’" in text and "'" not in text  # the text writes its apostrophes curly
        for rule, start, end, after in self._hits(text, rejected):
            if rule.scope == "line":
                span = _whole_line(text, start, end, delete=after == "")
                if span is None:
                    continue
                if after == "":
                    start, end = span
            alternatives = rule.alternatives
            if curly and "'" in after + "".join(alternatives):
                after, alternatives = curl_quotes(after), tuple(curl_quotes(a) for a in alternatives)
            proposal = Proposal(start, end, text[start:end], after, "glossary", rule.id, rule.origin,
                                alternatives, rule.judge, rule.category, rule.priority)
            if proposal.before == proposal.after:
                continue
            reason, hard = self._blocked(rule, ctx, start, end) if rule.conditional else (None, False)
            if not reason:
                candidates.append(proposal)
            elif rule.judge_when_held and not hard:
                candidates.append(replace(proposal, needs_judge=True, held=reason))
            elif not hard:
                # held for want of a trigger word: where the text shows round-trip damage near
                # the hit, the judge decides (repair.pipeline), so a paragraph about an
                # election need not name it in every sentence
                untriggered.append(replace(proposal, needs_judge=True, needs_evidence=True, held=reason))
            else:
                rejected.append(proposal.reject(reason))
        # text in another language (a quotation in French) is not repaired
        candidates, foreign = leave_foreign_text(text, candidates)
        chosen = resolve_overlaps(candidates)
        if untriggered:
            # a hit held for want of a trigger never displaces one that stands on its own
            untriggered, foreign_too = leave_foreign_text(text, untriggered)
            foreign += foreign_too
            chosen = sorted(chosen + resolve_overlaps([p for p in untriggered if not _overlaps_any(p, chosen)]),
                            key=lambda p: (p.start, p.end))
        return chosen, rejected + foreign

    def _hits(self, text: str, rejected: list[Rejected] | None = None) -> Iterable[tuple[Rule, int, int, str]]:
        regex_to_run = set(self._always)
        # where each anchor occurs (by the tuple of rules it anchors): a regex rule runs only
        # around its anchors' places (see _run)
        places: dict[tuple, list[int]] = {}
        starts: dict[tuple, list[int]] = {}  # where leading strings occur (start offsets), by the rules they lead
        if self._automaton is not None:
            folded = anchor_fold(text)
            for last, (length, entries, anchored, led) in self._automaton.iter(folded):
                if led:
                    found = starts.get(led)
                    if found is None:
                        starts[led] = found = []
                    found.append(last - length + 1)
                if anchored:
                    found = places.get(anchored)
                    if found is None:
                        places[anchored] = found = []
                        regex_to_run.update(anchored)
                    found.append(last)
                    found.append(length)
                if not entries:
                    continue
                start, end = last - length + 1, last + 1
                if start > 0 and _is_word_char(folded[start - 1]) and _is_word_char(folded[start]):
                    continue
                if end < len(text) and _is_word_char(folded[end]) and _is_word_char(folded[end - 1]):
                    continue
                matched = text[start:end]
                for rule, phrase, own in entries:
                    if own is not None and fold(matched) != own:
                        continue  # other digits
                    if rule.case == "exact":
                        if matched.translate(_FOLD_MAP) != phrase.translate(_FOLD_MAP):
                            continue
                        yield rule, start, end, rule.replace
                    elif rule.case == "ignore":
                        yield rule, start, end, rule.replace
                    else:
                        yield rule, start, end, carry_case(matched, rule.replace)
        near: dict[int, list[list[int]]] = {}  # anchor places by rule (a rule with leading strings needs none)
        leads = self._leads
        for anchored, found in places.items():
            for i in anchored:
                if leads[i] is None:
                    near.setdefault(i, []).append(found)
        led_at: dict[int, list[int]] = {}
        for led, found in starts.items():
            for i in led:
                if i in regex_to_run:
                    led_at.setdefault(i, []).extend(found)
        for i in sorted(regex_to_run):
            rule = self._regex_rules[i][0]
            try:
                found = self._run(i, text, near.get(i), led_at.get(i, ()))
            except BacktrackingTimeout as exc:
                if rejected is not None:
                    rejected.append(Rejected(0, 0, "", "", "glossary", rule.id, f"regex {exc}; no hit of this rule "
                                             f"in this text (engine: backtracking)", rule.origin))
                continue
            for m in found:
                if m.start() == m.end():
                    continue  # rules cannot match nothing (checked at load); be safe
                after = m.expand(rule.replace)
                if rule.case == "carry":
                    after = carry_case(m.group(0), after)
                yield rule, m.start(), m.end(), after

    def _blocked(self, rule: Rule, ctx: _Context, start: int, end: int) -> tuple[str | None, bool]:
        """Why the context conditions hold the hit back (None: they don't), and whether
        that is a hard block (a blocker matched); a missing trigger is a soft one."""
        checks = self._rule_checks(rule)
        text = ctx.text
        ls, le = _line_of(text, start)
        for regex in ([checks.unless] if checks.unless else []) + checks.unless_regex:
            try:
                found = list(regex.finditer(text, max(ls, start - 120), min(le, end + 120)))
            except BacktrackingTimeout as exc:
                return f"unless_regex {exc}", True
            for m in found:
                if m.start() < end and start < m.end():
                    return f"{BLOCKED} {m.group(0)!r}", True
        if rule.window is None:
            ws, we = ctx.sentence(start, end)
            where = "sentence"
        else:
            ws, we = ctx.words_around(start, end, rule.window)
            where = f"{rule.window} words"
        if checks.unless_near:
            for m in checks.unless_near.finditer(text, ws, we):
                if not (m.start() < end and start < m.end()):
                    return f"{BLOCKED} {m.group(0)!r} in {where}", True
        if checks.triggers:
            for m in checks.triggers.finditer(text, ws, we):
                if not (m.start() < end and start < m.end()):
                    return None, False
            return f"no trigger in {where}", False
        return None, False


#: The fewest characters (spaces aside) a leading string needs to be looked for: "the " would be
#: found a hundred times an article, and each finding costs more than a short scan.
MIN_LEAD = 4


def lead_of(rule: Rule, found: "regexes.Analysis") -> frozenset[str] | None:
    """The leading strings where rule ``rule`` is tried (CompiledGlossary._run), or None when
    it is better scanned: only when its reach is unbounded (else it runs on short stretches
    around its anchors), every leading string is long enough to be rare, and Python's ``re``
    runs it (``pattern.match`` at a position; RE2 scans in linear time anyway)."""
    if found.lead is None or found.reach is not None or min(len(s.strip()) for s in found.lead) < MIN_LEAD:
        return None
    return found.lead if regexes.engine_or_none(rule.regex, rule.flags, rule.engine) == "re" else None


def is_blocked(rejected: Rejected) -> bool:
    """Whether a glossary hit was held back by a blocker (a hard "keep" on its words), not
    only for want of a trigger.

    >>> is_blocked(Rejected(0, 7, "society", "company", "glossary", "X", "blocked by 'building society'"))
    True
    >>> is_blocked(Rejected(0, 7, "society", "company", "glossary", "X", "no trigger in sentence"))
    False
    """
    return rejected.source == "glossary" and rejected.reason.startswith(BLOCKED)


def _whole_line(text: str, start: int, end: int, delete: bool) -> tuple[int, int] | None:
    """For a line-scope hit: the span to delete (the line and its line break), or None
    when the hit is not the whole content of its line."""
    ls, le = _line_of(text, start)
    if text[ls:start].strip() or text[end:le].strip(" \t\r.:;!…"):
        return None
    if not delete:
        return ls, le
    if le >= len(text):  # last line: take the line break before it instead
        return (ls - 1 if ls > 0 else ls), le
    end = le + 1
    # between blank lines, take one of them too, so paragraphs stay one blank line apart
    prev_blank = ls == 0 or text[:ls - 1].endswith("\n") or text[:ls - 1].endswith("\n\r")
    nxt = text.find("\n", end)
    if prev_blank and nxt >= 0 and not text[end:nxt].strip():
        end = nxt + 1
    return ls, end


def _overlaps_any(p: Proposal, chosen: list[Proposal]) -> bool:
    return any(p.start < c.end and c.start < p.end or (p.start == p.end == c.start) for c in chosen)


def resolve_overlaps(proposals: list[Proposal]) -> list[Proposal]:
    """Leftmost, then longest, then sure-before-judged, then highest priority; no overlaps."""
    chosen: list[Proposal] = []
    last_end = -1
    for p in sorted(proposals, key=lambda p: (p.start, -(p.end - p.start), p.needs_judge, -p.priority)):
        if p.start >= last_end or (p.start == p.end and p.start >= last_end):
            chosen.append(p)
            last_end = p.end
    return chosen
