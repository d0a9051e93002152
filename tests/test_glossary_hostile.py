"""Glossaries from users are untrusted input (issue 12, cases 11-13): catastrophic regexes,
rules that match the empty string, very large glossaries."""
from __future__ import annotations

import json
import re
import time

import pytest
import yaml
from click.testing import CliRunner

from repair.cli import main
from repair.glossary import CompiledGlossary, GlossaryError, load_glossaries, load_glossary
from repair.glossary.regexes import ENGINES, analyse, compiled, engine_for


def glossary_file(tmp_path, rules: str, header: str = "", name: str = "user.yaml"):
    path = tmp_path / name
    path.write_text(f"glossary:\n  name: user\n{header}rules:\n{rules}", encoding="utf-8")
    return path


def propose(path, text):
    return CompiledGlossary([load_glossary(path)]).propose(text)


# -- 11. catastrophic regexes ------------------------------------------------------------------------
def test_a_catastrophic_user_regex_runs_in_linear_time(tmp_path):
    path = glossary_file(tmp_path, '  - id: CATASTROPHIC\n    regex: "(a+)+$"\n    replace: "x"\n')
    text = "a" * 40 + "b"  # 2^40 steps for a backtracking engine
    t = time.perf_counter()
    proposals, _ = propose(path, text)
    assert time.perf_counter() - t < 5
    assert proposals == []
    assert engine_for("(a+)+$", re.MULTILINE, "linear") == "re2"
    long_text = "a" * 200_000 + "b"
    t = time.perf_counter()
    propose(path, long_text)
    assert time.perf_counter() - t < 5


def test_a_catastrophic_regex_that_needs_backtracking_is_refused_unless_opted_in(tmp_path):
    rule = '  - id: SLOW\n    regex: "(a|aa)+(?=b)"\n    replace: "y"\n'
    path = glossary_file(tmp_path, rule)
    with pytest.raises(GlossaryError) as err:
        load_glossary(path)
    message = str(err.value)
    assert message.startswith(f"{path}:4: rule SLOW: regex")
    assert "more than linear time" in message and "engine: backtracking" in message
    # the author opts in: it runs with a time limit per text, and says so
    opted = glossary_file(tmp_path, rule + "    engine: backtracking\n", name="opted.yaml")
    # 2^60 ways to fail after the first match; "ab" is there, since the prefilter runs the
    # rule only on texts that hold it (repair.glossary.prefilter)
    hostile = "ab " + "a" * 60
    t = time.perf_counter()
    proposals, rejected = propose(opted, hostile)
    assert time.perf_counter() - t < 5
    assert proposals == [] and any("time limit" in r.reason for r in rejected)
    assert propose(opted, "aab")[0][0].before == "aa"  # and it still works on normal text


def test_lookaround_rules_that_pass_the_check_load_without_opting_in(tmp_path):
    path = glossary_file(tmp_path, '  - id: IA\n    regex: "(?<!\\\\w)IA(?!\\\\w)"\n    replace: AI\n')
    (p,), _ = propose(path, "L'IA et l'ÉIA: IA.")[0][:1], None
    assert (p.start, p.after) == (2, "AI")
    assert engine_for("(?<!\\w)IA(?!\\w)", re.MULTILINE, "linear") == "re"


def test_re2_rules_keep_pythons_unicode_classes(tmp_path):
    path = glossary_file(tmp_path, '  - id: CAFE\n    regex: "caf\\\\w s\\\\d+"\n    replace: "bar"\n')
    (p,), _ = propose(path, "Un café s٣ ici")
    assert p.before == "café s٣"
    assert engine_for("caf\\w s\\d+", re.MULTILINE, "linear") == "re2"


def test_the_shipped_regex_rules_all_pass_the_linear_time_check():
    checked = 0
    for g in load_glossaries():
        for r in g.rules:
            assert r.engine == "checked", r.origin
            for pattern, flags in ([(r.regex, r.flags)] if r.regex else []) + [(p, 0) for p in r.unless_regex]:
                assert analyse(pattern, flags).hazard is None, (r.origin, pattern)
                checked += 1
    assert checked > 1500


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(\w+\s?)+$", r"(a|aa)+$", r"(?:ab|\w\w)+$", r"\d+\d+x",
                                     r"(.*,)+x", r"(a?a)+$"])
def test_the_check_refuses_catastrophic_patterns(pattern):
    assert analyse(pattern, 0).hazard is not None
    with pytest.raises(ValueError):
        engine_for(pattern + "(?=z)", 0, "checked")


@pytest.mark.parametrize("pattern", [r"\b(\w+) of the\b", r"(?: [A-Z][\w'’-]+)*", r"[A-Z][\w']+(?:-[\w']+)*",
                                     r"\d{1,3}(?:,\d{3})+", r"(?:the |a |an )?(?:film|movie)", r"\$ ?(\d+) billion"])
