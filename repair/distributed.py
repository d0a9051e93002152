"""Repair on a Dask cluster: the same pipeline, the same bytes, many machines.

Two ways in:

- the Python API, for data already in Dask: :func:`repair_bag` maps the pipeline over
  the partitions of a ``dask.bag`` of JSON records (dicts, or JSONL lines as read by
  ``dask.bag.read_text``) and gives the records ``repair fix`` writes (record +
  ``repaired`` + ``edits``, or an error record); :func:`repair_dataframe` adds
  ``repaired`` and ``edits`` (JSON) columns to a ``dask.dataframe``;
- ``repair fix --scheduler ADDRESS`` (:func:`fix_on_cluster`), over the same inputs as a
  local run:

  * ``-o FILE``, stdout, ``--in-place``: this process reads the inputs and writes the
    outputs exactly as a local run does (:func:`repair.batch.engine.run_batch`, journal
    and ``--resume`` included); only the chunks of records are repaired on the cluster.
    The output is byte-identical to a local run's.
  * ``-o DIR``: every input file is one *partition*, read, repaired and written by one
    task on a worker (the workers must see the inputs and DIR at the same paths: a shared
    file system). A part is written to a temporary file and renamed onto its target, so a
    retried task overwrites, never appends. DIR then holds what a local run writes
    (the input tree mirrored, each file byte-identical) plus ``manifest.json``. With
    ``--resume``, parts that an interrupted run finished (a ``.NAME.repair-part.json``
    record beside each, removed when the manifest is written) are kept.

Each worker process builds its Repairer (glossaries, models) once per configuration
(``repair.pipeline.get_repairer``, preloaded by :class:`RepairerPlugin` when a worker
starts), not once per record or per task; a Repairer is pure, so the threads of a worker
share it without a lock. Tasks are submitted with ``retries``: a task whose worker
dies is run again elsewhere, and as results are taken in submission order, no record is
lost or written twice. A record that cannot be repaired is an error record, never a
failed task.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
from pathlib import Path
from typing import Sequence

from . import __version__
from .batch.engine import BatchFailure, BatchSettings, BatchUsageError, check_errors_file, run_batch
from .batch.executors import InProcess
from .batch.progress import FixStats, Reporter
from .batch.work import add_repair, process_with
from .config import DEFAULT_CONFIG, RepairConfig
from .io.atomic import partial_path, write_atomic
from .io.errors import ErrorSink, RecordError
from .io.files import file_identity, file_size
from .io.read import Record, parse_jsonl_line
from .io.sources import InputSpec, PlanError, plan_inputs
from .pipeline import get_repairer, repairer_builds

#: Times a task is retried (an exception, or its worker lost) before the run gives up on it.
DEFAULT_RETRIES = 3
#: Seconds to wait for a scheduler to answer (and for it to have at least one worker).
CONNECT_TIMEOUT = 5.0
WORKER_TIMEOUT = 60.0
MANIFEST = "manifest.json"
MANIFEST_FORMAT = "mt-repair-manifest/1"


class SchedulerUnreachable(BatchUsageError):
    """The scheduler address cannot be reached, or has no workers (exit code 2)."""


# -- on the workers ---------------------------------------------------------------------------------
def config_key(config: RepairConfig) -> str:
    """A short stable name for a configuration."""
    blob = json.dumps(config.to_dict(), sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def builds(config: RepairConfig | None = None) -> int:
    """How many Repairers this process has built (for ``config``, or in all)."""
    return repairer_builds(config)


def worker_signature(config: RepairConfig) -> dict:
    """What this worker runs: the package version and the Repairer's resource signature."""
    return {"version": __version__, "repairer": get_repairer(config).signature()}


try:
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPlugin
except ImportError:  # pragma: no cover - distributed is an optional extra
    _WorkerPlugin = object


class RepairerPlugin(_WorkerPlugin):
    """Builds the Repairer for one configuration when a worker starts (and on workers
    that join later), so that the first task does not pay for it."""

    def __init__(self, config: RepairConfig = DEFAULT_CONFIG):
        self.config = config
        self.name = f"mt-repair-{config_key(config)}"

    def setup(self, worker=None):
        get_repairer(self.config)


