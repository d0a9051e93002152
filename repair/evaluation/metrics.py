"""Corpus and sentence BLEU, chrF and TER from sacrebleu, with their signatures.

TER is case-sensitive by default, as in the WMT automatic post-editing task.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

from sacrebleu.metrics import BLEU, CHRF, TER


def _metrics(case_sensitive_ter: bool = True):
    return (BLEU(), CHRF(), TER(case_sensitive=case_sensitive_ter))


@dataclass(frozen=True)
class CorpusScores:
    bleu: float
    chrf: float
    ter: float
    signatures: dict
    segments: int

    def to_dict(self) -> dict:
        return asdict(self)


def score_corpus(hyps: Sequence[str], refs: Sequence[str], case_sensitive_ter: bool = True) -> CorpusScores:
    """Corpus-level BLEU, chrF and TER of ``hyps`` against one reference each."""
    if len(hyps) != len(refs):
        raise ValueError(f"{len(hyps)} hypotheses but {len(refs)} references")
    bleu, chrf, ter = _metrics(case_sensitive_ter)
    b = bleu.corpus_score(list(hyps), [list(refs)])
    c = chrf.corpus_score(list(hyps), [list(refs)])
    t = ter.corpus_score(list(hyps), [list(refs)])
    sigs = {"bleu": str(bleu.get_signature()), "chrf": str(chrf.get_signature()), "ter": str(ter.get_signature())}
    return CorpusScores(round(b.score, 4), round(c.score, 4), round(t.score, 4), sigs, len(hyps))


def sentence_scores(hyps: Sequence[str], refs: Sequence[str], case_sensitive_ter: bool = True) -> list[dict]:
    """Per-segment BLEU, chrF and TER."""
    bleu, chrf, ter = _metrics(case_sensitive_ter)
    bleu = BLEU(effective_order=True)
    return [{"bleu": bleu.sentence_score(h, [r]).score, "chrf": chrf.sentence_score(h, [r]).score,
             "ter": ter.sentence_score(h, [r]).score} for h, r in zip(hyps, refs)]
