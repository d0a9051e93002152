"""The harness end to end on a small dataset: stages, report files, Markdown and HTML."""
from __future__ import annotations

import json
import re

import pytest

from repair.evaluation import EvalReport, StageError, evaluate, load_dataset, parse_stage, resolve_stages
from repair.evaluation.report_md import ablation_table

RECORDS = [
    {"id": "g1", "kind": "garbled", "topic": "markets",
     "source": "The UE met on Monday, and shares rose 7 % after the talks. Toyota said her margins would fall.",
     "reference": "The EU met on Monday, and shares rose 7% after the talks. Toyota said its margins would fall.",
     "edits": [{"before": "The UE", "after": "The EU", "category": "acronym"},
               {"before": "7 %", "after": "7%", "category": "number_format"},
               {"before": "said her margins", "after": "said its margins", "category": "pronoun"}]},
    {"id": "g2", "kind": "garbled", "topic": "tech",
     "source": "Intro text here.\nAfter promoting the newsletter\nBody text.",
     "reference": "Intro text here.\nBody text.",
     "edits": [{"before": "After promoting the newsletter\n", "after": "", "category": "furniture"}]},
    {"id": "c1", "kind": "clean", "topic": "markets", "source": "Food prices rose 4% as shoppers cut back.",
     "reference": "Food prices rose 4% as shoppers cut back.", "edits": [], "traps": ["food prices"]},
    {"id": "c2", "kind": "clean", "topic": "politics", "source": "Ames, IA is a small city.",
     "reference": "Ames, IA is a small city.", "edits": [], "traps": ["Ames, IA"]},
]


@pytest.fixture(scope="module")
def dataset_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "small.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def report(dataset_path):
    return evaluate(load_dataset(dataset_path), bootstrap=50, seed=3)


def test_report_carries_what_makes_it_reproducible(report, dataset_path):
    d = report.data
    assert set(d) >= {"mt_repair_version", "dataset", "settings", "sacrebleu", "stages", "significance", "records"}
    assert d["dataset"]["sha256"] == load_dataset(dataset_path).sha256
    assert d["dataset"]["records"] == 4 and d["dataset"]["clean"] == 2
    assert d["sacrebleu"]["signatures"]["ter"].startswith("nrefs:1|case:mixed|tok:tercom")
    assert d["settings"]["ter_case_sensitive"] is True
    assert [s["name"] for s in d["stages"]] == ["none", "glossary", "full"]
    assert d["stages"][0]["pipeline_signature"] == "identity"
    assert d["stages"][1]["pipeline_signature"].startswith("glossary:") and "|model:" in d["stages"][1]["pipeline_signature"]
    # the stage records how it differs from the default configuration: no model, no judge
    from repair.config import DEFAULT_CONFIG
    expected = {k: False for k in ("use_model", "use_judge") if getattr(DEFAULT_CONFIG, k)}
    assert d["stages"][1]["config"] == expected


def test_stage_scores(report):
    none, glossary = report.stage("none"), report.stage("glossary")
    refs = report.data["dataset"]["reference_edits"]
    assert none["edits"]["tp"] == 0 and none["edits"]["fp"] == 0 and none["edits"]["fn"] == refs
    assert none["reference_free"]["edits"] == 0 and none["overcorrection"]["changed_records"] == 0
    # the glossary fixes UE, the space in "7 %" and the newsletter line; it cannot fix "her"
    assert glossary["edits"]["tp"] >= 3 and glossary["edits"]["fp"] == 0
    assert glossary["categories"]["pronoun"]["fn"] == 1 and glossary["categories"]["pronoun"]["tp"] == 0
    assert glossary["categories"]["acronym"]["tp"] == 1
    assert glossary["corpus"]["ter"] < none["corpus"]["ter"] and glossary["corpus"]["chrf"] > none["corpus"]["chrf"]
    assert glossary["overcorrection"] == {**glossary["overcorrection"], "clean_records": 2, "changed_records": 0,
                                          "words_changed": 0}
    rules = {r["rule"]: r for r in glossary["rules"]}
    assert rules["ACRONYM_UE"]["correct"] == 1 and rules["ACRONYM_UE"]["on_clean"] == 0
    signals = glossary["reference_free"]
    assert signals["sentences"] == 7 and signals["sentences_edited"] == 2 and signals["edits_per_100_words"] > 0
    g1 = next(r for r in glossary["records"] if r["id"] == "g1")
    assert g1["output"].startswith("The EU met") and set(g1) >= {"bleu", "chrf", "ter", "tp", "fp", "fn", "edits",
                                                                  "missed", "pipeline_edits"}


def test_significance_in_the_report(report):
    sig = report.data["significance"]
    assert sig["n_samples"] == 50 and sig["seed"] == 3
    assert {(c["baseline"], c["system"]) for c in sig["comparisons"]} == {
        ("none", "glossary"), ("none", "full"), ("glossary", "full")}


