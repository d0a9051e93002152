"""The evaluation harness: run the stages of an ablation over a dataset and report.

:func:`evaluate` returns an :class:`EvalReport` whose ``data`` is one JSON-able dict:
corpus and per-segment BLEU/chrF/TER, edit-level precision/recall/F0.5 overall and per
category, over-correction on clean controls, reference-free signals, the rules that
fired, paired bootstrap significance between the stages — and what makes the numbers
reproducible: the sacrebleu signatures, each stage's pipeline signature, the dataset's
sha256 and the mt-repair version. The Markdown and HTML reports are views of that dict.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import sacrebleu

from .. import __version__
from ..io import atomic_output, refuse_clobber
from .ablation import STANDARD_STAGES, Stage, resolve_stages
from .datasets import CATEGORIES, CATEGORY_GROUPS, Dataset, flatten, load_dataset
from .edits_score import category_counts, compare, reference_spans, rule_table, total
from .metrics import METRICS, Scorer
from .overcorrection import overcorrection
from .significance import DEFAULT_SEED, paired_bootstrap
from .signals import reference_free

REPORT_FORMAT = 1


@dataclass
class EvalReport:
    """The result of :func:`evaluate`; ``data`` is what ``report.json`` holds."""

    data: dict

    @property
    def stage_names(self) -> list[str]:
        return [s["name"] for s in self.data["stages"]]

    def stage(self, name: str) -> dict:
        for s in self.data["stages"]:
            if s["name"] == name:
                return s
        raise KeyError(f"no stage {name!r} (stages: {', '.join(self.stage_names)})")

    def to_json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, indent=1)

    def markdown(self) -> str:
        from .report_md import render_markdown

        return render_markdown(self.data)

    def summary(self) -> str:
        """The ablation and significance tables, as printed by ``repair eval DATASET``."""
        from .report_md import render_summary

        return render_summary(self.data)

    def html(self) -> str:
        from .report_html import render_html

        return render_html(self.data)

    def write(self, directory: str | Path, html: bool = False, inputs: Sequence[str | Path] = ()) -> dict[str, Path]:
        """Write ``report.json``, ``report.md`` (and ``report.html``) into ``directory``, and
        under ``segments/`` the exact line-aligned files that were scored (``ref.txt``,
        ``src.txt`` and one ``STAGE.txt`` per stage), so that the sacrebleu command line
        can recompute every score. Each file is written atomically; none of ``inputs``
        (default: the dataset's files) is ever overwritten."""
        out = Path(directory)
        files = {"json": out / "report.json", "markdown": out / "report.md"}
        if html:
            files["html"] = out / "report.html"
        texts = {"json": self.to_json() + "\n", "markdown": self.markdown()}
        if html:
            texts["html"] = self.html()
        seg = out / "segments"
        records = self.data["records"]
        texts["segments/src"] = "".join(flatten(r["source"]) + "\n" for r in records)
        texts["segments/ref"] = "".join(flatten(r["reference"]) + "\n" for r in records)
        files["segments/src"], files["segments/ref"] = seg / "src.txt", seg / "ref.txt"
        for k, stream in enumerate(self.data.get("more_references") or [], start=2):
            texts[f"segments/ref{k}"] = "".join(flatten(x) + "\n" for x in stream)
            files[f"segments/ref{k}"] = seg / f"ref{k}.txt"
        for s in self.data["stages"]:
            key = f"segments/{s['name']}"
            files[key] = seg / f"{s['name']}.txt"
            texts[key] = "".join(flatten(r["output"]) + "\n" for r in s["records"])
        inputs = list(inputs) or list(self.data["dataset"]["files"])
        for path in files.values():
            refuse_clobber(path, inputs)
        for key, path in files.items():
            with atomic_output(path) as fh:
                fh.write(texts[key].encode("utf-8"))
        return files

    @classmethod
    def load(cls, path: str | Path) -> "EvalReport":
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))


