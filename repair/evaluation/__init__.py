"""Evaluation harness: sacrebleu metrics, edit-level scores, ablations and reports."""
from .metrics import CorpusScores, score_corpus, sentence_scores

__all__ = ["CorpusScores", "score_corpus", "sentence_scores"]
