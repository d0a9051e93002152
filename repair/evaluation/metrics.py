"""Corpus and sentence BLEU, chrF and TER from sacrebleu, with their signatures.

TER is case-sensitive by default, as in the WMT automatic post-editing task.

A :class:`Scorer` keeps each segment's sufficient statistics, keyed by hypothesis and
reference, so that corpus scores, sentence scores and the bootstrap test of several
stages compute each (hypothesis, reference) pair once: TER of a long paragraph costs
seconds, and stages often leave most segments alike.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

from sacrebleu.metrics import BLEU, CHRF, TER

METRICS = ("bleu", "chrf", "ter")
#: The metrics' names as sacrebleu prints them (chrF2: character n-gram F-score with beta 2).
LABELS = {"bleu": "BLEU", "chrf": f"chrF{CHRF.BETA}", "ter": "TER"}


class _CachedStatistics:
    """Mixin for a sacrebleu metric: per-segment statistics are computed once per
    (hypothesis, reference) pair and reused (single reference only)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._segment_stats: dict[tuple[str, str], object] = {}

    def _extract_corpus_statistics(self, hypotheses, references):
        if not references or len(references) != 1:
            return super()._extract_corpus_statistics(hypotheses, references)
        keys = list(zip(hypotheses, references[0]))
        missing = [k for k in dict.fromkeys(keys) if k not in self._segment_stats]
        if missing:
            stats = super()._extract_corpus_statistics([h for h, _ in missing], [[r for _, r in missing]])
            self._segment_stats.update(zip(missing, stats))
        return [self._segment_stats[k] for k in keys]


class CachedBLEU(_CachedStatistics, BLEU):
    pass


class CachedCHRF(_CachedStatistics, CHRF):
    pass


class CachedTER(_CachedStatistics, TER):
    pass


class Scorer:
    """BLEU (13a), chrF and TER (case-sensitive unless told) with one statistics cache."""

    def __init__(self, case_sensitive_ter: bool = True):
        self.case_sensitive_ter = case_sensitive_ter
        self.bleu = CachedBLEU()
        self.sentence_bleu = CachedBLEU(effective_order=True)
        self.chrf = CachedCHRF()
        self.ter = CachedTER(case_sensitive=case_sensitive_ter)

    def metrics(self) -> dict:
        """The corpus metrics by key, for :mod:`sacrebleu.significance`."""
        return {"bleu": self.bleu, "chrf": self.chrf, "ter": self.ter}

    def signatures(self) -> dict[str, str]:
        """The corpus metrics' signatures (once they have scored something)."""
        return {k: str(m.get_signature()) for k, m in self.metrics().items()}

    def sentence_signature(self) -> str:
        """The signature of the sentence-level BLEU (effective order; once it has scored something)."""
        return str(self.sentence_bleu.get_signature())

    def corpus(self, hyps: Sequence[str], refs: Sequence[str], *more_refs: Sequence[str]) -> "CorpusScores":
        """Corpus scores of ``hyps`` against ``refs`` (and further reference streams, each
        line-aligned with ``hyps``, as sacrebleu takes several references)."""
        streams = [list(refs), *(list(r) for r in more_refs)]
        for stream in streams:
            if len(hyps) != len(stream):
                raise ValueError(f"{len(hyps)} hypotheses but {len(stream)} references")
        h = list(hyps)
        scores = {k: round(m.corpus_score(h, streams).score, 4) for k, m in self.metrics().items()}
        return CorpusScores(scores["bleu"], scores["chrf"], scores["ter"], self.signatures(), len(hyps))

    def sentences(self, hyps: Sequence[str], refs: Sequence[str]) -> list[dict]:
        if len(hyps) != len(refs):
            raise ValueError(f"{len(hyps)} hypotheses but {len(refs)} references")
        return [{"bleu": self.sentence_bleu.sentence_score(h, [r]).score,
                 "chrf": self.chrf.sentence_score(h, [r]).score,
                 "ter": self.ter.sentence_score(h, [r]).score} for h, r in zip(hyps, refs)]


@dataclass(frozen=True)
class CorpusScores:
    bleu: float
    chrf: float
    ter: float
    signatures: dict
    segments: int

    def to_dict(self) -> dict:
        return asdict(self)


def score_corpus(hyps: Sequence[str], refs: Sequence[str], case_sensitive_ter: bool = True,
                 more_refs: Sequence[Sequence[str]] = ()) -> CorpusScores:
    """Corpus-level BLEU, chrF and TER of ``hyps`` against one reference each (or more:
    ``more_refs``, further line-aligned reference streams)."""
    return Scorer(case_sensitive_ter).corpus(hyps, refs, *more_refs)


def sentence_scores(hyps: Sequence[str], refs: Sequence[str], case_sensitive_ter: bool = True) -> list[dict]:
    """Per-segment BLEU (with effective n-gram order), chrF and TER."""
    return Scorer(case_sensitive_ter).sentences(hyps, refs)
