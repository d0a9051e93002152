"""Reference-free signals of what a stage did: useful where no reference exists.

- the share of sentences edited (sentences of the input that an edit touches),
- edits per 100 words of input,
- the rules that fired most.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

from ..edit import Repaired
from ..segment import sentence_spans
from .align import count_words, overlaps


def reference_free(sources: Sequence[str], results: Sequence[Repaired]) -> dict:
    """Signals for ``results`` (one :class:`Repaired` per text of ``sources``)."""
    sentences = edited = words = edits = changed = 0
    for text, res in zip(sources, results):
        spans = sentence_spans(text)
        sentences += len(spans)
        edited += sum(any(overlaps(e.start, e.end, a, b) for e in res.edits) for a, b in spans)
        words += count_words(text)
        edits += len(res.edits)
        changed += res.text != text
    return {"records": len(sources), "records_changed": changed, "sentences": sentences,
            "sentences_edited": edited, "sentences_edited_share": round(edited / sentences, 4) if sentences else 0.0,
            "words": words, "edits": edits, "edits_per_100_words": round(100 * edits / words, 4) if words else 0.0}


def rules_fired(results: Sequence[Repaired]) -> Counter:
    """How often each rule (or, for rule-less model edits, each source) made an edit.

    >>> from repair.edit import Edit
    >>> rules_fired([Repaired("AI 7%", (Edit(0, 2, "IA", "AI", "glossary", "ACRONYM_IA"),
    ...                                 Edit(3, 6, "7 %", "7%", "glossary", "PERCENT_SPACE")))])
    Counter({'ACRONYM_IA': 1, 'PERCENT_SPACE': 1})
    """
    out: Counter = Counter()
    for res in results:
        for e in res.edits:
            for rule in (e.rule_id.split(",") if e.rule_id else [e.source]):
                out[rule] += 1
    return out
