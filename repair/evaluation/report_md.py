"""The Markdown views of an evaluation report (a dict as :func:`repair.evaluation.evaluate` makes)."""
from __future__ import annotations

from .metrics import LABELS as METRIC_LABELS


def _table(header: list[str], rows: list[list[str]], align: list[str] | None = None) -> str:
    align = align or ["l"] + ["r"] * (len(header) - 1)
    sep = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _p(c: dict) -> str:
    """Precision, or a dash when nothing was proposed."""
    return _pct(c["precision"]) if c["tp"] + c["fp"] else "–"


def _r(c: dict) -> str:
    """Recall, or a dash when there was nothing to find."""
    return _pct(c["recall"]) if c["tp"] + c["fn"] else "–"


def ablation_table(data: dict) -> str:
    """Stage by stage: BLEU, chrF2, TER (with the bootstrap 95% interval) over all records,
    TER over the garbled records alone, edit P/R/F0.5, and over-correction on the clean
    controls."""
    intervals = (data.get("significance") or {}).get("intervals", {})
    rows = []
    for s in data["stages"]:
        cells = [s["name"]]
        for m in ("bleu", "chrf", "ter"):
            ci = intervals.get(s["name"], {}).get(m)
            cells.append(f"{s['corpus'][m]:.2f}" + (f" ±{ci['ci']:.2f}" if ci else ""))
        g = s.get("corpus_garbled")
        cells.append(f"{g['ter']:.2f}" if g else "–")
        e, o = s["edits"], s["overcorrection"]
        cells += [f"{e['tp']}/{e['fp']}/{e['fn']}", _p(e), _r(e), _pct(e["f0.5"]),
                  f"{o['changed_records']}/{o['clean_records']}",
                  f"{o['words_changed']} ({100 * o['words_changed_rate']:.2f}%)"]
        rows.append(cells)
    header = ["stage", "BLEU ↑", f"{METRIC_LABELS['chrf']} ↑", "TER ↓", "TER ↓ garbled", "TP/FP/FN", "edit P",
              "edit R", "F0.5", "clean changed", "clean words changed"]
    return _table(header, rows)


def significance_table(data: dict) -> str:
    """One row per pair of stages: the difference in each metric and its p-value."""
    sig = data.get("significance")
    if not sig or not sig["comparisons"]:
        return ""
    pairs: dict[tuple[str, str], dict] = {}
    for c in sig["comparisons"]:
        pairs.setdefault((c["baseline"], c["system"]), {})[c["metric"]] = c
    rows = []
    for (base, system), by_metric in pairs.items():
        cells = [f"{base} → {system}"]
        for m in ("bleu", "chrf", "ter"):
            c = by_metric.get(m)
            if c is None:
                cells.append("")
                continue
            mark = " *" if c["significant"] else ""
            note = " (identical)" if c.get("identical_outputs") else ""
            cells.append(f"{c['delta']:+.2f} (p={c['p_value']:.4f}){mark}{note}")
        rows.append(cells)
    return _table(["comparison", "Δ BLEU", f"Δ {METRIC_LABELS['chrf']}", "Δ TER"], rows)


def category_table(data: dict, stage: str) -> str:
    s = next(x for x in data["stages"] if x["name"] == stage)
    refs = data["dataset"].get("reference_edits_by_category", {})
    cats = list(dict.fromkeys([*refs, *s["categories"]]))
    rows = []
    for cat in cats:
        c = s["categories"].get(cat, {"tp": 0, "fp": 0, "fn": refs.get(cat, 0), "f0.5": 0.0})
        rows.append([cat, refs.get(cat, 0), c["tp"], c["fp"], c["fn"], _p(c), _r(c), _pct(c["f0.5"])])
    return _table(["category", "reference edits", "TP", "FP", "FN", "P", "R", "F0.5"], rows)


def group_table(data: dict, stage: str) -> str:
    """Precision and recall per group of categories (grammar; glossary and context)."""
    s = next(x for x in data["stages"] if x["name"] == stage)
    rows = [[group, c["tp"], c["fp"], c["fn"], _p(c), _r(c), _pct(c["f0.5"])]
            for group, c in s.get("category_groups", {}).items()]
    return _table(["group", "TP", "FP", "FN", "P", "R", "F0.5"], rows)


