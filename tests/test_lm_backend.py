"""The model backends (repair.lm_backend), the verified model cache (repair.lm_cache) and
`repair cache`, with the real models: CTranslate2 against torch, damaged cache entries,
stale conversions, NaN scores, and the memory of a process that holds the judge.

Conversions happen once per test session (the ``model_cache`` fixture of conftest.py);
tests that damage a cache work on copies in a temporary cache of their own."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import fields
from pathlib import Path

import pytest
from click.testing import CliRunner

from repair import lm_cache
from repair.cli import main
from repair.config import DEFAULT_CONFIG, RepairConfig
from repair.edit import Proposal
from repair.garble import score_documents
from repair.judge import Judge, LMScorer
from repair.lm_backend import (CT2CausalLM, FastTokenizer, ScoringError, resolve_backend, resolve_compute_type)
from repair.pipeline import Repairer
from repair.postedit import DEFAULT_MODEL_DIR, PostEditor

from .conftest import ROOT, load_cases

DEV = [json.loads(line) for line in (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
       if line.strip()]
TRADE = "Trump has threatened separate prices on the world semiconductor industry."
POSTEDIT_NAME = "mt-repair-postedit"


@pytest.fixture(scope="session")
def ct2_scorer() -> LMScorer:
    return LMScorer.load(backend="ct2", compute_type="float32")


@pytest.fixture(scope="session")
def torch_scorer() -> LMScorer:
    return LMScorer.load(backend="torch")


@pytest.fixture(scope="session")
def editors() -> tuple[PostEditor, PostEditor]:
    return PostEditor(backend="torch"), PostEditor(backend="ct2")


@pytest.fixture(scope="session")
def postedit_entry(editors):
    """The session's CTranslate2 conversion of the built-in post-editor."""
    editors[1].model  # converted on first use
    path, how = lm_cache.seq2seq_ct2_dir(DEFAULT_MODEL_DIR, POSTEDIT_NAME)
    assert how == "cache"
    return path


@pytest.fixture()
def own_cache(tmp_path, monkeypatch):
    """An empty model cache for one test."""
    cache = tmp_path / "cache"
    monkeypatch.setenv(lm_cache.ENV_CACHE, str(cache))
    return cache


def _seed(entry, cache):
    """Copy a cache entry into the cache ``cache`` (a test's own)."""
    dst = cache / "models" / entry.name
    shutil.copytree(entry, dst)
    return dst


# -- options -------------------------------------------------------------------------------------
def test_backend_options_resolve_and_bad_ones_are_errors():
    assert resolve_backend("auto", "cpu") == "ct2" and resolve_backend("auto", "cuda") == "torch"
    assert resolve_compute_type("auto", "ct2", "causal") in ("float32", "int8", "int8_float32")
    assert resolve_compute_type("auto", "ct2", "seq2seq") == "float32"
    with pytest.raises(ValueError, match="unknown backend 'onnx'"):
        resolve_backend("onnx")
    with pytest.raises(ValueError, match="needs the ct2 backend"):
        Judge(backend="torch", compute_type="int8")
    names = [f.name for f in fields(RepairConfig)]
    assert names[-2:] == ["backend", "compute_type"]
    assert DEFAULT_CONFIG.backend == "auto" and DEFAULT_CONFIG.compute_type == "auto"


# -- the judge's model: CTranslate2 float32 against torch ------------------------------------------
def test_ct2_tokenizer_gives_the_same_ids_and_offsets_as_transformers(ct2_scorer, torch_scorer):
    for rec in DEV:
        for text in (rec["source"], rec["reference"]):
            assert ct2_scorer.encode_with_offsets(text) == torch_scorer.encode_with_offsets(text)
    assert ct2_scorer.prefix_id == torch_scorer.prefix_id


