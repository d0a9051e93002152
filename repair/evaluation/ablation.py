"""Stages of an ablation, each a pipeline configuration, run over a dataset.

The standard stages are built from :class:`~repair.config.RepairConfig` options, so a
stage that another part of the pipeline adds needs no change here:

- ``none``: the identity (the source as it is);
- ``glossary``: the default configuration with ``use_model=False, use_judge=False``;
- ``full``: the default configuration (``DEFAULT_CONFIG``) with whatever it enables.

Further stages are ``NAME:OPTION=VALUE,...`` specs (options of RepairConfig applied to
the default configuration), e.g. ``judge:use_model=false,use_judge=true`` or
``house:glossaries=house.yaml``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields
from typing import Sequence

from .. import config as _config
from ..config import RepairConfig
from ..edit import Repaired
from ..glossary import GlossaryError
from ..pipeline import get_repairer

STANDARD_STAGES = ("none", "glossary", "full")
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-+")


class StageError(ValueError):
    """A stage that cannot be named, parsed or built."""


@dataclass(frozen=True)
class Stage:
    """A named pipeline configuration; ``config=None`` is the identity."""

    name: str
    config: RepairConfig | None = None

    def options(self) -> dict | None:
        """The configuration's options that differ from the default one (None for the identity)."""
        if self.config is None:
            return None
        default = _config.DEFAULT_CONFIG
        return {f.name: _jsonable(getattr(self.config, f.name)) for f in fields(self.config)
                if getattr(self.config, f.name) != getattr(default, f.name)}

    def run(self, texts: Sequence[str], on_record=None) -> "StageRun":
        """Repair ``texts`` with this stage's configuration (the Repairer is built once and
        cached); ``on_record``, when given, is called after each text (for progress)."""
        if self.config is None:
            return StageRun(self, [Repaired(t) for t in texts], "identity", {})
        try:
            repairer = get_repairer(self.config)
        except GlossaryError:
            raise
        except Exception as exc:  # a stage that cannot load its models
            raise StageError(f"stage {self.name!r} could not be built: {exc}") from exc
        rules = getattr(getattr(repairer, "glossary", None), "rules", ())
        categories = {r.id: r.category for r in rules}
        results = []
        for t in texts:
            results.append(repairer.repair(t))
            if on_record is not None:
                on_record()
        return StageRun(self, results, repairer.signature(), categories)


@dataclass
class StageRun:
    """What a stage made of each text, with the pipeline's signature."""

    stage: Stage
    results: list[Repaired]
    signature: str
    rule_categories: dict = field(default_factory=dict)

    @property
    def outputs(self) -> list[str]:
        return [r.text for r in self.results]


def _jsonable(value):
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    return list(value) if isinstance(value, tuple) else value


def standard_stage(name: str, **options) -> Stage:
    """One of :data:`STANDARD_STAGES`, with ``options`` (RepairConfig fields) applied to it."""
    base = _config.DEFAULT_CONFIG
    if name == "none":
        return Stage("none")
    if name == "glossary":
        cfg = base.with_options(**options).with_options(use_model=False, use_judge=False)
        return Stage("glossary", cfg)
    if name == "full":
        return Stage("full", base.with_options(**options))
    raise StageError(f"unknown stage {name!r}: the standard stages are {', '.join(STANDARD_STAGES)}; "
                     f"define others as NAME:OPTION=VALUE,...")


def parse_stage(spec: str, **options) -> Stage:
    """A stage from ``NAME`` (a standard stage) or ``NAME:OPTION=VALUE,...``.

    Values are read by the type of the option's default: booleans from true/false,
    numbers, ``none`` for an unset optional value; a tuple option (``glossaries``)
    collects every value given for it. ``options`` apply first (e.g. extra glossaries
    for every stage).

    >>> parse_stage("house:glossaries=a.yaml,glossaries=b.tsv,batch_size=4").config.glossaries
    ('a.yaml', 'b.tsv')
    >>> parse_stage("noglossary:default_glossaries=false").options()
    {'default_glossaries': False}
    """
    name, sep, rest = spec.partition(":")
    name = name.strip()
    if not name or not set(name) <= _NAME_CHARS:
        raise StageError(f"bad stage name {name!r} in {spec!r}: use letters, digits and _ . - +")
    if not sep:
        return standard_stage(name, **options)
    default = _config.DEFAULT_CONFIG
    known = {f.name for f in fields(default)}
    values: dict = dict(options)
    lists: dict[str, list] = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, raw = item.partition("=")
        key = key.strip()
        if not eq:
            raise StageError(f"stage {name!r}: expected OPTION=VALUE, got {item!r}")
        if key not in known:
            raise StageError(f"stage {name!r}: unknown option {key!r} (known: {', '.join(sorted(known))})")
        current = getattr(default, key)
        if not isinstance(current, (tuple, bool, int, float, str, type(None))):
            raise StageError(f"stage {name!r}: {key} cannot be set in a stage spec; build the Stage in Python")
        if isinstance(current, tuple):
            lists.setdefault(key, []).append(raw.strip())
        else:
            optional = "None" in str(next(f.type for f in fields(default) if f.name == key))
            values[key] = _convert(name, key, raw.strip(), current, optional)
    for key, items in lists.items():
        values[key] = tuple(options.get(key, ())) + tuple(items)
    try:
        return Stage(name, default.with_options(**values))
    except TypeError as exc:
        raise StageError(f"stage {name!r}: {exc}") from None


def _convert(stage: str, key: str, raw: str, current, optional: bool = False):
    low = raw.lower()
    if low == "none" and optional:
        return None
    if isinstance(current, bool):
        if low in ("true", "yes", "1", "on"):
            return True
        if low in ("false", "no", "0", "off"):
            return False
        raise StageError(f"stage {stage!r}: {key} takes true or false, not {raw!r}")
    if low == "none" and not isinstance(current, (int, float)):
        return None
    if isinstance(current, int):
        try:
            return int(raw)
        except ValueError:
            raise StageError(f"stage {stage!r}: {key} takes a whole number, not {raw!r}") from None
    if isinstance(current, float):
        try:
            return float(raw)
        except ValueError:
            raise StageError(f"stage {stage!r}: {key} takes a number, not {raw!r}") from None
    return raw


def resolve_stages(names: Sequence[str | Stage] = STANDARD_STAGES, extra: Sequence[str | Stage] = (),
                   **options) -> list[Stage]:
    """Stages from names or specs (or :class:`Stage` objects), then ``extra`` ones; names must
    be unique. ``options`` (RepairConfig fields, e.g. ``glossaries``) apply to every
    stage but the identity."""
    stages = [s if isinstance(s, Stage) else parse_stage(s, **options) for s in [*names, *extra]]
    seen: set[str] = set()
    for s in stages:
        if s.name in seen:
            raise StageError(f"stage {s.name!r} is named twice")
        seen.add(s.name)
    if not stages:
        raise StageError("no stages to run")
    return stages
