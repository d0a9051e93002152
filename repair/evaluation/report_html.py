"""A self-contained HTML page of an evaluation report: the summary tables, then every
record side by side — the stage's output and the reference, each as a diff of the source.

Each edit of the output is coloured by what made it (glossary, model, or both) and
marked by the reference's view of it (correct, wrong); reference edits the stage did not
make are marked as missed. Hovering an edit shows the rule id and where the rule is
defined, and what the reference says. No scripts, no external resources: stage tabs and
the filter are plain HTML inputs with CSS.
"""
from __future__ import annotations

import re
from html import escape

from .align import overlaps
from .report_md import _p, _r

SOURCES = {"glossary": "glossary", "model": "model", "glossary+model": "both"}

CSS = """
:root { --gl:#1d4ed8; --gl-bg:#dbeafe; --mo:#7c3aed; --mo-bg:#ede9fe; --both:#0f766e; --both-bg:#ccfbf1;
        --ok:#15803d; --bad:#b91c1c; --miss:#c2410c; --muted:#6b7280; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #111827;
       background: #f9fafb; }
header, .panel { padding: 12px 24px; }
header { background: #111827; color: #f9fafb; }
header h1 { margin: 0 0 4px; font-size: 20px; }
header p { margin: 0; color: #d1d5db; font-size: 12px; word-break: break-all; }
h2 { font-size: 16px; margin: 16px 0 8px; }
table { border-collapse: collapse; background: #fff; font-size: 13px; }
th, td { border: 1px solid #e5e7eb; padding: 3px 8px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f4f6; }
.legend span { margin-right: 14px; }
.legend > span { display: inline-block; }
.controls { position: sticky; top: 0; background: #f9fafb; border-bottom: 1px solid #e5e7eb; padding: 8px 24px;
            z-index: 2; }
.controls label { margin-right: 10px; cursor: pointer; padding: 2px 8px; border-radius: 4px;
                  border: 1px solid #d1d5db; background: #fff; }
.wrap > input { position: absolute; opacity: 0; pointer-events: none; }
.stage { display: none; padding: 0 24px 24px; }
.rec { background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; margin: 12px 0; }
.rec > h3 { margin: 0; padding: 6px 12px; font-size: 13px; background: #f3f4f6; border-bottom: 1px solid #e5e7eb;
            font-weight: 600; }
.rec > h3 small { font-weight: 400; color: var(--muted); margin-left: 10px; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 11px; margin-left: 6px;
         background: #e5e7eb; color: #374151; font-weight: 500; }
.badge.harm { background: #fee2e2; color: var(--bad); }
.cols { display: grid; grid-template-columns: 1fr 1fr; }
.col { padding: 8px 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.col + .col { border-left: 1px solid #e5e7eb; }
.col h4 { margin: 0 0 4px; font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted);
          white-space: normal; }
.e { border-radius: 3px; padding: 0 1px; cursor: help; border-bottom: 2px solid transparent; }
.e.glossary { background: var(--gl-bg); } .e.glossary ins { color: var(--gl); }
.e.model { background: var(--mo-bg); } .e.model ins { color: var(--mo); }
.e.both { background: var(--both-bg); } .e.both ins { color: var(--both); }
.e.correct { border-bottom-color: var(--ok); }
.e.wrong { border-bottom-color: var(--bad); outline: 1px solid var(--bad); }
.e.correct::after { content: "✓"; color: var(--ok); font-size: 10px; vertical-align: super; }
.e.wrong::after { content: "✗"; color: var(--bad); font-size: 10px; vertical-align: super; }
del { color: var(--muted); text-decoration: line-through; }
ins { text-decoration: none; font-weight: 600; }
.missed { border-bottom: 2px dashed var(--miss); cursor: help; }
.missed .want { color: var(--miss); font-size: 11px; font-weight: 600; vertical-align: super; }
.r { border-radius: 3px; padding: 0 1px; cursor: help; }
.r.found { background: #dcfce7; } .r.found ins { color: var(--ok); }
.r.missed-ref { background: #ffedd5; } .r.missed-ref ins { color: var(--miss); }
.nl { color: #9ca3af; }
.scroll { overflow-x: auto; max-width: 100%; }
h2 code { font-size: 12px; overflow-wrap: anywhere; word-break: break-all; }
.ws { display: inline-block; font: 600 10px/1.3 system-ui, sans-serif; letter-spacing: .02em; padding: 0 3px;
      margin: 0 1px; border: 1px dashed currentColor; border-radius: 3px; vertical-align: 1px; }
del .ws { text-decoration: line-through; }
@media (max-width: 720px) {
  header, .panel, .stage { padding-left: 8px; padding-right: 8px; }
  .cols { grid-template-columns: 1fr; }
  .col + .col { border-left: 0; border-top: 1px solid #e5e7eb; }
}
@media print {
  .scroll { overflow: visible; }
  table { font-size: 9px; width: 100%; table-layout: auto; }
  th, td { white-space: normal; padding: 2px 4px; }
  .controls { position: static; }
}
"""


