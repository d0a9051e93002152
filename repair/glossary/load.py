"""Reading glossary files: two-column TSV/CSV (DeepL/Google convention) and rich YAML.

Every problem is a :class:`GlossaryError` that names the file and line.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import yaml

from . import cache
from .regexes import ENGINES, analyse, engine_for
from .rules import CASE_MODES, SCOPES, Example, Glossary, GlossaryError, Rule

RULE_KEYS = {
    "id", "match", "regex", "replace", "alternatives", "case", "scope", "triggers",
    "unless_near", "unless", "unless_regex", "window", "judge", "judge_when_held", "enabled", "priority",
    "category", "description", "fix", "keep", "note", "engine",
}
HEADER_KEYS = {"name", "version", "description", "language", "licence", "license", "engine"}
_ID = re.compile(r"^[A-Za-z0-9_.:-]+$")


def load_glossary(path: str | Path, display: str | None = None) -> Glossary:
    """Load one glossary file, choosing the format by extension (.yaml/.yml, .tsv, .csv, .txt).

    ``display`` is the name that edits and errors use for the file (default: the path)."""
    path = Path(path)
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise GlossaryError(str(path), None, f"cannot read glossary: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise GlossaryError(str(path), line, f"invalid UTF-8 at byte {exc.start}") from None
    sha = hashlib.sha256(raw).hexdigest()
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return parse_yaml(text, name, sha, cache_key=sha if len(raw) >= cache.MIN_YAML_BYTES else None)
    if suffix in (".tsv", ".txt"):
        return parse_table(text, name, sha, delimiter="\t")
    if suffix == ".csv":
        return parse_table(text, name, sha, delimiter=",")
    raise GlossaryError(str(path), None, f"unknown glossary format {suffix!r} (use .yaml, .tsv or .csv)")


def parse_table(text: str, path: str, sha: str, delimiter: str) -> Glossary:
    """Two columns, wrong term then right term, no header. Blank lines and lines starting
    with ``#`` are skipped. Each row becomes a whole-word rule with case carried over."""
    name = Path(path).stem
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        quoting=csv.QUOTE_MINIMAL if delimiter == "," else csv.QUOTE_NONE)
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
                continue
            if len(row) != 2:
                raise GlossaryError(path, line, f"expected 2 columns (wrong term, right term), found {len(row)}")
            wrong, right = row[0].strip(), row[1].strip()
            if not wrong:
                raise GlossaryError(path, line, "empty source term")
            key = wrong.casefold()
            if key in seen:
                raise GlossaryError(path, line, f"term {wrong!r} already defined on line {seen[key]}")
            seen[key] = line
            rules.append(Rule(id=f"{name}:{line}", replace=right, phrases=(wrong,), path=path,
                              line=line, glossary=name, category="glossary"))
    except csv.Error as exc:
        raise GlossaryError(path, reader.line_num, f"malformed row: {exc}") from None
    return Glossary(name=name, path=path, sha256=sha, rules=tuple(rules))


#: libyaml's C parser when PyYAML was built with it (the usual wheels are), else the Python one:
#: the C parser reads the shipped glossaries about 15 times faster.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):
    """A YAML loader that records the line of every mapping under the key ``__line__``."""


