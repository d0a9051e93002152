"""`repair glossary learn`: rules learned from (garbled, reference) pairs, end to end.

Small real pairs files in tmp_path, the real aligner, matcher and checker; no corpus, no model.
"""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import pytest
import yaml
from click.testing import CliRunner

from repair.cli import main
from repair.glossary import load_glossary
from repair.glossary.check import apply_rule, check_glossary
from repair.glossary.match import CompiledGlossary
from repair.learn import Draft, Options, Pair, extract, learn, read_clean_text
from repair.learn_known import against_known, standing

# garbled -> reference, as a post-editor would fix a French round trip
PAIRS = [
    ("Nvidia designs the fleas that power the data centres of the semiconductor giants.",
     "Nvidia designs the chips that power the data centres of the semiconductor giants."),
    ("The semiconductor group said demand for its Fleas had doubled.",
     "The semiconductor group said demand for its Chips had doubled."),
    ("Taiwan's semiconductor makers sold more fleas than ever last year.",
     "Taiwan's semiconductor makers sold more chips than ever last year."),
    ("The ministry published no informations on the cost of the plan.",
     "The ministry published no information on the cost of the plan."),
    ("Informations about the talks were leaked to the press on Monday.",
     "Information about the talks were leaked to the press on Monday."),
    ("The instruction judge ordered the arrest of the former mayor.",
     "The investigating judge ordered the arrest of the former mayor."),
    ("An instruction judge in Paris has opened an inquiry into the deal.",
     "An investigating judge in Paris has opened an inquiry into the deal."),
    ("Japanese carmakers cut expeditions to the United States in March.",
     "Japanese carmakers cut shipments to the United States in March."),
    ("The expedition of the vehicles was delayed by the strike at the port.",
     "The shipment of the vehicles was delayed by the strike at the port."),
    ("Expeditions of steel fell by a fifth after the new levies were imposed.",
     "Shipments of steel fell by a fifth after the new levies were imposed."),
    ("The firm increased its share of market in Europe last year.",
     "The firm increased its market share in Europe last year."),
    ("The firm increased its share of market in Asia this year.",
     "The firm increased its market share in Asia this year."),
    ("Prices rose by 2% in May.", "Prices rose by 2% in May."),
]

CLEAN = [
    "The stray dog was covered in fleas when the shelter took it in.",
    "Flea markets draw crowds of tourists every weekend, and the fleas are a nuisance.",
    "The instruction manual was translated into twelve languages.",
    "Pupils receive instruction in three languages at the school.",
    "The polar expedition set off from Tromso on Monday.",
    "Expeditions to Everest have been suspended for the season.",
    "Chips and fish were served at the reception.",
]


def write_pairs(path, pairs=PAIRS):
    path.write_text("".join(f"{s}\t{r}\n" for s, r in pairs), encoding="utf-8")
    return path


@pytest.fixture()
def files(tmp_path):
    pairs = write_pairs(tmp_path / "pairs.tsv")
    clean = tmp_path / "clean.txt"
    clean.write_text("\n".join(CLEAN) + "\n", encoding="utf-8")
    return pairs, clean


@pytest.fixture()
def draft(files, tmp_path):
    pairs, clean = files
    out = tmp_path / "draft.yaml"
    res = CliRunner().invoke(main, ["glossary", "learn", str(pairs), "--clean", str(clean), "-o", str(out),
                                    "--min-count", "2", "--no-default-glossaries"])
    assert res.exit_code == 0, res.output
    assert "learned" in res.stderr and str(out) in res.stderr
    return out


def rules_by_phrase(path):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = {}
    for r in doc["rules"]:
        key = tuple(r["match"]) if "match" in r else r["regex"]
        out[key] = r
    return out


def test_draft_passes_check(draft):
    res = CliRunner().invoke(main, ["glossary", "check", str(draft)])
    assert res.exit_code == 0, res.output
    assert "0 problems" in res.output
    assert check_glossary(load_glossary(draft)) == []