def test_ct2_float32_token_logprobs_match_torch(ct2_scorer, torch_scorer):
    texts = [r["source"] for r in DEV[:12]] + ["Short.", TRADE]
    seqs = [ct2_scorer.encode(t) for t in texts]
    a = ct2_scorer.token_logprobs(seqs)
    b = torch_scorer.token_logprobs(seqs)
    for x, y in zip(a, b):
        assert len(x) == len(y)
        assert max(abs(p - q) for p, q in zip(x, y)) < 2e-3
        assert abs(sum(x) - sum(y)) < 5e-3
    # batching (padding) changes nothing
    single = ct2_scorer.total_logprobs(texts, batched=False, use_cache=False)
    assert single == pytest.approx([sum(x) for x in a], abs=2e-3)


def test_judge_and_garble_score_agree_across_backends(ct2_scorer, torch_scorer):
    start = TRADE.index("prices")
    p = Proposal(start, start + 6, "prices", "tariffs", "glossary", "T", alternatives=("levies",), needs_judge=True)
    (va,) = Judge(scorer=ct2_scorer).score(TRADE, [p])
    (vb,) = Judge(scorer=torch_scorer).score(TRADE, [p])
    assert va.best == vb.best == "tariffs" and va.margin == pytest.approx(vb.margin, abs=5e-3)
    docs = [DEV[0]["source"], "Fine text here.\n\nThe IA fleas of the society of Nvidia rose."]
    for ra, rb in zip(score_documents(docs, ct2_scorer), score_documents(docs, torch_scorer)):
        assert ra.score == pytest.approx(rb.score, abs=1e-4)
        assert [s.score for s in ra.sentences] == pytest.approx([s.score for s in rb.sentences], abs=1e-3)


def test_the_margin_follows_the_compute_type_unless_given():
    from repair.judge import DEFAULT_MARGIN, INT8_MARGIN

    assert Judge(backend="torch").margin == DEFAULT_MARGIN == Judge(compute_type="float32").margin
    assert Judge().margin == (INT8_MARGIN if resolve_compute_type("auto", "ct2", "causal").startswith("int8")
                              else DEFAULT_MARGIN)
    assert Judge(compute_type="int8").margin == INT8_MARGIN > DEFAULT_MARGIN
    assert Judge(compute_type="int8_float32").margin == INT8_MARGIN
    assert Judge(compute_type="int8", margin=1.5).margin == 1.5


def test_families_need_more_than_the_float32_margin_away_from_round_trip_damage():
    """The families were calibrated under int8 at 3.0; float32 scores let more family edits
    through on clean news at the same bar, so in float32 they must win by 3.5 (the judge's
    own 2.0 still holds for glossary rules), unless a margin is given."""
    from repair.judge import FLOAT32_FAMILY_MARGIN, INT8_MARGIN
    from repair.rank import _required, _why_margin

    fam = Proposal(4, 11, "workers", "the workers", "family", "ARTICLE", margin=2.0, needs_judge=True)
    gloss = Proposal(0, 3, "The", "A", "glossary", "T", needs_judge=True)
    f32, i8 = Judge(compute_type="float32"), Judge(compute_type="int8")
    assert (f32.margin, f32.family_margin) == (2.0, FLOAT32_FAMILY_MARGIN) == (2.0, 3.5)
    assert _required(fam, f32) == 3.5 and _required(gloss, f32) == 2.0
    assert "the grammar families' margin" in _why_margin(fam, f32)
    assert _required(fam, i8) == INT8_MARGIN == _required(gloss, i8)
    assert _required(fam, Judge(compute_type="float32", margin=1.0)) == 2.0  # its own calibrated 2.0
    assert _required(fam, Judge(compute_type="float32", margin=2.5)) == 2.5


def test_auto_runs_the_judge_in_float32_where_int8_sums_saturate():
    """Without VNNI (here: MKL held to its AVX2 path) int8 scores move by a median 3 nats with
    the CPU and change with the batch (repair.lm_backend): "auto" must not pick int8 there."""
    script = ("from repair.judge import Judge; from repair.lm_backend import resolve_compute_type as r; "
              "print(r('auto', 'ct2', 'causal'), r('auto', 'ct2', 'seq2seq'), Judge().margin, Judge().signature())")
    env = dict(os.environ, PYTHONPATH=str(ROOT), MKL_ENABLE_INSTRUCTIONS="AVX2")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stderr
    causal, seq2seq, margin, signature = proc.stdout.split()
    assert (causal, seq2seq, float(margin)) == ("float32", "float32", 2.0)
    assert signature.endswith("|ct2-float32")


