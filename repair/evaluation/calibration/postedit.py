"""Choose the post-editor's margin on held-out data, never on the evaluation set.

Runs the model on the held-out validation pairs (sentences from articles kept out of
training, already through the glossary pass) and on the do-no-harm cases
(``tests/cases/negative.jsonl`` when present), and prints, for each candidate margin,
the validation TER with and without the model and how many clean texts would change.

    python -m repair.evaluation.calibration postedit MODEL_DIR --work build/train

``--judged`` instead runs the default pipeline (glossary, judge, and the model gated by the
judge at ``GuardConfig.min_margin_judged``) on the same validation pairs, with and without
the model, and prints TER, exact repairs and copies changed for both.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import click

MARGINS = (0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.8, 1.0)


def _apply(text: str, scored, threshold: float) -> str:
    from ...edit import apply_edits

    return apply_edits(text, [p.accept() for p, es, cs in scored if es - cs >= threshold])


def calibrate(model: str, valid_pairs: list[dict], clean_texts: list[str], margins=MARGINS) -> list[dict]:
    from sacrebleu.metrics import TER

    from ...config import DEFAULT_CONFIG
    from ...pipeline import Repairer
    from ...postedit import PostEditor

    pe = PostEditor(model)
    glossary = Repairer(DEFAULT_CONFIG.with_options(use_model=False, use_judge=False))
    v_scored = [pe.scored_proposals(p["src"])[0] for p in valid_pairs]
    mids = [glossary.repair(t).text for t in clean_texts]
    c_scored = [pe.scored_proposals(m)[0] for m in mids]
    ter = TER(case_sensitive=True)
    refs = [[p["tgt"] for p in valid_pairs]]
    base = ter.corpus_score([p["src"] for p in valid_pairs], refs).score
    rows = []
    for t in margins:
        hyps = [_apply(p["src"], sc, t) for p, sc in zip(valid_pairs, v_scored)]
        copies = [p for p in valid_pairs if p["src"] == p["tgt"]]
        rows.append({
            "margin": t, "ter_glossary": round(base, 2),
            "ter_model": round(ter.corpus_score(hyps, refs).score, 2),
            "valid_changed": sum(h != p["src"] for h, p in zip(hyps, valid_pairs)),
            "valid_copies_changed": sum(h != p["src"] for h, p in zip(hyps, valid_pairs) if p["src"] == p["tgt"]),
            "valid_copies": len(copies),
            "clean_changed": sum(_apply(m, sc, t) != m for m, sc in zip(mids, c_scored)),
            "clean_texts": len(clean_texts)})
    worst = max([es - cs for sc in c_scored for _, es, cs in sc]
                + [es - cs for p, sc in zip(valid_pairs, v_scored) if p["src"] == p["tgt"] for _, es, cs in sc]
                + [0.0])
    # the smallest margin that changes no clean text and no copy pair: just above the worst one
    rows.append({"recommended_min_margin": math.floor(worst * 100 + 1) / 100, "worst_clean_margin": round(worst, 4)})
    return rows


def judged_validation(model: str | None, valid_pairs: list[dict]) -> dict:
    """The default pipeline with and without ``model`` on validation pairs (judge on)."""
    from sacrebleu.metrics import TER

    from ...config import DEFAULT_CONFIG
    from ...pipeline import Repairer

    ter = TER(case_sensitive=True)
    refs = [[p["tgt"] for p in valid_pairs]]
    copies = [i for i, p in enumerate(valid_pairs) if p["src"] == p["tgt"]]
    row: dict = {"pairs": len(valid_pairs), "copies": len(copies),
                 "ter_input": round(ter.corpus_score([p["src"] for p in valid_pairs], refs).score, 2)}
    for name, cfg in (("no_model", DEFAULT_CONFIG.with_options(use_model=False)),
                      ("model", DEFAULT_CONFIG.with_options(use_model=True, model=model))):
        repairer = Repairer(cfg)
        outs = [repairer.repair(p["src"]) for p in valid_pairs]
        hyps = [o.text for o in outs]
        row[f"ter_{name}"] = round(ter.corpus_score(hyps, refs).score, 2)
        row[f"exact_{name}"] = sum(h == p["tgt"] for h, p in zip(hyps, valid_pairs))
        row[f"copies_changed_{name}"] = sum(hyps[i] != valid_pairs[i]["src"] for i in copies)
        row[f"model_edits_{name}"] = sum(1 for o in outs for e in o.edits if "model" in e.source)
    return row


@click.command(name="postedit")
@click.argument("model", type=click.Path(exists=True, file_okay=False))
@click.option("--work", default="build/train", show_default=True, type=click.Path(exists=True, file_okay=False),
              help="The training work directory holding valid.jsonl.")
@click.option("--limit", type=int, default=400, show_default=True, help="Validation pairs to use.")
@click.option("--clean", "clean_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="JSONL of clean texts (field 'original') that must not change; default tests/cases/negative.jsonl.")
@click.option("--judged", is_flag=True,
              help="Run the default pipeline (judge on) with and without the model instead of the margin sweep.")
def main(model, work, limit, clean_files, judged):
    valid = [json.loads(line) for line in (Path(work) / "valid.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()][:limit]
    if judged:
        click.echo(json.dumps(judged_validation(model, valid)))
        return
    files = clean_files or [p for p in [Path("tests/cases/negative.jsonl")] if p.exists()]
    clean = [json.loads(line)["original"] for f in files for line in Path(f).read_text(encoding="utf-8").splitlines()
             if line.strip()]
    for row in calibrate(model, valid, clean):
        click.echo(json.dumps(row))


if __name__ == "__main__":  # pragma: no cover
    main()