# -- connecting ----------------------------------------------------------------------------------------
def connect(scheduler: str, cluster_workers: int | None = None, timeout: float = CONNECT_TIMEOUT):
    """A ``(client, cluster)`` pair: ``scheduler`` is ``"local"`` (a LocalCluster of
    ``cluster_workers`` processes, one thread each; ``cluster`` is then to be closed) or
    the address of a running scheduler (``cluster`` is None). Raises SchedulerUnreachable."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover
        raise BatchUsageError("--scheduler needs dask.distributed: pip install 'mt-repair[cluster]'") from None
    if scheduler == "local":
        n = cluster_workers or os.cpu_count() or 1
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster), cluster
    if cluster_workers is not None:
        raise BatchUsageError("--cluster-workers applies to --scheduler local only")
    if "://" not in scheduler:
        scheduler = f"tcp://{scheduler}"
    try:
        client = Client(scheduler, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - refused, timed out, or something that is not a scheduler answered
        raise SchedulerUnreachable(f"cannot reach the Dask scheduler at {scheduler} (waited {timeout:g} s): "
                                   f"{type(exc).__name__}: {exc}") from None
    try:
        client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
    except (TimeoutError, OSError) as exc:
        client.close()
        raise SchedulerUnreachable(f"the Dask scheduler at {scheduler} has no workers "
                                   f"(waited {WORKER_TIMEOUT:g} s): {exc}") from None
    return client, None


def prepare_workers(client, config: RepairConfig) -> dict:
    """Register the plugin (each worker builds its Repairer now) and check that every
    worker runs the same package version and resources; returns their signature."""
    try:
        client.register_plugin(RepairerPlugin(config))
    except Exception as exc:  # noqa: BLE001 - a worker could not build the pipeline
        raise BatchUsageError(f"the workers cannot build the pipeline: {type(exc).__name__}: {exc}") from None
    signatures = client.run(worker_signature, config)
    distinct = {json.dumps(s, sort_keys=True) for s in signatures.values()}
    if len(distinct) > 1:
        listed = "; ".join(f"{w}: {s}" for w, s in sorted(signatures.items()))
        raise BatchUsageError(f"the workers run different versions or resources of mt-repair: {listed}")
    return next(iter(signatures.values()))


def cluster_threads(client) -> int:
    return max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))


class DaskExecutor:
    """The batch engine's executor (:mod:`repair.batch.executors`) on Dask: chunks go to the
    cluster with retries, each repaired with the worker's Repairer for ``config``; a chunk
    that fails for good stops the run (BatchFailure; the journal is kept for ``--resume``)."""

    def __init__(self, client, config: RepairConfig, retries: int = DEFAULT_RETRIES):
        self.client = client
        self.config = config
        self.retries = retries

    def submit(self, spec, units):
        fut = self.client.submit(process_with, self.config, spec, units, retries=self.retries, pure=False)
        return _DaskResult(fut, self.retries)

    def shutdown(self, cancel: bool = False) -> None:
        pass  # futures are released as the engine drops them


class _DaskResult:
    def __init__(self, fut, retries: int):
        self.fut = fut
        self.retries = retries

    def result(self):
        try:
            return self.fut.result()
        except Exception as exc:  # noqa: BLE001 - KilledWorker, a worker-side exception, a lost connection
            raise BatchFailure(f"a chunk failed on the cluster after {self.retries} retries: "
                               f"{type(exc).__name__}: {exc}; rerun with --resume to continue") from None

    def cancel(self):
        self.fut.cancel()
        return True


# -- repair fix --scheduler ----------------------------------------------------------------------------
def fix_on_cluster(inputs: Sequence[str], output: str | None = None, *, scheduler: str,
                   config: RepairConfig = DEFAULT_CONFIG, cluster_workers: int | None = None, fmt: str | None = None,
                   globs: Sequence[str] = (), in_place: bool = False, settings: BatchSettings = BatchSettings(),
                   retries: int = DEFAULT_RETRIES, stdout=None, reporter: Reporter | None = None) -> FixStats:
    """``repair fix`` with the repairing done on a Dask cluster (see the module docstring)."""
    try:
        specs = plan_inputs(inputs, None if output == "-" else output, fmt, globs, in_place, settings.follow_links)
    except PlanError as exc:
        raise BatchUsageError(str(exc)) from None
    check_errors_file(specs, settings.errors_file)
    from .glossary import load_glossaries

    # a malformed glossary is a data error here, before any worker is asked
    signature = "+".join(g.signature() for g in load_glossaries(config.glossaries, config.default_glossaries))
    to_dir = bool(output) and not in_place and any(s.target is not None and s.target != output for s in specs)
    if to_dir and any(s.source == "-" for s in specs):
        raise BatchUsageError("--scheduler with -o DIR reads the inputs on the workers; stdin cannot be one")
    client, cluster = connect(scheduler, cluster_workers)
    try:
        pipeline = prepare_workers(client, config)
        if not pipeline["repairer"].startswith(f"glossary:{signature}|"):
            raise BatchUsageError(f"the workers load other glossaries than this machine ({pipeline['repairer']} "
                                  f"against glossary:{signature}): install the same mt-repair version everywhere")
        if to_dir:
            return _partitioned(client, specs, output, config, settings, signature, pipeline, retries, reporter)
        executor = DaskExecutor(client, config, retries)
        wide = dataclasses.replace(settings, workers=cluster_threads(client))
        return run_batch(specs, executor, wide, output=output, signature=signature, stdout=stdout,
                         reporter=reporter)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def pipeline_signature(config: RepairConfig, settings: BatchSettings, worker: dict) -> str:
    """sha256 of everything that decides the output bytes besides the input."""
    blob = json.dumps({"version": worker["version"], "repairer": worker["repairer"], "config": config.to_dict(),
                       "field": settings.field, "errors": settings.errors, "explain": settings.explain},
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def input_fingerprint(specs: Sequence[InputSpec]) -> str:
    """sha256 of the inputs as given: names, formats, sizes and modification times (as
    the resume journal identifies them; the contents are not read here)."""
    blob = json.dumps([[s.display, s.fmt, file_identity(s.source)] for s in specs])
    return hashlib.sha256(blob.encode()).hexdigest()


def _partitioned(client, specs, output, config: RepairConfig, settings: BatchSettings, signature, pipeline, retries,
                 reporter) -> FixStats:
    out_dir = Path(output)
    manifest_path = out_dir / MANIFEST
    for s in specs:
        if Path(s.target).resolve() == manifest_path.resolve():
            raise BatchUsageError(f"{s.display} would be written to {manifest_path}, which holds the run's manifest")
    reporter = reporter or Reporter(sum(file_size(s.source) for s in specs), settings.quiet)
    run_key = pipeline_signature(config, settings, pipeline)
    from distributed import as_completed

    try:
        # the workers may run elsewhere: absolute paths (names in messages stay as given)
        remote = [dataclasses.replace(s, source=os.path.abspath(s.source), target=os.path.abspath(s.target))
                  for s in specs]
        futures: list = []
        for i, spec in enumerate(remote):
            done = _finished_part(spec, run_key) if settings.resume else None
            if done is not None:  # completed by the interrupted run: kept as it is
                reporter.skip(done["input_bytes"], done["records"])
                futures.append(_Done(done))
            else:
                futures.append(client.submit(repair_partition, config, settings, spec, signature, run_key,
                                             retries=retries, pure=False, priority=-i))
        # progress as parts complete; results are then taken in input order
        for fut in as_completed([f for f in futures if not isinstance(f, _Done)]):
            if fut.status == "finished":
                part = fut.result()
                reporter.advance(part["input_bytes"], part["records"])
        total = FixStats()
        errors = ErrorSink(settings.errors_file, reporter.message)
        parts = []
        try:
            for spec, fut in zip(specs, futures):
                try:
                    part = fut.result()
                except Exception as exc:  # noqa: BLE001 - the part is lost; say so and go on
                    total.errors += 1
                    errors.write(RecordError(spec.display, 0, f"{spec.display}: failed on the cluster after "
                                                              f"{retries} retries: {type(exc).__name__}: {exc}"))
                    continue
                for line in part.pop("messages"):
                    reporter.message(line)
                for rec in part.pop("error_records"):
                    errors.write(RecordError.from_dict(rec))
                total.add(FixStats.from_counts(part["counts"]))
                if part["sha256"] is not None:
                    part["part"] = Path(os.path.relpath(spec.target, out_dir)).as_posix()
                    parts.append(part)
        finally:
            errors.close()
    finally:
        reporter.close()
    manifest = {
        "format": MANIFEST_FORMAT,
        "mt_repair_version": pipeline["version"],
        "pipeline_signature": run_key,
        "pipeline": {"repairer": pipeline["repairer"], "config": config.to_dict(), "field": settings.field,
                     "errors": settings.errors, "explain": settings.explain},
        "input_fingerprint": input_fingerprint(specs),
        "partitions": [{k: p[k] for k in ("part", "source", "format", "records", "changed", "edits", "errors",
                                          "warnings", "bytes", "sha256")} for p in parts],
        "totals": total.counts(),
    }
    write_atomic(manifest_path, (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode())
    for spec in specs:  # the manifest now holds what the per-part records held
        _part_record(spec.target).unlink(missing_ok=True)
    if not settings.quiet:
        reporter.message(reporter.summary(total))
    return total


class _Done:
    """A part finished by an interrupted run (``--resume``), in place of a future."""

    def __init__(self, part: dict):
        self.part = part

    def result(self) -> dict:
        return dict(self.part)


def _part_record(target: str | Path) -> Path:
    target = Path(target)
    return target.parent / f".{target.name}.repair-part.json"


def _finished_part(spec: InputSpec, run_key: str) -> dict | None:
    """The record a finished part left beside itself, if it still describes the part: the
    same pipeline, an unchanged input, the part as written (size and modification time)."""
    try:
        rec = json.loads(_part_record(spec.target).read_text(encoding="utf-8"))
        st = os.stat(spec.target)
        if (rec["run_key"] == run_key and rec["source_identity"] == file_identity(spec.source)
                and rec["target_identity"] == {"size": st.st_size, "mtime_ns": st.st_mtime_ns}):
            return rec["part"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def repair_partition(config: RepairConfig, settings: BatchSettings, spec: InputSpec, signature: str,
                     run_key: str = "") -> dict:
    """On a worker: repair one input file into its target (temporary file, then rename;
    what an earlier attempt left is removed first). Returns counts, the part's sha256,
    its error records and messages; a record of them is kept beside the part (for
    ``--resume``) until the run's manifest is written."""
    target = Path(spec.target)
    target.parent.mkdir(parents=True, exist_ok=True)
    journal = target.parent / f".{target.name}.repair-journal"
    errors_path = target.parent / f".{target.name}.repair-errors"
    for leftover in (journal, partial_path(target), errors_path, _part_record(target)):
        leftover.unlink(missing_ok=True)
    stream = io.StringIO()
    local = dataclasses.replace(settings, workers=1, quiet=True, errors_file=str(errors_path), resume=False)
    stats = run_batch([spec], InProcess(get_repairer(config)), local, output=spec.target, signature=signature,
                      reporter=Reporter(None, True, stream=stream, bar=False))
    try:
        error_records = [json.loads(x) for x in errors_path.read_bytes().splitlines() if x.strip()]
    finally:
        errors_path.unlink(missing_ok=True)
    done = stats.files > 0 and target.exists()
    digest = size = None
    if done:
        h = hashlib.sha256()
        with open(target, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        digest, size = h.hexdigest(), target.stat().st_size
    counts = stats.counts()
    part = {"part": spec.target, "source": spec.display, "format": spec.fmt, "records": stats.records,
            "changed": stats.changed, "edits": stats.edits, "errors": stats.errors,
            "warnings": stats.warning_count, "bytes": size, "sha256": digest, "counts": counts,
            "input_bytes": file_size(spec.source), "error_records": error_records,
            "messages": [x for x in stream.getvalue().splitlines() if x]}
    if done:
        st = target.stat()
        write_atomic(_part_record(target), json.dumps({
            "run_key": run_key, "source_identity": file_identity(spec.source),
            "target_identity": {"size": st.st_size, "mtime_ns": st.st_mtime_ns}, "part": part},
            ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return part


# -- the Python API on Dask collections ---------------------------------------------------------------
def _config(config) -> RepairConfig:
    if config is None:
        return DEFAULT_CONFIG
    if isinstance(config, dict):
        return DEFAULT_CONFIG.with_options(**config)
    return config


def repair_bag(bag, field: str = "text", config: RepairConfig | dict | None = None, *, errors: str = "strict"):
    """A bag of the records ``repair fix`` writes for the records of ``bag``.

    A record is a dict (a JSON object), or a JSONL line (``str`` or ``bytes``, as
    ``dask.bag.read_text`` gives). Each becomes the record with ``repaired`` and
    ``edits`` added (or passed through unchanged, when it has no ``field``), or an error
    record ``{"error", "file", "line", "input"}`` where ``file`` is ``partition-N`` and
    ``line`` the record's position in it; blank lines are dropped. ``config``: a
    RepairConfig, a dict of its options, or None for the default pipeline."""
    import dask
    import dask.bag as db

    cfg = _config(config)
    parts = bag.to_delayed(optimize_graph=False)
    repaired = [dask.delayed(_repair_records, pure=True)(p, i, field, cfg, errors) for i, p in enumerate(parts)]
    return db.from_delayed(repaired)


def _repair_records(records, index: int, field: str, config: RepairConfig, errors: str) -> list[dict]:
    name = f"partition-{index}"
    repairer = get_repairer(config)
    result: list[dict] = []
    for number, record in enumerate(records, start=1):
        if isinstance(record, dict):
            obj, value = dict(record), record.get(field)
            text = value if isinstance(value, str) else None
        elif isinstance(record, (str, bytes)):
            raw = record.encode("utf-8", "surrogatepass") if isinstance(record, str) else record
            item = parse_jsonl_line(raw, name, number, 0, field, errors)
            if item is None:
                continue  # a blank line is not a record
            if isinstance(item, RecordError):
                result.append(item.to_dict())
                continue
            assert isinstance(item, Record)
            obj, text = item.obj, item.text
        else:
            result.append(RecordError(name, number, f"{name}: record {number}: a {type(record).__name__}, "
                                                    f"not a JSON object", repr(record)).to_dict())
            continue
        if text is None:
            result.append(obj)
            continue
        try:
            result.append(add_repair(obj, repairer.repair(text)))
        except Exception as exc:  # noqa: BLE001 - one bad record must not fail the partition
            result.append(RecordError(name, number, f"{name}: record {number}: internal error while repairing: "
                                                    f"{type(exc).__name__}: {exc}", text).to_dict())
    return result


def repair_dataframe(ddf, column: str = "text", config: RepairConfig | dict | None = None, *,
                     error_column: str | None = "repair_error"):
    """``ddf`` with ``repaired`` (the repaired text) and ``edits`` (a JSON list of edit
    records, as in ``repair fix``'s CSV output) columns added, and ``error_column`` (None
    when the row was repaired; the reason when it could not be). A missing value (None,
    NaN) gives None in both columns."""
    import pandas as pd

    if column not in ddf.columns:
        raise KeyError(f"no column {column!r} in the dataframe ({', '.join(map(str, ddf.columns))})")
    cfg = _config(config)
    meta = ddf._meta.copy()
    meta["repaired"] = pd.Series([], dtype=object)
    meta["edits"] = pd.Series([], dtype=object)
    if error_column:
        meta[error_column] = pd.Series([], dtype=object)
    return ddf.map_partitions(_repair_frame, column, cfg, error_column, meta=meta)


def _repair_frame(df, column: str, config: RepairConfig, error_column: str | None):
    repairer = get_repairer(config)
    repaired, edits, problems = [], [], []
    for value in df[column].tolist():
        if not isinstance(value, str):
            repaired.append(None)
            edits.append(None)
            problems.append(None)
            continue
        try:
            r = repairer.repair(value)
        except Exception as exc:  # noqa: BLE001 - one bad row must not fail the partition
            repaired.append(None)
            edits.append(None)
            problems.append(f"internal error while repairing: {type(exc).__name__}: {exc}")
            continue
        repaired.append(r.text)
        edits.append(json.dumps([e.to_dict() for e in r.edits], ensure_ascii=False))
        problems.append(None)
    df = df.copy()
    df["repaired"] = pd_series(repaired, df.index)
    df["edits"] = pd_series(edits, df.index)
    if error_column:
        df[error_column] = pd_series(problems, df.index)
    return df


def pd_series(values, index):
    import pandas as pd

    return pd.Series(values, index=index, dtype=object)


__all__ = ["DEFAULT_RETRIES", "DaskExecutor", "RepairerPlugin", "SchedulerUnreachable", "builds", "connect",
           "fix_on_cluster", "repair_bag", "repair_dataframe", "repair_partition"]
