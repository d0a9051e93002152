"""Running a glossary's own examples: the checks behind ``repair glossary check`` and the tests."""
from __future__ import annotations

from ..edit import apply_edits
from .match import CompiledGlossary
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
