"""Garble score: how unlike fluent English a text reads to the judge's language model.

The score of a span is its **mean token loss**: the average negative log-likelihood, in
nats per token, of its tokens under the judge's causal LM (SmolLM2-135M-Instruct by
default), each token conditioned on the text before it in the same paragraph. Mean,
not total, so that long and short texts compare. The first
:data:`SKIP_TOKENS` tokens of each paragraph are left out: with no context, any text's
first words are hard to predict. Higher means more garbled.

- :func:`garble_score` gives one number per text (the library entry point, also used by
  the evaluation harness as a reference-free measure);
- :func:`score_documents` also gives one score per sentence and the share of sentences
  above :data:`DEFAULT_THRESHOLD`.

**The threshold** (:data:`DEFAULT_THRESHOLD`) is the 95th percentile of the sentence scores
of held-out clean news: the 38 paragraphs of ``tests/cases/negative.jsonl`` and the 20
clean controls of ``eval/dev.jsonl`` (rerun: ``python -m repair.evaluation.calibration garble``). So
about 5% of the sentences of clean news score above it; a document in which far more do
is likely garbled. Measured AUCs are in README.md ("Garble score").

Paragraphs are lines; a line longer than :data:`CHUNK_TOKENS` tokens is scored in chunks
of whole sentences.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Sequence

from .segment import line_spans, sentence_spans

#: Tokens at the start of each paragraph left out of the mean.
SKIP_TOKENS = 3
#: Longest piece of text scored at once, in tokens.
CHUNK_TOKENS = 320
#: 95th percentile of clean news sentences' scores (see the module docstring); set by calibration.
DEFAULT_THRESHOLD = 4.4


@dataclass(frozen=True)
class SentenceScore:
    start: int
    end: int
    score: float  # mean token loss (nats/token); NaN when the sentence has no scored token
    tokens: int

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end,
                "score": None if math.isnan(self.score) else round(self.score, 4), "tokens": self.tokens}


@dataclass(frozen=True)
class GarbleReport:
    """The garble score of one document, of each of its sentences, and the share of its
    sentences above the threshold."""

    score: float
    tokens: int
    sentences: tuple[SentenceScore, ...] = field(default=())
    threshold: float = DEFAULT_THRESHOLD

    @property
    def above(self) -> int:
        return sum(1 for s in self.sentences if not math.isnan(s.score) and s.score > self.threshold)

    @property
    def share_above(self) -> float:
        scored = sum(1 for s in self.sentences if not math.isnan(s.score))
        return self.above / scored if scored else 0.0

    def to_dict(self) -> dict:
        return {"garble_score": None if math.isnan(self.score) else round(self.score, 4),
                "garble_tokens": self.tokens,
                "garble_threshold": self.threshold,
                "garbled_sentence_share": round(self.share_above, 4),
                "garble_sentences": [s.to_dict() for s in self.sentences]}


def _units(text: str, scorer) -> list[tuple[int, list[int], list[tuple[int, int]]]]:
    """Pieces of ``text`` to score: (offset, token ids, token character spans in ``text``).
    One per line, or per run of whole sentences where a line is too long."""
    units = []
    for ls, le in line_spans(text):
        line = text[ls:le]
        if not line.strip():
            continue
        ids, offs = scorer.encode_with_offsets(line)
        if len(ids) <= CHUNK_TOKENS:
            units.append((ls, ids, [(a + ls, b + ls) for a, b in offs]))
            continue
        # too long: group sentences into chunks
        chunk_start = None
        chunk_end = None
        for ss, se in sentence_spans(line):
            if chunk_start is not None and len(scorer.encode(line[chunk_start:se])) > CHUNK_TOKENS:
                units.append(_unit(text, ls + chunk_start, ls + chunk_end, scorer))
                chunk_start = None
            if chunk_start is None:
                chunk_start = ss
            chunk_end = se
        if chunk_start is not None:
            units.append(_unit(text, ls + chunk_start, ls + chunk_end, scorer))
    return units


def _unit(text: str, a: int, b: int, scorer):
    ids, offs = scorer.encode_with_offsets(text[a:b])
    return a, ids, [(x + a, y + a) for x, y in offs]


def score_documents(texts: Sequence[str], scorer=None, threshold: float = DEFAULT_THRESHOLD,
                    batched: bool = True) -> list[GarbleReport]:
    """A :class:`GarbleReport` for each text; ``scorer`` defaults to the judge's model.
    ``batched=False`` runs one forward pass per paragraph (for benchmarks)."""
    scorer = scorer if scorer is not None else default_scorer()
    plans = []
    seqs = []
    for text in texts:
        units = _units(text, scorer)
        plans.append(units)
        seqs.extend(ids for _, ids, _ in units)
    logps = iter(scorer.token_logprobs(seqs, batched=batched) if seqs else [])
    reports = []
    for text, units in zip(texts, plans):
        sents = sentence_spans(text)
        sums = [0.0] * len(sents)
        counts = [0] * len(sents)
        total, n = 0.0, 0
        k = 0
        for _, ids, offs in units:
            lp = next(logps)
            for j, ((a, b), value) in enumerate(zip(offs[-len(lp):], lp)):
                if j < SKIP_TOKENS:
                    continue
                total -= value
                n += 1
                while k < len(sents) and sents[k][1] <= a:
                    k += 1
                # a token (with its leading space) belongs to the sentence its last character is in
                idx = k if k < len(sents) and sents[k][0] < b else k - 1
                if 0 <= idx < len(sents):
                    sums[idx] -= value
                    counts[idx] += 1
            k = 0
        sentences = tuple(SentenceScore(a, b, (sums[i] / counts[i]) if counts[i] else math.nan, counts[i])
                          for i, (a, b) in enumerate(sents))
        reports.append(GarbleReport(total / n if n else math.nan, n, sentences, threshold))
    return reports


def garble_score(texts: Sequence[str], scorer=None) -> list[float]:
    """One garble score per text: mean token loss in nats per token (higher: more garbled;
    NaN for a text with nothing to score). Reference-free.

    Compare with :data:`DEFAULT_THRESHOLD`, the 95th percentile of clean news sentences.
    """
    return [r.score for r in score_documents(texts, scorer)]


_DEFAULT = None
#: The garble score is computed in float32 (on CTranslate2 by default, or torch): its
#: threshold and AUCs were measured in float32; int8 (the judge's default compute type)
#: moves the threshold to 4.47 and lowers the AUCs by about 0.01.
COMPUTE_TYPE = "float32"


def default_scorer():
    """The judge's model in float32 (:data:`COMPUTE_TYPE`), loaded once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        from .judge import LMScorer

        _DEFAULT = LMScorer.load(compute_type=COMPUTE_TYPE)
    return _DEFAULT