def test_written_files(report, tmp_path):
    files = report.write(tmp_path / "rep", html=True)
    assert {p.name for p in (tmp_path / "rep").iterdir()} == {"report.json", "report.md", "report.html", "segments"}
    loaded = EvalReport.load(files["json"])
    assert loaded.data == json.loads(report.to_json())
    md = files["markdown"].read_text(encoding="utf-8")
    assert "| stage | BLEU ↑ | chrF2 ↑ | TER ↓ | TER ↓ garbled |" in md
    for name in ("none", "glossary", "full"):
        assert re.search(rf"^\| {name} \| \d+\.\d\d ±\d+\.\d\d \|", md, flags=re.M)
    assert "| none → glossary |" in md and "### Edits by category" in md and "| ACRONYM_UE | glossary |" in md
    seg = tmp_path / "rep" / "segments"
    assert sorted(p.name for p in seg.iterdir()) == ["full.txt", "glossary.txt", "none.txt", "ref.txt", "src.txt"]
    ref_lines = (seg / "ref.txt").read_text(encoding="utf-8").splitlines()
    assert ref_lines[1] == "Intro text here. Body text."  # one line per record
    assert (seg / "none.txt").read_text(encoding="utf-8") == (seg / "src.txt").read_text(encoding="utf-8")


def test_writing_never_overwrites_the_dataset(report, dataset_path):
    data = dict(report.data, dataset=dict(report.data["dataset"], files={str(dataset_path.parent / "report.md"): ""}))
    (dataset_path.parent / "report.md").write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="refusing to overwrite"):
        EvalReport(data).write(dataset_path.parent)
    assert (dataset_path.parent / "report.md").read_text(encoding="utf-8") == "mine"


def test_html_shows_edits_by_source_verdict_and_missed(report):
    html = report.html()
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html and "http" not in html.split("<body>")[1]
    # the glossary's correct fix of UE, with its rule and origin on hover
    m = re.search(r'<span class="e glossary correct"[^>]*title="([^"]*)"><del>UE</del><ins>EU</ins></span>', html)
    assert m and "ACRONYM_UE (glossaries/fr-en.yaml:" in m.group(1) and "correct (acronym)" in m.group(1)
    # the missed pronoun, with what the reference wants
    m = re.search(r'<span class="missed" data-verdict="missed" title="([^"]*)">her<span class="want">its</span>', html)
    assert m and "missed (pronoun)" in m.group(1)
    # the deleted furniture line is shown deleted, line break included
    assert '<del>After promoting the newsletter<span class="nl">↵</span>\n</del>' in html
    # the reference column marks found and missed reference edits
    assert '<span class="r found"' in html and '<span class="r missed-ref"' in html
    assert html.count('class="stage st') == 2  # a tab per stage but the identity


def test_html_tables_scroll_and_spacing_changes_are_visible(report):
    html = report.html()
    # every table can scroll sideways on a narrow screen, and wraps in print
    assert html.count('<div class="scroll"><table>') == html.count("<table>") >= 2
    assert ".scroll { overflow-x: auto;" in html and "@media print" in html and "@media (max-width:" in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html  # phones lay it out narrow
    # "7 %" -> "7%": the deleted space is a labelled chip, not an invisible or tiny glyph
    assert '<del><span class="ws" title="&#x27; &#x27;">space</span></del></span>% after the talks' in html
    assert "␣" not in html


def test_html_marks_a_wrong_edit_and_harm_to_clean_text(dataset_path):
    house = dataset_path.parent / "house.tsv"
    house.write_text("food prices\tfood tariffs\n", encoding="utf-8")
    rep = evaluate(dataset_path, stages=["none", "glossary"], bootstrap=0, glossaries=[str(house)])
    g = rep.stage("glossary")
    assert g["overcorrection"]["changed_ids"] == ["c1"] and g["overcorrection"]["words_changed"] == 1
    assert rep.data["significance"] is None
    html = rep.html()
    m = re.search(r'<span class="e glossary wrong"[^>]*title="([^"]*)"><del>prices</del><ins>tariffs</ins>', html)
    assert m and "the reference leaves this text unchanged" in m.group(1)
    assert "clean text changed" in html
    assert "| glossary |" in ablation_table(rep.data) and "| 1/2 |" in ablation_table(rep.data)


def test_stage_specs():
    assert [s.name for s in resolve_stages()] == ["none", "glossary", "full"]
    assert resolve_stages(["none"])[0].config is None
    assert parse_stage("glossary").config.use_model is False
    custom = parse_stage("bare:default_glossaries=false,batch_size=4")
    assert custom.options() == {"default_glossaries": False, "batch_size": 4}
    with_g = parse_stage("house:glossaries=b.tsv", glossaries=("a.yaml",))
    assert with_g.config.glossaries == ("a.yaml", "b.tsv")
    for bad, message in [("bogus", "unknown stage 'bogus'"), ("x:nope=1", "unknown option 'nope'"),
                         ("x:use_model=maybe", "takes true or false"), ("x:batch_size=big", "whole number"),
                         ("x:use_model", "expected OPTION=VALUE"), ("a b:use_model=true", "bad stage name")]:
        with pytest.raises(StageError, match=re.escape(message)):
            parse_stage(bad)
    with pytest.raises(StageError, match="named twice"):
        resolve_stages(["none", "none"])


def test_a_stage_without_glossaries_families_and_model_changes_nothing(dataset_path):
    rep = evaluate(dataset_path, stages=["none"],
                   extra_stages=["bare:default_glossaries=false,use_families=false,use_model=false"], bootstrap=20)
    bare = rep.stage("bare")
    assert bare["config"] == {"default_glossaries": False, "use_families": False, "use_model": False}
    assert bare["corpus"] == rep.stage("none")["corpus"] and bare["edits"]["tp"] == 0
