"""Matplotlib figures of an evaluation report, for notebooks.

Each function takes an :class:`~repair.evaluation.report.EvalReport` (or its ``data``
dict) and returns a :class:`matplotlib.figure.Figure`. matplotlib is imported only here
(``pip install 'mt-repair[notebook]'``).
"""
from __future__ import annotations


def _data(report) -> dict:
    return report.data if hasattr(report, "data") else report


def _stage(data: dict, name: str | None) -> dict:
    stages = [s for s in data["stages"] if s["config"] is not None] or data["stages"]
    if name is None:
        return stages[-1]
    for s in data["stages"]:
        if s["name"] == name:
            return s
    raise KeyError(f"no stage {name!r} (stages: {', '.join(s['name'] for s in data['stages'])})")


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plots need matplotlib: pip install 'mt-repair[notebook]'") from exc
    return plt


def metrics_by_stage(report, metrics: tuple[str, ...] = ("ter", "chrf")):
    """One bar chart per metric (default TER and chrF), a bar per stage, with the bootstrap
    95% interval as error bars when the report has one."""
    data = _data(report)
    plt = _pyplot()
    labels = {"bleu": "BLEU ↑", "chrf": "chrF2 ↑", "ter": "TER ↓"}
    intervals = (data.get("significance") or {}).get("intervals", {})
    names = [s["name"] for s in data["stages"]]
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.5), squeeze=False)
    for ax, m in zip(axes[0], metrics):
        values = [s["corpus"][m] for s in data["stages"]]
        errors = [intervals.get(n, {}).get(m, {}).get("ci", 0.0) for n in names]
        bars = ax.bar(names, values, yerr=errors, capsize=4, color="#60a5fa" if m != "ter" else "#f87171")
        ax.bar_label(bars, fmt="%.2f", padding=2)
        ax.set_title(labels.get(m, m))
        ax.set_ylabel("score")
        top = max(v + e for v, e in zip(values, errors)) if values else 1
        ax.set_ylim(0, top * 1.15 or 1)
    fig.suptitle("Corpus scores per stage")
    fig.tight_layout()
    return fig


def category_precision_recall(report, stage: str | None = None):
    """Edit precision and recall per error category for one stage (default: the last)."""
    data = _data(report)
    plt = _pyplot()
    s = _stage(data, stage)
    cats = list(s["categories"])
    prec = [s["categories"][c]["precision"] * 100 if s["categories"][c]["tp"] + s["categories"][c]["fp"] else 0
            for c in cats]
    rec = [s["categories"][c]["recall"] * 100 for c in cats]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(cats) + 1.5))
    y = range(len(cats))
    ax.barh([i - 0.2 for i in y], prec, height=0.4, label="precision", color="#2563eb")
    ax.barh([i + 0.2 for i in y], rec, height=0.4, label="recall", color="#f59e0b")
    ax.set_yticks(list(y), [f"{c} ({s['categories'][c]['tp'] + s['categories'][c]['fn']})" for c in cats])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% (reference edits in brackets; no bar: nothing proposed)")
    ax.set_title(f"Edit precision and recall per category — stage {s['name']}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig


def segment_ter_distribution(report, stages: list[str] | None = None, bins: int = 20):
    """Histogram of segment-level TER for each stage (garbled and clean records alike)."""
    data = _data(report)
    plt = _pyplot()
    chosen = [s for s in data["stages"] if stages is None or s["name"] in stages]
    values = [[r["ter"] for r in s["records"]] for s in chosen]
    top = max((max(v) for v in values if v), default=1.0) or 1.0
    fig, ax = plt.subplots(figsize=(7, 3.5))
    _, _, patches = ax.hist(values, bins=bins, range=(0, top), label=[s["name"] for s in chosen],
                            histtype="step", linewidth=1.8)
    styles = ["solid", "dashed", "dotted", "dashdot"]
    for k, group in enumerate(patches if len(chosen) > 1 else [patches]):
        for patch in group:
            patch.set_linestyle(styles[k % len(styles)])
    ax.set_xlabel("segment TER (lower is better)")
    ax.set_ylabel("segments")
    ax.set_title("Distribution of segment-level TER")
    ax.legend()
    fig.tight_layout()
    return fig


def top_rules(report, stage: str | None = None, n: int = 15):
    """The rules that made most edits in one stage, split into correct, wrong and
    unjudged (no reference edit nearby to judge by) edits."""
    data = _data(report)
    plt = _pyplot()
    s = _stage(data, stage)
    rows = s["rules"][:n]
    fig, ax = plt.subplots(figsize=(7, 0.32 * max(len(rows), 1) + 1.5))
    names = [r["rule"] for r in rows]
    correct = [r["correct"] for r in rows]
    wrong = [r["wrong"] for r in rows]
    other = [r["fired"] - r["correct"] - r["wrong"] for r in rows]
    ax.barh(names, correct, color="#16a34a", label="correct")
    ax.barh(names, wrong, left=correct, color="#dc2626", label="wrong")
    ax.barh(names, other, left=[c + w for c, w in zip(correct, wrong)], color="#9ca3af", label="unjudged")
    ax.invert_yaxis()
    ax.set_xlabel("edits")
    ax.set_title(f"Rules that fired most — stage {s['name']}")
    if rows:
        ax.legend(loc="lower right")
    fig.tight_layout()
    return fig
