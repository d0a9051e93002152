"""Records come back as they went in (issue 12, cases 7-10): lone surrogates, number
literals, duplicate and clashing keys, byte-order marks, UTF-16 input, one long line."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from repair.cli import main

from .conftest import OWN_GLOSSARY_BATCH as BATCH
from .conftest import ROOT
from .conftest import run_own_glossary as run


@pytest.fixture
def glossary(tmp_path):
    g = tmp_path / "g.tsv"
    g.write_text("IA\tAI\nfleas\tchips\n", encoding="utf-8")
    return g


def strict_loads(line: bytes):
    """json.loads that rejects NaN/Infinity and duplicate keys, as strict parsers do."""
    def pairs(items):
        keys = [k for k, _ in items]
        assert len(keys) == len(set(keys)), f"duplicate keys {keys}"
        return dict(items)

    def constant(token):
        raise AssertionError(f"non-standard JSON token {token}")

    return json.loads(line.decode("utf-8"), object_pairs_hook=pairs, parse_constant=constant)


# -- 7. lone surrogates ---------------------------------------------------------------------------
def test_a_lone_surrogate_comes_out_escaped_and_the_output_is_valid_utf8(tmp_path, glossary):
    src = tmp_path / "in.jsonl"
    line = b'{"text": "The IA \\udc80 chip"}\n'
    src.write_bytes(line)
    out = tmp_path / "out.jsonl"
    res = run(glossary, src, "-o", out, "--no-fix-encoding")
    assert res.exit_code == 0, res.output
    data = out.read_bytes()
    data.decode("utf-8")  # strict: no raw surrogate bytes (ED B2 80)
    assert data.startswith(b'{"text": "The IA \\udc80 chip", ')
    rec = strict_loads(data)
    assert rec["repaired"] == "The AI \udc80 chip"
    assert b'"repaired": "The AI \\udc80 chip"' in data
    # the tool reads its own output
    res = run(glossary, out, "-o", tmp_path / "again.jsonl", "--no-fix-encoding")
    assert res.exit_code == 0, res.output


# -- 8. numbers and keys --------------------------------------------------------------------------
def test_every_field_the_tool_does_not_add_comes_out_byte_for_byte(tmp_path, glossary):
    line = (b'{"a": 1.10, "b": 1E5, "c": 1e400, "d": -0.0, "e": 123456789012345678901234567890, '
            b'"s": "caf\\u00e9 \\"q\\" \\/", "nested": {"x": [1.0, 2e-7]},"text":"The IA race" }')
    src = tmp_path / "in.jsonl"
    src.write_bytes(line + b"\r\n" + b'{"id": 7}\n')
    out = tmp_path / "out.jsonl"
    res = run(glossary, src, "-o", out)
    assert res.exit_code == 0, res.output
    first, second = out.read_bytes().split(b"\r\n", 1)
    assert first.startswith(line[:-2]) and first.endswith(b"}")
    added = first[len(line) - 2:-1]
    assert added.startswith(b', "repaired": "The AI race", "edits": [')
    rec = strict_loads(first)
    assert rec["repaired"] == "The AI race"
    assert second == b'{"id": 7}\n'  # passed through as it came


def test_nan_and_infinity_are_error_records_not_copied(tmp_path, glossary):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"text": "IA", "x": NaN}\n{"text": "IA", "y": -Infinity}\n{"text": "IA"}\n')
    out = tmp_path / "out.jsonl"
    errors = tmp_path / "errors.jsonl"
    res = run(glossary, src, "-o", out, "--errors-file", errors)
    assert res.exit_code == 3
    errs = [json.loads(x) for x in errors.read_text(encoding="utf-8").splitlines()]
    assert [e["line"] for e in errs] == [1, 2]
    assert "NaN is not JSON" in errs[0]["error"] and "-Infinity is not JSON" in errs[1]["error"]
    (only,) = out.read_bytes().splitlines()
    assert strict_loads(only)["repaired"] == "AI"


def test_a_duplicate_text_key_warns_and_keeps_both(tmp_path, glossary):
    src = tmp_path / "in.jsonl"
    line = b'{"text": "fleas", "id": 1, "text": "The IA race"}\n'
    src.write_bytes(line)
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(main, [*[a for a in BATCH if a != "-q"], "-g", str(glossary), str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "line 1: the field 'text' occurs more than once; the last one was repaired" in res.output
    data = out.read_bytes()
    assert data.startswith(line[:-2])
    assert json.loads(data)["repaired"] == "The AI race"


def test_fields_the_input_already_has_are_replaced_with_a_warning(tmp_path, glossary):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"repaired": "old", "id": 1.50, "edits": [1, 2], "text": "The IA race"}\n'
                    b'{"id": 2, "text": "IA", "edits": null}\n')
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(main, [*[a for a in BATCH if a != "-q"], "-g", str(glossary), str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "line 1: the record already had 'repaired', 'edits': replaced by this repair's" in res.output
    assert "line 2: the record already had 'edits'" in res.output
    first, second = out.read_bytes().splitlines()
    assert first.startswith(b'{"id": 1.50, "text": "The IA race", "repaired": "The AI race", "edits": [')
    assert strict_loads(first)["edits"][0]["after"] == "AI"
    assert second.startswith(b'{"id": 2, "text": "IA", "repaired": "AI", "edits": [{')
    strict_loads(second)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(obj=st.dictionaries(st.text(max_size=8), json_values, max_size=6),
       ascii_=st.booleans(), compact=st.booleans(), drop=st.lists(st.sampled_from(["repaired", "edits", "a"])))
def test_splicing_keeps_the_bytes_and_adds_the_fields(obj, ascii_, compact, drop):
    from repair.io.records import splice_members, top_level_members

    raw = json.dumps(obj, ensure_ascii=ascii_, separators=(",", ":") if compact else None).encode(
        "utf-8", "surrogatepass")
    members = top_level_members(raw)
    assert [m.key for m in members] == list(obj)
    out = splice_members(raw, [("repaired", "x\udc80"), ("edits", [])], members, drop)
    expect = {k: v for k, v in obj.items() if k not in drop}
    expect.update({"repaired": "x\udc80", "edits": []})
    out.decode("utf-8")
    assert json.loads(out) == expect
    if not any(k in obj for k in drop):
        assert out.startswith(raw[:-1])


# -- 9. byte-order marks --------------------------------------------------------------------------
def test_a_utf8_bom_is_kept(tmp_path, glossary):
    bom = b"\xef\xbb\xbf"
    files = {"a.txt": bom + b"Clean text.\n", "b.jsonl": bom + b'{"text": "Clean."}\n',
             "c.csv": bom + b"id,text\n1,Clean.\n", "d.txt": bom + b"The IA race.\n"}
    src = tmp_path / "in"
    src.mkdir()
    for name, data in files.items():
        (src / name).write_bytes(data)
    out = tmp_path / "out"
    res = run(glossary, src, "-o", out)
    assert res.exit_code == 0, res.output
    assert (out / "a.txt").read_bytes() == files["a.txt"]  # clean text: byte-identical
    assert (out / "b.jsonl").read_bytes().startswith(bom + b'{"text": "Clean.", "repaired": "Clean."')
    assert (out / "c.csv").read_bytes().startswith(bom + b"id,text,repaired,edits\n")
    assert (out / "d.txt").read_bytes() == bom + b"The AI race.\n"
    res = run(glossary, "-", input=files["a.txt"])
    assert res.stdout_bytes == files["a.txt"]


@pytest.mark.parametrize("codec,name", [("utf-16", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32")])
@pytest.mark.parametrize("suffix", [".txt", ".jsonl", ".csv"])
def test_utf16_and_utf32_input_is_one_error_that_says_how_to_convert(tmp_path, glossary, codec, name, suffix):
    body = {".txt": "The IA race.\nLine two.\n", ".jsonl": '{"text": "IA"}\n{"text": "IA"}\n',
            ".csv": "id,text\n1,IA\n2,IA\n"}[suffix]
    data = body.encode(codec)
    if not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        data = "\ufeff".encode(codec) + data  # utf-16-be has no BOM of its own
    src = tmp_path / f"in{suffix}"
    src.write_bytes(data)
    out = tmp_path / f"out{suffix}"
    errors = tmp_path / "errors.jsonl"
    res = run(glossary, src, "-o", out, "--errors-file", errors)
    assert res.exit_code == 3
    (err,) = [json.loads(x) for x in errors.read_text(encoding="utf-8").splitlines()]
    assert f"{name} input" in err["error"] and f"iconv -f {name} -t UTF-8" in err["error"], err
    assert not out.exists()


# -- 10. one long line ------------------------------------------------------------------------------
def _max_rss_kb(args, cwd):
    code = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
            "sys.stderr.buffer.write(p.stderr); sys.exit(p.returncode)")
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    p = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "repair", *map(str, args)],
                       capture_output=True, cwd=cwd, env=env)
    return int(p.stdout or 0), p


def test_a_50mb_line_takes_a_few_times_its_size(tmp_path, glossary):
    common = [*BATCH, "-g", glossary]
    sentence = "Shares of the group fell sharply on Monday, traders said. "
    text = "The fleas " + sentence * (50_000_000 // len(sentence)) + "The fleas"
    big = tmp_path / "big.jsonl"
    with open(big, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": 1, "text": text, "n": 1.50}) + "\n")
        fh.write('{"id": 2, "text": "fleas"}\n')
    small = tmp_path / "small.jsonl"
    small.write_text('{"id": 2, "text": "fleas"}\n', encoding="utf-8")
    base, p = _max_rss_kb([*common, small, "-o", tmp_path / "small.out.jsonl"], tmp_path)
    assert p.returncode == 0, p.stderr
    rss, p = _max_rss_kb([*common, big, "-o", tmp_path / "big.out.jsonl"], tmp_path)
    assert p.returncode == 0, p.stderr
    size_kb = len(text) // 1024
    # the line as read, its text, the repaired text and the repaired text as JSON, at most
    assert rss - base < 5 * size_kb, (rss, base, size_kb)
    with open(tmp_path / "big.out.jsonl", "rb") as fh:
        first = fh.readline()
        assert first.startswith(json.dumps({"id": 1, "text": text, "n": 1.50})[:-1].encode())
        rec = json.loads(first)
        assert [e["start"] for e in rec["edits"]] == [4, len(text) - 5]
        assert rec["repaired"] == "The chips " + text[10:-5] + "chips"
        assert json.loads(fh.readline())["repaired"] == "chips"
