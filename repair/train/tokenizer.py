"""The project's own sentencepiece tokenizer, saved as a transformers tokenizer.

sentencepiece trains a unigram model (identity normalisation, whitespace kept, byte
fallback, so any text round-trips byte for byte); its pieces and scores are written as a
``tokenizer.json`` that reproduces sentencepiece's segmentation exactly, loadable with
``AutoTokenizer`` and no sentencepiece or protobuf at run time. ``spiece.model`` is kept
next to it for reference.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Iterable

PAD, EOS, UNK = 0, 1, 2


def train_sentencepiece(texts: Iterable[str], out_dir: Path, vocab_size: int = 8000, seed: int = 0) -> Path:
    import sentencepiece as spm

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.txt"
        with open(corpus, "w", encoding="utf-8") as f:
            for t in texts:
                f.write(t.replace("\n", " ") + "\n")
        spm.SentencePieceTrainer.train(
            input=str(corpus), model_prefix=str(Path(tmp) / "spiece"), vocab_size=vocab_size,
            model_type="unigram", normalization_rule_name="identity", remove_extra_whitespaces=False,
            byte_fallback=True, character_coverage=0.9995, pad_id=PAD, eos_id=EOS, unk_id=UNK, bos_id=-1,
            input_sentence_size=2000000, shuffle_input_sentence=False,
            hard_vocab_limit=False, minloglevel=2, num_threads=2)
        shutil.copy(Path(tmp) / "spiece.model", out_dir / "spiece.model")
    return out_dir / "spiece.model"


def to_transformers(spiece_model: Path):
    """A transformers fast tokenizer equivalent to ``spiece_model``."""
    import sentencepiece as spm
    from tokenizers import Tokenizer, decoders, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import PreTrainedTokenizerFast

    sp = spm.SentencePieceProcessor(model_file=str(spiece_model))
    vocab = [(sp.id_to_piece(i), sp.get_score(i)) for i in range(sp.get_piece_size())]
    tk = Tokenizer(Unigram(vocab, unk_id=UNK, byte_fallback=True))
    tk.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    tk.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                    decoders.Strip(" ", 1, 0)])
    tk.post_processor = processors.TemplateProcessing(single="$A </s>", pair="$A </s> $B </s>",
                                                      special_tokens=[("</s>", EOS)])
    return PreTrainedTokenizerFast(tokenizer_object=tk, eos_token="</s>", pad_token="<pad>", unk_token="<unk>")


def build_tokenizer(texts: Iterable[str], out_dir: Path, vocab_size: int = 8000, seed: int = 0):
    """Train sentencepiece on ``texts`` and save the transformers tokenizer in ``out_dir``."""
    model = train_sentencepiece(texts, out_dir, vocab_size, seed)
    tok = to_transformers(model)
    tok.save_pretrained(str(out_dir))
    return tok