def test_learns_the_substitutions_with_their_own_sentences(draft):
    rules = rules_by_phrase(draft)
    info = rules[("informations",)]
    assert info["replace"] == "information" and info["case"] == "carry"
    fixes = {(f["in"], f["out"]) for f in info["fix"]}
    assert (PAIRS[3][0], PAIRS[3][1]) in fixes  # the pair's own sentence is the example
    assert "judge" not in info and "triggers" not in info  # a non-word: unconditional
    text = draft.read_text(encoding="utf-8")
    assert "informations -> information: seen 2 times" in text  # counts as comments
    assert "pairs.tsv: 4, 5" in text  # sources: file and record ids
    # sorted by count: fleas and expedition(s) (3 each) before the ones seen twice
    ids = [r["id"] for r in yaml.safe_load(text)["rules"]]
    assert set(ids[:2]) == {"LEARNED_FLEAS_CHIPS", "LEARNED_EXPEDITIONS_SHIPMENTS"} and len(ids) == 4


def test_single_ambiguous_word_takes_context(draft):
    rules = rules_by_phrase(draft)
    # "instruction" is common English (and in the clean text): the rule takes "judge" with it
    assert ("instruction",) not in rules
    rule = rules[("instruction judge",)]
    assert rule["replace"] == "investigating judge"
    for f in rule["fix"]:
        assert f["out"] in (PAIRS[5][1], PAIRS[6][1])


def bare(rule):
    """The rule without its context conditions and judge: what it would do unconditionally."""
    return replace(rule, triggers=(), unless=(), unless_near=(), unless_regex=(), judge=False, judge_when_held=False)


def test_phrase_seen_in_clean_text_is_never_unconditional(draft):
    glossary = load_glossary(draft)
    by_id = {r.id: r for r in glossary.rules}
    fleas = by_id["LEARNED_FLEAS_CHIPS"]
    assert fleas.judge or fleas.conditional
    assert fleas.keep and all(k.text in CLEAN for k in fleas.keep), "keep examples come from the clean text"
    assert by_id["LEARNED_EXPEDITIONS_SHIPMENTS"].judge or by_id["LEARNED_EXPEDITIONS_SHIPMENTS"].conditional
    for rule in glossary.rules:
        in_clean = any(apply_rule(bare(rule), s) != s for s in CLEAN)
        if in_clean:
            assert rule.judge or rule.conditional, rule.id
        for s in CLEAN:  # what a rule does to clean text without a judge: nothing
            if not rule.judge:
                assert apply_rule(rule, s) == s, (rule.id, s)
    assert not by_id["LEARNED_INFORMATIONS_INFORMATION"].conditional  # a non-word: unconditional


def test_case_and_inflection_variants_merge(draft):
    rules = rules_by_phrase(draft)
    text = draft.read_text(encoding="utf-8")
    # Fleas / fleas: one rule, counted together, the capital carried over in its example
    fleas = rules[("fleas",)]
    assert "fleas -> chips: seen 3 times" in text and "case variants merged: Fleas, fleas" in text
    assert {"in": PAIRS[1][0], "out": PAIRS[1][1]} in fleas["fix"]
    # expedition / expeditions / Expeditions: one regex rule for both numbers
    expedition_rules = [k for k in rules if "expedition" in (k if isinstance(k, str) else " ".join(k))]
    assert len(expedition_rules) == 1 and isinstance(expedition_rules[0], str), rules.keys()
    assert "seen 3 times" in text.split("LEARNED_EXPEDITIONS_SHIPMENTS")[0].rsplit("# 1.", 1)[-1]
    rule = next(r for r in load_glossary(draft).rules if r.id == "LEARNED_EXPEDITIONS_SHIPMENTS")
    assert apply_rule(bare(rule), "The expedition of cars was delayed. Expeditions of steel fell.") == \
        "The shipment of cars was delayed. Shipments of steel fell."


