"""The families' word lists: YAML files in ``repair/data/families/``, read with line numbers.

Every string read from a list remembers the line it came from (:class:`Entry`), so that a
proposal can name the entry that fired as its ``origin`` (``repair/data/families/x.yaml:12``),
as glossary rules do. Mappings carry their line under ``__line__``.

A mapping with ``fix`` and/or ``keep`` keys anywhere in a file holds examples of the
pattern it describes (see :func:`examples`):

- ``fix``: ``{in: ..., out: ...}``: the family must propose exactly ``out`` among its
  candidates (the best guess or an alternative of one proposal, or all best guesses
  together);
- ``keep``: a string: correct text on which the family proposes nothing; or
  ``{text: ..., judge: reject}``: a look-alike the generator cannot tell apart cheaply,
  which it may propose, but which the real judge must reject.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "families"
#: how origins name the data files (relative to the repository / the installed package)
DISPLAY_DIR = "repair/data/families"


class Entry(str):
    """A string from a word list, with the file and line it came from."""

    line: int = 0
    file: str = ""

    @property
    def origin(self) -> str:
        return f"{DISPLAY_DIR}/{self.file}:{self.line}"


class _Loader(yaml.SafeLoader):
    """Scalars become :class:`Entry` (with their line), mappings get ``__line__``."""


def _str(loader, node):
    e = Entry(loader.construct_scalar(node))
    e.line = node.start_mark.line + 1
    e.file = loader.name_for_origin
    return e


def _map(loader, node, deep=False):
    m = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
    # keys are plain strings (Entry compares and hashes as str)
    m = {str(k): v for k, v in m.items()}
    m["__line__"] = node.start_mark.line + 1
    return m


# YAML 1.1 reads on/off/yes/no as booleans; in word lists "on" is a preposition: only
# true/false are booleans here
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))
_Loader.add_constructor("tag:yaml.org,2002:str", _str)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _map)


class WordListError(ValueError):
    """A family word list that cannot be used; the message names file and line."""


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    """The parsed word list ``repair/data/families/<name>.yaml``."""
    path = DATA_DIR / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    loader = _Loader(text)
    loader.name_for_origin = path.name
    try:
        doc = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise WordListError(f"{DISPLAY_DIR}/{path.name}:{mark.line + 1 if mark else '?'}: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(doc, dict):
        raise WordListError(f"{DISPLAY_DIR}/{path.name}: a family word list is a mapping")
    return doc


def origin(name: str, item) -> str:
    """``file:line`` of an entry (an :class:`Entry` or a mapping read from ``name``)."""
    if isinstance(item, Entry):
        return item.origin
    if isinstance(item, dict) and "__line__" in item:
        return f"{DISPLAY_DIR}/{name}.yaml:{item['__line__']}"
    return f"{DISPLAY_DIR}/{name}.yaml"


def strings(value) -> list[Entry]:
    """A string or a list of strings, as a list (empty for None)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)]


@dataclass(frozen=True)
class Example:
    """One fix or keep example of a family word list."""

    family: str
    file: str
    line: int
    text: str
    expected: str | None = None  # fix examples
    judge_rejects: bool = False  # keep examples the generator may propose, the judge must reject

    @property
    def origin(self) -> str:
        return f"{DISPLAY_DIR}/{self.file}:{self.line}"


def data_files() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.glob("*.yaml"))


def examples(name: str) -> list[Example]:
    """Every fix and keep example in word list ``name``; they belong to the family named by
    the file's ``family`` key (or an entry's own ``family`` key)."""
    doc = load(name)
    out: list[Example] = []

    def walk(node, family):
        if isinstance(node, dict):
            family = str(node.get("family", family)) if node.get("family") else family
            # a pattern switched off (``off: reason``) proposes nothing: its fix examples stay
            # as documentation, its keep examples still hold
            for ex in ([] if node.get("off") else node.get("fix") or []):
                if not (isinstance(ex, dict) and isinstance(ex.get("in"), str) and isinstance(ex.get("out"), str)):
                    raise WordListError(f"{origin(name, node)}: each 'fix' example is {{in: ..., out: ...}}")
                out.append(Example(family, f"{name}.yaml", ex["__line__"], str(ex["in"]), str(ex["out"])))
            for ex in node.get("keep") or []:
                if isinstance(ex, str):
                    out.append(Example(family, f"{name}.yaml", getattr(ex, "line", 0), str(ex)))
                elif isinstance(ex, dict) and isinstance(ex.get("text"), str) and ex.get("judge") == "reject":
                    out.append(Example(family, f"{name}.yaml", ex["__line__"], str(ex["text"]), judge_rejects=True))
                else:
                    raise WordListError(f"{origin(name, node)}: each 'keep' example is a string "
                                        f"or {{text: ..., judge: reject}}")
            for k, v in node.items():
                if k not in ("fix", "keep"):
                    walk(v, family)
        elif isinstance(node, list):
            for v in node:
                walk(v, family)

    walk(doc, str(doc.get("family") or ""))
    return out
