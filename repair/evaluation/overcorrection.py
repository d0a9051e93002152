"""Over-correction on clean controls: correct text that a stage changed.

A clean record's expected output is its input, byte for byte, so every change to it is
harm. Counted two ways: paragraphs (records) changed, and words changed, where an edit
changes as many words as the larger of its two sides has word and punctuation tokens
(at least one, so a change of spacing counts).
"""
from __future__ import annotations

from typing import Sequence

from .align import align, count_words
from .datasets import EvalRecord


def words_changed(source: str, output: str) -> int:
    """Words changed by the edits that turn ``source`` into ``output``.

    >>> words_changed("Food prices rose 7 %.", "Food tariffs rose 7%.")
    2
    """
    return sum(max(count_words(e.before), count_words(e.after), 1) for e in align(source, output))


def overcorrection(records: Sequence[EvalRecord], outputs: Sequence[str]) -> dict:
    """Paragraphs and words changed among the clean records of ``records``."""
    clean = [(r, o) for r, o in zip(records, outputs) if r.clean]
    changed = [r.id for r, o in clean if o != r.source]
    words = sum(count_words(r.source) for r, _ in clean)
    touched = sum(words_changed(r.source, o) for r, o in clean if o != r.source)
    return {"clean_records": len(clean), "changed_records": len(changed),
            "changed_rate": round(len(changed) / len(clean), 4) if clean else 0.0,
            "words": words, "words_changed": touched,
            "words_changed_rate": round(touched / words, 6) if words else 0.0,
            "changed_ids": changed}
