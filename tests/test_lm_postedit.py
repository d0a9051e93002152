"""The language-model post-editor (repair/lm_postedit.py) and its training (repair/train/lora.py,
lm_pairs.py, grammar_noise.py), on a tiny randomly initialised causal LM built here from a
config (no hub, no download): prompts, batched generation, diffing into guarded proposals, one
model shared by judge (adapter off) and post-editor (adapter on), resumable training."""
from __future__ import annotations

import random

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

from repair.edit import Proposal  # noqa: E402
from repair.guards import GuardConfig  # noqa: E402
from repair.lm_postedit import LMPostEditor, SharedLM, adapter_path, is_lm_model, local_windows  # noqa: E402
from repair.lm_prompt import END, build_prompt, build_target  # noqa: E402
from repair.postedit import _WORD, _Window  # noqa: E402

TEXTS = ["The society said her fleas sold well.", "The company said its chips sold well.",
         "Nvidia designs its chips in California.", "Prices rose 7% in March, the bank said.",
         "The UE and the OTAN met in Brussels on Monday.", "He is a celebrity in his country."]


def tiny_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>", "<|im_start|>", END],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(TEXTS * 5 + [build_prompt(t, t) for t in TEXTS], trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=END, pad_token="<|endoftext|>",
                                   bos_token="<|im_start|>")


def tiny_model(vocab: int, seed: int = 0):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                         tie_word_embeddings=True)
    return LlamaForCausalLM(config).eval()


@pytest.fixture(scope="module")
def tok():
    return tiny_tokenizer()


def shared_lm(tok, seed: int = 0) -> SharedLM:
    from peft import LoraConfig

    shared = SharedLM(None, base=(tiny_model(len(tok), seed), tok, "tiny"),
                      lora_config=LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "up_proj"]))
    # a fresh adapter is the identity (B = 0): give it weights so that on and off differ
    torch.manual_seed(seed + 1)
    for name, p in shared.model.named_parameters():
        if "lora_B" in name:
            p.data.normal_(0, 0.5)
    return shared


# -- prompts ---------------------------------------------------------------------------------
def test_prompt_has_the_context_and_the_sentence_and_the_target_ends_the_turn():
    p = build_prompt("Nvidia  designs her chips.", "Nvidia is a chipmaker.")
    assert p.index("Context: Nvidia is a chipmaker.") < p.index("Sentence: Nvidia designs her chips.")
    assert p.endswith("<|im_start|>assistant\n")
    assert "Context" not in build_prompt("First sentence.", "")
    assert build_target("Nvidia designs its  chips.") == "Nvidia designs its chips." + END
    long_context = " ".join(f"w{i}" for i in range(100))
    assert "w59" not in build_prompt("x", long_context) and "w99" in build_prompt("x", long_context)


def test_model_names():
    assert is_lm_model("lm") and is_lm_model("lm:some/dir") and not is_lm_model("build/model")
    with pytest.raises(Exception, match="no LoRA adapter"):
        adapter_path("lm:/nonexistent/adapter")


# -- one model, two roles ----------------------------------------------------------------------
def test_judge_scores_with_the_adapter_off_and_the_post_editor_with_it_on(tok):
    from repair.judge import LMScorer

    plain = LMScorer(tiny_model(len(tok), 0), tok, "tiny")
    shared = shared_lm(tok, 0)
    judge = shared.judge_scorer()
    texts = ["The society said her fleas sold well.", "Prices rose 7% in March."]
    assert judge.total_logprobs(texts, use_cache=False) == pytest.approx(plain.total_logprobs(texts, use_cache=False),
                                                                          abs=1e-4)
    ids = torch.tensor([tok(texts[0]).input_ids])
    with shared.adapter(True) as m:
        on = m(input_ids=ids).logits
    with shared.adapter(False) as m:
        off = m(input_ids=ids).logits
    assert not torch.allclose(on, off)  # the adapter does change the post-editor's model
    # one model in memory: the judge's scorer wraps the same module, not a copy
    assert judge is shared.judge_scorer()
    base_params = {id(p) for p in shared.model.get_base_model().parameters()}
    lora = sum(p.numel() for n, p in shared.model.named_parameters() if "lora_" in n)
    assert sum(p.numel() for p in shared.model.parameters()) == sum(
        p.numel() for p in tiny_model(len(tok)).parameters()) + lora
    assert len(base_params) == len(list(shared.model.parameters()))


def test_batched_generation_equals_one_at_a_time(tok):
    editor = LMPostEditor(shared_lm(tok, 2), batch_size=4)
    items = [(t, TEXTS[i - 1] if i else "") for i, t in enumerate(TEXTS)]
    together = editor.generate_ids(items)
    alone = [editor.generate_ids([it])[0] for it in items]
    assert together == alone
    assert editor.generated_sentences == 2 * len(items)
    # the length limit: at most 1.3 x the sentence's tokens + 8 new tokens
    for (ids, _), (s, _) in zip(together, items):
        assert len(ids) <= int(len(tok(s).input_ids) * 1.3) + 8


