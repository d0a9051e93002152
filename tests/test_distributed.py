"""Repair on a real Dask LocalCluster (2 worker processes): the same bytes as a local run,
one Repairer per worker, nothing lost when a worker dies, clear errors."""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import os
import signal
import socket
import threading
import time

import pytest

pytest.importorskip("distributed")

from click.testing import CliRunner  # noqa: E402

from repair import RepairConfig  # noqa: E402
from repair.batch.engine import BatchSettings, BatchUsageError  # noqa: E402
from repair.cli import main  # noqa: E402
from repair.distributed import (SchedulerUnreachable, builds, connect, fix_on_cluster, repair_bag,  # noqa: E402
                                repair_dataframe)
from repair.fixfiles import fix_files  # noqa: E402

from .conftest import ROOT, SEED, load_cases  # noqa: E402

CONFIG = RepairConfig(use_model=False, use_judge=False)  # glossary only: cheap, deterministic
CLI_FLAGS = ["--no-model", "--no-judge", "-q"]


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc:
        with Client(lc) as client:
            yield lc, client


def _texts() -> list[str]:
    dev = [json.loads(x)["source"] for x in (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
           if x.strip()]
    cases = [c["original"] for name in ("positive.jsonl", "negative.jsonl") for c in load_cases(name)]
    return dev + cases


def _write_jsonl(path, n: int, bad: bool = True) -> None:
    texts = _texts()
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            if bad and i % 97 == 5:
                fh.write('{"id": "broken", "text": \n')  # malformed JSON
            elif bad and i % 101 == 7:
                fh.write(json.dumps({"id": i, "body": "no text field"}) + "\n")
            elif bad and i % 103 == 9:
                fh.write(json.dumps({"id": i, "text": 42}) + "\n")  # not a string
            else:
                fh.write(json.dumps({"id": i, "text": texts[i % len(texts)]}, ensure_ascii=False) + "\n")


def _write_csv(path, n: int) -> None:
    texts = _texts()
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text"])
        for i in range(n):
            w.writerow([i, texts[(i * 7) % len(texts)]])


def _local(inputs, output, tmp_path, **kw):
    errors = tmp_path / "errors-local.jsonl"
    settings = BatchSettings(quiet=True, errors_file=str(errors), **kw)
    stats = fix_files([str(i) for i in inputs], str(output), config=CONFIG, settings=settings)
    return stats, errors


def _cluster_run(lc, inputs, output, tmp_path, **kw):
    errors = tmp_path / "errors-cluster.jsonl"
    settings = BatchSettings(quiet=True, errors_file=str(errors), **kw)
    stats = fix_on_cluster([str(i) for i in inputs], str(output), scheduler=lc.scheduler_address, config=CONFIG,
                           settings=settings)
    return stats, errors


def _tree(root) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_jsonl_to_one_file_is_byte_identical_to_a_local_run(cluster, tmp_path):
    lc, _ = cluster
    src = tmp_path / "in.jsonl"
    _write_jsonl(src, 600)
    local_stats, local_err = _local([src], tmp_path / "local.jsonl", tmp_path, chunk_records=16)
    stats, err = _cluster_run(lc, [src], tmp_path / "cluster.jsonl", tmp_path, chunk_records=16)
    local_out = (tmp_path / "local.jsonl").read_bytes()
    assert (tmp_path / "cluster.jsonl").read_bytes() == local_out
    assert err.read_bytes() == local_err.read_bytes()
    assert stats.counts() == local_stats.counts()
    assert stats.errors >= 6 and stats.changed > 100  # malformed lines and non-string texts are error records
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no journal, no partial file left


def test_directory_of_jsonl_csv_txt_is_partitioned_like_a_local_run_plus_manifest(cluster, tmp_path):
    lc, _ = cluster
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    _write_jsonl(src / "a.jsonl", 300)
    _write_csv(src / "sub" / "b.csv", 120)
    (src / "seed.txt").write_bytes(SEED.read_bytes())
    (src / "bad.txt").write_bytes(b"The IA race \xff\xfe\n")  # invalid UTF-8: an error record, no output
    local_stats, local_err = _local([src], tmp_path / "local", tmp_path)
    stats, err = _cluster_run(lc, [src], tmp_path / "cluster", tmp_path)
    local, dist = _tree(tmp_path / "local"), _tree(tmp_path / "cluster")
    manifest = json.loads(dist.pop("manifest.json"))
    assert dist == local  # every part byte-identical; manifest.json is the only addition
    assert set(local) == {"a.jsonl", "sub/b.csv", "seed.txt"}
    assert err.read_bytes() == local_err.read_bytes()
    assert stats.counts() == local_stats.counts()
    parts = {p["part"]: p for p in manifest["partitions"]}
    assert set(parts) == set(local)
    for name, data in local.items():
        assert parts[name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert parts[name]["bytes"] == len(data)
    assert parts["a.jsonl"]["records"] == len((tmp_path / "local" / "a.jsonl").read_bytes().splitlines())
    assert parts["sub/b.csv"]["records"] == 120
    assert manifest["totals"] == stats.counts()
    assert "glossary:" in manifest["pipeline"]["repairer"] and len(manifest["pipeline_signature"]) == 64
    # the input fingerprint follows the inputs
    again = tmp_path / "cluster2"
    _cluster_run(lc, [src], again, tmp_path)
    same = json.loads((again / "manifest.json").read_text())
    assert same["input_fingerprint"] == manifest["input_fingerprint"]
    assert same["pipeline_signature"] == manifest["pipeline_signature"]
    time.sleep(0.01)
    (src / "seed.txt").write_bytes(SEED.read_bytes() + b"\nOne more line.\n")
    changed = tmp_path / "cluster3"
    _cluster_run(lc, [src], changed, tmp_path)
    assert json.loads((changed / "manifest.json").read_text())["input_fingerprint"] != manifest["input_fingerprint"]


def test_each_worker_builds_its_repairer_once(cluster, tmp_path):
    lc, client = cluster
    config = dataclasses.replace(CONFIG, batch_size=7)  # a configuration no other test uses
    src = tmp_path / "in.jsonl"
    _write_jsonl(src, 400, bad=False)
    assert set(client.run(builds, config).values()) == {0}
    settings = BatchSettings(quiet=True, chunk_records=8)  # 50 chunks
    for out in ("one.jsonl", "two.jsonl"):
        fix_on_cluster([str(src)], str(tmp_path / out), scheduler=lc.scheduler_address, config=config,
                       settings=settings)
    bag = repair_bag(__import__("dask.bag", fromlist=["x"]).from_sequence(
        [{"text": "The IA fleas."}] * 40, npartitions=10), config=config)
    assert len(bag.compute()) == 40
    assert client.run(builds, config) == {w: 1 for w in client.scheduler_info()["workers"]}


def test_repair_bag_gives_the_records_of_a_local_run(cluster, tmp_path):
    import dask.bag as db

    src = tmp_path / "in.jsonl"
    _write_jsonl(src, 250)
    _, local_err = _local([src], tmp_path / "local.jsonl", tmp_path)
    local_lines = (tmp_path / "local.jsonl").read_bytes().decode("utf-8").splitlines()
    local_errors = [json.loads(x) for x in local_err.read_text(encoding="utf-8").splitlines()]

    lines = db.read_text(str(src), blocksize=20_000)  # JSONL lines, several partitions
    assert lines.npartitions > 2
    out = repair_bag(lines, config=CONFIG).compute()
    good = [r for r in out if not _is_error(r)]
    errors = [r for r in out if _is_error(r)]
    assert [json.dumps(r, ensure_ascii=False) for r in good] == local_lines
    assert len(errors) == len(local_errors)
    assert all(e["file"].startswith("partition-") for e in errors)
    assert [e["input"] for e in errors] == [e["input"] for e in local_errors]

    records = []
    for x in src.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(x))
        except ValueError:
            pass
    out = repair_bag(db.from_sequence(records + [["not", "a", "record"]], npartitions=4), config=CONFIG).compute()
    assert [json.dumps(r, ensure_ascii=False) for r in out if not _is_error(r)] == local_lines
    assert sum(map(_is_error, out)) == 1 + sum(1 for e in local_errors if "42" in e["input"])
    assert "not a JSON object" in out[-1]["error"]


def _is_error(record: dict) -> bool:
    return set(record) == {"error", "file", "line", "input"}


def test_repair_dataframe_matches_the_csv_of_a_local_run(cluster, tmp_path):
    dd = pytest.importorskip("dask.dataframe")
    src = tmp_path / "in.csv"
    _write_csv(src, 150)
    _local([src], tmp_path / "local.csv", tmp_path)
    with open(tmp_path / "local.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    ddf = dd.read_csv(str(src), dtype=str, keep_default_na=False, blocksize=10_000)
    assert ddf.npartitions > 1
    out = repair_dataframe(ddf, "text", config=CONFIG).compute()
    assert out["repaired"].tolist() == [r["repaired"] for r in rows]
    assert out["edits"].tolist() == [r["edits"] for r in rows]
    assert out["repair_error"].isna().all()
    assert any(json.loads(e) for e in out["edits"])
    with pytest.raises(KeyError, match="body"):
        repair_dataframe(ddf, "body", config=CONFIG)


def _kill_a_worker_during(client, run, min_tasks: int = 1):
    """Start ``run`` in a thread; once the cluster is busy, SIGKILL one worker process."""
    result: dict = {}

    def target():
        try:
            result["stats"] = run()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test
            result["exc"] = exc

    pids = client.run(os.getpid)
    victim = sorted(pids)[0]
    thread = threading.Thread(target=target)
    thread.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        busy = client.run_on_scheduler(lambda dask_scheduler: sum(
            1 for ts in dask_scheduler.tasks.values() if ts.state in ("processing", "memory")))
        if busy >= min_tasks:
            break
        time.sleep(0.05)
    time.sleep(0.3)
    os.kill(pids[victim], signal.SIGKILL)
    assert thread.is_alive(), "the run finished before the worker was killed: make it longer"
    thread.join(120)
    assert not thread.is_alive()
    if "exc" in result:
        raise result["exc"]
    client.wait_for_workers(2, timeout=60)
    assert pids[victim] not in client.run(os.getpid).values()  # the nanny started a new process
    return result["stats"]


def test_a_worker_killed_mid_run_loses_and_repeats_nothing(cluster, tmp_path):
    lc, client = cluster
    src = tmp_path / "in.jsonl"
    _write_jsonl(src, 3000)
    local_stats, local_err = _local([src], tmp_path / "local.jsonl", tmp_path, chunk_records=8)
    errors = tmp_path / "errors-cluster.jsonl"
    settings = BatchSettings(quiet=True, errors_file=str(errors), chunk_records=8)
    stats = _kill_a_worker_during(client, lambda: fix_on_cluster(
        [str(src)], str(tmp_path / "cluster.jsonl"), scheduler=lc.scheduler_address, config=CONFIG,
        settings=settings))
    out = (tmp_path / "cluster.jsonl").read_bytes()
    assert out == (tmp_path / "local.jsonl").read_bytes()
    ids = [json.loads(x)["id"] for x in out.splitlines()]
    assert ids == sorted(set(ids)) and len(ids) == local_stats.records  # ordered, no duplicates, none missing
    assert errors.read_bytes() == local_err.read_bytes()
    assert stats.counts() == local_stats.counts()
    # the replacement worker built its Repairer once, like the other
    assert set(client.run(builds, CONFIG).values()) <= {1}


def test_a_worker_killed_while_writing_parts_leaves_complete_parts(cluster, tmp_path):
    lc, client = cluster
    src = tmp_path / "in"
    src.mkdir()
    for i in range(8):
        _write_jsonl(src / f"shard-{i}.jsonl", 400)
    _local([src], tmp_path / "local", tmp_path)
    settings = BatchSettings(quiet=True, errors_file=str(tmp_path / "errors-cluster.jsonl"))
    _kill_a_worker_during(client, lambda: fix_on_cluster(
        [str(src)], str(tmp_path / "cluster"), scheduler=lc.scheduler_address, config=CONFIG, settings=settings))
    dist = _tree(tmp_path / "cluster")
    manifest = json.loads(dist.pop("manifest.json"))
    assert dist == _tree(tmp_path / "local")  # no leftovers (.partial, journals), nothing appended twice
    assert [p["part"] for p in manifest["partitions"]] == [f"shard-{i}.jsonl" for i in range(8)]


def test_resume_keeps_the_parts_an_interrupted_partitioned_run_finished(cluster, tmp_path):
    from repair.distributed import pipeline_signature, prepare_workers, repair_partition
    from repair.glossary import load_glossaries
    from repair.io.sources import plan_inputs

    lc, client = cluster
    src = tmp_path / "in"
    src.mkdir()
    for i in range(4):
        _write_jsonl(src / f"shard-{i}.jsonl", 150)
    _, local_err = _local([src], tmp_path / "local", tmp_path)
    out = tmp_path / "cluster"
    settings = BatchSettings(quiet=True, errors_file=str(tmp_path / "errors-cluster.jsonl"), resume=True)
    # an interrupted run: parts 0 and 2 finished, part 1 left a partial file, part 3 not started
    specs = plan_inputs([str(src)], str(out))
    signature = "+".join(g.signature() for g in load_glossaries((), True))
    run_key = pipeline_signature(CONFIG, settings, prepare_workers(client, CONFIG))
    for i in (0, 2):
        client.submit(repair_partition, CONFIG, settings, specs[i], signature, run_key, pure=False).result()
    (out / ".shard-1.jsonl.repair-partial").write_text('{"half": ')
    kept = {i: os.stat(out / f"shard-{i}.jsonl").st_ino for i in (0, 2)}
    stamp = {i: os.stat(out / f"shard-{i}.jsonl").st_mtime_ns for i in (0, 2)}
    stats = fix_on_cluster([str(src)], str(out), scheduler=lc.scheduler_address, config=CONFIG, settings=settings)
    for i in (0, 2):  # not redone
        st = os.stat(out / f"shard-{i}.jsonl")
        assert (st.st_ino, st.st_mtime_ns) == (kept[i], stamp[i])
    dist = _tree(out)
    manifest = json.loads(dist.pop("manifest.json"))
    assert dist == _tree(tmp_path / "local")  # complete, and the part records are gone
    assert (tmp_path / "errors-cluster.jsonl").read_bytes() == local_err.read_bytes()
    assert manifest["totals"]["records"] == stats.records == 4 * sum(
        1 for _ in (tmp_path / "local" / "shard-0.jsonl").open())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_a_clear_error_not_a_local_run(tmp_path):
    src = tmp_path / "in.jsonl"
    _write_jsonl(src, 5, bad=False)
    address = f"tcp://127.0.0.1:{_free_port()}"
    started = time.monotonic()
    with pytest.raises(SchedulerUnreachable, match="127.0.0.1"):
        connect(address)
    with pytest.raises(SchedulerUnreachable, match=f"cannot reach the Dask scheduler at {address}"):
        fix_on_cluster([str(src)], str(tmp_path / "out.jsonl"), scheduler=address, config=CONFIG,
                       settings=BatchSettings(quiet=True))
    assert not (tmp_path / "out.jsonl").exists()  # no silent local run
    assert time.monotonic() - started < 30
    with pytest.raises(BatchUsageError, match="--scheduler local only"):
        connect(address, cluster_workers=2)


def test_cli_scheduler_option_gives_the_local_bytes(cluster, tmp_path):
    lc, _ = cluster
    src = tmp_path / "in.jsonl"
    _write_jsonl(src, 200)
    runs = {}
    for name, extra in (("local", []), ("cluster", ["--scheduler", lc.scheduler_address])):
        out, err = tmp_path / f"{name}.jsonl", tmp_path / f"{name}-errors.jsonl"
        res = CliRunner().invoke(main, ["fix", *CLI_FLAGS, *extra, str(src), "-o", str(out), "--errors-file",
                                        str(err)])
        assert res.exit_code == 3, res.output  # error records were written
        runs[name] = (out.read_bytes(), err.read_bytes())
    assert runs["local"] == runs["cluster"]
    res = CliRunner().invoke(main, ["fix", *CLI_FLAGS, "--cluster-workers", "2", str(src), "-o",
                                    str(tmp_path / "x.jsonl")])
    assert res.exit_code == 2 and "--scheduler local" in res.output
    address = f"tcp://127.0.0.1:{_free_port()}"
    res = CliRunner().invoke(main, ["fix", *CLI_FLAGS, "--scheduler", address, str(src), "-o",
                                    str(tmp_path / "out.jsonl")])
    assert res.exit_code == 2, res.output
    assert address in res.output and "cannot reach" in res.output
    assert not (tmp_path / "out.jsonl").exists()
