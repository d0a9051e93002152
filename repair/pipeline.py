"""Repairer: loads its resources once, then repairs text: propose -> decide -> apply."""
from __future__ import annotations

from functools import lru_cache

from .config import DEFAULT_CONFIG, RepairConfig
from .edit import Repaired, locate_edits
from .glossary import CompiledGlossary, load_glossaries


class Repairer:
    """Holds the compiled glossary (and, later, the models) for one configuration.

    ``repair`` is pure: the same text always gives the same :class:`Repaired`.
    """

    def __init__(self, config: RepairConfig = DEFAULT_CONFIG):
        self.config = config
        if config.use_model:
            raise NotImplementedError("the seq2seq post-editor is not available yet; use --no-model")
        self.glossary = CompiledGlossary(load_glossaries(config.glossaries, config.default_glossaries))

    def signature(self) -> str:
        return f"glossary:{self.glossary.signature()}|model:none"

    def repair(self, text: str) -> Repaired:
        if not text:
            return Repaired(text)
        proposals, rejected = self.glossary.propose(text)
        accepted = []
        for p in proposals:
            if p.needs_judge:
                rejected.append(p.reject("needs the judge, and no judge is configured"))
            else:
                accepted.append(p.accept())
        new_text, edits = locate_edits(text, accepted)
        rejected.sort(key=lambda r: (r.start, r.end))
        return Repaired(new_text, edits, tuple(rejected))


@lru_cache(maxsize=8)
def _cached_repairer(config: RepairConfig) -> Repairer:
    return Repairer(config)


def get_repairer(**options) -> Repairer:
    """A Repairer for ``options``, built once per distinct configuration and then reused."""
    return _cached_repairer(DEFAULT_CONFIG.with_options(**options))


def repair_text(text: str, **options) -> Repaired:
    """Repair ``text`` with the default pipeline (or ``options``); returns the text and its edits.

    >>> r = repair_text("The IA chips of Nvidia.")
    >>> r.text
    'The AI chips of Nvidia.'
    >>> [(e.rule_id, e.before, e.after) for e in r.edits]
    [('ACRONYM_IA', 'IA', 'AI')]
    """
    return get_repairer(**options).repair(text)