# -- diffing a rewrite into guarded proposals ---------------------------------------------------
class FixedRewrite(LMPostEditor):
    """The tiny model cannot repair anything: its rewrite is given, the rest runs for real."""

    rewrites: dict[str, str] = {}

    def generate(self, items):
        self.generated_sentences += len(items)
        return [self.rewrites.get(s) for s, _ in items]


def test_rewrite_becomes_word_level_proposals_named_after_the_adapter(tok):
    editor = FixedRewrite(shared_lm(tok, 3), guards=GuardConfig(min_margin=-99, min_margin_judged=-99),
                          use_undo=False)
    sentence = "The society said on Monday that her fleas sold well in the whole of Europe."
    text = f"Chips are scarce. {sentence}\nFans cheered."
    editor.rewrites = {sentence: "The company said on Monday that its chips sold well in the whole of Europe."}
    proposals, rejected = editor.propose(text, judged=True)
    assert [(p.before, p.after) for p in proposals] == [("society", "company"), ("her fleas", "its chips")]
    for p in proposals:
        assert text[p.start:p.end] == p.before
        assert p.source == "model" and p.rule_id == editor.model_id == "lm-postedit@fresh"
    assert editor.generated_sentences == 1  # "Chips are scarce." and "Fans cheered." are not suspicious
    assert not rejected


def test_guards_reject_a_rewrite_that_changes_numbers_or_names(tok):
    editor = FixedRewrite(shared_lm(tok, 3), guards=GuardConfig(min_margin=-99, min_margin_judged=-99),
                          use_undo=False)
    text = "The society said on Monday that her profit rose 7% last year in the city of Paris."
    editor.rewrites = {text: "The company said on Monday that its profit rose 8% last year in the city of London."}
    proposals, rejected = editor.propose(text, judged=True)
    assert {(p.before, p.after) for p in proposals} == {("society", "company"), ("her", "its")}
    reasons = " ".join(r.reason for r in rejected)
    assert "numbers changed: 7 -> 8" in reasons and "names changed: Paris -> London" in reasons


def test_the_model_must_prefer_the_edit(tok):
    editor = FixedRewrite(shared_lm(tok, 3), guards=GuardConfig(min_margin=99, min_margin_judged=99), use_undo=False)
    text = "The society said on Monday that her fleas sold well in the whole of Europe."
    editor.rewrites = {text: "The company said on Monday that its chips sold well in the whole of Europe."}
    proposals, rejected = editor.propose(text, judged=True)
    assert proposals == [] and rejected and all(r.reason.startswith("model margin") for r in rejected)


def test_separate_changes_of_a_sentence_are_guarded_one_by_one():
    s = "The society said that the whole of the staff would meet the UE officials on Monday."
    w = _Window(0, s, [(m.start(), m.end()) for m in _WORD.finditer(s)], 0, len(s.split()))
    out = "The company said that the whole of the staff would meet the EU officials on Monday."
    subs = local_windows(w, out, 3)
    assert [(x.source, c) for x, c in subs] == [("The society said that the", "The company said that the"),
                                                ("would meet the UE officials on Monday.",
                                                 "would meet the EU officials on Monday.")]


# -- training --------------------------------------------------------------------------------
def _pairs():
    rng = random.Random(0)
    out = []
    for k in range(24):
        t = TEXTS[k % len(TEXTS)]
        src = t.replace("its", "her") if rng.random() < 0.5 else t
        out.append({"context": TEXTS[k % 3], "src": src, "tgt": t})
    return out, out[:6]


def _train(tmp_path, tok, steps, resume, out):
    from repair.train.lora import LoraOptions, train_lora

    opts = LoraOptions(output=str(tmp_path / out), work=str(tmp_path / "work"), steps=steps, budget_minutes=None,
                       batch_size=4, rank=2, alpha=4, dtype="float32", eval_every=2, eval_pairs=6,
                       checkpoint_minutes=1000, resume=resume, target_modules=("q_proj", "v_proj"))
    return train_lora(opts, log=lambda m: None, model=tiny_model(len(tok), 5), tokenizer=tok, pairs=_pairs())


