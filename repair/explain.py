"""Explaining edits: which rule or model, where, from what, to what, and why.

The one renderer of :class:`~repair.edit.Edit` and :class:`~repair.edit.Rejected` records for
people: ``repair fix --explain`` prints :func:`explain_lines`, and the evaluation's reports
describe edits with :func:`describe`. (Machines read ``Edit.to_dict()``, which JSON and CSV
outputs carry, with the reasons in their terse machine form.)

Each item reads as LanguageTool's messages do, under a compiler-style head line that
editors can jump to::

    article.txt:1:34: glossary ACRONYM_IA (glossaries/fr-en.yaml:13) 'IA' -> 'AI'
        French IA (intelligence artificielle) for AI; never the Iowa abbreviation.
        ...a $ 5,5 billion deal, the [IA → AI] company said.
    article.txt:2:34: held back model mt-repair-default@b6c8a447 'eventual' -> 'possible'
        the language model was not sure enough (margin 1.71 < 2.0)
        ...council said the 7 % rise in [eventual → possible] costs of the IA fleas would...

the rule's description (what it repairs), or for a held-back proposal the reason in words;
then the text around the change, with the change marked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from .edit import Edit, Rejected, Repaired

#: Characters of context on each side of a change in the snippet line.
CONTEXT_CHARS = 30
INDENT = "    "


@dataclass(frozen=True)
class Context:
    """What the wording needs beyond the records: the glossary's rules by id (for their
    descriptions) and the judge's margin (None: no judge)."""

    rules: Mapping[str, object] = field(default_factory=dict)
    judge_margin: float | None = None

    @classmethod
    def of(cls, repairer) -> "Context":
        """The context of a :class:`~repair.pipeline.Repairer`."""
        glossary = getattr(repairer, "glossary", None)
        margin = repairer.config.judge_margin if getattr(repairer, "judge", None) is not None else None
        return cls(getattr(glossary, "by_id", {}) or {}, margin)

    def description(self, rule_id: str | None) -> str | None:
        rule = self.rules.get(rule_id) if rule_id else None
        text = getattr(rule, "description", None)
        return " ".join(text.split()) if text else None


