"""Model size presets: small T5-style encoder-decoders, trained from scratch."""
from __future__ import annotations

from .tokenizer import EOS, PAD

PRESETS: dict[str, dict] = {
    # a few thousand parameters: for tests only
    "tiny": dict(d_model=32, d_kv=16, d_ff=64, num_layers=1, num_decoder_layers=1, num_heads=2),
    # ~1.6M parameters with a 4k vocabulary: the shipped default, sized for a shared 2-core
    # CPU (about 4-10 pairs/s there), trained for about an hour
    "small": dict(d_model=128, d_kv=32, d_ff=512, num_layers=3, num_decoder_layers=2, num_heads=4),
    # ~5.7M parameters: better on a free CPU given several hours, or on a GPU
    "medium": dict(d_model=256, d_kv=64, d_ff=768, num_layers=3, num_decoder_layers=3, num_heads=4),
    # ~30M parameters: for a GPU
    "base": dict(d_model=512, d_kv=64, d_ff=2048, num_layers=6, num_decoder_layers=6, num_heads=8),
}


def build_model(preset: str, vocab_size: int, seed: int = 0):
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    if preset not in PRESETS:
        raise ValueError(f"unknown model preset {preset!r} (known: {', '.join(PRESETS)})")
    torch.manual_seed(seed)
    config = T5Config(vocab_size=vocab_size, dropout_rate=0.1, feed_forward_proj="relu",
                      relative_attention_num_buckets=32, relative_attention_max_distance=64,
                      tie_word_embeddings=True, pad_token_id=PAD, eos_token_id=EOS,
                      decoder_start_token_id=PAD, **PRESETS[preset])
    return T5ForConditionalGeneration(config)


def count_parameters(model) -> int:
    return sum(p.numel() for p in model.parameters())
