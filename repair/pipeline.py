"""Repairer: loads its resources once, then repairs text.

Data flows one way: glossary proposals -> decide (judge) -> apply -> model proposals on the
glossary's output -> guards, glossary blockers and judge -> apply -> compose both passes into
edits on the original text. Each stage is a small method, so that later stages plug in here.
"""
from __future__ import annotations

from functools import lru_cache

from .config import DEFAULT_CONFIG, RepairConfig
from .edit import Edit, Proposal, Rejected, Repaired, compose_edits, locate_edits, to_original
from .glossary import CompiledGlossary, load_glossaries
from .glossary.match import is_blocked


class Repairer:
    """Holds the compiled glossary (and the models, when enabled) for one configuration.

    ``repair`` is pure: the same text always gives the same :class:`Repaired`.
    """

    def __init__(self, config: RepairConfig = DEFAULT_CONFIG):
        self.config = config
        self.glossary = CompiledGlossary(load_glossaries(config.glossaries, config.default_glossaries))
        self.judge = None  # set when config.use_judge (repair.judge)
        if config.use_judge:
            from .judge import Judge

            # the model loads lazily, on the first proposal to judge; a missing model is an error now
            self.judge = Judge(config.judge, device=config.device, backend=config.backend,
                               compute_type=config.compute_type)
            self.judge.check_available()
        self.postedit = None  # set when config.use_model (repair.postedit)
        if config.use_model:
            from .postedit import load_post_editor

            # built once per (model, device, batch size) and shared by Repairers in this process;
            # the weights load on the first sentence worth a look
            self.postedit = load_post_editor(config.model, config.device, config.batch_size, config.backend,
                                             config.compute_type)

    def signature(self) -> str:
        model = getattr(self.postedit, "signature", lambda: "none")()
        judge = getattr(self.judge, "signature", lambda: "none")()
        return f"glossary:{self.glossary.signature()}|model:{model}|judge:{judge}"

    def repair(self, text: str) -> Repaired:
        if not text:
            return Repaired(text)
        proposals, rejected = self.glossary.propose(text)
        blocked = [r for r in rejected if is_blocked(r)]
        accepted, held = self.decide(text, proposals)
        rejected += held
        mid, first = locate_edits(text, accepted)
        second: list[Edit] = []
        if self.postedit is not None:
            # the post-editor returns proposals that passed its guards, and those it rejected
            model_proposals, guarded = self.postedit.propose(mid, judged=self.judge is not None)
            model_proposals, vetoed = respect_blockers(model_proposals, blocked, first)
            ok, held = self.decide(mid, model_proposals)
            second, rejected = ok, rejected + list(guarded) + vetoed + held
        if second:
            new_text, edits = compose_edits(text, first, second)
        else:
            new_text, edits = mid, first
        rejected.sort(key=lambda r: (r.start, r.end))
        return Repaired(new_text, edits, tuple(rejected))

    def decide(self, text: str, proposals: list[Proposal]) -> tuple[list[Edit], list[Rejected]]:
        """Sure proposals become edits. Proposals that need the judge (``needs_judge``), and
        every model proposal when a judge is configured, go to the judge; with no judge,
        the first are held back and model proposals stand on their guards alone."""
        accepted: list[Edit] = []
        rejected: list[Rejected] = []
        to_judge: list[Proposal] = []
        for p in proposals:
            if p.needs_judge or (p.source == "model" and self.judge is not None):
                if self.judge is None:
                    rejected.append(p.reject(p.held or "needs the judge, and no judge is configured"))
                else:
                    to_judge.append(p)
            else:
                accepted.append(p.accept())
        if to_judge:
            ok, held = self.judge.decide(text, to_judge)
            accepted += ok
            rejected += held
        return accepted, rejected


def respect_blockers(proposals: list[Proposal], blocked: list[Rejected], first: tuple[Edit, ...]
                     ) -> tuple[list[Proposal], list[Rejected]]:
    """Model proposals (on the glossary's output) that touch words a glossary blocker declared
    correct ("building society", "BBC director general") are rejected, naming the rule: where a
    rule's author wrote down that the text is right, no model overrules it.

    >>> blocked = [Rejected(4, 11, "society", "company", "glossary", "SOCIETY_COMPANY",
    ...                     "blocked by 'building society'")]
    >>> p = Proposal(4, 11, "society", "company", "model", "m")
    >>> ok, vetoed = respect_blockers([p], blocked, ())
    >>> ok, vetoed[0].reason
    ([], "the glossary keeps this text: SOCIETY_COMPANY blocked by 'building society'")
    """
    if not blocked or not proposals:
        return proposals, []
    ok: list[Proposal] = []
    vetoed: list[Rejected] = []
    for p in proposals:
        start, end = to_original(p.start, first, "start"), to_original(p.end, first, "end")
        hit = next((b for b in blocked if (b.start < end and start < b.end)
                    or (start == end and b.start <= start <= b.end)), None)
        if hit is None:
            ok.append(p)
        else:
            vetoed.append(p.reject(f"the glossary keeps this text: {hit.rule_id} {hit.reason}"))
    return ok, vetoed


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