def test_default_judge_runs_on_ct2_and_says_so_in_its_signature():
    judge = Judge()
    assert judge.signature().endswith(f"|ct2-{resolve_compute_type('auto', 'ct2', 'causal')}")
    assert Judge(backend="torch").signature().endswith("|torch-float32")


# -- the post-editor: CTranslate2 against torch ------------------------------------------------------
def test_post_editor_generates_the_same_rewrites_and_scores_on_both_backends(editors):
    torch_ed, ct2_ed = editors
    texts = [r["source"] for r in DEV] + [c["original"] for c in load_cases("positive.jsonl")]
    sources = [w.source for t in texts for w in ct2_ed.windows(t)]
    assert len(sources) > 50
    outs = ct2_ed.generate(sources)
    assert outs == torch_ed.generate(sources)
    assert sum(o != s for o, s in zip(outs, sources)) > 5  # the model does rewrite
    targets = outs[:40] + sources[:40]
    a = ct2_ed.score(sources[:40] * 2, targets)
    b = torch_ed.score(sources[:40] * 2, targets)
    assert a == pytest.approx(b, abs=1e-4)
    assert ct2_ed.signature().endswith("|ct2-float32") and torch_ed.signature().endswith("|torch-float32")


def test_generation_cut_short_is_cut_at_the_same_token_on_both_backends():
    short = [PostEditor(backend=b, max_new_tokens=5) for b in ("torch", "ct2")]
    sources = ["The society said her fleas sold well on Monday in Paris.", "It is a question of money, said the firm."]
    a, b = (ed.generate(sources) for ed in short)
    assert a == b and all(len(x.split()) < len(s.split()) for x, s in zip(a, sources))


def test_the_default_pipeline_is_the_same_on_both_backends(ct2_scorer, torch_scorer):
    rep_ct2 = Repairer(DEFAULT_CONFIG.with_options(backend="ct2", compute_type="float32"))
    rep_torch = Repairer(DEFAULT_CONFIG.with_options(backend="torch"))
    rep_ct2.judge, rep_torch.judge = Judge(scorer=ct2_scorer), Judge(scorer=torch_scorer)  # loaded once
    texts = [r["source"] for r in DEV if r["kind"] == "garbled"][:15] + [r["source"] for r in DEV
                                                                          if r["kind"] == "clean"][:5]
    for t in texts:
        a, b = rep_ct2.repair(t), rep_torch.repair(t)
        assert a.text == b.text
        assert [(e.start, e.end, e.after) for e in a.edits] == [(e.start, e.end, e.after) for e in b.edits]