def test_training_resumes_from_its_checkpoint_to_the_same_adapter(tmp_path, tok):
    import json

    from safetensors.torch import load_file

    straight = _train(tmp_path / "a", tok, 4, False, "out")
    _train(tmp_path / "b", tok, 2, False, "out")
    resumed = _train(tmp_path / "b", tok, 4, True, "out")
    a = load_file(str(straight / "adapter_model.safetensors"))
    b = load_file(str(resumed / "adapter_model.safetensors"))
    assert a.keys() == b.keys() and a
    for k in a:
        assert torch.equal(a[k], b[k]), k
    card = json.loads((resumed / "training.json").read_text())
    assert card["steps"] == 4 and [r["started_step"] for r in card["runs"]] == [0, 2]
    assert all(h["valid_loss"] > 0 and h["pairs_per_s"] > 0 for h in card["history"])
    assert (resumed / "adapter_config.json").is_file()
    # the adapter loads onto the base it was trained on, and changes its output
    shared = SharedLM(resumed, base=(tiny_model(len(tok), 5), tok, "tiny"))
    ids = torch.tensor([tok(TEXTS[0]).input_ids])
    with shared.adapter(True) as m:
        on = m(input_ids=ids).logits
    with shared.adapter(False) as m:
        off = m(input_ids=ids).logits
    assert not torch.allclose(on, off)
    assert shared.adapter_id.startswith("lm-postedit@") and shared.adapter_id != "lm-postedit@fresh"


def test_a_resume_with_other_options_is_refused(tmp_path, tok):
    from repair.train.lora import LoraOptions, train_lora

    _train(tmp_path, tok, 1, False, "out")
    opts = LoraOptions(output=str(tmp_path / "o2"), work=str(tmp_path / "work"), steps=2, budget_minutes=None,
                       batch_size=2, rank=2, alpha=4, dtype="float32", resume=True, target_modules=("q_proj", "v_proj"))
    with pytest.raises(ValueError, match="other options"):
        train_lora(opts, log=lambda m: None, model=tiny_model(len(tok), 5), tokenizer=tok, pairs=_pairs())


def test_loss_is_on_the_output_tokens_only(tok):
    from repair.train.lora import collate, encode_pairs

    ex = encode_pairs(tok, [{"context": "", "src": "He is a celebrity.", "tgt": "He is a celebrity."}], 200)
    x, mask, labels = collate(ex, [0], 0)
    n_prompt = ex[0][1]
    assert (labels[0, :n_prompt] == -100).all()
    assert tok.decode(labels[0, n_prompt:].tolist()) == build_target("He is a celebrity.")


# -- training pairs ---------------------------------------------------------------------------
def test_pairs_mix_has_copies_and_damage_and_keeps_the_clean_side():
    from repair.train.lm_pairs import LMPairOptions, make_pairs

    clean = ["The company said its shares fell by 7% on Friday.", "China leads the global AI race, she said.",
             "Her sister runs the Bank of England's press office.", "Investors fear a two-year delay of the plan.",
             "The plant has been closed for two years, officials said.", "Sales fell by 4% in March."] * 8
    pool = [{"context": "", "sentence": s, "doc": f"d{i}"} for i, s in enumerate(clean)]
    pairs, stats = make_pairs(pool, 40, LMPairOptions(apertium=False), seed=3, log=lambda m: None)
    assert pairs and all(p["tgt"] in clean for p in pairs)
    copies = sum(p["src"] == p["tgt"] for p in pairs)
    assert copies / len(pairs) >= 0.4
    assert any(p["kind"] == "grammar" and p["src"] != p["tgt"] for p in pairs)
    assert any(p["kind"] == "noise" and p["src"] != p["tgt"] for p in pairs)
    assert any(p["kind"] == "hard_negative" for p in pairs)


def test_grammar_noise_makes_the_families_errors():
    from repair.train.grammar_noise import GRAMMAR_NOISES

    rng = random.Random(0)
    cases = {"possessive": ("The bank's profits rose.", "The profits of the bank rose."),
             "time_since": ("It has been shut for three months.", "It has been shut since three months."),
             "verb_pattern": ("The dispute risks delaying the project.", "The dispute risks to delay the project.")}
    for name, (clean, damaged) in cases.items():
        assert GRAMMAR_NOISES[name](clean, rng) == damaged
    assert GRAMMAR_NOISES["possessive"]("The decision of the judge stands.", rng) == "The decision of the judge stands."


def test_scores_are_the_mean_log_probability_of_the_output_tokens(tok):
    editor = LMPostEditor(shared_lm(tok, 4), batch_size=3)
    items = [(TEXTS[0], TEXTS[1]), (TEXTS[2], ""), (TEXTS[3], TEXTS[4]), (TEXTS[5], "")]
    targets = [TEXTS[1], TEXTS[2], TEXTS[3], TEXTS[5]]
    expected = []
    with editor.shared.adapter(True) as model:
        for (sentence, context), t in zip(items, targets):
            a = tok(build_prompt(sentence, context), add_special_tokens=False).input_ids
            b = tok(build_target(t), add_special_tokens=False).input_ids
            logp = torch.log_softmax(model(input_ids=torch.tensor([a + b])).logits[0].float(), -1)
            expected.append(float(sum(logp[len(a) - 1 + k, tok_id] for k, tok_id in enumerate(b)) / len(b)))
    assert editor.score(items, targets) == pytest.approx(expected, abs=1e-4)
