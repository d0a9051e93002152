"""The regex analyses of the shipped glossaries, computed when the glossaries change and
shipped with them, so that no machine's first run pays for them.

Loading the shipped glossaries analyses some 3,000 regular expressions (their required
literals, reach, the linear-time check: repair.glossary.regexes), about 1.5 s of CPU. A
user's cache keeps that for later runs, but the first run on each machine, and the first
after each upgrade, would pay it. So ``glossaries/regex-analyses.json`` holds them, one
per line, for the Python version and analysis version that wrote it; any other version
ignores the file and analyses as before. A pattern the file lacks (a rule edited since) is
analysed when it loads, so a stale file costs time, never a wrong answer: entries are
keyed by the pattern's text and flags. ``tests/test_glossary_engine.py`` fails when the
file is not what a fresh analysis gives. Rewrite it after changing a shipped rule::

    python -m repair.glossary.shipped            # rewrite glossaries/regex-analyses.json
    python -m repair.glossary.shipped --check    # exit 1 (and say why) when it is out of date
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from . import regexes

FILE_NAME = "regex-analyses.json"


def stamp() -> str:
    """What the file must say to be used: the analysis version and this Python's version
    (the regex parser it reads patterns with)."""
    return f"v{regexes.CACHE_VERSION}/py{sys.version_info[0]}.{sys.version_info[1]}"


def path() -> Path | None:
    from .defaults import shipped_glossary_dir

    try:
        return shipped_glossary_dir() / FILE_NAME
    except FileNotFoundError:
        return None


def read_analyses(where: Path | None = None) -> dict:
    """The shipped analyses by (pattern, flags); empty when the file is missing, damaged or
    written for another version."""
    where = where or path()
    if where is None:
        return {}
    try:
        lines = where.read_text(encoding="utf-8").splitlines()
        if not lines or json.loads(lines[0]).get("stamp") != stamp():
            return {}
        return regexes.from_entries(json.loads(line) for line in lines[1:])
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def shipped_patterns() -> list[tuple[str, int]]:
    """Every (pattern, flags) that loading the shipped glossaries analyses, sorted."""
    from .defaults import load_glossaries
    from .load import rule_patterns

    return sorted({key for g in load_glossaries() for r in g.rules for key in rule_patterns(r)})


def fresh_entries() -> list[list]:
    """The analyses of every shipped pattern, computed now (no memo, no cache)."""
    return [regexes.to_entry(p, f, regexes.fresh_analysis(p, f)) for p, f in shipped_patterns()]


def render(entries: list[list]) -> str:
    head = {"stamp": stamp(), "what": "regex analyses of the shipped glossaries; python -m repair.glossary.shipped"}
    return "\n".join([json.dumps(head)] + [json.dumps(e, ensure_ascii=False) for e in entries]) + "\n"


def differences(where: Path | None = None) -> list[str]:
    """Why the shipped file is not what a fresh analysis gives (empty: it is current)."""
    where = where or path()
    if where is None or not where.is_file():
        return [f"{FILE_NAME} is missing"]
    try:
        head = json.loads(where.read_text(encoding="utf-8").splitlines()[0])
    except (OSError, ValueError, IndexError):
        return [f"{where} is not a file of analyses"]
    if head.get("stamp") != stamp():
        return [f"{where} was written for {head.get('stamp')}, this is {stamp()}"]
    stored = read_analyses(where)
    fresh = regexes.from_entries(fresh_entries())
    out = [f"missing: {p!r}" for p, f in fresh.keys() - stored.keys()]
    out += [f"no longer shipped: {p!r}" for p, f in stored.keys() - fresh.keys()]
    out += [f"changed: {k[0]!r}" for k in fresh.keys() & stored.keys() if fresh[k] != stored[k]]
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    where = path()
    if where is None:
        print("the shipped glossaries are missing from this installation", file=sys.stderr)
        return 2
    if argv == ["--check"]:
        found = differences(where)
        for line in found[:20]:
            print(line)
        if found:
            print(f"{len(found)} differences: run python -m repair.glossary.shipped", file=sys.stderr)
        return 1 if found else 0
    if argv:
        print(__doc__.split("::")[-1].rstrip(), file=sys.stderr)
        return 2
    entries = fresh_entries()
    from ..io.atomic import write_atomic

    write_atomic(where, render(entries).encode("utf-8"))
    print(f"{where}: {len(entries)} analyses ({stamp()})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
