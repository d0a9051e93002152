"""A small cache of what glossaries cost to derive, kept between runs as JSON (never pickle).

Two kinds of entries, both verified before use and rebuilt when they do not verify:

- ``yaml-SHA256.json``: a large YAML glossary as parsed (every mapping with its line), keyed
  by the sha256 of the file's bytes, so a changed file can never be read from a stale entry;
- ``regex-analyses-vN.json``: what :func:`repair.glossary.regexes.analyse` found for each
  pattern, keyed by the pattern's text and flags.

Each file records the format version and the Python version, and a sha256 of its own
payload, so that a file cut short or edited by hand is ignored. The directory is
``$MT_REPAIR_CACHE/glossary`` (or ``$XDG_CACHE_HOME/mt-repair/glossary``, or platformdirs'
user cache directory), as for the judge's converted model; ``MT_REPAIR_NO_GLOSSARY_CACHE=1``
turns it off. At most :data:`MAX_DOCUMENTS` parsed documents are kept (the oldest go).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from pathlib import Path

FORMAT = 1
MAX_DOCUMENTS = 16
#: YAML files smaller than this parse fast enough: not cached.
MIN_YAML_BYTES = 64 * 1024


def cache_dir() -> Path | None:
    if os.environ.get("MT_REPAIR_NO_GLOSSARY_CACHE"):
        return None
    root = os.environ.get("MT_REPAIR_CACHE") or (
        os.path.join(os.environ["XDG_CACHE_HOME"], "mt-repair") if os.environ.get("XDG_CACHE_HOME") else None)
    if root is None:
        try:
            import platformdirs

            root = platformdirs.user_cache_dir("mt-repair")
        except Exception:  # noqa: BLE001 - no cache rather than no glossary
            return None
    return Path(root) / "glossary"


def stamp() -> str:
    return f"{FORMAT}/py{sys.version_info[0]}.{sys.version_info[1]}"


def read(name: str, stamp_extra: str = ""):
    """The payload stored under ``name``, or None (missing, stale, damaged)."""
    d = cache_dir()
    if d is None:
        return None
    try:
        data = json.loads((d / name).read_text(encoding="utf-8"))
        if data.get("stamp") != stamp() + stamp_extra:
            return None
        payload = data["payload"]
        if data.get("sha256") != _digest(payload):
            return None
        return json.loads(payload)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write(name: str, value, stamp_extra: str = "") -> None:
    """Store ``value`` (JSON-serialisable) under ``name``, atomically; errors are ignored."""
    d = cache_dir()
    if d is None:
        return
    try:
        payload = json.dumps(value, ensure_ascii=False)
        blob = json.dumps({"stamp": stamp() + stamp_extra, "sha256": _digest(payload), "payload": payload},
                          ensure_ascii=False)
        from ..io.atomic import write_atomic

        d.mkdir(parents=True, exist_ok=True)
        write_atomic(d / name, blob.encode("utf-8", "surrogatepass"))
    except (OSError, ValueError, TypeError):
        pass


def prune(prefix: str, keep: int = MAX_DOCUMENTS) -> None:
    """Remove all but the ``keep`` newest entries whose name starts with ``prefix``."""
    d = cache_dir()
    if d is None:
        return
    with contextlib.suppress(OSError):
        entries = sorted(d.glob(prefix + "*"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[keep:]:
            with contextlib.suppress(OSError):
                old.unlink()


def _digest(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def json_safe(value) -> bool:
    """Whether ``value`` comes back from JSON as it is (string keys, JSON scalars only)."""
    stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is dict:
            for k, x in v.items():
                if type(k) is not str:
                    return False
                stack.append(x)
        elif t is list:
            stack.extend(v)
        elif t not in (str, int, float, bool) and v is not None:
            return False
    return True