NO_CONTEXT = Context()


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``.

    >>> line_col("ab\\ncd", 4)
    (2, 2)
    """
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def describe(item: Edit | Rejected) -> str:
    """What an edit did, or what a held-back proposal would have done and why not (one line,
    the machine reason).

    >>> describe(Edit(0, 2, "IA", "AI", "glossary", "ACRONYM_IA", "glossaries/fr-en.yaml:12"))
    "glossary ACRONYM_IA (glossaries/fr-en.yaml:12) 'IA' -> 'AI'"
    """
    origin = f" ({item.origin})" if item.origin else ""
    if isinstance(item, Rejected):
        return f"held back {item.source} {item.rule_id or '-'} {item.before!r} -> {item.after!r}: {item.reason}"
    return f"{item.source} {item.rule_id or '-'}{origin} {item.before!r} -> {item.after!r}"


# -- reasons in words ------------------------------------------------------------------------------
_REASONS: list[tuple[re.Pattern, object]] = [
    (re.compile(r"blocked by (?P<what>'.*') in (?P<where>sentence|\d+ words)$"),
     lambda m, r, c: f"kept: {m['what']} nearby ({_where(m['where'])}) marks this use as correct English "
                     f"(an exception the rule lists)"),
    (re.compile(r"blocked by (?P<what>'.*')$"),
     lambda m, r, c: f"kept: {m['what']} is correct English here (an exception the rule lists)"),
    (re.compile(r"no trigger in (?P<where>sentence|\d+ words), and no round-trip damage near it$"),
     lambda m, r, c: f"the rule applies only when one of its trigger words is near ({_where(m['where'])}), "
                     f"and none is; without one, the judge decides only near other round-trip damage, "
                     f"and there is none"),
    (re.compile(r"no trigger in (?P<where>sentence|\d+ words)$"),
     lambda m, r, c: f"the rule applies only when one of its trigger words is near ({_where(m['where'])}), "
                     f"and none is"),
    (re.compile(r"needs the judge, and no judge is configured$"),
     lambda m, r, c: "only the language-model judge may make this change, and it is off (--no-judge)"),
    (re.compile(r"judge: original preferred"),
     lambda m, r, c: "the language model found the text as it was more likely"
                     + (f" (by {-r.score:.2f}; a change must win by {c.judge_margin:g})"
                        if r.score is not None and c.judge_margin is not None else
                        f" (by {-r.score:.2f})" if r.score is not None else "")),
    (re.compile(r"judge: wins by (?P<by>-?[\d.]+) < margin (?P<need>-?[\d.]+)(?P<why>, [^(]*?)?(?: \(|$)"),
     lambda m, r, c: f"the language model was not sure enough (margin {float(m['by']):.2f} < "
                     f"{float(m['need']):.1f}{m['why'] or ''})"),
    (re.compile(r"judge: no candidate differs"),
     lambda m, r, c: "nothing to decide: the replacement is the text as it is"),
    (re.compile(r"model margin (?P<by>-?[\d.]+) < (?P<need>-?[\d.]+)"),
     lambda m, r, c: (f"the post-editing model itself preferred the text as it was (margin {m['by']} < "
                      f"{float(m['need']):.1f})" if float(m["by"]) < 0 else
                      f"the post-editing model was not sure enough (margin {m['by']} < {m['need']})")),
    (re.compile(r"too many words changed: (?P<n>\d+) of (?P<of>\d+) \(max (?P<max>\d+)\)"),
     lambda m, r, c: f"too large a rewrite: {m['n']} of {m['of']} words changed (at most {m['max']})"),
    (re.compile(r"numbers changed: (?P<a>.*) -> (?P<b>.*)$"),
     lambda m, r, c: f"it would change a number ({m['a']} -> {m['b']}), which the post-editor never does"),
    (re.compile(r"names changed: (?P<a>.*) -> (?P<b>.*)$"),
     lambda m, r, c: f"it would change a name ({m['a']} -> {m['b']}), which the post-editor never does"),
    (re.compile(r"hashtags changed"),
     lambda m, r, c: "it would change a hashtag or @mention, which the post-editor never does"),
    (re.compile(r"URLs changed"), lambda m, r, c: "it would change a URL, which the post-editor never does"),
    (re.compile(r"quote marks changed"),
     lambda m, r, c: "it would add, remove or restyle quote marks, which the post-editor never does"),
    (re.compile(r"content words dropped: (?P<w>.*)$"),
     lambda m, r, c: f"it would drop words that carry meaning ({m['w']})"),
    (re.compile(r"inside quoted speech$"),
     lambda m, r, c: "it is inside quoted speech, which is never rewritten"),
    (re.compile(r"the glossary keeps this text: (?P<rule>\S+) (?P<why>.*)$"),
     lambda m, r, c: f"a glossary rule declares this text correct ({m['rule']}: "
                     f"{_strip_blocked(m['why'])})"),
    (re.compile(r"crosses HTML markup$"),
     lambda m, r, c: "it would cross an HTML tag or entity, and markup is kept exactly as it is"),
]


def _where(where: str) -> str:
    return "in the sentence" if where == "sentence" else f"within {where}"


def _strip_blocked(why: str) -> str:
    return why[len("blocked by "):] + " is correct English here" if why.startswith("blocked by ") else why


def reason_in_words(item: Rejected, context: Context = NO_CONTEXT) -> str:
    """Why ``item`` was held back, for a person (the machine reason when no wording fits).

    >>> r = Rejected(0, 2, "It", "He", "model", "m", "model margin -2.16 < 0.0 (edit -2.2, copy -0.1)")
    >>> reason_in_words(r)
    'the post-editing model itself preferred the text as it was (margin -2.16 < 0.0)'
    >>> reason_in_words(Rejected(0, 8, "probably", "likely", "glossary", "X", "judge: wins by 0.40 < margin 2"))
    'the language model was not sure enough (margin 0.40 < 2.0)'
    """
    for pattern, words in _REASONS:
        m = pattern.match(item.reason or "")
        if m:
            return words(m, item, context)
    return item.reason or "held back"


# -- the snippet -------------------------------------------------------------------------------------
def _visible(s: str, spaces: bool) -> str:
    """A side of a change as it shows in the snippet: line breaks as ↵, tabs as ⇥, and with
    ``spaces`` (a change of spacing) spaces as ␣."""
    s = s.replace("\r\n", "↵").replace("\n", "↵").replace("\t", "⇥")
    return s.replace(" ", "␣") if spaces else s


def _spacing_only(before: str, after: str) -> bool:
    return "".join(before.split()) == "".join(after.split())


def snippet(text: str, start: int, end: int, after: str, width: int = CONTEXT_CHARS) -> str:
    """The words around ``text[start:end]`` on its line, with the change marked:
    ``[before → after]``, ``[-deleted]``, ``[+inserted]``.

    >>> snippet("It was a $ 5,5 billion deal, the IA company said.", 33, 35, "AI")
    '...5,5 billion deal, the [IA → AI] company said.'
    >>> snippet("7 % rise", 1, 2, "")
    '7[-␣]% rise'
    >>> snippet("a 7 % rise", 3, 5, "%")
    'a 7[␣% → %] rise'
    """
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    le = len(text) if le < 0 else le
    a = max(ls, start - width)
    left = text[a:start]
    if a > ls:
        cut = left.find(" ")
        left = "..." + (left[cut + 1:] if 0 <= cut < len(left) - 1 else left)
    b = min(le, end + width)
    right = text[end:b]
    if b < le:
        cut = right.rfind(" ")
        right = (right[:cut] if cut > 0 else right) + "..."
    spaces = _spacing_only(text[start:end], after)
    before, new = _visible(text[start:end], spaces), _visible(after, spaces)
    if not before:
        mark = f"[+{new}]"
    elif not new:
        mark = f"[-{before}]"
    else:
        mark = f"[{before} → {new}]"
    return (left + mark + right).replace("\t", " ").rstrip("\r")


# -- the lines -----------------------------------------------------------------------------------------
def explain_line(item: Edit | Rejected, text: str, where: str, first_line: int = 1, first_col: int = 1,
                 context: Context = NO_CONTEXT) -> str:
    """``WHERE:LINE:COL: head``, then indented lines: what the rule repairs (or why the
    proposal was held back) and the text around the change. ``first_line`` and ``first_col``
    place ``text`` in a larger file (a piece of a long document). A model edit also names the
    line:col range of the sentence it rewrote."""
    line, col = line_col(text, item.start)
    if line == 1:
        col += first_col - 1
    head = f"{where}:{line + first_line - 1}:{col}: "
    if isinstance(item, Rejected):
        head += f"held back {item.source} {item.rule_id or '-'} {item.before!r} -> {item.after!r}"
    else:
        head += describe(item)
    if isinstance(item, Edit) and item.sentence is not None:
        (l1, c1), (l2, c2) = line_col(text, item.sentence[0]), line_col(text, item.sentence[1])
        c1 += first_col - 1 if l1 == 1 else 0
        c2 += first_col - 1 if l2 == 1 else 0
        head += f" in sentence {l1 + first_line - 1}:{c1}-{l2 + first_line - 1}:{c2}"
    body: list[str] = []
    if isinstance(item, Rejected):
        body.append(reason_in_words(item, context))
    else:
        what = context.description(item.rule_id) if item.source != "model" else None
        if what:
            body.append(what)
        if item.score is not None and context.judge_margin is not None:
            body.append(f"confirmed by the language model (margin {item.score:.2f} >= {context.judge_margin:.1f})")
    body.append(snippet(text, item.start, item.end, item.after))
    return "\n".join([head] + [INDENT + b for b in body])


def explain_lines(result: Repaired, text: str, where: str, first_line: int = 1, first_col: int = 1,
                  rejected: bool = True, context: Context = NO_CONTEXT) -> list[str]:
    """One item per edit and per held-back proposal, in the order of the text (each a head
    line and indented lines)."""
    items = sorted(list(result.edits) + (list(result.rejected) if rejected else []),
                   key=lambda x: (x.start, isinstance(x, Rejected), x.end))
    return [explain_line(item, text, where, first_line, first_col, context) for item in items]