def rules_table(data: dict, stage: str, top: int = 15) -> str:
    s = next(x for x in data["stages"] if x["name"] == stage)
    rows = [[r["rule"], r["source"], r["category"], r["fired"], r["correct"], r["wrong"], r["on_clean"]]
            for r in s["rules"][:top]]
    if not rows:
        return "(no edits)\n"
    return _table(["rule", "source", "category", "edits", "correct", "wrong", "on clean"], rows,
                  ["l", "l", "l", "r", "r", "r", "r"])


def signals_table(data: dict) -> str:
    rows = []
    for s in data["stages"]:
        f = s["reference_free"]
        rows.append([s["name"], f"{f['records_changed']}/{f['records']}",
                     f"{f['sentences_edited']}/{f['sentences']} ({_pct(f['sentences_edited_share'])}%)",
                     f["edits"], f"{f['edits_per_100_words']:.2f}"])
    return _table(["stage", "records changed", "sentences edited", "edits", "edits per 100 words"], rows)


def _dataset_line(data: dict) -> str:
    d = data["dataset"]
    return (f"{d['path']} ({d['format']}; {d['records']} records: {d['garbled']} garbled, {d['clean']} clean; "
            f"{d['reference_edits']} reference edits) sha256 {d['sha256']}")


def _scope_note(data: dict) -> str:
    d = data["dataset"]
    return (f"BLEU, {METRIC_LABELS['chrf']} and TER: corpus scores over all {d['records']} records (the "
            f"{d['clean']} clean controls included); TER garbled: over the {d['garbled']} garbled records alone.\n")


def render_summary(data: dict) -> str:
    """The ablation table and the significance table, for the terminal."""
    parts = [f"dataset: {_dataset_line(data)}\n", ablation_table(data), _scope_note(data)]
    sig = data.get("significance")
    if sig:
        parts.append(f"\nPaired bootstrap ({sig['n_samples']} resamples, seed {sig['seed']}; "
                     f"* p < {sig['alpha']}; ± is the 95% interval):\n")
        parts.append(significance_table(data))
    return "".join(parts)


def render_markdown(data: dict) -> str:
    """The whole report as Markdown."""
    d = data["dataset"]
    out = [f"# mt-repair evaluation: {d['path']}\n\n",
           f"- dataset: {_dataset_line(data)}\n",
           f"- mt-repair {data['mt_repair_version']}, sacrebleu {data['sacrebleu']['version']}, "
           f"created {data['created']}\n",
           f"- segments: {data['settings']['segments']}; TER "
           f"{'case-sensitive' if data['settings']['ter_case_sensitive'] else 'case-insensitive'}\n\n",
           "## Ablation\n\n", ablation_table(data), "\n", _scope_note(data),
           "\nEdit counts follow M2/ERRANT scoring: an edit is correct when the reference makes the same "
           "change to the same source span. Clean records must come back unchanged.\n"]
    sig = data.get("significance")
    if sig:
        out += [f"\n## Significance\n\nPaired bootstrap resampling (sacrebleu), {sig['n_samples']} resamples, "
                f"seed {sig['seed']}; * p < {sig['alpha']}; ± above is the half-width of the 95% interval.\n\n",
                significance_table(data)]
    out += ["\n## Reference-free signals\n\n", signals_table(data)]
    for s in data["stages"]:
        if s["config"] is None:
            continue
        out += [f"\n## Stage `{s['name']}`\n\n", f"Pipeline: `{s['pipeline_signature']}`; options: "
                f"`{s['config'] or 'default'}`\n\n", "### Edits by category\n\n", category_table(data, s["name"]),
                "\n### Edits by group of categories\n\n", group_table(data, s["name"]),
                "\n### Rules that fired most\n\n", rules_table(data, s["name"])]
        changed = s["overcorrection"]["changed_ids"]
        out.append(f"\nClean records changed: {', '.join(changed) if changed else 'none'}\n")
    out += ["\n## Signatures\n\n"]
    for k, v in data["sacrebleu"]["signatures"].items():
        out.append(f"- {k}: `{v}`\n")
    out.append(f"- sentence BLEU: `{data['sacrebleu']['sentence_bleu_signature']}`\n")
    if sig:
        for k, v in sig["signatures"].items():
            out.append(f"- bootstrap {k}: `{v}`\n")
    for s in data["stages"]:
        out.append(f"- stage {s['name']}: `{s['pipeline_signature']}`\n")
    for path, digest in d["files"].items():
        out.append(f"- {path}: sha256 `{digest}`\n")
    return "".join(out)
