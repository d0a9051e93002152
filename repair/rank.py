"""Ranking proposals with the judge: one decision per site, several sites per window.

Proposals that need the judge come from several proposers — ambiguous glossary rules, the
candidate families, the post-editor — all on the same text (the input with the sure
glossary edits already applied). :func:`rank` decides them together:

1. **Sites.** Proposals whose spans overlap (or insertions at one point) form a *site*. Its
   candidates are every proposal's replacement and alternatives, each written out over the
   whole site; the judge picks one of them, or keeps the original.
2. **Windows.** A site is scored in its judge window (its sentence and the sentence before it
   in the same paragraph, :meth:`repair.judge.Judge.window`), widened back to an antecedent
   when a proposal names one (``Proposal.context``: a pronoun's company or person).
3. **Several sites in one window** are combined greedily: every remaining site's candidates
   are scored against the window with the changes accepted so far, the one that clears its
   margin by the most is accepted (the judge's margin, or the proposal's own calibrated
   ``Proposal.margin``), and the others are scored again. So each
   accepted change wins by the margin given the others, and the cost is bounded by the
   number of sites in the window (scores are cached by window text).

A candidate that does not win becomes a :class:`~repair.edit.Rejected` record with the
scores (``--explain`` prints them).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

from .edit import Edit, Proposal, Rejected
from .segment import line_bounds, sentence_spans


@dataclass
class _Candidate:
    proposal: Proposal
    after: str        # the proposal's replacement of its own span
    site_text: str    # the whole site with this candidate in place


@dataclass
class _Site:
    start: int
    end: int
    proposals: list[Proposal] = field(default_factory=list)
    window: tuple[int, int] = (0, 0)
    candidates: list[_Candidate] = field(default_factory=list)


def _overlaps(a: Proposal, start: int, end: int) -> bool:
    if a.start == a.end or start == end:
        return a.start <= end and start <= a.end
    return a.start < end and start < a.end


def sites(text: str, proposals: Sequence[Proposal], judge) -> list[_Site]:
    """Group ``proposals`` into sites with their candidates and windows, in text order."""
    out: list[_Site] = []
    for p in sorted(proposals, key=lambda p: (p.start, p.end)):
        if out and _overlaps(p, out[-1].start, out[-1].end):
            site = out[-1]
            site.start, site.end = min(site.start, p.start), max(site.end, p.end)
            site.proposals.append(p)
        else:
            out.append(_Site(p.start, p.end, [p]))
    spans = sentence_spans(text)
    for site in out:
        original = text[site.start:site.end]
        seen = {original}
        for p in site.proposals:
            for after in [p.after] + [_alt_case(p, a) for a in p.alternatives]:
                variant = text[site.start:p.start] + after + text[p.end:site.end]
                if variant not in seen:
                    seen.add(variant)
                    site.candidates.append(_Candidate(p, after, variant))
        ws, we = judge.window(text, site.start, site.end, spans)
        line_start, _ = line_bounds(text, site.start)
        for p in site.proposals:
            if p.context is not None and line_start <= p.context < ws:
                # back to the start of the sentence that holds the antecedent
                ws = min(ws, next((a for a, b in spans if a <= p.context < b), p.context))
        site.window = (ws, we)
    return out


def _alt_case(p: Proposal, alternative: str) -> str:
    if p.source == "glossary":
        from .glossary.match import carry_case

        return carry_case(p.before, alternative)
    return alternative


def _required(p: Proposal, judge) -> float:
    """The margin ``p`` must win by: the judge's, or its own calibrated margin where that is
    higher. A family's calibration raises the bar for it, and lowers it only (a) near
    round-trip damage (``FamilyProposal.evidence``, set by repair.pipeline.Evidence), except
    for the families that keep the judge's bar, and (b) everywhere for a few families; both
    lists are in ``repair/data/families/judge_bar.yaml``. On 2M words of clean news, family
    margins of 2.0 under the int8 judge's 3.0 everywhere would let through 21 more changes,
    wrong pronouns among them; (b) lets through 4 (``python eval/scan_family_margins.py``).
    Elsewhere a family's bar is at least ``judge.family_margin``: the judge's margin in int8,
    3.5 in float32 (whose margin is 2.0; repair.judge.FLOAT32_FAMILY_MARGIN)."""
    if p.margin is None:
        return judge.margin
    if p.source == "family":
        from .families.proposal import below_judge, judge_bar_despite_evidence

        if p.rule_id in below_judge() or (getattr(p, "evidence", False)
                                          and p.rule_id not in judge_bar_despite_evidence()):
            return p.margin
        return max(judge.margin, getattr(judge, "family_margin", judge.margin), p.margin)
    return max(judge.margin, p.margin)


def _why_margin(p: Proposal, judge) -> str:
    """Why ``p`` had a margin other than the judge's, in words (for --explain)."""
    need = _required(p, judge)
    if need == judge.margin:
        return ""
    if p.source == "model":
        return ", a model edit with no round-trip damage near it"
    if p.source == "family":
        if need == getattr(judge, "family_margin", None) and need > (p.margin or 0):
            return ", the grammar families' margin in this compute type"
        return f", {p.rule_id}'s calibrated margin" + (" near round-trip damage" if getattr(p, "evidence", False) else "")
    return ", its own calibrated margin"


