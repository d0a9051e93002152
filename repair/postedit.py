"""The seq2seq post-editor: the pipeline's second stage.

Sentences come from :func:`repair.segment.sentence_spans`. A cheap suspicion test picks
the words worth a look (see :func:`suspicious_words`); the model rewrites a window of at
most ``window_words`` words around them (greedy decoding, no sampling, so the same text
always gives the same output). Its output is diffed back to word-level proposals with
character offsets, and each proposal must pass the guards of :mod:`repair.guards`:
content (numbers, names, hashtags, URLs, quote marks), quoted speech, the size of the
window's edit, and the model's own preference for the edit over a copy, by a margin.
What fails becomes a :class:`~repair.edit.Rejected` record naming the guard and the scores.

Any transformers encoder-decoder loads (``AutoModelForSeq2SeqLM`` with its tokenizer): the
built-in model in ``repair/data/model/``, or a local checkpoint directory. Loading never
touches the network (``local_files_only=True``), reads safetensors only, and never runs
code from the checkpoint (``trust_remote_code=False``); a hub id resolves from the local
Hugging Face cache.

It runs on a backend of :mod:`repair.lm_backend`: by default CTranslate2 on CPU (a
``ctranslate2.Translator`` on a conversion made once into the model cache of
:mod:`repair.lm_cache`, and the ``tokenizers`` library: no torch in the process; its
greedy rewrites of the dev set's windows are identical to torch's, its scores equal to
1e-5), else torch (``backend="torch"``, the reference; a hub id; ``device="cuda"``).
"""
from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .ascii_fold import fold, unfold
from .edit import Proposal, Rejected
from .guards import (GuardConfig, check_content, check_dropped_words, check_extent, check_margin, in_quotes,
                     quoted_spans, word_edits)
from .segment import sentence_spans, windows_around

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "data" / "model"
_WORD = re.compile(r"\S+")

# generic phrases of the noise model's marker list that are too common in clean text to
# be worth a model call on their own
_GENERIC = {"should", "to hold", "library", "declared", "indicated", "demanded", "price", "actual"}
_COMPANY = re.compile(r"\b(?:company|companies|firm|group|maker|carmaker|chipmaker|manufacturer|bank|giant|"
                      r"brand|retailer|airline|operator|start-?up|corporation|conglomerate|insurer|lender|"
                      r"society|Inc|Ltd|plc|SA|AG|GmbH|Corp)\b")
_FRENCH_TYPO = re.compile(r"«|»|\d %|\d,\d+ ?%|\d \d{3}\b| [;:!?](?=\s|$)")


class ModelNotFound(RuntimeError):
    """The post-editing model could not be loaded."""


@lru_cache(maxsize=1)
def _marker_regex() -> tuple[re.Pattern, re.Pattern]:
    from .roundtrip import ACRONYMS, AMBIGUOUS, FLUENT, MARKERS

    acr = {a.lower() for a in ACRONYMS.values()}
    phrases = sorted((m for m in MARKERS if m not in acr and m not in _GENERIC and m not in FLUENT
                      and m not in AMBIGUOUS),
                     key=len, reverse=True)
    words = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![\w-])", re.IGNORECASE)
    acronyms = re.compile(r"\b(?:" + "|".join(sorted(ACRONYMS.values())) + r")\b")
    return words, acronyms


def suspicious_words(sentence: str, spans: list[tuple[int, int]]) -> list[int]:
    """Indices of the words of ``sentence`` (``spans``: their character spans) that look like
    round-trip damage: a phrase from the noise model's marker list ("fleas", "in the
    affirmative", "society"), a French acronym, French typography («», "7 %"), "her" in a
    sentence about a company, "It is a/an/the" opening a sentence, "the" + acronym + two
    lower-case words ("the AI global advance"). Other sentences skip the model.

    >>> s = "The society said her fleas sold well."
    >>> suspicious_words(s, [(m.start(), m.end()) for m in _WORD.finditer(s)])
    [1, 3, 4]
    >>> s = "Prices rose in Paris."
    >>> suspicious_words(s, [(m.start(), m.end()) for m in _WORD.finditer(s)])
    [0]
    >>> s = "Fans cheered."
    >>> suspicious_words(s, [(m.start(), m.end()) for m in _WORD.finditer(s)])
    []
    """
    words_re, acr_re = _marker_regex()
    hits: set[int] = set()

    def mark(pos: int) -> None:
        for i, (a, b) in enumerate(spans):
            if a <= pos < b:
                hits.add(i)
                return

    for m in words_re.finditer(sentence):
        mark(m.start())
    for m in acr_re.finditer(sentence):
        mark(m.start())
    for m in _FRENCH_TYPO.finditer(sentence):
        mark(m.start())
    if _COMPANY.search(sentence):
        for m in re.finditer(r"\b[Hh]er\b", sentence):
            mark(m.start())
    m = re.match(r"[“\"«]?\s*It (?:is|was) (?:a|an|the)\b", sentence)
    if m:
        mark(m.start() + m.group(0).index("It"))
    for m in re.finditer(r"\bthe [A-Z]{2,5} [a-z]+ [a-z]+\b", sentence):
        mark(m.start())
    return sorted(hits)


