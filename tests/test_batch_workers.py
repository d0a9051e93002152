"""Workers keep input order; every record gives one output or one error; progress shows
only on a terminal."""
from __future__ import annotations

import functools
import io
import json
import random

import pytest

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repair import RepairConfig, Repairer
from repair.batch.engine import BatchSettings, run_batch
from repair.batch.progress import FixStats, Reporter
from repair.batch.executors import InProcess
from repair.cli import main
from repair.io.sources import plan_inputs

from .conftest import load_cases


def test_two_workers_give_the_same_bytes_in_the_same_order(tmp_path):
    rnd = random.Random(11)
    texts = [c["original"] for name in ("positive.jsonl", "negative.jsonl") for c in load_cases(name)]
    src = tmp_path / "in.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for i in range(700):
            if i % 50 == 3:
                fh.write("not json\n")
            else:
                fh.write(json.dumps({"id": i, "text": rnd.choice(texts)}) + "\n")
    outs = {}
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.jsonl"
        errors = tmp_path / f"err{workers}.jsonl"
        res = CliRunner().invoke(main, ["fix", "--no-judge", "--no-model", "-q", "--workers", workers, str(src), "-o", str(out),
                                        "--errors-file", str(errors)])
        assert res.exit_code == 3, res.output
        outs[workers] = (out.read_bytes(), errors.read_bytes())
    assert outs["1"] == outs["2"]
    ids = [json.loads(x)["id"] for x in outs["2"][0].splitlines()]
    assert ids == [i for i in range(700) if i % 50 != 3]
    assert [json.loads(x)["line"] for x in outs["2"][1].splitlines()] == [i + 1 for i in range(700) if i % 50 == 3]


def test_a_worker_that_cannot_start_reports_why(tmp_path):
    from repair.batch import executors, work

    missing = tmp_path / "missing.tsv"
    config = RepairConfig(glossaries=(str(missing),), use_judge=False, use_model=False)
    executors.init_worker(config, 1, __import__("os").getppid())  # does not raise: the pool would break silently
    with pytest.raises(Exception, match="missing.tsv"):
        work.process_with(config, work.JsonlSpec("x.jsonl", "text"), [work.Unit(1, b'{"text": "IA"}\n', 15, 1, 15)])


# -- one record in, one record out ---------------------------------------------------------
_LINES = st.one_of(
    st.builds(lambda t: json.dumps({"text": t}), st.sampled_from(["IA", "UE and OTAN", "", "7 %", "clean"])),
    st.just('{"text": broken'), st.just("[1, 2]"), st.just('{"other": 1}'), st.just('{"text": null}'),
    st.just("   "), st.just(""), st.just('{"text": "bad \udcff"}'),
)


@functools.lru_cache(maxsize=1)
def _repairer():
    return Repairer(RepairConfig(use_judge=False, use_model=False))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_LINES, max_size=30), st.sampled_from([b"\n", b"\r\n"]))
def test_every_jsonl_record_gives_one_output_or_one_error(tmp_path_factory, lines, eol):
    d = tmp_path_factory.mktemp("one")
    src = d / "in.jsonl"
    src.write_bytes(eol.join(x.encode("utf-8", "surrogateescape") for x in lines) + eol)
    errors = d / "err.jsonl"
    stats = run_batch(plan_inputs([str(src)], str(d / "out.jsonl")), InProcess(_repairer()),
                      BatchSettings(quiet=True, errors_file=str(errors)), output=str(d / "out.jsonl"))
    out = (d / "out.jsonl").read_bytes().splitlines()
    errs = errors.read_text(encoding="utf-8").splitlines() if errors.exists() else []
    records = [i + 1 for i, x in enumerate(lines) if x.strip()]
    assert len(out) + len(errs) == len(records) == stats.records + stats.errors
    assert sorted([json.loads(e)["line"] for e in errs]) == [json.loads(e)["line"] for e in errs]
    assert set(json.loads(e)["line"] for e in errs) <= set(records)


# -- progress --------------------------------------------------------------------------------
class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal_and_not_quiet():
    tty = _Terminal()
    r = Reporter(total_bytes=1000, stream=tty)
    r.advance(500, 20)
    r.advance(500, 20)
    r.close()
    shown = tty.getvalue()
    assert "100%" in shown and "40 records" in shown and "records/s" in shown
    plain = io.StringIO()
    r = Reporter(total_bytes=1000, stream=plain)
    r.advance(1000, 40)
    r.close()
    assert plain.getvalue() == ""
    quiet = _Terminal()
    r = Reporter(total_bytes=1000, stream=quiet, quiet=True)
    r.advance(1000, 40)
    r.close()
    assert quiet.getvalue() == ""


def test_summary_line_counts():
    r = Reporter(stream=io.StringIO())
    r.started -= 2  # a run of two seconds
    line = r.summary(FixStats(records=1234, changed=5, edits=6, errors=7, files=2, warning_count=8))
    assert line.startswith("repair: 1,234 records in 2 files, 5 changed, 6 edits, 7 errors, 8 warnings; ")
    assert line.endswith("records/s)")


def test_repairer_is_pure(seed_text):
    rr = Repairer(RepairConfig(use_judge=False, use_model=False))
    assert rr.repair(seed_text) == rr.repair(seed_text)
