"""The seq2seq post-editor: guards, diffing model output to proposals, and do-no-harm
with the built-in model on."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from repair.explain import describe
from repair.cli import main
from repair.config import DEFAULT_CONFIG
from repair.edit import Edit, apply_edits
from repair.guards import GuardConfig, check_content, check_extent, check_margin
from repair.pipeline import Repairer
from repair.postedit import DEFAULT_MODEL_DIR, PostEditor, _Window, _WORD, suspicious_words

from .conftest import ROOT, load_cases

DEV = [json.loads(line) for line in (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
       if line.strip()]
CLEAN = ([(c["label"], c["original"]) for c in load_cases("negative.jsonl")]
         + [(r["id"], r["source"]) for r in DEV if r["kind"] == "clean"])
GARBLED = ([(c["label"], c["original"]) for c in load_cases("positive.jsonl")]
           + [(r["id"], r["source"]) for r in DEV if r["kind"] == "garbled"])


@pytest.fixture(scope="session")
def editor() -> PostEditor:
    return PostEditor()


@pytest.fixture(scope="session")
def full() -> Repairer:
    # judge off: model proposals stand on their own guards, the strictest test of do-no-harm
    return Repairer(DEFAULT_CONFIG.with_options(use_model=True, use_judge=False))


@pytest.fixture(scope="session")
def default() -> Repairer:
    # the default pipeline: glossary, judge, post-editor (its edits gated by the judge)
    return Repairer(DEFAULT_CONFIG)


def test_builtin_model_ships_complete():
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "MODEL_CARD.md"):
        assert (DEFAULT_MODEL_DIR / name).is_file(), name
    assert (DEFAULT_MODEL_DIR / "model.safetensors").stat().st_size < 50_000_000


@pytest.mark.parametrize("label,text", CLEAN, ids=[c[0] for c in CLEAN])
def test_clean_text_is_byte_identical_with_the_model_on(full, label, text):
    out = full.repair(text)
    assert out.text == text, [describe(e) for e in out.edits]


@pytest.mark.parametrize("label,text", GARBLED, ids=[c[0] for c in GARBLED])
def test_every_edit_replays_and_model_edits_are_explained(full, editor, label, text):
    out = full.repair(text)
    assert apply_edits(text, out.edits) == out.text
    for e in out.edits:
        if "model" in e.source:
            assert editor.model_id in (e.rule_id or "") and e.before != e.after
    for r in out.rejected:
        if r.source == "model":
            assert r.reason and r.rule_id == editor.model_id


def test_repair_with_the_model_is_deterministic(full):
    text = " ".join(t for _, t in GARBLED[:5])
    assert full.repair(text) == full.repair(text)


def test_signature_names_model_and_guards(full, editor):
    sig = full.signature()
    assert f"model:{editor.model_id}" in sig and "margin:" in sig


# -- suspicion test ---------------------------------------------------------------------

def _hits(s):
    return suspicious_words(s, [(m.start(), m.end()) for m in _WORD.finditer(s)])


@pytest.mark.parametrize("sentence,words", [
    ("The society said her fleas sold well.", ["society", "her", "fleas"]),
    ("It is a celebrity figure.", ["It"]),
    ("He promised, in the affirmative, to explain.", ["in"]),
    ("Shares fell 3 % on Monday.", ["3"]),
    ("She said her sister would come.", []),
    ("The central bank raised rates.", []),
])
def test_suspicion_picks_round_trip_markers(sentence, words):
    spans = [m.group(0) for m in _WORD.finditer(sentence)]
    assert [spans[i] for i in _hits(sentence)] == words


def test_unsuspicious_text_skips_the_model(editor):
    assert editor.windows("The central bank raised rates. Fans cheered.") == []


def test_the_model_is_on_by_default_and_loads_only_for_suspicious_text():
    assert DEFAULT_CONFIG.use_model and Repairer(DEFAULT_CONFIG).postedit is not None
    fresh = PostEditor()
    assert fresh.propose("The central bank raised rates. Fans cheered.") == ([], [])
    assert fresh._model is None  # nothing worth a look: torch never ran
    fresh.propose("The society said her profits rose.")
    assert fresh._model is not None


# -- the default pipeline: model proposals, glossary blockers, the judge ----------------

def _garbled_dev():
    return [r for r in DEV if r["kind"] == "garbled"]


def test_default_pipeline_with_the_model_beats_it_without_on_the_dev_set(default):
    """The issue's bar, on eval/dev.jsonl: the default pipeline (with the model) scores a lower
    TER than the same pipeline without the model, which scores lower than doing nothing; every
    model edit is one the reference makes; no clean control changes."""
    from sacrebleu.metrics import TER

    without = Repairer(DEFAULT_CONFIG.with_options(use_model=False))
    recs = _garbled_dev()
    refs = [[r["reference"] for r in recs]]
    ter = TER(case_sensitive=True)
    outs = [default.repair(r["source"]) for r in recs]
    model_edits = [(r["id"], e) for r, o in zip(recs, outs) for e in o.edits if "model" in e.source]
    assert model_edits, "the model made no edit on the dev set"
    for rid, e in model_edits:
        assert e.after.strip(" ,.") in next(r["reference"] for r in recs if r["id"] == rid), (rid, describe(e))
    none = ter.corpus_score([r["source"] for r in recs], refs).score
    base = ter.corpus_score([without.repair(r["source"]).text for r in recs], refs).score
    with_model = ter.corpus_score([o.text for o in outs], refs).score
    assert with_model < base < none
    for r in DEV:
        if r["kind"] == "clean":
            assert default.repair(r["source"]).text == r["source"], r["id"]


BUILDING_SOCIETY = ("The Yorkshire Building Society said it would close 12 branches as more customers bank online. "
                    "The society said no jobs would be lost and that staff would move to other branches.")


def test_model_proposals_on_words_a_glossary_blocker_keeps_are_vetoed(editor, default):
    # the model alone would change this society (it cannot see that it is a building society) ...
    proposals, _ = editor.propose(BUILDING_SOCIETY, judged=True)
    assert any(p.before == "society" and p.after == "company" for p in proposals)
    # ... the glossary's blocker for SOCIETY_COMPANY says the text is right there, and wins
    out = default.repair(BUILDING_SOCIETY)
    assert out.text == BUILDING_SOCIETY
    assert any(r.source == "model" and r.reason.startswith("the glossary keeps this text: SOCIETY_COMPANY blocked by")
               for r in out.rejected)


def test_model_edits_name_the_sentence_they_were_made_in(default):
    rec = next(r for r in DEV if r["id"] == "markets-01")
    text = rec["source"]
    out = default.repair(text)
    model = [e for e in out.edits if "model" in e.source]
    assert model
    starts = [0] + [m.end() for m in __import__("re").finditer(r"(?<=[.!?])\s+", text)]
    for e in model:
        a, b = e.sentence
        assert a <= e.start < e.end <= b and a in starts, (describe(e), text[a:b])
        assert text[a:b].rstrip().endswith((".", "!", "?", "”", '"'))


def test_fluent_round_trip_wording_is_never_undone(default):
    from repair.roundtrip import FLUENT, undo_candidates

    text = "Zhukov told journalists the legislators had declared a holiday, a spokesperson said in a press release."
    assert default.repair(text).text == text
    assert undo_candidates(text) == []
    assert "told journalists" in FLUENT


def test_judged_margin_is_the_models_preference_and_the_unjudged_one_stricter():
    g = GuardConfig()
    assert g.min_margin_judged <= 0.0 < g.min_margin
    assert check_margin(-1.0, -1.05, g, judged=True) is None   # the model prefers the edit: the judge decides
    assert check_margin(-1.0, -1.05, g)                         # alone it needs the calibrated margin
    assert check_margin(-1.1, -1.0, g, judged=True)             # never an edit the model likes less than a copy


# -- diffing model output into guarded proposals ---------------------------------------

def _window(text: str) -> _Window:
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    return _Window(0, text, spans, 0, len(spans))


def _diff(editor, text, out):
    good, bad = editor._diff_window(text, _window(text), out)
    return [(p.start, p.end, p.before, p.after) for _, p, _ in good], [(r.before, r.after, r.reason) for r in bad]


def test_a_replacement_becomes_one_word_level_proposal(editor):
    text = "The firm said her profits rose."
    good, bad = _diff(editor, text, "The firm said its profits rose.")
    assert good == [(14, 17, "her", "its")] and bad == []


def test_insertion_and_deletion_keep_spacing(editor):
    text = "It is question of money, the the board said."
    good, _ = _diff(editor, text, "It is a question of money, the board said.")
    assert apply_edits(text, [Edit(s, e, b, a, "model") for s, e, b, a in good]) == \
        "It is a question of money, the board said."


def test_changed_names_are_rejected_and_the_rest_kept(editor):
    good, bad = _diff(editor, "Trump said on Monday that the society grew fast this year.",
                      "The triumph said on Monday that the company grew fast this year.")
    assert good == [(30, 37, "society", "company")]
    assert bad and "names changed" in bad[0][2]


def test_word_order_fix_is_judged_as_one_edit(editor):
    text = "They fear the AI global advance now."
    good, bad = _diff(editor, text, "They fear the global advance of AI now.")
    assert bad == []
    assert len(good) == 1
    assert apply_edits(text, [Edit(*good[0], "model")]) == "They fear the global advance of AI now."


@pytest.mark.parametrize("text,out,reason", [
    ("Sales rose 7 % in May this year.", "Sales rose 8 % in May this year.", "numbers changed"),
    ("He said “the society is strong” today and left.", "He said “the company is strong” today and left.",
     "inside quoted speech"),
    ("a b c d e f g h i j", "a x y z e f g w i j", "too many words changed"),
    ("Read #Brexit news every day now please.", "Read Brexit news every day now please.", "hashtags changed"),
])
def test_guards_reject_harmful_edits(editor, text, out, reason):
    good, bad = _diff(editor, text, out)
    assert good == [] and bad and all(reason in r for _, _, r in bad)


def test_model_scores_prefer_a_copy_to_garbage(editor):
    src = "The company said its shares fell."
    copy, garbage = editor.score([src, src], [src, "fleas fleas fleas fleas"])
    assert copy > garbage


def test_the_model_copies_typography_it_cannot_spell(editor):
    """The built-in model's vocabulary spells curly quotes, dashes, currency signs and
    accented letters as raw bytes, which it copied badly ("carmaker’s" came back as
    "carmaker\ufffd\ufffd\ufffds", and the guards then threw away every proposal of the
    sentence). It reads them folded to ASCII (repair.ascii_fold), and what it writes gets the
    source's characters back."""
    sources = ["The carmaker’s shares closed 4% lower in Tokyo.",
               "“It is a question of defending our industry,” he said.",
               "Fabien Galthié named a squad of 42 players on Wednesday — a record €5bn deal."]
    assert editor.generate(sources) == sources
    # and its proposals on such a sentence are the repairs, not the bytes
    props, held = editor.propose("The society’s actions closed 4% lower in Tokyo.", judged=True)
    assert [(p.before, p.after) for p in props] == [("society’s", "company’s")]
    assert not any("\ufffd" in x.after for x in props + held)


