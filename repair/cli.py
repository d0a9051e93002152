"""The ``repair`` command: parse arguments, build a RepairConfig, call the library, print.

Exit codes: 0 success; 2 usage error (bad option, missing file, would overwrite an
input); 3 data error (invalid UTF-8, malformed glossary, records that could not be
read: the good ones are still written); 1 anything unexpected.
"""
from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path

import click

from . import __version__
from .config import DEFAULT_CONFIG
from .fixfiles import FORMATS, FixStats, detect_format, fix_document, fix_jsonl
from .glossary import GlossaryError
from .io import InputError, atomic_output, refuse_clobber

EXIT_DATA = 3


class DataError(click.ClickException):
    exit_code = EXIT_DATA


def _err(msg: str) -> None:
    click.echo(msg, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mt-repair")
def main() -> None:
    """Repair English news text damaged by machine translation."""


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(allow_dash=True))
@click.option("-o", "--output", type=click.Path(), help="Write here instead of stdout (a directory for several inputs).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Input format (default: by extension; stdin is txt).")
@click.option("--field", "text_field", default="text", show_default=True, help="JSONL field holding the text.")
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Extra glossary file (YAML, TSV or CSV); repeatable.")
@click.option("--no-default-glossaries", is_flag=True, help="Do not load the glossaries shipped with mt-repair.")
@click.option("--no-model", is_flag=True, help="Run the glossary pass only (currently the only pass).")
@click.option("--explain", is_flag=True, help="Print each edit and each held-back proposal, with its reason, to stderr.")
@click.option("--errors", type=click.Choice(["strict", "replace"]), default="strict", show_default=True,
              help="Invalid UTF-8: stop with an error, or replace with U+FFFD.")
@click.option("--errors-file", type=click.Path(dir_okay=False),
              help="Write one JSON error record per unreadable input record here (default: stderr).")
def fix(inputs, output, fmt, text_field, glossaries, no_default_glossaries, no_model, explain, errors, errors_file):
    """Repair INPUTS (.txt documents or .jsonl records; stdin when none or -)."""
    inputs = list(inputs) or ["-"]
    for name in inputs:
        if name != "-" and not Path(name).is_file():
            raise click.UsageError(f"no such file: {name}")
    config = DEFAULT_CONFIG.with_options(glossaries=glossaries, default_glossaries=not no_default_glossaries,
                                         use_model=False)
    from .pipeline import Repairer

    try:
        repairer = Repairer(config)
    except GlossaryError as exc:
        raise DataError(str(exc)) from None

    out_dir = None
    if output and (Path(output).is_dir() or output.endswith("/") or len(inputs) > 1):
        if len(inputs) > 1 and Path(output).exists() and not Path(output).is_dir():
            raise click.UsageError("several inputs need -o to name a directory")
        out_dir = Path(output)
    if output:
        try:
            refuse_clobber(output, inputs)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    if "-" in inputs and inputs.count("-") > 1:
        raise click.UsageError("stdin can be read only once")

    total = FixStats()
    with ExitStack() as stack:
        err_stream = open(errors_file, "a", encoding="utf-8") if errors_file else None
        if err_stream:
            stack.enter_context(err_stream)

        def on_error(rec):
            line = json.dumps(rec.to_dict(), ensure_ascii=False)
            if err_stream:
                err_stream.write(line + "\n")
            else:
                _err(line)

        on_explain = _err if explain else None
        for name in inputs:
            kind = detect_format(name, fmt)
            display = "<stdin>" if name == "-" else name
            src = sys.stdin.buffer if name == "-" else stack.enter_context(open(name, "rb"))
            if out_dir is not None:
                target = out_dir / Path(display if name != "-" else f"stdin.{kind}").name
                refuse_clobber(target, inputs)
                dst_cm = atomic_output(target)
            elif output:
                dst_cm = atomic_output(output)
            else:
                dst_cm = None
            try:
                with (dst_cm if dst_cm is not None else _stdout()) as dst:
                    if kind == "jsonl":
                        stats = fix_jsonl(repairer, src, display, dst, text_field, errors, on_explain, on_error, _err)
                    else:
                        stats = fix_document(repairer, src, display, dst, errors, on_explain)
            except InputError as exc:
                raise DataError(str(exc)) from None
            total.add(stats)
    if explain:
        _err(f"{total.records} records, {total.changed} changed, {total.edits} edits, {total.errors} errors")
    if total.errors:
        sys.exit(EXIT_DATA)