# -- a lean process ------------------------------------------------------------------------------
LEAN_SCRIPT = """
import json, sys
from repair.pipeline import Repairer
r = Repairer()
out = r.repair("The society said her fleas sold well. " + sys.argv[1])
status = open("/proc/self/status").read()
kb = lambda key: int(status.split(key + ":")[1].split()[0])
print(json.dumps({"torch": "torch" in sys.modules, "transformers": "transformers" in sys.modules,
                  "judge": r.judge.loaded and r.judge.scorer.backend, "postedit": r.postedit.backend,
                  "postedit_loaded": r.postedit._model is not None, "text": out.text,
                  "rss_mb": kb("VmRSS") / 1024, "hwm_mb": kb("VmHWM") / 1024}))
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads /proc")
def test_a_process_with_the_judge_and_the_post_editor_never_imports_torch():
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-c", LEAN_SCRIPT, TRADE], capture_output=True, text=True, env=env,
                          cwd=str(ROOT))
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.splitlines()[-1])
    assert got["judge"] == "ct2" and got["postedit"] == "ct2" and got["postedit_loaded"]
    assert "tariffs" in got["text"]
    assert not got["torch"] and not got["transformers"]
    assert got["rss_mb"] < LEAN_RSS_MB, got


#: RSS bound of a process holding the judge (CTranslate2, the default compute type) and the
#: post-editor, after repairs (measured with bench/bench_memory.py: ~0.95 GB in float32, ~0.3 GB
#: in int8); torch float32 holds 1.1-1.3 GB.
LEAN_RSS_MB = {"float32": 1100}.get(resolve_compute_type("auto", "ct2", "causal"), 450)


# -- the cache: keyed on content ---------------------------------------------------------------
def test_a_copy_of_the_gguf_elsewhere_finds_the_same_conversion_and_a_changed_one_does_not(ct2_scorer, tmp_path):
    gguf = lm_cache.find_gguf()
    copy = tmp_path / "venv2" / gguf.name
    copy.parent.mkdir()
    shutil.copyfile(gguf, copy)  # a fresh install: another path, another mtime, the same bytes
    os.utime(copy, (time.time() + 100, time.time() + 100))
    lm = lm_cache.load_causal_ct2(gguf=copy, compute_type="float32", threads=1)
    assert lm.source == "cache" and lm.path == ct2_scorer.tokenizer.name_or_path
    assert lm.model_id == ct2_scorer.model_id
    with open(copy, "r+b") as fh:  # one changed byte: another model, another entry
        fh.seek(-1, os.SEEK_END)
        last = fh.read(1)
        fh.seek(-1, os.SEEK_END)
        fh.write(bytes([last[0] ^ 1]))
    changed = lm_cache.gguf_source(copy)
    assert lm_cache.entry_dir(changed, "ct2") != lm_cache.entry_dir(lm_cache.gguf_source(gguf), "ct2")
    assert changed.size == gguf.stat().st_size


def test_a_conversion_is_atomic_and_stale_conversions_are_removed(own_cache, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, model)
    models = own_cache / "models"
    models.mkdir(parents=True)
    legacy = models / "model-0123456789abcdef"  # a conversion of mt-repair <= 0.1 (mtime-keyed)
    legacy.mkdir()
    (legacy / lm_cache.LEGACY_STAMP).write_text("{}")
    crashed = models / ".tmp-crashed"  # a conversion killed an hour ago
    crashed.mkdir()
    os.utime(crashed, (time.time() - 7200, time.time() - 7200))
    first, how = lm_cache.seq2seq_ct2_dir(model)
    assert how == "converted" and lm_cache.verify_entry(first)["source"]["path"] == str(model.resolve())
    assert not legacy.exists() and not crashed.exists()
    assert [p.name for p in models.iterdir() if not p.name.startswith(".lock-")] == [first.name]
    assert lm_cache.seq2seq_ct2_dir(model) == (first, "cache")
    # the model at that path changes: a new entry, and the old one is stale and goes
    cfg = json.loads((model / "generation_config.json").read_text())
    (model / "generation_config.json").write_text(json.dumps({**cfg, "mt_repair_note": "retrained"}))
    second, how = lm_cache.seq2seq_ct2_dir(model)
    assert how == "converted" and second != first and not first.exists()
    assert not [p for p in models.iterdir() if p.name.startswith(".tmp-")]


def test_two_processes_converting_at_once_make_one_entry(own_cache, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, model)
    code = ("import sys; from repair import lm_cache; "
            "print(lm_cache.seq2seq_ct2_dir(sys.argv[1])[1])")
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(model)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    outs = [p.communicate() for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert sorted(o.strip().splitlines()[-1] for o, _ in outs) == ["cache", "converted"]
    entries = lm_cache.entries()
    assert len(entries) == 1 and entries[0].state == "ok"


# -- the cache: damaged entries ----------------------------------------------------------------
def test_a_truncated_model_file_is_detected_and_converted_again(postedit_entry, own_cache):
    entry = _seed(postedit_entry, own_cache)
    assert lm_cache.seq2seq_ct2_dir(DEFAULT_MODEL_DIR, POSTEDIT_NAME) == (entry, "cache")
    model_bin = entry / "model.bin"
    size = model_bin.stat().st_size
    with open(model_bin, "r+b") as fh:
        fh.truncate(size // 2)
    with pytest.raises(lm_cache.CacheDamaged, match=r"model\.bin: \d+ bytes, \d+ expected"):
        lm_cache.verify_entry(entry)
    with pytest.warns(RuntimeWarning, match="damaged model cache entry removed"):
        path, how = lm_cache.seq2seq_ct2_dir(DEFAULT_MODEL_DIR, POSTEDIT_NAME)
    assert (path, how) == (entry, "rebuilt") and model_bin.stat().st_size == size
    lm_cache.verify_entry(entry)
    fresh = PostEditor(backend="ct2")
    src = "The society said her profits rose."
    assert fresh.generate([src]) == PostEditor(backend="torch").generate([src])


def test_random_bytes_in_a_model_file_are_detected_and_reported(postedit_entry, own_cache):
    entry = _seed(postedit_entry, own_cache)
    model_bin = entry / "model.bin"
    size = model_bin.stat().st_size
    with open(model_bin, "r+b") as fh:
        fh.seek(size // 2)
        fh.write(os.urandom(4096))
    assert model_bin.stat().st_size == size
    with pytest.raises(lm_cache.CacheDamaged, match=r"model\.bin: sha256 .* expected"):
        lm_cache.verify_entry(entry)
    res = CliRunner().invoke(main, ["cache", "info"])
    assert res.exit_code == 0 and "damaged" in res.stdout and entry.name in res.stdout
    assert "repair cache clear --stale" in res.stderr
    res = CliRunner().invoke(main, ["cache", "clear", "--stale"])
    assert res.exit_code == 0 and f"removed {entry}" in res.stdout and not entry.exists()


def test_a_damaged_judge_entry_is_detected(ct2_scorer, own_cache):
    real = Path(ct2_scorer.tokenizer.name_or_path)
    entry = own_cache / "models" / real.name
    entry.mkdir(parents=True)
    for f in real.iterdir():
        if f.name != "model.bin":
            shutil.copyfile(f, entry / f.name)
    with open(real / "model.bin", "rb") as src, open(entry / "model.bin", "wb") as dst:
        dst.write(src.read(1 << 20))  # a copy cut short
    with pytest.raises(lm_cache.CacheDamaged, match=rf"{entry / 'model.bin'}: 1048576 bytes"):
        lm_cache.verify_entry(entry, full=False)
    (state,) = [e.state for e in lm_cache.entries(verify=False)]
    assert state.startswith("damaged:")


def test_an_entry_that_cannot_be_removed_is_reported_with_its_path_and_the_command(postedit_entry, own_cache):
    blocked = lm_cache.entry_dir(lm_cache.dir_source(DEFAULT_MODEL_DIR, POSTEDIT_NAME), "ct2")
    blocked.parent.mkdir(parents=True)
    blocked.write_text("not a model")  # a file where the entry's directory belongs
    with pytest.raises(lm_cache.CacheDamaged) as info:
        lm_cache.seq2seq_ct2_dir(DEFAULT_MODEL_DIR, POSTEDIT_NAME)
    assert str(blocked) in str(info.value) and "repair cache clear" in str(info.value)
    res = CliRunner().invoke(main, ["cache", "clear"])
    assert res.exit_code == 0 and "1 entries removed" in res.stdout and not blocked.exists()
    _seed(postedit_entry, own_cache)
    assert lm_cache.seq2seq_ct2_dir(DEFAULT_MODEL_DIR, POSTEDIT_NAME)[1] == "cache"


def test_cache_info_and_clear(postedit_entry, own_cache):
    runner = CliRunner()
    res = runner.invoke(main, ["cache", "info"])
    assert res.exit_code == 0 and f"cache: {own_cache / 'models'}  (0 entries" in res.stdout
    entry = _seed(postedit_entry, own_cache)
    res = runner.invoke(main, ["cache", "info"])
    assert res.exit_code == 0, res.output
    line = next(x for x in res.stdout.splitlines() if x.startswith(entry.name))
    # the entry is keyed by content: it names the folder it was first converted from
    source = lm_cache.verify_entry(entry)["source"]["path"]
    assert "\tct2\t" in line and "MB" in line and "\tok\t" in line and line.endswith(source)
    info = json.loads(runner.invoke(main, ["cache", "info", "--json"]).stdout)
    assert info["path"] == str(own_cache / "models") and info["entries"][0]["kind"] == "ct2"
    assert info["total_size"] == sum(f.stat().st_size for f in entry.iterdir())
    res = runner.invoke(main, ["cache", "clear"])
    assert res.exit_code == 0 and "1 entries removed" in res.stdout and not entry.exists()
    assert lm_cache.entries() == []


# -- NaN is an error, never a decision ---------------------------------------------------------
@pytest.fixture(scope="module")
def nan_lm(tmp_path_factory, ct2_scorer):
    """A small real Llama model (the judge's tokenizer) with one NaN weight, saved for
    transformers and converted for CTranslate2."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    d = tmp_path_factory.mktemp("nan-llama")
    cfg = LlamaConfig(vocab_size=49152, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=512,
                      tie_word_embeddings=True)
    torch.manual_seed(0)
    model = LlamaForCausalLM(cfg)
    with torch.no_grad():
        model.model.norm.weight[0] = float("nan")
    model.save_pretrained(str(d / "hf"), safe_serialization=True)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(Path(ct2_scorer.tokenizer.name_or_path) / name, d / "hf" / name)
    from ctranslate2.converters import TransformersConverter

    TransformersConverter(str(d / "hf")).convert(str(d / "ct2"))
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(d / "hf" / name, d / "ct2" / name)
    return d


def _trade_proposal():
    start = TRADE.index("prices")
    return Proposal(start, start + 6, "prices", "tariffs", "glossary", "T", needs_judge=True)


@pytest.mark.parametrize("backend", ["torch", "ct2"])
def test_a_nan_score_is_an_error_not_a_decision(nan_lm, backend):
    if backend == "torch":
        scorer = LMScorer.load(str(nan_lm / "hf"), backend="torch")
    else:
        scorer = LMScorer(CT2CausalLM(str(nan_lm / "ct2"), "float32", threads=1), FastTokenizer(nan_lm / "ct2"))
    with pytest.raises(ScoringError, match="nan"):
        scorer.total_logprobs(["Prices rose."])
    with pytest.raises(ScoringError, match="nan"):
        Judge(scorer=scorer, margin=-1e9).decide(TRADE, [_trade_proposal()])


def test_a_conversion_that_gives_nan_is_refused(nan_lm, own_cache):
    with pytest.raises(lm_cache.JudgeUnavailable,
                       match=r"--backend ct2: converting .* failed:(.|\n)*non-finite log-probabilities \(nan\)"):
        LMScorer.load(str(nan_lm / "hf"), backend="ct2")
    assert not [e for e in lm_cache.entries() if e.kind == "ct2"]


def test_a_nan_from_the_post_editor_is_an_error():
    import torch

    editor = PostEditor(backend="torch")
    with torch.no_grad():
        editor.model.model.shared.weight[0, 0] = float("nan")  # the decoder's start token
    with pytest.raises(ScoringError, match="nan"):
        editor.score(["The society said her profits rose."], ["The company said its profits rose."])


# -- command line -----------------------------------------------------------------------------------
def test_fix_backend_options():
    runner = CliRunner()
    res = runner.invoke(main, ["fix", "--backend", "torch", "--compute-type", "int8", "-"], input="x\n")
    assert res.exit_code == 2 and "needs --backend ct2" in res.output
    res = runner.invoke(main, ["fix", "--backend", "ct2", "--compute-type", "float32", "--no-model", "-q", "-"],
                        input=TRADE + "\n")
    assert res.exit_code == 0, res.output
    assert res.stdout == TRADE.replace("prices", "tariffs") + "\n"