# -- guards as pure functions -----------------------------------------------------------

@pytest.mark.parametrize("before,after,start,ok", [
    ("her", "its", False, True),
    ("It", "He", True, True),
    ("Apple", "the apple", False, False),
    ("3.4", "3,4", False, False),
    ("see http://x.org", "see", False, False),
    ('"yes"', "yes", False, False),
])
def test_content_guard_table(before, after, start, ok):
    assert (check_content(before, after, start) is None) == ok


def test_extent_and_margin_guards_follow_the_config():
    strict = GuardConfig(max_changed_words=1, min_margin=2.0)
    assert check_extent(20, 2, strict)
    assert check_extent(20, 1, strict) is None
    assert check_margin(-0.5, -2.5, strict) is None
    assert check_margin(-1.0, -2.0, strict)


# -- command line -----------------------------------------------------------------------

def test_fix_with_model_option(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("The central bank raised rates.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["fix", str(src), "--model", str(DEFAULT_MODEL_DIR), "-q"])
    assert result.exit_code == 0, result.output
    assert result.output == "The central bank raised rates.\n"


def test_fix_with_the_builtin_model_explains_its_proposals(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("The society said her fleas sold well on Monday in Paris.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["fix", str(src), "--model", "builtin", "--no-judge", "--explain", "-q"])
    assert result.exit_code == 0, result.output
    # every model proposal is either an edit or a held-back proposal with its reason
    assert " model " in result.stderr


def test_model_and_no_model_exclude_each_other(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["fix", str(src), "--model", str(DEFAULT_MODEL_DIR), "--no-model"])
    assert result.exit_code == 2 and "exclude" in result.output


def test_missing_model_is_a_usage_error(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["fix", str(src), "--model", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and f"--model {tmp_path / 'nowhere'}: no such directory" in result.output


def test_judged_validation_reports_both_pipelines():
    from repair.evaluation.calibration.postedit import judged_validation

    # a round trip shows (the decimal comma): the model's rewrites are weighed near such damage
    src = "The group is actually the third largest carmaker after a fall of 3,4 % of its sales."
    pairs = [{"src": src, "tgt": src.replace("actually", "currently").replace("3,4 %", "3.4%")},
             {"src": "Zhukov told journalists the games could be held in Kazan.",
              "tgt": "Zhukov told journalists the games could be held in Kazan."}]
    row = judged_validation(None, pairs)
    assert row["pairs"] == 2 and row["copies"] == 1
    assert row["copies_changed_model"] == 0 and row["model_edits_no_model"] == 0
    assert row["model_edits_model"] >= 1 and row["ter_model"] < row["ter_no_model"]


def test_model_edits_away_from_round_trip_damage_need_a_higher_margin():
    """The model rewrites correct English now and then ("helps to sustain the notion" ->
    "support": clean news), and the judge prefers the rewrite by a few nats. With the judge
    on, a model proposal with no evidence of a round trip near it (a sure glossary edit or an
    accepted edit in its sentence or the next) must win by
    ``model_margin_without_evidence`` (6.5): 17 -> 6 model edits on 2.04M words of clean
    news. None restores the judge's margin everywhere."""
    from repair.config import DEFAULT_CONFIG
    from repair.pipeline import Repairer

    clean = 'For one thing, the obsession with border "security" helps to sustain the notion that the US is under attack.'
    held = Repairer(DEFAULT_CONFIG).repair(clean)
    assert held.text == clean
    (why,) = [r.reason for r in held.rejected if r.source == "model" and r.before == "sustain"]
    assert "< margin 6.5, a model edit with no round-trip damage near it" in why
    free = Repairer(DEFAULT_CONFIG.with_options(model_margin_without_evidence=None)).repair(clean)
    assert [(e.source, e.before, e.after) for e in free.edits] == [("model", "sustain", "support")]
    damaged = Repairer(DEFAULT_CONFIG).repair(clean + " Sales fell by 3,4 %.")
    assert ("model", "sustain", "support") in [(e.source, e.before, e.after) for e in damaged.edits]
