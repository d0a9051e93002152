"""`repair eval` in both forms, and agreement with the sacrebleu command line on the dev set."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sacrebleu.metrics import BLEU, CHRF, TER

from repair.cli import main

from .conftest import ROOT

DEV = ROOT / "eval" / "dev.jsonl"


@pytest.fixture(scope="module")
def dev_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("dev-report")
    res = CliRunner().invoke(main, ["eval", str(DEV), "--report-dir", str(out), "--bootstrap", "100", "--seed", "5",
                                    "--html"])
    assert res.exit_code == 0, res.output
    return res, out


def _sacrebleu_cli(ref, hyp) -> dict:
    """BLEU, chrF and TER from the real sacrebleu command line."""
    cmd = [sys.executable, "-m", "sacrebleu", str(ref), "-i", str(hyp), "-m", "bleu", "chrf", "ter",
           "--tokenize", "13a", "--ter-case-sensitive", "-f", "json", "-w", "4"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    scores = {item["name"]: item["score"] for item in json.loads(proc.stdout)}
    return {"bleu": scores["BLEU"], "chrf": scores["chrF2"], "ter": scores["TER"]}


def test_dataset_form_prints_the_ablation_table_with_significance(dev_run):
    res, out = dev_run
    lines = res.stdout.splitlines()
    assert lines[0].startswith(f"dataset: {DEV} (jsonl; 156 records: 112 garbled, 44 clean;")
    # metric names as sacrebleu prints them; TER over all records and over the garbled ones
    assert lines[1].startswith("| stage | BLEU ↑ | chrF2 ↑ | TER ↓ | TER ↓ garbled | TP/FP/FN |")
    assert "over all 156 records (the 44 clean controls included); TER garbled: over the 112 garbled" in res.stdout
    assert [line.split(" | ")[0] for line in lines[3:6]] == ["| none", "| glossary", "| full"]
    assert "Paired bootstrap (100 resamples, seed 5" in res.stdout
    assert "| none → glossary | +" in res.stdout and "| glossary → full |" in res.stdout
    assert f"reports: {out / 'report.json'}, {out / 'report.md'}, {out / 'report.html'}" in res.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    glossary = next(s for s in report["stages"] if s["name"] == "glossary")
    none = report["stages"][0]
    assert glossary["corpus"]["ter"] < none["corpus"]["ter"]
    assert glossary["overcorrection"]["clean_records"] == 44
    # garbled-only scores leave the clean controls (whose reference is their source) out: more to repair
    assert none["corpus_garbled"]["ter"] > none["corpus"]["ter"]
    assert glossary["corpus_garbled"]["ter"] < none["corpus_garbled"]["ter"]


def test_scores_agree_with_the_sacrebleu_command_line(dev_run, tmp_path):
    _, out = dev_run
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    seg = out / "segments"
    # files written here straight from the dataset are the files the harness scored
    records = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    src, ref = tmp_path / "src.txt", tmp_path / "ref.txt"
    src.write_text("".join(r["source"].replace("\n", " ") + "\n" for r in records), encoding="utf-8")
    ref.write_text("".join(r["reference"].replace("\n", " ") + "\n" for r in records), encoding="utf-8")
    assert src.read_bytes() == (seg / "src.txt").read_bytes() and ref.read_bytes() == (seg / "ref.txt").read_bytes()
    cli_none = _sacrebleu_cli(ref, src)
    by_content: dict[bytes, dict] = {src.read_bytes(): cli_none}
    for stage in report["stages"]:
        hyp = seg / f"{stage['name']}.txt"
        outputs = "".join(r["output"].replace("\n", " ") + "\n" for r in stage["records"])
        assert hyp.read_text(encoding="utf-8") == outputs
        cli = by_content.get(hyp.read_bytes()) or by_content.setdefault(hyp.read_bytes(), _sacrebleu_cli(ref, hyp))
        for metric in ("bleu", "chrf", "ter"):
            assert stage["corpus"][metric] == pytest.approx(cli[metric], abs=0.01), (stage["name"], metric)
    assert report["stages"][0]["corpus"]["ter"] == pytest.approx(cli_none["ter"], abs=0.01)


def test_dataset_form_json_and_options(tmp_path):
    data = tmp_path / "d.tsv"
    data.write_text("The UE met.\tThe EU met.\nFood prices rose.\tFood prices rose.\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(main, ["eval", str(data), "--report-dir", str(tmp_path / "r"), "--stages", "none,glossary",
                               "--stage", "bare:default_glossaries=false", "--bootstrap", "20", "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert [s["name"] for s in report["stages"]] == ["none", "glossary", "bare"]
    assert report["stages"][1]["records"][0]["output"] == "The EU met."
    assert report["dataset"]["format"] == "tsv" and not (tmp_path / "r" / "report.html").exists()
    res = runner.invoke(main, ["eval", str(data), "--report-dir", str(tmp_path / "r2"), "--bootstrap", "0",
                               "--ter-ignore-case"])
    assert res.exit_code == 0 and "Paired bootstrap" not in res.stdout
    assert json.loads((tmp_path / "r2" / "report.json").read_text())["settings"]["ter_case_sensitive"] is False


def test_plain_text_pair_with_ref_option(tmp_path):
    (tmp_path / "a.txt").write_text("The UE met.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("The EU met.\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["eval", str(tmp_path / "a.txt"), "--ref", str(tmp_path / "b.txt"),
                                    "--report-dir", str(tmp_path / "r"), "--bootstrap", "10"])
    assert res.exit_code == 0, res.output
    assert "| glossary |" in res.stdout


@pytest.mark.parametrize("args, code, message", [
    (["--hyp-field", "x"], 2, "--hyp-field only apply to the HYP REF form"),
    (["--stages", "none,bogus"], 2, "unknown stage 'bogus'"),
    (["--stages", "none,x:use_judge=true"], 2, "--stages takes stage names"),
    (["--stage", "x:colour=red"], 2, "unknown option 'colour'"),
])
def test_dataset_form_usage_errors(tmp_path, args, code, message):
    res = CliRunner().invoke(main, ["eval", str(DEV), "--report-dir", str(tmp_path), *args])
    assert res.exit_code == code and message in res.output


def test_bad_dataset_is_a_data_error_naming_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"source": "a", "reference": "a"}\n{"source": "b"}\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["eval", str(bad), "--report-dir", str(tmp_path / "r")])
    assert res.exit_code == 3 and f"{bad}: line 2: no field 'reference'" in res.output
    assert not (tmp_path / "r").exists()


def test_two_file_form_keeps_its_behaviour(tmp_path):
    hyp, ref = tmp_path / "hyp.txt", tmp_path / "ref.txt"
    hyps = ["The AI chips sold out.", "Shares rose 7 % on Monday.", "hello world"]
    refs = ["The AI chips sold out.", "Shares rose 7% on Monday.", "Hello World"]
    hyp.write_text("\n".join(hyps) + "\n", encoding="utf-8")
    ref.write_text("\n".join(refs) + "\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(main, ["eval", str(hyp), str(ref), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) == {"bleu", "chrf", "ter", "segments", "signatures"} and out["segments"] == 3
    assert out["bleu"] == pytest.approx(BLEU().corpus_score(hyps, [refs]).score, abs=1e-3)
    assert out["chrf"] == pytest.approx(CHRF().corpus_score(hyps, [refs]).score, abs=1e-3)
    assert out["ter"] == pytest.approx(TER(case_sensitive=True).corpus_score(hyps, [refs]).score, abs=1e-3)
    res = runner.invoke(main, ["eval", str(hyp), str(ref), "--ter-ignore-case", "--json"])
    assert json.loads(res.stdout)["ter"] < out["ter"]
    res = runner.invoke(main, ["eval", str(hyp), str(ref)])
    assert res.exit_code == 0 and [line.split()[0] for line in res.stdout.splitlines()] == ["BLEU", "chrF2", "TER"]
    jl_h, jl_r = tmp_path / "h.jsonl", tmp_path / "r.jsonl"
    jl_h.write_text("".join(json.dumps({"out": h}) + "\n" for h in hyps), encoding="utf-8")
    jl_r.write_text("".join(json.dumps({"ref": r}) + "\n" for r in refs), encoding="utf-8")
    res = runner.invoke(main, ["eval", str(jl_h), str(jl_r), "--hyp-field", "out", "--ref-field", "ref", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["bleu"] == out["bleu"]


def test_two_file_form_errors(tmp_path):
    hyp, ref = tmp_path / "hyp.txt", tmp_path / "ref.txt"
    hyp.write_text("a\nb\n", encoding="utf-8")
    ref.write_text("a\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(main, ["eval", str(hyp), str(ref)])
    assert res.exit_code == 3 and "has 2 segments but" in res.output
    res = runner.invoke(main, ["eval", str(hyp), str(ref), "--html"])
    assert res.exit_code == 2 and "--html only apply to the DATASET form" in res.output
    res = runner.invoke(main, ["eval", "-", "-"])
    assert res.exit_code == 2 and "standard input (-) can be read once" in res.output
    res = runner.invoke(main, ["eval", str(hyp), str(tmp_path)])
    assert res.exit_code == 2 and "is a directory" in res.output


def test_two_file_form_reads_stdin_and_several_references(tmp_path):
    hyps = ["The AI chips sold out.", "Shares rose 7 % on Monday.", "hello world"]
    refs1 = ["The AI chips sold out.", "Shares rose 7% on Monday.", "Hello World"]
    refs2 = ["AI chips sold out.", "Shares rose 7 % on Monday.", "hello world"]
    hyp, r1, r2 = tmp_path / "hyp.txt", tmp_path / "r1.txt", tmp_path / "r2.txt"
    for path, lines in ((hyp, hyps), (r1, refs1), (r2, refs2)):
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(main, ["eval", "-", str(r1), str(r2), "--json"], input=hyp.read_text(encoding="utf-8"))
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["bleu"] == pytest.approx(BLEU().corpus_score(hyps, [refs1, refs2]).score, abs=1e-3)
    assert out["chrf"] == pytest.approx(CHRF().corpus_score(hyps, [refs1, refs2]).score, abs=1e-3)
    assert out["ter"] == pytest.approx(TER(case_sensitive=True).corpus_score(hyps, [refs1, refs2]).score, abs=1e-3)
    assert "nrefs:2" in out["signatures"]["bleu"]
    short = tmp_path / "short.txt"
    short.write_text("one line\n", encoding="utf-8")
    res = runner.invoke(main, ["eval", "-", str(r1), str(short)], input=hyp.read_text(encoding="utf-8"))
    assert res.exit_code == 3 and f"<stdin> has 3 segments but {short} has 1" in res.output


def test_dataset_form_reads_stdin_and_several_references(tmp_path):
    src, r1, r2 = tmp_path / "src.txt", tmp_path / "r1.txt", tmp_path / "r2.txt"
    src.write_text("The UE met.\nFood prices rose.\n", encoding="utf-8")
    r1.write_text("The EU met.\nFood prices rose.\n", encoding="utf-8")
    r2.write_text("The EU has met.\nFood prices rose.\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(main, ["eval", str(src), "--ref", str(r1), "--ref", str(r2), "--stages", "none,glossary",
                               "--report-dir", str(tmp_path / "r"), "--bootstrap", "10", "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["dataset"]["references"] == 2 and "nrefs:2" in report["sacrebleu"]["signatures"]["ter"]
    glossary = report["stages"][1]
    outputs = [r["output"] for r in glossary["records"]]
    want = TER(case_sensitive=True).corpus_score(outputs, [r1.read_text().splitlines(), r2.read_text().splitlines()])
    assert glossary["corpus"]["ter"] == pytest.approx(want.score, abs=1e-3)
    assert (tmp_path / "r" / "segments" / "ref2.txt").read_bytes() == r2.read_bytes()
    data = '{"source": "The UE met.", "reference": "The EU met."}\n'
    res = runner.invoke(main, ["eval", "-", "--stages", "none,glossary", "--report-dir", str(tmp_path / "s"),
                               "--bootstrap", "0", "--json"], input=data)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["dataset"]["path"] == "<stdin>"


def test_cli_format_choices_are_the_loaders():
    from repair.evaluation.datasets import FORMATS

    option = next(p for p in main.commands["eval"].params if p.name == "dataset_format")
    assert tuple(option.type.choices) == FORMATS
