"""Running a glossary's own examples: the checks behind ``repair glossary check`` and the tests."""
from __future__ import annotations

import re

from ..edit import apply_edits
from . import regexes
from .match import CompiledGlossary, lead_of
from .rules import Glossary, Rule


def rule_alone(rule: Rule) -> CompiledGlossary:
    return CompiledGlossary([Glossary(rule.glossary, rule.path, "-", (rule,))])


def apply_rule(rule: Rule, text: str) -> str:
    """``text`` with every proposal of ``rule`` applied (judge rules included), except hits
    that its context conditions held back and would only send to the judge."""
    proposals, _ = rule_alone(rule).propose(text)
    return apply_edits(text, [p.accept() for p in proposals if p.held is None])


def check_rule(rule: Rule) -> list[str]:
    """Problems with one rule's examples, each naming the rule and its origin."""
    problems = []
    if not rule.fix:
        problems.append(f"{rule.origin}: {rule.id}: no 'fix' example")
    for ex in rule.fix:
        out = apply_rule(rule, ex.text)
        if out != ex.expected:
            problems.append(f"{rule.origin}: {rule.id}: {ex.text!r} gave {out!r}, expected {ex.expected!r}")
        elif apply_rule(rule, out) != out:
            problems.append(f"{rule.origin}: {rule.id}: fires again on its own output {out!r}")
    for ex in rule.keep:
        out = apply_rule(rule, ex.text)
        if out != ex.text:
            problems.append(f"{rule.origin}: {rule.id}: changed correct text {ex.text!r} to {out!r}")
    for field_name in ("triggers", "unless_near"):
        for word in getattr(rule, field_name):
            if REGEX_SIGNS & set(word.rstrip("*")):
                problems.append(f"{rule.origin}: {rule.id}: {field_name} word {word!r} looks like a regex; these are "
                                f"words, matched literally (a final * stands for any ending: 'river*')")
    return problems


#: regex characters that a trigger word never needs ("rivers?" matches only "rivers?"); '+', '$'
#: and '*' are allowed ("Canal+", "A+", "$*" for any dollar amount, "river*")
REGEX_SIGNS = frozenset("?()[]{}|\\^")


def check_glossary(glossary: Glossary) -> list[str]:
    """Problems with the examples of the glossary's enabled rules (a rule with
    ``enabled: false`` does nothing, so its examples are not run)."""
    problems = []
    for rule in glossary.rules:
        if rule.enabled:
            problems += check_rule(rule)
    return problems


def speed_notes(rule: Rule) -> list[str]:
    """Advice on what a regex rule costs, which changes no result (``repair glossary check``
    prints it as a note): a rule with no literal runs on every text, and one that Python's
    ``re`` runs (RE2 is linear), whose reach is unbounded and whose matches start with no
    fixed words, scans the whole of each text its literal occurs in (repair.glossary.match),
    up to a millisecond an article."""
    if rule.regex is None or not rule.enabled:
        return []
    try:
        found = regexes.analyse(rule.regex, rule.flags)
    except re.error:
        return []
    where = f"{rule.origin}: {rule.id}: note:"
    if found.required is None:
        return [f"{where} no literal narrows where this regex can match, so it runs on every text; give it a "
                f"fixed word or phrase"]
    if (found.reach is None and lead_of(rule, found) is None
            and regexes.engine_or_none(rule.regex, rule.flags, rule.engine) == "re"):
        literals = ", ".join(repr(x) for x in sorted(found.required)[:3])
        if any(c == "0" for x in found.required for c in x):
            literals += " (any digit reads 0)"
        return [f"{where} this regex scans the whole of every text that holds {literals}: an unbounded "
                f"repetition (+, *, {{n,}}) leaves its reach unknown, and its matches start with no fixed words; "
                f"bound the repetition (\\d{{1,9}}, [\\w-]{{1,40}}) to run it only near that literal"]
    return []
