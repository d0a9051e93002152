"""The glossary engine: formats, case, context, boundaries, provenance, errors."""
from __future__ import annotations

import textwrap

import pytest

from repair import apply_edits, get_repairer, repair_text
from repair.glossary import CompiledGlossary, GlossaryError, load_glossary


def compiled(tmp_path, name: str, content: str) -> CompiledGlossary:
    path = tmp_path / name
    path.write_text(textwrap.dedent(content), encoding="utf-8")
    return CompiledGlossary([load_glossary(path)])


def run(g: CompiledGlossary, text: str) -> str:
    """``text`` with the glossary's proposals applied, sure or for the judge, except the hits
    held for want of a trigger (the pipeline judges those only near round-trip damage)."""
    proposals, _ = g.propose(text)
    return apply_edits(text, [p.accept() for p in proposals if not p.needs_evidence])


def test_tsv_two_columns_whole_words_case_carried(tmp_path):
    g = compiled(tmp_path, "mine.tsv", "fleas\tchips\nthe forces of order\tthe police\n")
    assert run(g, "Fleas, FLEAS and fleas; fleasy not.") == "Chips, CHIPS and chips; fleasy not."
    assert run(g, "The forces of order came.") == "The police came."


def test_phrases_with_digits_match_their_own_digits_only(tmp_path):
    """The automaton reads every digit as "0" (for the regex rules' anchors), so phrases
    that differ only in their digits share a key: each still matches its own digits."""
    g = compiled(tmp_path, "mine.tsv", "the G7 summit\tthe G7 meeting\nthe G20 summit\tthe G20 meeting\n"
                                       "covid 19\tCOVID-19\n")
    assert run(g, "After the G7 summit and the G20 summit, not the G8 summit.") == \
        "After the G7 meeting and the G20 meeting, not the G8 summit."
    assert run(g, "covid 19, covid 18, Covid ١٩") == "COVID-19, covid 18, Covid ١٩"


@pytest.mark.parametrize("engine", ["linear", "checked", "backtracking"])
def test_a_rule_tried_where_its_leading_words_start_runs_under_every_engine(tmp_path, engine):
    """A regex of unbounded reach whose matches start with fixed words ("large ") is tried
    only where they start when Python's re runs it (CompiledGlossary._run); RE2 and the
    backtracking engine scan as before. Each finds every match, in order."""
    g = compiled(tmp_path, "mine.yaml", f"""\
        glossary:
          engine: {engine}
        rules:
          - id: LARGE_DOG
            regex: '\\blarge \\w+ dogs?\\b'
            replace: big dog
            fix: [{{in: 'a large brown dog', out: 'a big dog'}}]
        """)
    text = "A large brown dog, two large black dogs and a large cat.\nOne large grey dog."
    assert run(g, text) == "A big dog, two big dog and a large cat.\nOne big dog."
    assert (g._leads[0] is not None) == (engine == "checked")


def test_csv_with_quotes_and_comments(tmp_path):
    g = compiled(tmp_path, "mine.csv", '# comment\n"point of sale, official",outlet\nexpeditions,shipments\n')
    assert run(g, "the point of sale, official one") == "the outlet one"


@pytest.mark.parametrize("content,line,needle", [
    ("a\tb\nonly-one-column\n", 2, "expected 2 columns"),
    ("a\tb\n\tb\n", 2, "empty source term"),
    ("a\tb\nA\tc\n", 2, "already defined on line 1"),
])
def test_malformed_tsv_names_file_and_line(tmp_path, content, line, needle):
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GlossaryError) as exc:
        load_glossary(path)
    assert f"bad.tsv:{line}:" in str(exc.value) and needle in str(exc.value)


def test_invalid_utf8_glossary_names_line(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_bytes(b"a\tb\nc\xff\td\n")
    with pytest.raises(GlossaryError, match=r"bad.tsv:2: invalid UTF-8"):
        load_glossary(path)


@pytest.mark.parametrize("content,line,needle", [
    ("rules:\n  - id: A\n    match: x\n    replace: y\n    trigers: [z]\n", 2, "unknown rule keys"),
    ("rules:\n  - id: A\n    match: x\n    replace: y\n  - id: A\n    match: z\n    replace: y\n", 5, "duplicate rule id"),
    ("rules:\n  - id: A\n    regex: '(unclosed'\n    replace: y\n", 2, "bad regex"),
    ("rules:\n  - id: A\n    match: x\n", 2, "'replace' must be a string"),
    ("rules:\n  - id: A\n    match: x\n    regex: y\n    replace: z\n", 2, "exactly one of"),
    ("rules:\n  - id: A\n    match: x\n    replace: y\n    window: -3\n", 2, "'window'"),
    ("rules:\n  - id: A\n    match: [x\n", 4, "YAML syntax error"),
])
def test_malformed_yaml_names_file_and_line(tmp_path, content, line, needle):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GlossaryError) as exc:
        load_glossary(path)
    assert f"bad.yaml:{line}:" in str(exc.value), str(exc.value)
    assert needle in str(exc.value)


