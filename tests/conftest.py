from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
SEED = ROOT / "seeds" / "000_7d1c53471515dc93.txt"


#: ``repair fix`` with no models and no shipped glossary: the test's own glossary alone (-g)
OWN_GLOSSARY_BATCH = ["fix", "--no-judge", "--no-model", "-q", "--no-default-glossaries"]


def run_own_glossary(glossary, *args, input=None):
    """``repair fix`` in this process (CliRunner) with only the glossary file ``glossary``."""
    from click.testing import CliRunner

    from repair.cli import main

    return CliRunner().invoke(main, [*OWN_GLOSSARY_BATCH, "-g", str(glossary), *map(str, args)], input=input)


def load_cases(name: str) -> list[dict]:
    path = CASES / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


# CI runs hypothesis with a fixed seed per test (derandomize), so a green run stays green;
# locally it explores new examples every run.
import os  # noqa: E402

from hypothesis import settings as _hyp_settings  # noqa: E402

_hyp_settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    _hyp_settings.load_profile("ci")


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory):
    """Model conversions (repair.lm_cache) happen at most once per test session: in the
    user's cache when it already holds the judge's CTranslate2 conversion (or in
    $MT_REPAIR_CACHE when that is set), else in a temporary cache shared by the session
    and removed at its end."""
    from repair import lm_cache

    ready = bool(os.environ.get(lm_cache.ENV_CACHE))
    if not ready:
        try:
            lm_cache.verify_entry(lm_cache.entry_dir(lm_cache.gguf_source(lm_cache.find_gguf()), "ct2"), full=False)
            ready = True
        except (lm_cache.JudgeUnavailable, lm_cache.CacheDamaged):
            pass
    if ready:
        yield lm_cache.cache_root()
        return
    tmp = tmp_path_factory.mktemp("mt-repair-cache")
    os.environ[lm_cache.ENV_CACHE] = str(tmp)
    try:
        yield tmp
    finally:
        os.environ.pop(lm_cache.ENV_CACHE, None)
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)  # conversions are large: keep none in pytest's temp dirs


def judge_compute_type() -> str:
    """The compute type the default judge runs in on this machine (repair.lm_backend: int8 on
    a CPU with VNNI or AMX, float32 elsewhere)."""
    from repair.lm_backend import resolve_backend, resolve_compute_type

    return resolve_compute_type("auto", resolve_backend("auto", "cpu"), "causal")


def known_flips(where: str) -> list[dict]:
    """The changes of correct text that the judge is known to let through in this machine's
    compute type (tests/cases/judge_flips.jsonl), for the examples of ``where`` (a glossary
    name, or a family word list's file). The tests expect exactly these (strict): a flip that
    stops happening fails too, so that the list is kept true."""
    ct = judge_compute_type()
    return [c for c in load_cases("judge_flips.jsonl") if c["compute_type"] == ct and c["where"] == where]