class _stdout:
    def __enter__(self):
        return sys.stdout.buffer

    def __exit__(self, *exc):
        sys.stdout.buffer.flush()
        return False


@main.command(name="eval")
@click.argument("hyp", type=click.Path(exists=True, dir_okay=False, allow_dash=False))
@click.argument("ref", type=click.Path(exists=True, dir_okay=False, allow_dash=False))
@click.option("--hyp-field", help="Read hypotheses from this JSONL field (HYP is then JSONL).")
@click.option("--ref-field", help="Read references from this JSONL field (REF is then JSONL).")
@click.option("--ter-ignore-case", is_flag=True, help="Make TER case-insensitive (default: case-sensitive, as in WMT APE).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with keys bleu, chrf, ter.")
def eval_cmd(hyp, ref, hyp_field, ref_field, ter_ignore_case, as_json):
    """Score line-aligned HYP against REF with sacrebleu: BLEU, chrF and TER."""
    from .evaluation.files import read_segments
    from .evaluation.metrics import score_corpus

    try:
        hyps = read_segments(hyp, hyp_field)
        refs = read_segments(ref, ref_field)
    except InputError as exc:
        raise DataError(str(exc)) from None
    if len(hyps) != len(refs):
        raise DataError(f"{hyp} has {len(hyps)} segments but {ref} has {len(refs)}")
    scores = score_corpus(hyps, refs, case_sensitive_ter=not ter_ignore_case)
    if as_json:
        click.echo(json.dumps({"bleu": scores.bleu, "chrf": scores.chrf, "ter": scores.ter,
                               "segments": scores.segments, "signatures": scores.signatures}))
    else:
        for key in ("bleu", "chrf", "ter"):
            click.echo(f"{key.upper():5} {getattr(scores, key):7.2f}  {scores.signatures[key]}")


@main.group()
def glossary():
    """Inspect and check glossary files."""


@glossary.command(name="check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def glossary_check(files):
    """Validate FILES and run each rule's fix/keep examples."""
    from .glossary.check import check_glossary
    from .glossary import load_glossary

    failures = 0
    for f in files:
        try:
            g = load_glossary(f)
        except GlossaryError as exc:
            raise DataError(str(exc)) from None
        problems = check_glossary(g)
        for p in problems:
            _err(p)
        failures += len(problems)
        click.echo(f"{f}: {len(g.rules)} rules, {len(problems)} problems")
    if failures:
        sys.exit(EXIT_DATA)


@glossary.command(name="list")
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--no-default-glossaries", is_flag=True)
def glossary_list(glossaries, no_default_glossaries):
    """List the rules in force: id, origin, category, what they match."""
    from .glossary import load_glossaries

    try:
        loaded = load_glossaries(glossaries, not no_default_glossaries)
    except GlossaryError as exc:
        raise DataError(str(exc)) from None
    for g in loaded:
        click.echo(f"# {g.signature()}  {g.path}")
        for r in g.rules:
            what = r.regex if r.regex is not None else " | ".join(r.phrases)
            flags = ("judge " if r.judge else "") + ("" if r.enabled else "off ")
            click.echo(f"{r.id}\t{r.origin}\t{r.category}\t{flags}{what} -> {r.replace!r}")


if __name__ == "__main__":  # pragma: no cover
    main()
