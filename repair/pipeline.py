"""Repairer: the whole repair of a text, driven by one :class:`~repair.config.RepairConfig`.

Data flows one way::

    prepare (markup -> long texts in pieces -> mojibake)
      -> propose (glossary) -> apply its sure edits
      -> propose, on that text: the glossary's ambiguous hits, the candidate families, the
         post-editor (guards; glossary blockers veto families and model)
      -> rank every site with the judge (repair.rank) -> apply
         (near round-trip evidence, a sure glossary edit or an edit the judge accepted in the
         sentence or the next to it, families are decided at their calibrated margins, and
         the patterns that need such evidence propose, as do glossary hits held back for
         want of a trigger word: Evidence)
      -> compose both passes into edits on the text as it came in

Every front end calls :meth:`Repairer.repair`: ``repair_text``, ``repair fix`` (its batch
workers and Dask workers), ``repair eval``'s stages, ``repair_bag`` and
``repair_dataframe``. So what ``repair eval`` measures is what ``repair fix`` ships, and a
paragraph repairs the same way in a ``.txt`` document, a JSONL record, a CSV cell or an
HTML fragment (no context window crosses a line break, see :mod:`repair.segment`).

>>> r = Repairer(RepairConfig(use_judge=False, use_model=False)).repair("<p>Itâ€™s the IA <b>race</b></p>")
>>> r.text
'<p>It’s the AI <b>race</b></p>'
>>> [(e.source, e.rule_id, e.before, e.after) for e in r.edits]
[('encoding', 'ftfy.fix_encoding', 'â€™', '’'), ('glossary', 'ACRONYM_IA', 'IA', 'AI')]
"""
from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from dataclasses import replace

from .chunks import split_points
from .config import DEFAULT_CONFIG, RepairConfig
from .edit import Edit, Proposal, Rejected, Repaired, compose_edits, locate_edits, to_original, to_output
from .encoding import mojibake_edits
from .glossary import CompiledGlossary, load_glossaries
from .glossary.match import is_blocked
from .lm_postedit import is_lm_model
from .language import leave_foreign_text
from .markup import MarkupView, looks_like_html
from .rank import rank
from .segment import line_bounds, sentence_spans


def is_markup(text: str, config: RepairConfig) -> bool:
    """Whether ``text`` is repaired as HTML (``config.markup``)."""
    return config.markup == "html" or (config.markup == "auto" and looks_like_html(text))


def text_pieces(text: str, config: RepairConfig) -> list[int]:
    """The offsets ``[0, ..., len(text)]`` at which the repair cuts ``text`` into pieces
    repaired one by one (markup is never cut). Repairing each piece alone and joining the
    results gives exactly what repairing ``text`` gives, so a front end may hand the pieces
    of a long document to different workers."""
    if not text or is_markup(text, config):
        return [0, len(text)]
    return split_points(text, config.max_chars, config.max_line)