@dataclass(frozen=True)
class _Window:
    text_start: int        # offset of the sentence in the text
    sentence: str
    spans: list            # word spans in the sentence
    start: int             # word range [start, end) of the window
    end: int

    @property
    def words(self) -> list[str]:
        return [self.sentence[a:b] for a, b in self.spans[self.start:self.end]]

    @property
    def source(self) -> str:
        return " ".join(self.words)


class PostEditor:
    """A seq2seq model wrapped to turn text into guarded word-level proposals.

    ``propose(text)`` returns ``(proposals, rejected)``; ``signature()`` names the model
    and every setting that changes its output.
    """

    def __init__(self, model: str | Path | None = None, device: str = "cpu", batch_size: int = 16,
                 guards: GuardConfig | None = None, window_words: int | None = None, max_new_tokens: int = 64,
                 backend: str = "auto", compute_type: str = "auto", threads: int | None = None):
        from .lm_backend import resolve_backend, resolve_compute_type

        path = Path(model) if model is not None else DEFAULT_MODEL_DIR
        builtin = model is None
        if builtin and not (path / "config.json").is_file():
            raise ModelNotFound(f"the built-in post-editing model is missing from {path}; "
                                f"train one with `repair train -o {path}` or run with --no-model")
        if path.exists() and not (path / "config.json").is_file():
            raise ModelNotFound(f"cannot load the post-editing model {str(path)!r}: no config.json in it")
        if path.exists() and not any((path / f).is_file() for f in ("model.safetensors",
                                                                     "model.safetensors.index.json")):
            raise ModelNotFound(f"cannot load the post-editing model {str(path)!r}: no safetensors weights "
                                "(pickled weights are never loaded)")
        self.name = str(path) if path.exists() else str(model)
        self.path = path
        self.device = device
        self.batch_size = batch_size
        self.guards = guards or GuardConfig()
        if window_words is None:  # the window the model was trained on, when it says
            info = path / "training.json"
            opts = json.loads(info.read_text(encoding="utf-8")).get("options", {}) if info.is_file() else {}
            window_words = int(opts.get("window_words", 12))
        self.window_words = window_words
        self.max_new_tokens = max_new_tokens
        # CTranslate2 runs a local directory (converted once into the model cache); a hub id stays with torch
        self.backend = resolve_backend(backend, device)
        if self.backend == "ct2" and not path.exists():
            if backend == "ct2":
                raise ModelNotFound(f"--backend ct2 needs a local model directory; {self.name!r} is not one")
            self.backend = "torch"
        self.compute_type = resolve_compute_type(compute_type, self.backend, "seq2seq")
        self._backend_option = backend
        self.threads = threads
        weights = path / "model.safetensors"
        digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:8] if weights.is_file() else "hub"
        self.model_id = (f"mt-repair-default@{digest}" if builtin else f"{path.name or self.name}@{digest}")
        self._model = self._tokenizer = None
        if device == "cuda" or not path.exists():
            self._load()  # fail now, before any input is read, when the device or model is not there

    # -- loading (lazy: text with nothing suspicious never loads a model) -----------------
    def _load(self) -> None:
        if self.backend == "ct2":
            from .lm_cache import CacheDamaged, ConversionFailed, seq2seq_ct2_dir

            try:
                name = "mt-repair-postedit" if self.path.resolve() == DEFAULT_MODEL_DIR.resolve() else None
                self._load_ct2(seq2seq_ct2_dir(self.path, name)[0])
                return
            except (ConversionFailed, CacheDamaged) as exc:
                if self._backend_option == "ct2" or isinstance(exc, CacheDamaged):
                    raise ModelNotFound(f"cannot load the post-editing model {self.name!r} with CTranslate2: "
                                        f"{exc}") from None
                import warnings

                warnings.warn(f"mt-repair: the post-editor runs with torch: {exc}", RuntimeWarning, stacklevel=2)
                self.backend, self.compute_type = "torch", "float32"
        self._load_torch()

    def _load_ct2(self, directory: Path) -> None:
        from .lm_backend import CT2Seq2Seq, FastTokenizer

        tokenizer = FastTokenizer(directory)
        self._model = CT2Seq2Seq(str(directory), self.compute_type, device=self.device, threads=self.threads)
        self._tokenizer = tokenizer

    def _load_torch(self) -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        from .lm_backend import HFTokenizer, TorchSeq2Seq

        hf_logging.disable_progress_bar()
        if self.device == "cuda" and not torch.cuda.is_available():
            raise ModelNotFound("--device cuda was asked for, but torch sees no CUDA device")
        try:
            tokenizer = AutoTokenizer.from_pretrained(self.name, local_files_only=True, trust_remote_code=False)
            model = AutoModelForSeq2SeqLM.from_pretrained(self.name, local_files_only=True, use_safetensors=True,
                                                          trust_remote_code=False)
        except (OSError, ValueError) as exc:
            raise ModelNotFound(f"cannot load the post-editing model {self.name!r}: {exc}") from None
        tok = HFTokenizer(tokenizer)
        self._model = TorchSeq2Seq(model, tokenizer.pad_token_id, tokenizer.eos_token_id, self.device)
        self._tokenizer = tok

    @property
    def model(self):
        """The loaded model: a :class:`repair.lm_backend.Seq2Seq` (CTranslate2 or torch)."""
        if self._model is None:
            self._load()
        return self._model

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            self._load()
        return self._tokenizer

    def signature(self) -> str:
        return (f"{self.model_id}|greedy|win:{self.window_words}|{self.guards.signature()}"
                f"|{self.backend}-{self.compute_type}")

    # -- model calls ---------------------------------------------------------------
    def _batches(self, items: list):
        for k in range(0, len(items), self.batch_size):
            yield items[k:k + self.batch_size]

    def generate(self, sources: list[str]) -> list[str]:
        """Greedy rewrites of ``sources`` (deterministic). The model reads them folded to
        ASCII (:mod:`repair.ascii_fold`), and its rewrites get the sources' typography back."""
        model, tok = self.model, self.tokenizer
        out: list[str] = []
        for chunk in self._batches(sources):
            ids = [tok.encode(fold(s), special=True) for s in chunk]
            # minimal edits keep the length: a longer output is cut short (and fails the guards)
            limit = min(self.max_new_tokens, int(max(len(x) for x in ids) * 1.25) + 4)
            out += [unfold(" ".join(tok.decode(o).split()), s) for o, s in zip(model.generate(ids, limit), chunk)]
        return out

    def score(self, sources: list[str], targets: list[str]) -> list[float]:
        """Mean log-probability per target token (end token included) of ``targets`` given
        ``sources``; a score that is not a finite number raises ScoringError."""
        from .lm_backend import check_finite

        model, tok = self.model, self.tokenizer
        scores: list[float] = []
        for k in range(0, len(sources), self.batch_size):
            src = [tok.encode(fold(s), special=True) for s in sources[k:k + self.batch_size]]
            tgt = [tok.encode(fold(t)) for t in targets[k:k + self.batch_size]]
            for lp in model.score(src, tgt):
                check_finite(lp, f"post-editor {self.model_id} ({self.backend}, {self.compute_type})")
                scores.append(sum(lp) / len(lp))
        return scores

    # -- proposals -----------------------------------------------------------------
    def windows(self, text: str) -> list[_Window]:
        out = []
        for s, e in sentence_spans(text):
            sentence = text[s:e]
            spans = [(m.start(), m.end()) for m in _WORD.finditer(sentence)]
            hits = suspicious_words(sentence, spans)
            for ws, we in windows_around(len(spans), hits, self.window_words):
                out.append(_Window(s, sentence, spans, ws, we))
        return out

    def propose(self, text: str, judged: bool = False) -> tuple[list[Proposal], list[Rejected]]:
        """Guarded word-level proposals for ``text``, and the proposals the guards rejected.
        ``judged``: a judge will check every proposal, so the model's own margin only has to
        show that it prefers the edit (``GuardConfig.min_margin_judged``)."""
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
        """Proposals that passed every guard but the margin, each with the model's mean
        log-probability of its edited window and of the copy; and the rejected ones.

        Candidates for each window are the model's greedy rewrite and the noise model run
        backwards (:func:`repair.roundtrip.undo_candidates`: "society" -> "company",
        "her" -> "its", ...); every candidate is diffed into word-level proposals, and each
        proposal is scored alone (its window with only that change, against the copy).
        Where proposals overlap, the best-scoring one stays.
        """
        from .roundtrip import undo_candidates

        windows = self.windows(text)
        if not windows:
            return [], []
        sources = [w.source for w in windows]
        outputs = self.generate(sources)
        pending: dict[tuple[int, int, str], tuple[_Window, Proposal, str]] = {}
        rejected: dict[tuple[int, int, str], Rejected] = {}
        for w, out in zip(windows, outputs):
            # the greedy rewrite is free text; undo candidates are known repairs
            for cand, free in dict.fromkeys([(out, True)] + [(c, False) for c in undo_candidates(w.source)]):
                if cand == w.source:
                    continue
                props, held = self._diff_window(text, w, cand, free)
                for r in held:
                    rejected.setdefault((r.start, r.end, r.after), r)
                for item in props:
                    p = item[1]
                    pending.setdefault((p.start, p.end, p.after), item)
        if not pending:
            return [], sorted(rejected.values(), key=lambda r: (r.start, r.end))
        items = list(pending.values())
        srcs = [w.source for w, _, _ in items]
        edit_scores = self.score(srcs, [t for _, _, t in items])
        copies = {s: c for s, c in zip(dict.fromkeys(srcs), self.score(list(dict.fromkeys(srcs)),
                                                                        list(dict.fromkeys(srcs))))}
        scored = sorted(((p, es, copies[w.source]) for (w, p, _), es in zip(items, edit_scores)),
                        key=lambda x: -(x[1] - x[2]))
        kept: list[tuple[Proposal, float, float]] = []
        for p, es, cs in scored:
            if any(_overlap(p, q) for q, _, _ in kept):
                continue  # a better-scoring proposal holds this place
            kept.append((p, es, cs))
        for r in list(rejected.values()):
            if any(_overlap(r, q) for q, _, _ in kept):
                del rejected[(r.start, r.end, r.after)]
        kept.sort(key=lambda x: (x[0].start, x[0].end))
        return kept, sorted(rejected.values(), key=lambda r: (r.start, r.end))

    def _diff_window(self, text: str, w: _Window, out: str, free: bool = True
                     ) -> tuple[list[tuple[_Window, Proposal, str]], list[Rejected]]:
        a, b = w.words, out.split(" ")
        ops = [op for op in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes() if op[0] != "equal"]
        changed = word_edits(a, [x for x in b if x])
        spans = w.spans[w.start:w.end]
        base = w.text_start
        sent_start = w.start == 0

        def proposal(i1, i2, j1, j2) -> tuple[Proposal, str]:
            new = " ".join(b[j1:j2])
            if i1 < i2:
                start, end = spans[i1][0], spans[i2 - 1][1]
                after = new
                if not new:  # deletion: take one neighbouring space along
                    if i2 < len(spans):
                        end = spans[i2][0]
                    elif i1 > 0:
                        start = spans[i1 - 1][1]
            elif i1 < len(spans):
                start = end = spans[i1][0]
                after = new + " "
            else:
                start = end = spans[-1][1]
                after = " " + new
            p = Proposal(base + start, base + end, text[base + start:base + end], after, "model", self.model_id,
                         origin=self.model_id, category="model", sentence=(base, base + len(w.sentence)))
            edited = a[:i1] + b[j1:j2] + a[i2:]
            return p, " ".join(x for x in edited if x)

        made = [(proposal(*op[1:]), op) for op in ops]
        reason = check_extent(len(a), changed, self.guards)
        if reason:
            return [], [p.reject(reason) for (p, _), _ in made]
        quotes = quoted_spans(w.sentence) if self.guards.protect_quotes else []
        good: list[tuple[_Window, Proposal, str]] = []
        bad: list[Rejected] = []
        failed_content: list[tuple[Proposal, str]] = []
        for (p, edited), op in made:
            at_start = sent_start and op[1] == 0
            if quotes and in_quotes(quotes, p.start - base, p.end - base):
                bad.append(p.reject("inside quoted speech"))
                continue
            why = check_content(p.before, p.after, at_start) or (check_dropped_words(p.before, p.after)
                                                                 if free else None)
            if why:
                failed_content.append((p, why))
            else:
                good.append((w, p, edited))
        if failed_content:
            # a change that only makes sense with its neighbours (word order: "the AI global
            # advance" -> "the global advance of AI") is judged as one edit of the window
            whole = proposal(ops[0][1], ops[-1][2], ops[0][3], ops[-1][4])[0]
            inside = quotes and in_quotes(quotes, whole.start - base, whole.end - base)
            why = check_content(whole.before, whole.after, sent_start and ops[0][1] == 0) or (
                check_dropped_words(whole.before, whole.after) if free else None)
            if not why and not inside and len(ops) > 1:
                return [(w, whole, out)], []
            bad += [p.reject(r) for p, r in failed_content]
        return good, bad


def _overlap(a, b) -> bool:
    """Whether two proposals touch the same text (two insertions at one point do too)."""
    if a.start == a.end or b.start == b.end:
        return a.start <= b.end and b.start <= a.end
    return a.start < b.end and b.start < a.end


@lru_cache(maxsize=4)
def load_post_editor(model: str | None = None, device: str = "cpu", batch_size: int = 16,
                     guards: GuardConfig | None = None, backend: str = "auto", compute_type: str = "auto") -> PostEditor:
    """A PostEditor, loaded once per (model, device, batch size, guards, backend, compute type):
    Repairers of several configurations in one process (``repair eval``'s stages) share its weights."""
    return PostEditor(model, device=device, batch_size=batch_size, guards=guards, backend=backend,
                      compute_type=compute_type)
