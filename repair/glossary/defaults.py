"""Where the shipped glossaries live, in an installed wheel and in a source checkout."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from .load import load_glossary
from .regexes import save_cache
from .rules import Glossary

GLOSSARY_SUFFIXES = (".yaml", ".yml", ".tsv", ".csv")


def shipped_glossary_dir() -> Path:
    """The directory of the default glossaries: ``repair/data/glossaries`` in a wheel,
    the top-level ``glossaries/`` in a source checkout or editable install."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "data" / "glossaries", here.parent / "glossaries"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the shipped glossaries are missing from this installation")


def default_glossary_paths() -> list[Path]:
    d = shipped_glossary_dir()
    return sorted(p for p in d.iterdir() if p.suffix in GLOSSARY_SUFFIXES)


def load_glossaries(extra: Iterable[str | Path] = (), defaults: bool = True) -> Sequence[Glossary]:
    """The default glossaries (unless ``defaults`` is false) followed by ``extra`` files."""
    shipped = [load_glossary(p, display=f"glossaries/{p.name}") for p in default_glossary_paths()] if defaults else []
    loaded = shipped + [load_glossary(p) for p in extra]
    save_cache()  # the regex analyses of this start-up, for the next one
    return loaded