def _edit_title(e: dict, record: dict) -> str:
    rules = "; ".join(f"{u['rule']}" + (f" ({u['origin']})" if u.get("origin") else "") for u in e["rules"])
    head = f"{e['source']}: {rules or 'no rule recorded'}\n{e['before']!r} → {e['after']!r}"
    if e["verdict"] == "correct":
        return f"{head}\ncorrect ({e['category']}): the reference makes the same change"
    refs = record["reference_edits"]
    if e["expected"]:
        want = "; ".join(f"{refs[i]['before']!r} → {refs[i]['after']!r} ({refs[i]['category']})" for i in e["expected"])
        return f"{head}\nwrong ({e['category']}): the reference has {want}"
    return f"{head}\nwrong ({e['category']}): the reference leaves this text unchanged"


def _text(s: str) -> str:
    return escape(s).replace("\n", '<span class="nl">↵</span>\n')


_SPACE_NAMES = {" ": "space", "\t": "tab", "\u00a0": "no-break space", "\u202f": "narrow no-break space",
                "\u2009": "thin space", "\n": "line break"}
_WHITE = re.compile("[ \t\u00a0\u202f\u2009]+")


def _chip(run: str) -> str:
    names = [_SPACE_NAMES.get(c, "space") for c in run]
    label = names[0] if len(set(names)) == 1 else "white space"
    if len(run) > 1 and len(set(names)) == 1:
        label = f"{len(run)} {label}s"
    return f'<span class="ws" title="{escape(repr(run))}">{escape(label)}</span>'


def _changed(s: str, spacing: bool = False) -> str:
    """Deleted or inserted text. White space that is the change (a space alone, or an edit
    that only changes spacing, as "7 %" -> "7%") is shown as a labelled chip ("space",
    "2 spaces", "no-break space") so that it can be seen and read."""
    if s and (spacing or not s.strip(" \t\u00a0\u202f\u2009\n")):
        out, pos = [], 0
        for m in _WHITE.finditer(s):
            out += [_text(s[pos:m.start()]), _chip(m.group(0))]
            pos = m.end()
        out.append(_text(s[pos:]))
        return "".join(out)
    return _text(s)


def _spacing_only(before: str, after: str) -> bool:
    return "".join(before.split()) == "".join(after.split())


def _output_diff(record: dict, stage_rec: dict) -> str:
    """The source with the stage's edits (del/ins) and the missed reference edits marked."""
    source = record["source"]
    refs = record["reference_edits"]
    hyp = stage_rec["edits"]
    shown_missed = [refs[i] for i in stage_rec["missed"]
                    if not any(overlaps(refs[i]["start"], refs[i]["end"], h["start"], h["end"]) for h in hyp)]
    items = [(h["start"], h["end"], 0, h) for h in hyp] + [(m["start"], m["end"], 1, m) for m in shown_missed]
    items.sort(key=lambda x: (x[0], x[1], x[2]))
    out, pos = [], 0
    for start, end, kind, item in items:
        out.append(_text(source[pos:start]))
        if kind == 0:
            cls = f"e {SOURCES.get(item['source'], 'glossary')} {item['verdict']}"
            sp = _spacing_only(item["before"], item["after"])
            inner = (f"<del>{_changed(item['before'], sp)}</del>" if item["before"] else "") + \
                    (f"<ins>{_changed(item['after'], sp)}</ins>" if item["after"] else "")
            out.append(f'<span class="{cls}" data-verdict="{item["verdict"]}" '
                       f'title="{escape(_edit_title(item, record))}">{inner}</span>')
        else:
            title = f"missed ({item['category']}): the reference has {item['before']!r} → {item['after']!r}"
            out.append(f'<span class="missed" data-verdict="missed" title="{escape(title)}">'
                       f'{_text(item["before"]) or "‸"}<span class="want">{escape(item["after"]) or "⌫"}'
                       f'</span></span>')
        pos = end
    out.append(_text(source[pos:]))
    return "".join(out)


