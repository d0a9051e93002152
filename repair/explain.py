"""Explaining edits: which rule or model, where, from what, to what.

The one renderer of :class:`~repair.edit.Edit` and :class:`~repair.edit.Rejected` records for
people: ``repair fix --explain`` prints :func:`explain_lines`, and the evaluation's reports
describe edits with :func:`describe`. (Machines read ``Edit.to_dict()``, which JSON and CSV
outputs carry.)
"""
from __future__ import annotations

from .edit import Edit, Rejected, Repaired


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``.

    >>> line_col("ab\\ncd", 4)
    (2, 2)
    """
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def describe(item: Edit | Rejected) -> str:
    """What an edit did, or what a held-back proposal would have done and why not.

    >>> describe(Edit(0, 2, "IA", "AI", "glossary", "ACRONYM_IA", "glossaries/fr-en.yaml:12"))
    "glossary ACRONYM_IA (glossaries/fr-en.yaml:12) 'IA' -> 'AI'"
    """
    origin = f" ({item.origin})" if item.origin else ""
    if isinstance(item, Rejected):
        return f"held back {item.source} {item.rule_id or '-'} {item.before!r} -> {item.after!r}: {item.reason}"
    return f"{item.source} {item.rule_id or '-'}{origin} {item.before!r} -> {item.after!r}"


def explain_line(item: Edit | Rejected, text: str, where: str, first_line: int = 1, first_col: int = 1) -> str:
    """``WHERE:LINE:COL: description`` for ``item`` (offsets into ``text``); ``first_line``
    and ``first_col`` place ``text`` in a larger file (a piece of a long document). A model
    edit also names the line:col range of the sentence it rewrote."""
    line, col = line_col(text, item.start)
    if line == 1:
        col += first_col - 1
    head = f"{where}:{line + first_line - 1}:{col}: {describe(item)}"
    if isinstance(item, Edit) and item.sentence is not None:
        (l1, c1), (l2, c2) = line_col(text, item.sentence[0]), line_col(text, item.sentence[1])
        c1 += first_col - 1 if l1 == 1 else 0
        c2 += first_col - 1 if l2 == 1 else 0
        head += f" in sentence {l1 + first_line - 1}:{c1}-{l2 + first_line - 1}:{c2}"
    return head


def explain_lines(result: Repaired, text: str, where: str, first_line: int = 1, first_col: int = 1,
                  rejected: bool = True) -> list[str]:
    """One line per edit, then one per held-back proposal."""
    items = list(result.edits) + (list(result.rejected) if rejected else [])
    return [explain_line(item, text, where, first_line, first_col) for item in items]
