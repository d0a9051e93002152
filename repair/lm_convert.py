"""Model conversions for the cache of :mod:`repair.lm_cache`; they import torch and transformers.

:mod:`repair.lm_cache` runs this module in a child process (``python -m repair.lm_convert``),
so that the process that asked for a model never imports torch for it and stays small:

- ``--kind hf`` unpacks a GGUF file (the judge's weights, quantized Q4_1) into a plain
  float32 transformers checkpoint saved with safetensors (the torch backend reads it);
- ``--kind ct2`` converts a GGUF file (through a temporary float32 checkpoint) or a local
  transformers directory into a CTranslate2 model with float32 weights (any compute type
  is chosen when the model is loaded), with the tokenizer files beside it;
- ``--kind ct2-int8`` the same with int8 weights, for the judge's default int8 compute type:
  the same scores as float32 weights quantized at load time, without a process ever
  holding the float32 weights (peak RSS of loading the judge: 289 MB instead of 603 MB).

Every CTranslate2 conversion is checked before it is accepted: the log-probabilities of a
probe text under the converted model (float32) must match the transformers model's to
:data:`CHECK_TOLERANCE` nats per token, or the conversion fails with both numbers (a
converter that does not know some detail of an architecture is caught here, not in a
repair). The output directory is written from scratch; :mod:`repair.lm_cache` renames
it into place and records the hash of every file.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path

#: Largest difference (nats per token) allowed between the converted model and transformers.
CHECK_TOLERANCE = 0.01
PROBE = ("Shares of the carmaker fell 4% in Tokyo on Monday after it cut its annual forecast, "
         "citing tariffs on imported steel.")
PROBE_SOURCE = "The society said her fleas sold well on Monday."
PROBE_TARGET = "The company said its chips sold well on Monday."
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ["TQDM_DISABLE"] = "1"  # the GGUF reader's and the weight loader's progress bars


@contextlib.contextmanager
def _quiet():
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    yield


def dequantize_gguf(gguf: Path):
    """The model of ``gguf`` as a plain float32 transformers model, and its tokenizer."""
    _offline()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    kwargs = {}
    try:  # newer transformers keep GGUF weights packed unless told to unpack them
        from transformers import GgufConfig

        kwargs["quantization_config"] = GgufConfig(gguf_file=gguf.name, dequantize=True)
    except ImportError:
        pass
    with _quiet():
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name, local_files_only=True,
                                                  trust_remote_code=False)
        try:
            packed = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name,
                                                          local_files_only=True, trust_remote_code=False, **kwargs)
        except TypeError:
            packed = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name,
                                                          local_files_only=True, trust_remote_code=False)
        # rebuild as a plain model (no quantizer attached), so that it can be saved
        config = packed.config
        if hasattr(config, "quantization_config"):
            delattr(config, "quantization_config")
        state = packed.state_dict()
        model = AutoModelForCausalLM.from_config(config)
        model.load_state_dict({k: v.to(torch.float32) for k, v in state.items()}, strict=True)
        model.tie_weights()
        del packed, state
    model.eval()
    return model, tokenizer


def save_hf(model, tokenizer, out: Path) -> None:
    with _quiet():
        model.save_pretrained(str(out), safe_serialization=True)
        tokenizer.save_pretrained(str(out))


def convert_ct2(hf_dir: Path, out: Path, quantization: str | None = None) -> None:
    """CTranslate2 conversion of the transformers checkpoint in ``hf_dir`` (float32 weights,
    or the checkpoint's own dtype; ``quantization="int8"``: int8 weights), with its tokenizer
    files copied beside it."""
    _offline()
    from ctranslate2.converters import TransformersConverter

    with _quiet():
        TransformersConverter(str(hf_dir)).convert(str(out), quantization=quantization, force=True)
    for name in TOKENIZER_FILES:
        if (hf_dir / name).is_file():
            shutil.copyfile(hf_dir / name, out / name)
    if not (out / "tokenizer.json").is_file():
        raise RuntimeError(f"{hf_dir} has no tokenizer.json: the ct2 backend reads its tokenizer from that file")


def check_causal(model, out: Path, int8: bool = False) -> dict:
    """Compare the converted causal LM with the transformers ``model`` on :data:`PROBE`
    (``int8``: int8 weights, which move scores by design: only finite scores are required,
    the difference is reported; repair.judge calibrates the int8 margin)."""
    from .lm_backend import CT2CausalLM, FastTokenizer, TorchCausalLM, prefix_id

    tok = FastTokenizer(out)
    seq = [prefix_id(tok)] + tok.encode(PROBE)
    ref = TorchCausalLM(model).logprobs([seq])[0]
    got = CT2CausalLM(str(out), "int8" if int8 else "float32", threads=1).logprobs([seq])[0]
    return _compare(ref, got, "causal", tolerance=math.inf if int8 else CHECK_TOLERANCE)


def check_seq2seq(hf_dir: Path, out: Path) -> dict:
    """Compare the converted seq2seq model with transformers on a probe pair: scores, and
    the greedy output."""
    from transformers import AutoModelForSeq2SeqLM

    from .lm_backend import CT2Seq2Seq, FastTokenizer, TorchSeq2Seq

    tok = FastTokenizer(out)
    with _quiet():
        model = AutoModelForSeq2SeqLM.from_pretrained(str(hf_dir), local_files_only=True, use_safetensors=True,
                                                      trust_remote_code=False)
    pad, eos = tok.token_id(tok.pad_token), tok.token_id(tok.eos_token)
    torch_m = TorchSeq2Seq(model, pad, eos)
    ct2_m = CT2Seq2Seq(str(out), "float32", threads=1)
    src, tgt = [tok.encode(PROBE_SOURCE, special=True)], [tok.encode(PROBE_TARGET)]
    result = _compare(torch_m.score(src, tgt)[0], ct2_m.score(src, tgt)[0], "seq2seq")
    a, b = torch_m.generate(src, 24)[0], ct2_m.generate(src, 24)[0]
    if a != b:
        raise RuntimeError(f"the CTranslate2 conversion generates {tok.decode(b)!r} where transformers generates "
                           f"{tok.decode(a)!r} for {PROBE_SOURCE!r}")
    return result


def _compare(ref, got, what, tolerance: float | None = None) -> dict:
    tolerance = CHECK_TOLERANCE if tolerance is None else tolerance
    if len(ref) != len(got):
        raise RuntimeError(f"{what} check: {len(got)} scores from the conversion, {len(ref)} from transformers")
    for name, values in (("transformers", ref), ("the CTranslate2 conversion", got)):
        bad = [v for v in values if not math.isfinite(v)]
        if bad:
            raise RuntimeError(f"{what} check: {name} gives non-finite log-probabilities ({bad[0]}) on the probe text")
    diff = max(abs(a - b) for a, b in zip(ref, got))
    if diff > tolerance:
        raise RuntimeError(f"{what} check: the CTranslate2 conversion differs from transformers by {diff:.4g} "
                           f"nats on a token (total {sum(got):.3f} vs {sum(ref):.3f}; tolerance {tolerance})")
    return {"probe_tokens": len(ref), "max_token_diff": round(diff, 7), "total_torch": round(sum(ref), 5),
            "total_ct2": round(sum(got), 5)}


def _model_type(hf_dir: Path) -> str:
    cfg = json.loads((hf_dir / "config.json").read_text(encoding="utf-8"))
    return "seq2seq" if cfg.get("is_encoder_decoder") else "causal"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m repair.lm_convert", description=__doc__.split("\n\n")[0])
    ap.add_argument("--kind", choices=["hf", "ct2", "ct2-int8"], required=True)
    ap.add_argument("--gguf", help="a GGUF file to convert")
    ap.add_argument("--dir", help="a local transformers checkpoint directory to convert (ct2 only)")
    ap.add_argument("--out", required=True, help="the output directory (created; must not exist)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=False)
    int8 = args.kind == "ct2-int8"
    report: dict = {}
    if args.gguf:
        model, tokenizer = dequantize_gguf(Path(args.gguf))
        if args.kind == "hf":
            save_hf(model, tokenizer, out)
        else:
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-hf-", dir=out.parent))
            try:
                save_hf(model, tokenizer, tmp)
                convert_ct2(tmp, out, "int8" if int8 else None)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            report["check"] = check_causal(model, out, int8=int8)
    elif args.dir and args.kind in ("ct2", "ct2-int8"):
        src = Path(args.dir)
        convert_ct2(src, out, "int8" if int8 else None)
        if _model_type(src) == "seq2seq":
            report["check"] = check_seq2seq(src, out)
        else:
            from transformers import AutoModelForCausalLM

            with _quiet():
                model = AutoModelForCausalLM.from_pretrained(str(src), local_files_only=True, use_safetensors=True,
                                                             trust_remote_code=False)
            report["check"] = check_causal(model, out, int8=int8)
    else:
        ap.error("give --gguf, or --dir with --kind ct2")
    from importlib import metadata

    report["versions"] = {}
    for pkg in ("ctranslate2", "transformers", "torch"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            report["versions"][pkg] = metadata.version(pkg)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