class Repairer:
    """Holds the compiled glossary (and the models, when enabled) for one configuration.

    ``repair`` is pure: the same text always gives the same :class:`Repaired`.
    """

    def __init__(self, config: RepairConfig = DEFAULT_CONFIG):
        self.config = config
        self.glossary = CompiledGlossary(load_glossaries(config.glossaries, config.default_glossaries))
        lm_postedit = None  # the LM post-editor (repair.lm_postedit) shares its model with the judge
        if config.use_model and is_lm_model(config.model):
            from .lm_postedit import load_lm_post_editor

            lm_postedit = load_lm_post_editor(config.model, config.device, config.batch_size, config.guards)
        self.judge = None  # set when config.use_judge (repair.judge)
        if config.use_judge:
            from .judge import Judge

            # the model loads lazily, on the first proposal to judge; a missing model is an error now
            shared = lm_postedit.judge_loader() if lm_postedit is not None and config.judge is None else None
            self.judge = Judge(config.judge, margin=config.judge_margin, context_sentences=config.judge_context,
                               device=config.device, loader=shared,
                               # the shared model is torch's: the margin is that of float32
                               backend="torch" if shared else config.backend,
                               compute_type="float32" if shared else config.compute_type)
            self.judge.check_available()
        self.postedit = lm_postedit  # set when config.use_model (repair.postedit, repair.lm_postedit)
        if config.use_model and lm_postedit is None:
            from .postedit import load_post_editor

            # built once per (model, device, batch size, guards, backend) and shared by Repairers in
            # this process; the weights load on the first sentence worth a look
            self.postedit = load_post_editor(config.model, config.device, config.batch_size, config.guards,
                                             config.backend, config.compute_type)

    def signature(self) -> str:
        model = getattr(self.postedit, "signature", lambda: "none")()
        judge = getattr(self.judge, "signature", lambda: "none")()
        return f"glossary:{self.glossary.signature()}|model:{model}|judge:{judge}"

    # -- prepare ------------------------------------------------------------------------------
    def is_markup(self, text: str) -> bool:
        """Whether ``text`` is repaired as HTML (``config.markup``)."""
        return is_markup(text, self.config)

    def pieces(self, text: str) -> list[int]:
        """:func:`text_pieces` for this Repairer's configuration."""
        return text_pieces(text, self.config)

    def repair(self, text: str) -> Repaired:
        """The repaired ``text``, with the edits that made it and the proposals held back; all
        offsets point into ``text``."""
        if not text:
            return Repaired(text)
        if self.is_markup(text):
            view = MarkupView.parse(text)
            inner = self._in_pieces(view.text)
            kept, dropped = view.map_edits(inner.edits)
            new_text, edits = locate_edits(text, kept)
            rejected = sorted(view.map_rejected(inner.rejected) + dropped, key=lambda r: (r.start, r.end))
            return Repaired(new_text, edits, tuple(rejected))
        return self._in_pieces(text)

    def _in_pieces(self, text: str) -> Repaired:
        points = split_points(text, self.config.max_chars, self.config.max_line)
        if len(points) == 2:
            return self._after_encoding(text)
        texts: list[str] = []
        edits: list[Edit] = []
        rejected: list[Rejected] = []
        out_offset = 0
        for a, b in zip(points, points[1:]):
            r = self._after_encoding(text[a:b])
            texts.append(r.text)
            edits += [replace(e.shifted(a), out_start=e.out_start + out_offset, out_end=e.out_end + out_offset)
                      for e in r.edits]
            rejected += [replace(x, start=x.start + a, end=x.end + a) for x in r.rejected]
            out_offset += len(r.text)
        return Repaired("".join(texts), tuple(edits), tuple(rejected))

    def _after_encoding(self, text: str) -> Repaired:
        """Mojibake fixes, then the repair proper, composed into edits on ``text``."""
        enc = mojibake_edits(text) if self.config.fix_encoding else []
        if not enc:
            return self._repair_text(text)
        mid, first = locate_edits(text, enc)
        result = self._repair_text(mid)
        if result.edits:
            new_text, edits = compose_edits(text, first, result.edits)
        else:
            new_text, edits = mid, first
        rejected = tuple(_back(r, first, text) for r in result.rejected)
        return Repaired(new_text, edits, rejected)

    # -- propose, judge, apply ---------------------------------------------------------------
    def _repair_text(self, text: str) -> Repaired:
        proposals, rejected = self.glossary.propose(text)
        blocked = [r for r in rejected if is_blocked(r)]
        sure = [p.accept() for p in proposals if not p.needs_judge]
        mid, first = locate_edits(text, sure)
        # everything that needs a decision is proposed on the text with the sure edits applied
        judged_hits = [_onto(p, first) for p in proposals if p.needs_judge]
        guarded: list[Rejected] = []
        family_proposals: list[Proposal] = []
        # round-trip damage that the glossary's sure edits show near a proposal: the families'
        # calibrated margins apply there, and the patterns that need such evidence propose
        # (repair.families.with_evidence), as do glossary hits held for want of a trigger word
        evidence = Evidence(mid, [e.out_start for e in first])
        pending = self._near_damage(judged_hits, evidence)
        if self.config.use_families and self.judge is not None:
            from .families import propose_all, with_evidence

            family_proposals, vetoed = respect_blockers(propose_all(mid), blocked, first)
            pending += with_evidence(family_proposals, evidence.near)
            guarded += vetoed
        model_proposals: list[Proposal] = []
        # away from evidence, a model edit needs a higher margin (config.model_margin_without_evidence)
        away = self.config.model_margin_without_evidence if self.judge is not None else None

        def weighed(proposals: list[Proposal], ev: Evidence) -> list[Proposal]:
            if away is None:
                return proposals
            return [p if ev.near(p) else replace(p, margin=max(away, p.margin or away)) for p in proposals]

        if self.postedit is not None:
            # the post-editor returns proposals that passed its guards, and those it rejected
            model_proposals, held_model = self.postedit.propose(mid, judged=self.judge is not None)
            model_proposals, vetoed = respect_blockers(model_proposals, blocked, first)
            pending += weighed(model_proposals, evidence)
            guarded += list(held_model) + vetoed
        pending, foreign = leave_foreign_text(mid, pending)
        second, held = self.decide(mid, pending)
        more = evidence.plus([e.start for e in second])
        if any(more.near(p) and not evidence.near(p)
               for p in family_proposals + [h for h in judged_hits if h.needs_evidence and self.judge is not None]
               + (model_proposals if away is not None else [])):
            # the judge found round-trip damage itself near these proposals: decide once more
            # with that evidence (its scores are cached by window text, so this costs little)
            from .families import with_evidence

            evidence = more
            again = self._near_damage(judged_hits, evidence)
            again += with_evidence(family_proposals, evidence.near)
            again += weighed(model_proposals, evidence)
            again, _ = leave_foreign_text(mid, again)
            second, held = self.decide(mid, again)
        decided = {id(p) for p in self._near_damage(judged_hits, evidence)}
        guarded += [p.reject(f"{p.held}, and no round-trip damage near it") for p in judged_hits
                    if id(p) not in decided]
        rejected += [_back(r, first, text) for r in guarded + foreign + held]
        if second:
            new_text, edits = compose_edits(text, first, second)
        else:
            new_text, edits = mid, first
        rejected.sort(key=lambda r: (r.start, r.end))
        return Repaired(new_text, edits, tuple(rejected))

    def _near_damage(self, hits: list[Proposal], evidence: "Evidence") -> list[Proposal]:
        """The glossary hits to decide on: a hit held for want of a trigger word
        (``needs_evidence``) only where ``evidence`` shows round-trip damage near it, when a
        judge is there to decide (without one, every such hit is held back anyway)."""
        if self.judge is None:
            return list(hits)
        return [p for p in hits if not p.needs_evidence or evidence.near(p)]

    def decide(self, text: str, proposals: list[Proposal]) -> tuple[list[Edit], list[Rejected]]:
        """Proposals that need the judge (``needs_judge``), and every model proposal when a
        judge is configured, are ranked by the judge (:func:`repair.rank.rank`); with no
        judge, the first are held back and model proposals stand on their guards alone.
        Other proposals become edits."""
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
            ok, held = rank(text, to_judge, self.judge)
            accepted += ok
            rejected += held
        return accepted, rejected