RICH = """
rules:
  - id: FLEAS
    match: [fleas]
    replace: chips
    triggers: [semiconductor*, Nvidia]
    unless: ["flea market*"]
    unless_near: [dog]
  - id: FLEA
    match: [flea]
    replace: chip
    triggers: [semiconductor*]
    unless: ["flea market*"]
  - id: IA
    match: IA
    replace: AI
    case: exact
    unless_regex: ["[A-Z][a-z]+, IA\\\\b"]
  - id: NEAR
    match: prices
    replace: tariffs
    triggers: [import*]
    window: 3
"""


def test_context_conditions(tmp_path):
    g = compiled(tmp_path, "rich.yaml", RICH)
    assert run(g, "Nvidia fleas sell well.") == "Nvidia chips sell well."
    assert run(g, "The fleas sell well.") == "The fleas sell well."  # no trigger
    assert run(g, "Nvidia staff took the dog's fleas away.") == "Nvidia staff took the dog's fleas away."
    assert run(g, "The semiconductor flea market opened.") == "The semiconductor flea market opened."
    # trigger in another sentence does not count
    assert run(g, "Nvidia grew. The fleas bit.") == "Nvidia grew. The fleas bit."


def test_word_window(tmp_path):
    g = compiled(tmp_path, "rich.yaml", RICH)
    assert run(g, "prices on imports") == "tariffs on imports"
    assert run(g, "prices were discussed at length before imports") == "prices were discussed at length before imports"


def test_exact_case_and_blocker_regex(tmp_path):
    g = compiled(tmp_path, "rich.yaml", RICH)
    assert run(g, "The IA race; Ia; ia.") == "The AI race; Ia; ia."
    assert run(g, "She lives in Ames, IA, now.") == "She lives in Ames, IA, now."


def test_rejected_hits_carry_reasons(tmp_path):
    g = compiled(tmp_path, "rich.yaml", RICH)
    proposals, rejected = g.propose("The flea market sold fleas.")
    reasons = {r.before: r.reason for r in rejected}
    assert "blocked by 'flea market'" in reasons["flea"]
    # held for want of a trigger: a proposal still, that the pipeline judges only near
    # round-trip damage (a blocker, above, is final)
    (held,) = proposals
    assert (held.before, held.needs_judge, held.needs_evidence, held.held) == \
        ("fleas", True, True, "no trigger in sentence")


def test_unicode_word_boundaries(tmp_path):
    g = compiled(tmp_path, "u.tsv", "ia\tAI\nété\tsummer\n")
    assert run(g, "Zürichia, IAé, ıa, été, étéx, xété") == "Zürichia, IAé, ıa, summer, étéx, xété"


def test_curly_and_straight_apostrophes_match_each_other(tmp_path):
    g = compiled(tmp_path, "a.tsv", "Nvidia's actions\tNvidia's shares\n")
    assert run(g, "Nvidia’s actions fell") == "Nvidia’s shares fell"  # and written as the text writes it
    assert run(g, "Nvidia's actions fell") == "Nvidia's shares fell"


def test_later_glossary_overrides_rule_id(tmp_path):
    a = tmp_path / "a.yaml"
    a.write_text("rules:\n  - {id: X, match: foo, replace: bar}\n", encoding="utf-8")
    b = tmp_path / "b.yaml"
    b.write_text("rules:\n  - {id: X, match: foo, replace: baz}\n", encoding="utf-8")
    g = CompiledGlossary([load_glossary(a), load_glossary(b)])
    assert run(g, "foo") == "baz"


def test_disabled_rules_do_not_fire(tmp_path):
    g = compiled(tmp_path, "d.yaml", "rules:\n  - {id: X, match: foo, replace: bar, enabled: false}\n")
    assert run(g, "foo") == "foo"