def test_moved_words_are_not_learned(draft):
    rules = rules_by_phrase(draft)
    assert not any("market" in (k if isinstance(k, str) else " ".join(k)) for k in rules)


def test_unchanged_pairs_give_an_empty_draft_that_passes_check(tmp_path):
    pairs = write_pairs(tmp_path / "same.tsv", [("Prices rose.", "Prices rose."), ("It rained.", "It rained.")])
    out = tmp_path / "draft.yaml"
    res = CliRunner().invoke(main, ["glossary", "learn", str(pairs), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["rules"] == []
    assert CliRunner().invoke(main, ["glossary", "check", str(out)]).exit_code == 0


def test_empty_pairs_file_is_a_data_error(tmp_path):
    empty = tmp_path / "empty.tsv"
    empty.write_text("", encoding="utf-8")
    res = CliRunner().invoke(main, ["glossary", "learn", str(empty), "-o", str(tmp_path / "d.yaml")])
    assert res.exit_code == 3
    assert "no records" in res.stderr
    assert not (tmp_path / "d.yaml").exists()


def test_reads_jsonl_and_pair_directories(tmp_path):
    jsonl = tmp_path / "pairs.jsonl"
    jsonl.write_text("".join(json.dumps({"id": f"r{i}", "source": s, "reference": r}) + "\n"
                             for i, (s, r) in enumerate(PAIRS[3:5])), encoding="utf-8")
    d = tmp_path / "pairdir"
    d.mkdir()
    (d / "src.txt").write_text(PAIRS[3][0] + "\n", encoding="utf-8")
    (d / "ref.txt").write_text(PAIRS[3][1] + "\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["glossary", "learn", str(jsonl), str(d), "--min-count", "3",
                                    "--no-default-glossaries"])
    assert res.exit_code == 0, res.output
    assert "informations" in res.stdout and "pairs.jsonl: r0, r1" in res.stdout and "pairdir: 1" in res.stdout


def test_clean_text_from_jsonl_and_directories(tmp_path):
    d = tmp_path / "clean"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text("The dog had fleas. It scratched.\n", encoding="utf-8")
    (d / "sub" / "b.jsonl").write_text(json.dumps({"text": "Fleas bite."}) + "\n", encoding="utf-8")
    clean = read_clean_text([str(d)])
    assert clean.sentences == ["The dog had fleas.", "It scratched.", "Fleas bite."]
    res = CliRunner().invoke(main, ["glossary", "learn", str(write_pairs(tmp_path / "p.tsv")),
                                    "--clean", str(tmp_path / "missing")])
    assert res.exit_code == 3 and "no such file or directory" in res.stderr


def test_adjacent_errors_split_only_when_each_is_seen_alone():
    pairs = [Pair("The IA fleas sold well.", "The AI chips sold well.", "t#1"),
             Pair("The IA race is on.", "The AI race is on.", "t#2"),
             Pair("They sold fleas.", "They sold chips.", "t#3"),
             Pair("The director general resigned.", "The chief executive resigned.", "t#4")]
    seen, _ = extract(pairs)
    got = {(s.before, s.after) for s in seen}
    assert ("IA", "AI") in got and ("fleas", "chips") in got and ("IA fleas", "AI chips") not in got
    assert ("director general", "chief executive") in got


def test_disabled_rules_are_not_checked(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text("rules:\n  - id: OFF_RULE\n    match: foo\n    replace: bar\n    enabled: false\n"
                    "    fix:\n      - {in: 'a foo', out: 'a baz'}\n", encoding="utf-8")  # a failing example
    res = CliRunner().invoke(main, ["glossary", "check", str(path)])
    assert res.exit_code == 0 and "1 disabled, not checked" in res.output


def test_learn_is_pure_and_deterministic(files):
    pairs, clean = files
    from repair.learn import read_pairs

    a = learn(read_pairs([str(pairs)]), read_clean_text([str(clean)]), Options(min_count=2))
    b = learn(read_pairs([str(pairs)]), read_clean_text([str(clean)]), Options(min_count=2))
    assert a.yaml == b.yaml and a.stats["rules"] == len(a.drafts) > 0


def test_the_learner_does_not_import_training_code():
    code = ("import sys, repair.learn, repair.corpus; "
            "bad = [m for m in sys.modules if m.startswith('repair.train')]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


# -- what a draft adds to the glossaries in force (repair/learn_known.py) -------------------

def test_substitutions_the_shipped_glossaries_make_are_left_out_and_named(files, tmp_path):
    pairs, clean = files
    out = tmp_path / "draft.yaml"
    res = CliRunner().invoke(main, ["glossary", "learn", str(pairs), "--clean", str(clean), "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    ids = [r["id"] for r in yaml.safe_load(text)["rules"] or []]
    # fr-en/false-friends already turn "informations" into "information" on these sentences
    assert "LEARNED_INFORMATIONS_INFORMATION" not in ids
    assert "LEARNED_INFORMATIONS_INFORMATION (informations -> information, seen 2 times): " \
           "FF_INFORMATIONS_INFORMATION" in text
    assert "already make them on all their fix examples" in text
    assert "left out, already in the glossaries in force" in res.stderr
    assert CliRunner().invoke(main, ["glossary", "check", str(out)]).exit_code == 0


def test_a_rule_of_ones_own_glossary_counts_as_known(files, tmp_path):
    pairs, clean = files
    own = tmp_path / "own.tsv"
    own.write_text("fleas\tchips\n", encoding="utf-8")
    args = ["glossary", "learn", str(pairs), "--clean", str(clean), "--no-default-glossaries"]
    without = yaml.safe_load(CliRunner().invoke(main, args).stdout)
    res = CliRunner().invoke(main, args + ["-g", str(own)])
    assert res.exit_code == 0, res.output
    ids = {r["id"] for r in yaml.safe_load(res.stdout)["rules"]}
    assert "LEARNED_FLEAS_CHIPS" in {r["id"] for r in without["rules"]} and "LEARNED_FLEAS_CHIPS" not in ids
    assert "LEARNED_INFORMATIONS_INFORMATION" in ids  # the own glossary does not have it


def test_a_rule_in_force_held_back_by_its_conditions_is_named_on_the_draft(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text("rules:\n  - id: PDG_CEO\n    match: PDG\n    replace: CEO\n    case: exact\n"
                    "    triggers: [company, group]\n"
                    "    fix:\n      - {in: 'The PDG of the group left.', out: 'The CEO of the group left.'}\n"
                    "    keep:\n      - 'The CEO left.'\n", encoding="utf-8")
    known = CompiledGlossary([load_glossary(path)])
    fix = [("The PDG of Renault resigned.", "The CEO of Renault resigned."),
           ("The PDG of the group resigned.", "The CEO of the group resigned.")]
    k = standing(fix, known)
    assert (k.examples, k.covered, k.fixed_by) == (2, 1, {"PDG_CEO": 1})
    assert "PDG_CEO" in k.held_by and "trigger" in k.held_by["PDG_CEO"]
    draft = Draft(id="LEARNED_PDG_CEO", replace="CEO", match=("PDG",), fix=fix, count=2)
    kept, left_out = against_known([draft], known)
    assert kept == [draft] and left_out == []
    assert any("1 of its 2 fix examples (PDG_CEO)" in n for n in draft.notes)
    assert any(n.startswith("PDG_CEO, in force, makes this substitution but its conditions held it back") for n in draft.notes)
    # all examples known: left out
    draft2 = Draft(id="LEARNED_PDG_CEO", replace="CEO", match=("PDG",), fix=fix[1:], count=1)
    kept, left_out = against_known([draft2], known)
    assert kept == [] and left_out == ["LEARNED_PDG_CEO (PDG -> CEO, seen 1 time): PDG_CEO"]