def evaluate(dataset: Dataset | str | Path, stages: Sequence[str | Stage] = STANDARD_STAGES,
             extra_stages: Sequence[str | Stage] = (), bootstrap: int = 1000, seed: int = DEFAULT_SEED,
             case_sensitive_ter: bool = True, progress=None, **options) -> EvalReport:
    """Run ``stages`` (then ``extra_stages``) over ``dataset`` and score each against the references.

    ``stages`` are names or ``NAME:OPTION=VALUE,...`` specs (see
    :mod:`repair.evaluation.ablation`); ``options`` (RepairConfig fields, e.g.
    ``glossaries=["house.yaml"]``) apply to every stage but the identity. ``bootstrap``
    is the number of paired bootstrap resamples (0: no significance test). ``progress``,
    when given, is called as ``progress(step, done, total)`` as the work goes on (a stage's
    records, scoring, the bootstrap; ``total`` None when unknown).

    Corpus scores are reported over all records (``corpus``) and over the garbled records
    alone (``corpus_garbled``: the clean controls, whose reference is their source, left out).
    """
    ds = dataset if isinstance(dataset, Dataset) else load_dataset(dataset)
    stage_list = resolve_stages(stages, extra_stages, **options)
    tell = progress or (lambda step, done, total: None)
    scorer = Scorer(case_sensitive_ter)
    refs = [flatten(r.reference) for r in ds.records]
    more_refs = [[flatten(x) for x in stream] for stream in ds.more_references]
    garbled = [i for i, r in enumerate(ds.records) if not r.clean]
    ref_spans = [reference_spans(r) for r in ds.records]
    stages_out: list[dict] = []
    systems: list[tuple[str, list[str]]] = []
    n = len(ds.records)
    for st in stage_list:
        step = f"stage {st.name}"
        done = [0]
        tell(step, 0, n)

        def one_more(step=step, done=done):
            done[0] += 1
            tell(step, done[0], n)

        run = st.run(ds.sources, on_record=one_more)
        tell(f"scoring {st.name}", 0, None)
        hyps = [flatten(t) for t in run.outputs]
        systems.append((st.name, hyps))
        corpus = scorer.corpus(hyps, refs, *more_refs)
        corpus_garbled = (scorer.corpus([hyps[i] for i in garbled], [refs[i] for i in garbled],
                                        *([s[i] for i in garbled] for s in more_refs)) if garbled else None)
        per_segment = scorer.sentences(hyps, refs)
        cmps = [compare(rec, res.text, res.edits, run.rule_categories, rs)
                for rec, res, rs in zip(ds.records, run.results, ref_spans)]
        counts = total(cmps)
        stages_out.append({
            "name": st.name,
            "config": st.options(),
            "pipeline_signature": run.signature,
            "corpus": {k: getattr(corpus, k) for k in METRICS},
            "corpus_garbled": {k: getattr(corpus_garbled, k) for k in METRICS} if corpus_garbled else None,
            "edits": counts.to_dict(),
            "categories": {k: v.to_dict() for k, v in _ordered(category_counts(cmps)).items()},
            "category_groups": {g: v.to_dict() for g, v in group_counts(category_counts(cmps)).items()},
            "overcorrection": overcorrection(ds.records, run.outputs),
            "reference_free": reference_free(ds.sources, run.results),
            "rules": rule_table([(res.edits, c, rec.clean) for res, c, rec in zip(run.results, cmps, ds.records)],
                                run.rule_categories),
            "records": [{
                "id": rec.id, "changed": res.text != rec.source,
                **{k: round(v, 4) for k, v in seg.items()},
                **{k: v for k, v in c.counts.to_dict().items() if k in ("tp", "fp", "fn")},
                "output": res.text,
                "edits": [h.to_dict() for h in c.hyp], "missed": list(c.missed),
                "pipeline_edits": [e.to_dict() for e in res.edits],
            } for rec, res, seg, c in zip(ds.records, run.results, per_segment, cmps)],
        })
    significance = None
    if bootstrap:
        tell(f"paired bootstrap ({bootstrap} resamples)", 0, None)
        significance = paired_bootstrap(systems, refs, n_samples=bootstrap, seed=seed, scorer=scorer,
                                        more_references=more_refs)
    data = {
        "report": "mt-repair evaluation",
        "more_references": [list(stream) for stream in ds.more_references],
        "format": REPORT_FORMAT,
        "mt_repair_version": __version__,
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "dataset": {**ds.summary(), "reference_edits": sum(len(r) for r in ref_spans),
                    "reference_edits_by_category": _ordered(_count_categories(ref_spans))},
        "settings": {"ter_case_sensitive": case_sensitive_ter, "bootstrap": bootstrap, "seed": seed,
                     "segments": "one per record; line breaks inside a record are scored as spaces",
                     "corpus": f"all {n} records", "corpus_garbled": f"the {len(garbled)} garbled records"},
        "sacrebleu": {"version": sacrebleu.__version__, "signatures": scorer.signatures(),
                      "sentence_bleu_signature": scorer.sentence_signature()},
        "stages": stages_out,
        "significance": significance,
        "records": [{"id": r.id, "kind": r.kind, "topic": r.topic, "line": r.line, "source": r.source,
                     "reference": r.reference, "reference_edits": [x.to_dict() for x in rs],
                     "annotated_edits": [e.to_dict() for e in r.edits], "traps": list(r.traps)}
                    for r, rs in zip(ds.records, ref_spans)],
    }
    return EvalReport(data)


def _count_categories(ref_spans) -> dict[str, int]:
    out: dict[str, int] = {}
    for spans in ref_spans:
        for s in spans:
            out[s.category] = out.get(s.category, 0) + 1
    return out


def group_counts(by_category: dict) -> dict:
    """Counts per group of categories (:data:`~repair.evaluation.datasets.CATEGORY_GROUPS`)."""
    from .edits_score import Counts

    out = {}
    for group, members in CATEGORY_GROUPS.items():
        total_ = Counts()
        for cat in members:
            if cat in by_category:
                total_ = total_ + by_category[cat]
        out[group] = total_
    return out


def _ordered(by_category: dict) -> dict:
    """Categories in the order of the dataset README, then any others by name."""
    known = [c for c in CATEGORIES if c in by_category]
    return {c: by_category[c] for c in known + sorted(set(by_category) - set(known))}