def _clusters(items: list[_Site]) -> list[list[_Site]]:
    """Sites whose windows overlap, together (in text order)."""
    out: list[list[_Site]] = []
    end = -1
    for site in sorted(items, key=lambda s: (s.window[0], s.start)):
        if out and site.window[0] < end:
            out[-1].append(site)
            end = max(end, site.window[1])
        else:
            out.append([site])
            end = site.window[1]
    return out


def _window_text(text: str, window: tuple[int, int], accepted: list[tuple[int, int, str]],
                 site: _Site | None = None, replacement: str | None = None) -> str:
    """``text[window]`` with the accepted changes inside it applied, and ``site`` replaced by
    ``replacement`` when given."""
    ws, we = window
    changes = [c for c in accepted if ws <= c[0] and c[1] <= we]
    if site is not None:
        changes = changes + [(site.start, site.end, replacement)]
    out, pos = [], ws
    for s, e, after in sorted(changes, key=lambda c: (c[0], c[1])):
        out.append(text[pos:s])
        out.append(after)
        pos = e
    out.append(text[pos:we])
    return "".join(out)


def rank(text: str, proposals: Sequence[Proposal], judge) -> tuple[list[Edit], list[Rejected]]:
    """Decide ``proposals`` (all on ``text``) with ``judge`` (see the module docstring)."""
    from .judge import Verdict

    if not proposals:
        return [], []
    all_sites = sites(text, proposals, judge)
    accepted: list[tuple[int, int, str]] = []
    edits: list[Edit] = []
    rejected: list[Rejected] = []
    scorer = judge.scorer
    for cluster in _clusters(all_sites):
        pending = [s for s in cluster if s.candidates]
        for s in cluster:
            if not s.candidates:
                rejected += [p.reject("judge: no candidate differs from the original") for p in s.proposals]
        last: dict[int, tuple[float, dict[int, float]]] = {}
        while pending:
            windows: list[str] = []
            plan = []
            for k, site in enumerate(pending):
                base = _window_text(text, site.window, accepted)
                variants = [_window_text(text, site.window, accepted, site, c.site_text) for c in site.candidates]
                plan.append((k, base, variants))
                windows.append(base)
                windows.extend(variants)
            scores = dict(zip(windows, scorer.total_logprobs(windows, batched=judge.batched)))
            best = None
            for k, base, variants in plan:
                b = scores[base]
                cand_scores = {j: scores[v] for j, v in enumerate(variants)}
                last[id(pending[k])] = (b, cand_scores)
                for j, score in cand_scores.items():
                    # how far the candidate clears the margin its proposal must win by
                    clear = score - b - _required(pending[k].candidates[j].proposal, judge)
                    if best is None or clear > best[0]:
                        best = (clear, k, j, score - b)
            clear, k, j, margin = best
            if clear < 0:
                break
            site = pending.pop(k)
            cand = site.candidates[j]
            p = cand.proposal
            accepted.append((site.start, site.end, cand.site_text))
            edits.append(replace(p.accept(round(margin, 3)), after=cand.after))
            for other in site.proposals:
                if other is not p:
                    rejected.append(other.reject(f"judge: {p.source} {p.rule_id or '-'} {cand.after!r} won "
                                                 f"at this place", round(margin, 3)))
        for site in pending:
            base_score, cand_scores = last[id(site)]
            for p in site.proposals:
                own = {c.after: cand_scores[j] for j, c in enumerate(site.candidates) if c.proposal is p}
                verdict = Verdict(p, site.window, base_score, own)
                rejected.append(p.reject(judge.explain(verdict, _required(p, judge), _why_margin(p, judge)),
                                         round(verdict.margin, 3) if own else None))
    return edits, rejected
