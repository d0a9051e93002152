"""Human-readable explanations of edits: which rule or model, where, from what, to what."""
from __future__ import annotations

from .edit import Edit, Rejected, Repaired


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``.

    >>> line_col("ab\\ncd", 4)
    (2, 2)
    """
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def describe(item: Edit | Rejected, text: str, name: str, first_line: int = 1) -> str:
    """``name:line:col: source RULE (origin) 'before' -> 'after'`` (and the reason when rejected;
    for a model edit, the line:col range of the sentence it rewrote)."""
    line, col = line_col(text, item.start)
    where = f"{name}:{line + first_line - 1}:{col}"
    origin = f" ({item.origin})" if item.origin else ""
    head = f"{where}: {item.source} {item.rule_id or '-'}{origin} {item.before!r} -> {item.after!r}"
    if isinstance(item, Rejected):
        return f"{where}: held back {item.source} {item.rule_id or '-'} {item.before!r} -> {item.after!r}: {item.reason}"
    if item.sentence is not None:
        (l1, c1), (l2, c2) = line_col(text, item.sentence[0]), line_col(text, item.sentence[1])
        head += f" in sentence {l1 + first_line - 1}:{c1}-{l2 + first_line - 1}:{c2}"
    return head


def explain(result: Repaired, text: str, name: str, first_line: int = 1, rejected: bool = True) -> list[str]:
    """One line per edit, then one per rejected proposal."""
    lines = [describe(e, text, name, first_line) for e in result.edits]
    if rejected:
        lines += [describe(r, text, name, first_line) for r in result.rejected]
    return lines
