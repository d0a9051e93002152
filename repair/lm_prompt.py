"""The prompt of the language-model post-editor, shared by training and run time.

The post-editor is the judge's causal LM (SmolLM2-135M-Instruct) with a LoRA adapter: a
decoder-only model used as a sequence-to-sequence post-editor (input: the sentence and the
sentence before it in its paragraph; output: the repaired sentence), as automatic
post-editing systems built on decoder-only LMs do. The prompt uses the instruct model's chat
markers, so that the rewrite starts after a fixed prefix and ends with its end-of-turn token.

>>> build_prompt("Nvidia designs her chips.", "Nvidia is a chipmaker.")
'<|im_start|>user\\nContext: Nvidia is a chipmaker.\\nSentence: Nvidia designs her chips.<|im_end|>\\n<|im_start|>assistant\\n'
>>> build_target("Nvidia designs its chips.")
'Nvidia designs its chips.<|im_end|>'
"""
from __future__ import annotations

#: The token that ends the model's rewrite.
END = "<|im_end|>"
#: Context longer than this (words) keeps only its last words.
MAX_CONTEXT_WORDS = 40


def clip_context(context: str, max_words: int = MAX_CONTEXT_WORDS) -> str:
    """The last ``max_words`` words of ``context``, on one line.

    >>> clip_context("a b c d", 2)
    'c d'
    """
    words = context.split()
    return " ".join(words[-max_words:])


def build_prompt(sentence: str, context: str = "") -> str:
    """The model input for ``sentence`` with ``context`` (the sentence before it, or "")."""
    context = clip_context(context)
    ctx = f"Context: {context}\n" if context else ""
    return f"<|im_start|>user\n{ctx}Sentence: {' '.join(sentence.split())}{END}\n<|im_start|>assistant\n"


def build_target(repaired: str) -> str:
    """What the model is trained to write after the prompt."""
    return f"{' '.join(repaired.split())}{END}"