class Evidence:
    """Where ``text`` shows round-trip damage: the places of edits already made (sure glossary
    edits, then edits the judge accepted). A proposal is near it when one lies in the
    proposal's sentence or the sentence before or after it, on the same line: so a paragraph
    repairs the same wherever it stands, and one stray edit in a long clean article does not
    lower the bar for the whole article."""

    def __init__(self, text: str, places: list[int | None], spans: list[tuple[int, int]] | None = None):
        self.text = text
        self._spans = spans
        self.places = sorted(p for p in places if p is not None)

    @property
    def spans(self) -> list[tuple[int, int]]:
        if self._spans is None:
            self._spans = sentence_spans(self.text)
        return self._spans

    def plus(self, places: list[int | None]) -> Evidence:
        return Evidence(self.text, self.places + list(places), self._spans)

    def near(self, p: Proposal) -> bool:
        if not self.places:
            return False
        k = bisect_right([a for a, _ in self.spans], p.start) - 1
        if k < 0:
            return False
        line_start, line_end = line_bounds(self.text, p.start)
        lo = max(self.spans[max(k - 1, 0)][0], line_start)
        hi = min(self.spans[min(k + 1, len(self.spans) - 1)][1], line_end)
        i = bisect_left(self.places, lo)
        return i < len(self.places) and self.places[i] <= hi


def _onto(p: Proposal, first: tuple[Edit, ...]) -> Proposal:
    """A proposal on the original text, moved onto the output of ``first`` (which it does not overlap)."""
    if not first:
        return p
    start, end = to_output(p.start, first), to_output(p.end, first)
    return replace(p, start=start, end=end)


def _back(r: Rejected, first: tuple[Edit, ...], original: str) -> Rejected:
    """A rejected proposal made on the output of ``first``, moved back onto ``original``."""
    if not first:
        return r
    start, end = to_original(r.start, first, "start"), to_original(r.end, first, "end")
    end = max(start, end)
    return replace(r, start=start, end=end, before=original[start:end])


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


class _RepairerCache:
    """The Repairers of this process, one per configuration (thread-safe, bounded)."""

    def __init__(self, size: int = 8):
        self.size = size
        self._items: dict[RepairConfig, Repairer] = {}
        self._builds: dict[RepairConfig, int] = {}
        self._lock = threading.Lock()

    def get(self, config: RepairConfig) -> Repairer:
        repairer = self._items.get(config)
        if repairer is None:
            with self._lock:
                repairer = self._items.get(config)
                if repairer is None:
                    repairer = Repairer(config)
                    while len(self._items) >= self.size:
                        self._items.pop(next(iter(self._items)))
                    self._items[config] = repairer
                    self._builds[config] = self._builds.get(config, 0) + 1
        return repairer

    def builds(self, config: RepairConfig | None = None) -> int:
        return sum(self._builds.values()) if config is None else self._builds.get(config, 0)


_CACHE = _RepairerCache()


def get_repairer(config: RepairConfig | None = None, **options) -> Repairer:
    """The Repairer of this process for ``config`` (default: :data:`DEFAULT_CONFIG`) with
    ``options`` applied: built once per distinct configuration, then reused. This is the one
    Repairer cache of the library: ``repair_text``, ``repair eval``'s stages, batch worker
    processes and Dask workers all take their Repairer from it."""
    base = DEFAULT_CONFIG if config is None else config
    return _CACHE.get(base.with_options(**options) if options else base)


def repairer_builds(config: RepairConfig | None = None) -> int:
    """How many Repairers this process has built (for ``config``, or in all)."""
    return _CACHE.builds(config)


def repair_text(text: str, **options) -> Repaired:
    """Repair ``text`` with the default pipeline (or ``options``: RepairConfig fields); returns
    the text, its edits and the proposals held back.

    >>> r = repair_text("The IA chips of Nvidia.")
    >>> r.text
    'The AI chips of Nvidia.'
    >>> [(e.rule_id, e.before, e.after) for e in r.edits]
    [('ACRONYM_IA', 'IA', 'AI')]
    """
    return get_repairer(**options).repair(text)