def test_provenance_of_every_edit(tmp_path):
    g = compiled(tmp_path, "mine.tsv", "\nfleas\tchips\n")
    proposals, _ = g.propose("so fleas")
    (p,) = proposals
    assert (p.start, p.end, p.before, p.after, p.rule_id) == (3, 8, "fleas", "chips", "mine:2")
    assert p.origin.endswith("mine.tsv:2")


def test_structure_and_whitespace_preserved(seed_text):
    text = "  IA\tchips  \r\n\r\n\u00a0Trump  prices on imports\u2028end \n\n\n"
    out = repair_text(text).text
    assert out == "  AI\tchips  \r\n\r\n\u00a0Trump  tariffs on imports\u2028end \n\n\n"


def test_user_glossary_through_api(tmp_path):
    path = tmp_path / "house.tsv"
    path.write_text("Chip Maker\tchipmaker\n", encoding="utf-8")
    r = repair_text("The American Chip Maker", glossaries=[str(path)])
    assert r.text == "The American Chipmaker"
    assert r.edits[0].origin == f"{path}:1"


def test_unknown_option_is_an_error():
    with pytest.raises(TypeError, match="unknown repair options"):
        repair_text("x", glosaries=["typo"])


def test_matching_scales_with_many_rules(tmp_path):
    """10,000 literal rules compile into one automaton and still match exactly."""
    lines = [f"zzword{i}\trepl{i}" for i in range(10000)]
    path = tmp_path / "big.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    g = CompiledGlossary([load_glossary(path)])
    assert run(g, "a zzword9999 and zzword17, zzword170x") == "a repl9999 and repl17, zzword170x"