def test_the_check_accepts_ordinary_patterns(pattern):
    assert analyse(pattern, 0).hazard is None


def test_engine_must_be_known(tmp_path):
    path = glossary_file(tmp_path, '  - id: X\n    match: x\n    replace: y\n    engine: fast\n')
    with pytest.raises(GlossaryError, match=r"user.yaml:4: rule X: 'engine' must be one of"):
        load_glossary(path)
    assert ENGINES == ("linear", "checked", "backtracking")


# -- 12. rules that can match the empty string -----------------------------------------------------------
@pytest.mark.parametrize("pattern", ["z*", "\\\\b", "(?=x)", "a?", "(?:the )?"])
def test_a_rule_that_can_match_nothing_is_a_load_error_naming_file_and_line(tmp_path, pattern):
    rules = ('  - id: FINE\n    match: fleas\n    replace: chips\n'
             f'  - id: EMPTY\n    regex: "{pattern}"\n    replace: "!"\n')
    path = glossary_file(tmp_path, rules)
    with pytest.raises(GlossaryError, match=rf"^{re.escape(str(path))}:7: rule EMPTY: regex .* can match the empty"):
        load_glossary(path)
    res = CliRunner().invoke(main, ["glossary", "check", str(path)])
    assert res.exit_code == 3
    assert f"{path}:7: rule EMPTY" in res.output and "empty string" in res.output


def test_text_is_never_destroyed_by_an_empty_match_at_run_time(tmp_path):
    path = glossary_file(tmp_path, '  - id: EMPTY\n    regex: "z*"\n    replace: "!"\n')
    res = CliRunner().invoke(main, ["fix", "--no-judge", "--no-model", "-q", "--no-default-glossaries", "-g",
                                    str(path), "-"], input="Clean text.\n")
    assert res.exit_code == 3 and "empty string" in res.output
    assert "!" not in res.stdout


# -- 13. large glossaries ------------------------------------------------------------------------------
def big_yaml(path, n):
    with open(path, "w", encoding="utf-8") as f:
        f.write("glossary:\n  name: big\n  version: 1\nrules:\n")
        for i in range(n):
            f.write(f"  - id: R{i}\n    match: [\"w{i % 977}x term{i}\"]\n    replace: \"fix{i}\"\n"
                    f"    category: calque\n    triggers: [t{i % 13}, nop]\n"
                    f"    fix:\n      - {{in: \"the w{i % 977}x term{i} t{i % 13}\", out: \"the fix{i} t{i % 13}\"}}\n"
                    f"    keep:\n      - \"nothing {i}\"\n")


def test_a_large_yaml_glossary_loads_fast_and_the_same(tmp_path, monkeypatch):
    monkeypatch.setenv("MT_REPAIR_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "big.yaml"
    big_yaml(path, 20_000)
    t = time.perf_counter()
    g = load_glossary(path)
    CompiledGlossary([g])
    cold = time.perf_counter() - t
    assert len(g.rules) == 20_000 and g.rules[-1].line == 5 + 9 * 19_999
    assert cold < 20, cold  # PyYAML's constructors alone took ~15 s for this (and 101 s for 100,000 rules)
    # the second load comes from the verified cache (keyed by the file's sha256)
    from repair.glossary import load as load_module

    monkeypatch.setattr(load_module, "load_yaml", lambda text: pytest.fail("parsed again"))
    again = load_glossary(path)
    assert again.rules == g.rules
    # a damaged cache entry is ignored, not trusted
    (entry,) = (tmp_path / "cache" / "glossary").glob("yaml-*.json")
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["payload"] = data["payload"].replace("fix1", "EVIL")
    entry.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.undo()
    monkeypatch.setenv("MT_REPAIR_CACHE", str(tmp_path / "cache"))
    assert load_glossary(path).rules == g.rules


def test_the_fast_yaml_reader_gives_what_pyyaml_gives(tmp_path):
    from repair.glossary.load import _LineLoader, load_yaml

    text = ("a: 1\nb: [yes, no, ~, 1.5, 0x1F, 012, 2026-01-01, '1', \"x\"]\nc: {d: [e, {f: g}]}\n"
            "h: &anchor 3\ni: *anchor\nj: !!str 5\n")
    assert load_yaml(text) == yaml.load(text, Loader=_LineLoader)
    for path in sorted((__import__("repair.glossary.defaults", fromlist=["x"]).shipped_glossary_dir()).glob("*.yaml")):
        content = path.read_text(encoding="utf-8")
        assert load_yaml(content) == yaml.load(content, Loader=_LineLoader), path


def test_compiled_patterns_are_memoised_and_compiled_once():
    a = compiled(r"\bfoo(\d+)\b", re.MULTILINE, "linear")
    assert compiled(r"\bfoo(\d+)\b", re.MULTILINE, "linear") is a
    (m,) = list(a.finditer("x foo12 y"))
    assert (m.start(), m.end(), m.expand(r"bar\1")) == (2, 7, "bar12")