def _construct_mapping(loader, node, deep=False):
    mapping = _BaseLoader.construct_mapping(loader, node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Fallback(Exception):
    """YAML that the fast reader leaves to PyYAML's full loader (anchors, aliases, tags)."""


#: The first characters of plain scalars that YAML 1.1 may read as something other than a
#: string (bool, null, int, float, timestamp, merge, value): only those need PyYAML's resolver.
_MAYBE_NOT_STR = set("yYnNtTfFoO~-+0123456789.<=")


def load_yaml(text: str):
    """``yaml.load(text, Loader=_LineLoader)`` (every mapping with its ``__line__``), built
    straight from libyaml's events rather than through PyYAML's node graph and
    constructors: about seven times faster on large glossaries (bench/bench_glossary.py
    --loading). Documents with anchors, aliases or explicit tags go to the full loader."""
    if _BaseLoader is yaml.SafeLoader:  # no libyaml: the pure-Python loader either way
        return yaml.load(text, Loader=_LineLoader)
    try:
        return _events_to_data(text)
    except _Fallback:
        return yaml.load(text, Loader=_LineLoader)


def _events_to_data(text: str):
    loader = _BaseLoader(text)
    resolver = yaml.resolver.Resolver()
    constructor = yaml.constructor.SafeConstructor()
    stack: list = []  # containers being built; for a mapping, [dict, pending key or _NO_KEY]
    root = None
    documents = 0
    get = loader.get_event
    Scalar, MStart, MEnd = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.MappingEndEvent
    SStart, SEnd = yaml.SequenceStartEvent, yaml.SequenceEndEvent
    try:
        while True:
            ev = get()
            cls = type(ev)
            if cls is Scalar:
                if ev.anchor is not None or (ev.tag is not None and ev.tag != "!"):
                    raise _Fallback
                value = ev.value
                if ev.implicit[0] and (not value or value[0] in _MAYBE_NOT_STR):
                    tag = resolver.resolve(yaml.ScalarNode, value, ev.implicit)
                    if tag != "tag:yaml.org,2002:str":
                        if tag == "tag:yaml.org,2002:merge":
                            raise _Fallback
                        node = yaml.ScalarNode(tag, value, ev.start_mark, ev.end_mark, ev.style)
                        value = constructor.construct_object(node, deep=True)
            elif cls is MStart:
                if ev.anchor is not None or (ev.tag is not None and ev.tag != "!"):
                    raise _Fallback
                stack.append([{}, _NO_KEY, ev.start_mark.line + 1])
                continue
            elif cls is SStart:
                if ev.anchor is not None or (ev.tag is not None and ev.tag != "!"):
                    raise _Fallback
                stack.append([[], None, None])
                continue
            elif cls is MEnd:
                container, _, line = stack.pop()
                container["__line__"] = line
                value = container
            elif cls is SEnd:
                value = stack.pop()[0]
            elif cls is yaml.AliasEvent:
                raise _Fallback
            elif cls is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Fallback  # the full loader says what is wrong
                continue
            elif cls is yaml.StreamEndEvent:
                break
            else:
                continue
            # put the value in its container
            if not stack:
                root = value
                continue
            top = stack[-1]
            if isinstance(top[0], list):
                top[0].append(value)
            elif top[1] is _NO_KEY:
                try:
                    hash(value)
                except TypeError:
                    raise _Fallback from None
                top[1] = value
            else:
                top[0][top[1]] = value
                top[1] = _NO_KEY
    finally:
        loader.dispose()
    return root


_NO_KEY = object()


def _load_yaml_cached(text: str, key: str | None):
    """:func:`load_yaml`, from the glossary cache when this file (by its sha256) was parsed
    before; a document that JSON cannot carry as it is is not cached."""
    if key is None:
        return load_yaml(text)
    name = f"yaml-{key}.json"
    doc = cache.read(name, "/yaml1")
    if doc is not None:
        return doc
    doc = load_yaml(text)
    if cache.json_safe(doc):
        cache.write(name, doc, "/yaml1")
        cache.prune("yaml-")
    return doc


def parse_yaml(text: str, path: str, sha: str, cache_key: str | None = None) -> Glossary:
    try:
        doc = _load_yaml_cached(text, cache_key)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise GlossaryError(path, line, f"YAML syntax error: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        raise GlossaryError(path, 1, "a YAML glossary is a mapping with a 'rules' list")
    header = doc.get("glossary") or {}
    if not isinstance(header, dict):
        raise GlossaryError(path, 1, "'glossary' must be a mapping")
    unknown = set(header) - HEADER_KEYS - {"__line__"}
    if unknown:
        raise GlossaryError(path, header.get("__line__"), f"unknown glossary keys: {sorted(unknown)}")
    name = str(header.get("name") or Path(path).stem)
    engine = header.get("engine", "linear")
    if engine not in ENGINES:
        raise GlossaryError(path, header.get("__line__"), f"'engine' must be one of {ENGINES}")
    rules, seen = [], {}
    for item in doc["rules"]:
        if not isinstance(item, dict):
            raise GlossaryError(path, None, f"each rule must be a mapping, found {item!r}")
        rule = _rule_from_yaml(item, path, name, engine)
        if rule.id in seen:
            raise GlossaryError(path, rule.line, f"duplicate rule id {rule.id!r} (first on line {seen[rule.id]})")
        seen[rule.id] = rule.line
        rules.append(rule)
    return Glossary(name=name, path=path, sha256=sha, rules=tuple(rules),
                    version=str(header.get("version", "")), description=str(header.get("description", "")))


def _strings(item: dict, key: str, path: str, line: int) -> tuple[str, ...]:
    value = item.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise GlossaryError(path, line, f"'{key}' must be a non-empty string or a list of them")
    return tuple(value)


def rule_patterns(rule) -> list[tuple[str, int]]:
    """The (pattern, flags) of a rule that loading it analyses: its regex and its
    ``unless_regex`` patterns."""
    found = [(rule.regex, rule.flags)] if rule.regex is not None else []
    return found + [(p, 0) for p in rule.unless_regex]


def check_regex(pattern: str, flags: int, engine: str, path: str, line: int, what: str,
                empty_ok: bool = False) -> None:
    """Raise GlossaryError (naming ``path`` and ``line``) for a regex that does not parse,
    that can match the empty string (unless ``empty_ok``), or that the rule's ``engine``
    may not run (see :mod:`repair.glossary.regexes`)."""
    try:
        analysis = analyse(pattern, flags)
    except re.error as exc:
        raise GlossaryError(path, line, f"{what}: bad regex {pattern!r}: {exc}") from None
    if analysis.error:
        raise GlossaryError(path, line, f"{what}: bad regex {pattern!r}: {analysis.error}")
    if analysis.min_width == 0 and not empty_ok:
        raise GlossaryError(path, line, f"{what}: regex {pattern!r} can match the empty string, so it would put its "
                                        f"replacement at every place it matches nothing; make it match at least one "
                                        f"character")
    try:
        engine_for(pattern, flags, engine)
    except ValueError as exc:
        raise GlossaryError(path, line, f"{what}: regex {pattern!r}: {exc}") from None


def _rule_from_yaml(item: dict, path: str, glossary: str, engine: str = "linear") -> Rule:
    line = item.get("__line__", 0)
    unknown = set(item) - RULE_KEYS - {"__line__"}
    if unknown:
        raise GlossaryError(path, line, f"unknown rule keys: {sorted(unknown)}")
    rid = item.get("id")
    if not isinstance(rid, str) or not _ID.match(rid):
        raise GlossaryError(path, line, "every rule needs an 'id' of letters, digits and _.:-")
    phrases = _strings(item, "match", path, line)
    regex = item.get("regex")
    if bool(phrases) == (regex is not None):
        raise GlossaryError(path, line, f"rule {rid}: give exactly one of 'match' or 'regex'")
    if regex is not None and (not isinstance(regex, str) or not regex):
        raise GlossaryError(path, line, f"rule {rid}: 'regex' must be a non-empty string")
    engine = item.get("engine", engine)
    if engine not in ENGINES:
        raise GlossaryError(path, line, f"rule {rid}: 'engine' must be one of {ENGINES}")
    replace = item.get("replace")
    if not isinstance(replace, str):
        raise GlossaryError(path, line, f"rule {rid}: 'replace' must be a string (\"\" deletes)")
    case = item.get("case", "exact" if regex is not None else "carry")
    if case not in CASE_MODES:
        raise GlossaryError(path, line, f"rule {rid}: 'case' must be one of {CASE_MODES}")
    scope = item.get("scope", "span")
    if scope not in SCOPES:
        raise GlossaryError(path, line, f"rule {rid}: 'scope' must be one of {SCOPES}")
    window = item.get("window", "sentence")
    if window == "sentence":
        window = None
    elif not isinstance(window, int) or isinstance(window, bool) or window < 1:
        raise GlossaryError(path, line, f"rule {rid}: 'window' must be 'sentence' or a positive number of words")
    if regex is not None:
        check_regex(regex, re.MULTILINE | (0 if case == "exact" else re.IGNORECASE), engine, path, line, f"rule {rid}")
    unless_regex = _strings(item, "unless_regex", path, line)
    for pattern in unless_regex:
        check_regex(pattern, 0, engine, path, line, f"rule {rid}: unless_regex", empty_ok=True)
    for flag in ("judge", "judge_when_held", "enabled"):
        if flag in item and not isinstance(item[flag], bool):
            raise GlossaryError(path, line, f"rule {rid}: '{flag}' must be true or false")
    priority = item.get("priority", 0)
    if not isinstance(priority, int):
        raise GlossaryError(path, line, f"rule {rid}: 'priority' must be an integer")
    return Rule(
        id=rid, replace=replace, phrases=phrases, regex=regex,
        alternatives=_strings(item, "alternatives", path, line), case=case, scope=scope,
        triggers=_strings(item, "triggers", path, line),
        unless_near=_strings(item, "unless_near", path, line),
        unless=_strings(item, "unless", path, line), unless_regex=unless_regex,
        window=window, engine=engine, judge=item.get("judge", False), judge_when_held=item.get("judge_when_held", False),
        enabled=item.get("enabled", True),
        priority=priority, category=str(item.get("category", "other")),
        description=str(item.get("description", "")),
        fix=_examples(item.get("fix"), path, line, rid, fixing=True),
        keep=_examples(item.get("keep"), path, line, rid, fixing=False),
        path=path, line=line, glossary=glossary,
    )


def _examples(value, path: str, line: int, rid: str, fixing: bool) -> tuple[Example, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise GlossaryError(path, line, f"rule {rid}: examples must be a list")
    out = []
    for ex in value:
        if fixing:
            if not (isinstance(ex, dict) and isinstance(ex.get("in"), str) and isinstance(ex.get("out"), str)):
                raise GlossaryError(path, line, f"rule {rid}: each 'fix' example is {{in: ..., out: ...}}")
            out.append(Example(ex["in"], ex["out"]))
        else:
            if not isinstance(ex, str):
                raise GlossaryError(path, line, f"rule {rid}: each 'keep' example is a string")
            out.append(Example(ex))
    return tuple(out)