def test_regex_rules_run_near_their_anchors_find_what_a_whole_scan_finds():
    """A regex rule runs only where it could match (CompiledGlossary._run): tried where its
    leading strings start, or scanned around its anchors (bounded reach), or on the lines
    that hold them. On the shipped rules' own examples, the dev set, the case files, and the
    dev set joined into texts of many lines, that finds exactly the matches of a scan of the
    whole text."""
    import json
    from collections import Counter

    from repair.glossary import CompiledGlossary, load_glossaries
    from repair.glossary.match import anchor_fold

    from .conftest import ROOT, load_cases

    g = CompiledGlossary(load_glossaries())
    texts = [json.loads(x)["source"] for x in (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()]
    texts += ["\n".join(texts[k:k + 12]) for k in range(0, len(texts), 12)]
    texts += [c["original"] for name in ("positive.jsonl", "negative.jsonl") for c in load_cases(name)]
    texts += [ex.text for r in g.rules if r.regex for ex in r.fix + r.keep]
    how: Counter = Counter()
    for text in texts:
        near: dict[int, list] = {}
        starts: dict[int, list] = {}
        for last, (length, _entries, anchored, led) in g._automaton.iter(anchor_fold(text)):
            for i in anchored:
                near.setdefault(i, []).extend((last, length))
            for i in led:
                starts.setdefault(i, []).append(last - length + 1)
        for i, places in near.items():
            whole = [(m.start(), m.end()) for m in g._compiled(i).finditer(text)]
            found = g._run(i, text, [places], starts.get(i, []))
            assert [(m.start(), m.end()) for m in found] == whole, (g._regex_rules[i][0].id, text)
            reach, by_line = g._reach(i)
            how["led" if g._leads[i] else "near" if reach is not None else "lines" if by_line else "whole"] += 1
            how["matched"] += bool(whole)
    assert sum(how.values()) - how["matched"] > 1000, how
    assert how["led"] > 200 and how["near"] > 1000 and how["lines"] > 50 and how["matched"] > 3000, how


def test_the_regex_prefilter_never_skips_a_rule_that_matches():
    """A regex rule runs only on texts where one of its required literals occurs
    (repair.glossary.prefilter, joined across case classes and small alternations). They
    must be a true necessary condition: on each shipped regex rule's own examples and on the
    dev set, a rule whose regex matches the text has an anchor there, so _hits runs it."""
    import json

    from repair.glossary import CompiledGlossary, load_glossaries
    from repair.glossary.match import anchor_fold

    from .conftest import ROOT

    g = CompiledGlossary(load_glossaries())
    dev = [json.loads(x)["source"] for x in (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()]

    def anchored(text):
        return {i for _last, (_length, _entries, rules, _led) in g._automaton.iter(anchor_fold(text)) for i in rules}

    dev_anchored = [anchored(t) for t in dev]
    matched = joined = 0
    for i, (rule, _own) in enumerate(g._regex_rules):
        if i in g._always:
            continue
        joined += any(" " in a for a in g._anchors[i])
        pattern = g._compiled(i)
        own = [ex.text for ex in rule.fix + rule.keep]
        for text, found in [(t, anchored(t)) for t in own] + list(zip(dev, dev_anchored)):
            if pattern.search(text):
                matched += 1
                assert i in found, (rule.id, rule.regex, sorted(g._anchors[i]), text)
    assert matched > 3000 and joined > 2000


def test_the_shipped_regex_analyses_are_current():
    """glossaries/regex-analyses.json (repair.glossary.shipped) is what a fresh analysis of
    every shipped pattern gives: rewrite it with ``python -m repair.glossary.shipped``."""
    from repair.glossary import shipped

    assert shipped.differences() == []
    assert len(shipped.read_analyses()) > 3000


def test_a_first_run_analyses_no_shipped_regex(tmp_path):
    """With an empty cache (a machine's first run), loading the shipped glossaries takes
    every regex analysis from the shipped file: none is computed, so none is cached; a
    user's own regex still is."""
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    mine = tmp_path / "mine.yaml"
    mine.write_text("rules:\n  - id: MINE\n    regex: '\\bzq(\\d+)x\\b'\n    replace: x\n"
                    "    fix: [{in: zq1x, out: x}]\n    keep: [zq]\n", encoding="utf-8")
    code = ("import sys; from repair.glossary import load_glossaries, CompiledGlossary, regexes; "
            "g = load_glossaries(sys.argv[1:]); CompiledGlossary(g); print(len(regexes._CACHE.shipped))")
    env = {**os.environ, "MT_REPAIR_CACHE": str(tmp_path / "cache")}
    env.pop("MT_REPAIR_NO_GLOSSARY_CACHE", None)
    cached = tmp_path / "cache" / "glossary"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert int(out.stdout) > 3000
    assert not list(cached.glob("regex-analyses-*"))
    subprocess.run([sys.executable, "-c", code, str(mine)], env=env, cwd=ROOT, capture_output=True, text=True,
                   check=True)
    (found,) = cached.glob("regex-analyses-*")
    assert "zq" in found.read_text(encoding="utf-8")
    assert len(found.read_text(encoding="utf-8")) < 2000  # the shipped analyses are not copied to the cache


def test_a_hit_held_for_want_of_a_trigger_is_judged_only_near_round_trip_damage():
    """SENSIBLE_SENSITIVE_TOPIC wants a political trigger word in the sentence, and campuses
    are not one. In a paragraph that shows round-trip damage (a decimal comma, fixed for sure
    in the sentence before), the judge decides, and takes "sensitive"; in the same paragraph
    written correctly, nothing is sent to it, and the text comes back as it was."""
    garbled = "The fees rose by 3,5 % last year. They remain a sensible subject on campuses."
    clean = "The fees rose by 3.5% last year. They remain a sensible subject on campuses."
    repairer = get_repairer()
    result = repairer.repair(garbled)
    assert result.text == "The fees rose by 3.5% last year. They remain a sensitive subject on campuses."
    assert [e.rule_id for e in result.edits] == ["DECIMAL_COMMA_PERCENT", "SENSIBLE_SENSITIVE_TOPIC"]
    assert result.edits[1].score is not None  # the judge's margin: it decided
    kept = repairer.repair(clean)
    assert kept.text == clean and not kept.edits
    (held,) = [r for r in kept.rejected if r.rule_id == "SENSIBLE_SENSITIVE_TOPIC"]
    assert held.reason == "no trigger in sentence, and no round-trip damage near it"


def test_a_replacement_writes_apostrophes_as_the_text_does(tmp_path):
    """A replacement written with straight quotes comes out curly in a text that writes its
    apostrophes curly, so a repair does not mix two typographies in one article."""
    g = compiled(tmp_path, "a.tsv", "Palm of gold\tPalme d'Or\nthe attack urgency\tthe 'attack emergency' level\n")
    assert run(g, "The film’s Palm of gold.") == "The film’s Palme d’Or."
    assert run(g, "The film's Palm of gold.") == "The film's Palme d'Or."
    assert run(g, "The Palm of gold.") == "The Palme d'Or."
    assert run(g, "It is at the attack urgency, the minister’s office said.") == \
        "It is at the ‘attack emergency’ level, the minister’s office said."