def _reference_diff(record: dict, stage_rec: dict) -> str:
    """The source with the reference's edits, each marked found or missed by the stage."""
    source = record["source"]
    missed = set(stage_rec["missed"])
    out, pos = [], 0
    for i, r in enumerate(record["reference_edits"]):
        out.append(_text(source[pos:r["start"]]))
        state = "missed-ref" if i in missed else "found"
        title = f"{r['category']}: {r['before']!r} → {r['after']!r}\n" + \
                ("missed by this stage" if i in missed else "found by this stage")
        sp = _spacing_only(r["before"], r["after"])
        inner = (f"<del>{_changed(r['before'], sp)}</del>" if r["before"] else "") + \
                (f"<ins>{_changed(r['after'], sp)}</ins>" if r["after"] else "")
        out.append(f'<span class="r {state}" title="{escape(title)}">{inner}</span>')
        pos = r["end"]
    out.append(_text(source[pos:]))
    return "".join(out)


def _table(header: list[str], rows: list[list[str]]) -> str:
    """A table that scrolls sideways on a narrow screen (and wraps in print) rather than being cut off."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'



def _summary(data: dict) -> str:
    intervals = (data.get("significance") or {}).get("intervals", {})
    rows = []
    for s in data["stages"]:
        e, o = s["edits"], s["overcorrection"]
        cells = [s["name"]]
        for m in ("bleu", "chrf", "ter"):
            ci = intervals.get(s["name"], {}).get(m)
            cells.append(f"{s['corpus'][m]:.2f}" + (f" ±{ci['ci']:.2f}" if ci else ""))
        g = s.get("corpus_garbled")
        cells.append(f"{g['ter']:.2f}" if g else "–")
        cells += [f"{e['tp']}/{e['fp']}/{e['fn']}", _p(e), _r(e), f"{100 * e['f0.5']:.1f}",
                  f"{o['changed_records']}/{o['clean_records']}", str(o["words_changed"])]
        rows.append(cells)
    html = _table(["stage", "BLEU ↑", "chrF2 ↑", "TER ↓", "TER ↓ garbled", "TP/FP/FN", "edit P", "edit R", "F0.5",
                   "clean changed", "clean words changed"], rows)
    d = data["dataset"]
    html += (f'<p class="note">BLEU, chrF2 and TER over all {d["records"]} records (the {d["clean"]} clean controls '
             f'included); TER garbled over the {d["garbled"]} garbled records alone.</p>')
    sig = data.get("significance")
    if sig and sig["comparisons"]:
        pairs: dict = {}
        for c in sig["comparisons"]:
            pairs.setdefault((c["baseline"], c["system"]), {})[c["metric"]] = c
        srows = [[f"{b} → {s}"] + [f"{c[m]['delta']:+.2f} (p={c[m]['p_value']:.4f})" + (" *" if c[m]["significant"] else "")
                                   + (" (identical)" if c[m].get("identical_outputs") else "")
                                   if m in c else "" for m in ("bleu", "chrf", "ter")]
                 for (b, s), c in pairs.items()]
        html += (f"<h2>Paired bootstrap ({sig['n_samples']} resamples, seed {sig['seed']}; * p &lt; {sig['alpha']})</h2>"
                 + _table(["comparison", "Δ BLEU", "Δ chrF2", "Δ TER"], srows))
    return html


def render_html(data: dict, stages: list[str] | None = None) -> str:
    """The report page; ``stages`` picks which stages get a tab (default: all but the identity)."""
    names = stages or [s["name"] for s in data["stages"] if s["config"] is not None] or \
        [s["name"] for s in data["stages"]]
    by_name = {s["name"]: s for s in data["stages"]}
    d = data["dataset"]
    records = data["records"]
    inputs, labels, css, sections = [], [], [CSS], []
    for k, name in enumerate(names):
        sid = f"st{k}"
        inputs.append(f'<input type="radio" name="stage" id="{sid}"{" checked" if k == 0 else ""}>')
        labels.append(f'<label for="{sid}">stage <b>{escape(name)}</b></label>')
        css.append(f"#{sid}:checked ~ main .stage.{sid} {{ display: block; }}"
                   f"#{sid}:checked ~ nav label[for={sid}] {{ background: #111827; color: #fff; }}")
        s = by_name[name]
        arts = []
        for rec, srec in zip(records, s["records"]):
            quiet = not srec["edits"] and not srec["missed"]
            badges = f'<span class="badge">{escape(rec["kind"])}</span>'
            if rec.get("topic"):
                badges += f'<span class="badge">{escape(rec["topic"])}</span>'
            if rec["kind"] == "clean" and srec["changed"]:
                badges += '<span class="badge harm">clean text changed</span>'
            stats = (f"TER {srec['ter']:.1f} · chrF2 {srec['chrf']:.1f} · "
                     f"TP {srec['tp']} · FP {srec['fp']} · FN {srec['fn']}")
            arts.append(
                f'<article class="rec{" quiet" if quiet else ""}" id="{sid}-{escape(rec["id"])}">'
                f'<h3>{escape(rec["id"])}{badges}<small>{stats}</small></h3><div class="cols">'
                f'<div class="col"><h4>output of {escape(name)} (diff against the source)</h4>'
                f'{_output_diff(rec, srec)}</div>'
                f'<div class="col"><h4>reference (diff against the source)</h4>{_reference_diff(rec, srec)}</div>'
                f'</div></article>')
        sections.append(f'<section class="stage {sid}"><h2>Stage {escape(name)} · pipeline '
                        f'<code>{escape(s["pipeline_signature"])}</code></h2>{"".join(arts)}</section>')
    css.append("#quiet:checked ~ main .rec.quiet { display: none; }"
               "#quiet:checked ~ nav label[for=quiet] { background: #111827; color: #fff; }")
    legend = ('<div class="legend"><span><span class="e glossary"><ins>glossary</ins></span></span>'
              '<span><span class="e model"><ins>model</ins></span></span>'
              '<span><span class="e both"><ins>glossary+model</ins></span></span>'
              '<span><span class="e glossary correct"><ins>correct</ins></span></span>'
              '<span><span class="e glossary wrong"><ins>wrong</ins></span></span>'
              '<span><span class="missed">missed<span class="want">fix</span></span></span>'
              '<span>hover an edit for its rule and the reference\'s view</span></div>')
    sigs = " · ".join(f"{k} {escape(v)}" for k, v in data["sacrebleu"]["signatures"].items())
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>mt-repair evaluation: {escape(d['path'])}</title><style>{''.join(css)}</style></head><body>"
        f"<header><h1>mt-repair evaluation: {escape(d['path'])}</h1>"
        f"<p>{d['records']} records ({d['garbled']} garbled, {d['clean']} clean), {d['reference_edits']} reference edits"
        f" · sha256 {escape(d['sha256'])} · mt-repair {escape(data['mt_repair_version'])}"
        f" · sacrebleu {escape(data['sacrebleu']['version'])}</p><p>{sigs}</p></header>"
        f'<div class="panel">{_summary(data)}<h2>Legend</h2>{legend}</div>'
        f'<div class="wrap">{"".join(inputs)}<input type="checkbox" id="quiet">'
        f'<nav class="controls">{"".join(labels)}'
        f'<label for="quiet">☐ hide records without edits or misses</label></nav>'
        f'<main>{"".join(sections)}</main></div></body></html>\n'
    )
