"""Evaluation harness: sacrebleu metrics, edit-level scores, ablations and reports.

Typical use::

    from repair.evaluation import evaluate, load_dataset
    report = evaluate(load_dataset("eval/dev.jsonl"))   # stages none, glossary, full
    print(report.summary())                             # the ablation and significance tables
    report.write("eval-report", html=True)
"""
from .ablation import STANDARD_STAGES, Stage, StageError, parse_stage, resolve_stages
from .align import Span, align
from .datasets import Dataset, DatasetError, EvalRecord, RefEdit, load_dataset
from .edits_score import Counts, compare
from .metrics import CorpusScores, Scorer, score_corpus, sentence_scores
from .report import EvalReport, evaluate
from .significance import paired_bootstrap

__all__ = ["CorpusScores", "Counts", "Dataset", "DatasetError", "EvalRecord", "EvalReport", "RefEdit",
           "STANDARD_STAGES", "Scorer", "Span", "Stage", "StageError", "align", "compare", "evaluate",
           "load_dataset", "paired_bootstrap", "parse_stage", "resolve_stages", "score_corpus",
           "sentence_scores"]