def score_jsonl(src, name: str, dst, text_field: str = "text", errors: str = "strict",
                on_error=None, on_warning=None, scorer=None, threshold: float = DEFAULT_THRESHOLD,
                batch_records: int = 32, on_records=None) -> dict:
    """Add the fields of :meth:`GarbleReport.to_dict` to each JSONL record of ``src`` and
    write it to ``dst`` (binary streams). A line that is not a record gives one error record
    through ``on_error`` instead; a record without the text field passes through unchanged.
    ``on_records(n)``, when given, is told as each batch of ``n`` records is written."""
    from .io import RecordError, iter_jsonl

    stats = {"records": 0, "scored": 0, "errors": 0, "sentences": 0, "above": 0}
    pending: list = []

    def flush():
        texts = [item.text for item in pending if item.text is not None]
        reports = iter(score_documents(texts, scorer, threshold) if texts else [])
        for item in pending:
            if item.text is not None:
                rep = next(reports)
                item.obj.update(rep.to_dict())
                stats["scored"] += 1
                stats["sentences"] += sum(not math.isnan(x.score) for x in rep.sentences)
                stats["above"] += rep.above
            dst.write(json.dumps(item.obj, ensure_ascii=False).encode("utf-8") + b"\n")
        if on_records is not None and pending:
            on_records(len(pending))
        pending.clear()

    for item in iter_jsonl(src, name, text_field, errors):
        if isinstance(item, RecordError):
            flush()  # keep output in input order
            stats["errors"] += 1
            if on_error:
                on_error(item)
            if on_records is not None:
                on_records(1)
            continue
        stats["records"] += 1
        if item.text is None and on_warning:
            on_warning(item.warning or "")
        pending.append(item)
        if len(pending) >= batch_records:
            flush()
    flush()
    return stats


def format_document(report: GarbleReport, text: str, name: str) -> str:
    """Plain-text report of one document: a summary line, then one line per sentence:
    ``name:line:col<TAB>score<TAB>mark<TAB>sentence`` (mark ``*`` above the threshold)."""
    from .explain import line_col

    score = "nan" if math.isnan(report.score) else f"{report.score:.3f}"
    lines = [f"# {name}\tgarble_score={score}\tsentences={len(report.sentences)}\t"
             f"above_threshold={report.above} ({report.share_above:.1%})\tthreshold={report.threshold:g}"]
    for s in report.sentences:
        line, col = line_col(text, s.start)
        value = "nan" if math.isnan(s.score) else f"{s.score:.3f}"
        mark = "*" if not math.isnan(s.score) and s.score > report.threshold else ""
        lines.append(f"{name}:{line}:{col}\t{value}\t{mark}\t{text[s.start:s.end]}")
    return "\n".join(lines) + "\n"
