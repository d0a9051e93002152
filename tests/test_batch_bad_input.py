"""Bad input, tried: invalid UTF-8, NUL bytes, a 50 MB line, empty input, malformed JSON,
mixed line endings, mojibake, HTML. Every record gives one output record or one error record."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from repair import RepairConfig, Repairer, apply_edits
from repair.cli import main
from repair.encoding import mojibake_edits

from .conftest import load_cases

BATCH = ["fix", "--no-judge", "--no-model", "-q"]


def run(*args, input=None):
    return CliRunner().invoke(main, [*BATCH, *map(str, args)], input=input)


def lines(path):
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def rr():
    return Repairer(RepairConfig(use_judge=False, use_model=False))


# -- invalid UTF-8, NUL ---------------------------------------------------------------------------
def test_invalid_utf8_document_is_one_error_and_the_run_goes_on(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_bytes(b"The IA race.\n")
    (src / "b.txt").write_bytes(b"Line one.\nThe \xff race.\n")
    (src / "c.txt").write_bytes(b"UE\n")
    errors = tmp_path / "err.jsonl"
    res = run(src, "-o", tmp_path / "out", "--errors-file", errors)
    assert res.exit_code == 3
    assert (tmp_path / "out" / "a.txt").read_text() == "The AI race.\n"
    assert (tmp_path / "out" / "c.txt").read_text() == "EU\n"
    assert not (tmp_path / "out" / "b.txt").exists()  # its error record stands in for it
    (err,) = lines(errors)
    assert err["file"] == str(src / "b.txt") and err["line"] == 2
    assert "byte 14: invalid UTF-8" in err["error"]
    res = run(src, "-o", tmp_path / "out2", "--errors", "replace")
    assert res.exit_code == 0
    assert (tmp_path / "out2" / "b.txt").read_text() == "Line one.\nThe \ufffd race.\n"


def test_invalid_utf8_in_jsonl_and_csv_rows(tmp_path):
    j = tmp_path / "a.jsonl"
    j.write_bytes(b'{"text": "IA"}\n{"text": "bad \xc3("}\n{"text": "UE"}\n')
    c = tmp_path / "b.csv"
    c.write_bytes(b'text\nIA\n"bad \xff\nstill the same row"\nUE\n')
    errors = tmp_path / "err.jsonl"
    res = run(j, c, "-o", tmp_path / "out", "--errors-file", errors)
    assert res.exit_code == 3
    assert [r["repaired"] for r in lines(tmp_path / "out" / "a.jsonl")] == ["AI", "EU"]
    rows = (tmp_path / "out" / "b.csv").read_text().splitlines()
    assert rows[1].startswith("IA,AI,") and rows[2].startswith("UE,EU,") and len(rows) == 3
    errs = lines(errors)
    assert [(e["file"], e["line"]) for e in errs] == [(str(j), 2), (str(c), 3)]
    assert all("invalid UTF-8" in e["error"] for e in errs)


def test_nul_bytes_pass_through(tmp_path):
    t = tmp_path / "a.txt"
    t.write_bytes(b"The IA\x00race.\n")
    j = tmp_path / "b.jsonl"
    j.write_text(json.dumps({"text": "The IA\u0000race"}) + "\n", encoding="utf-8")
    c = tmp_path / "c.csv"
    c.write_bytes(b"text\nThe IA\x00race\n")
    res = run(t, j, c, "-o", tmp_path / "out")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "a.txt").read_bytes() == b"The AI\x00race.\n"
    assert lines(tmp_path / "out" / "b.jsonl")[0]["repaired"] == "The AI\u0000race"
    assert b"The AI\x00race" in (tmp_path / "out" / "c.csv").read_bytes()


# -- size --------------------------------------------------------------------------------------------
# (one 50 MB JSONL line in a few times its size: tests/test_batch_records.py)


def test_long_document_is_repaired_in_pieces_like_the_whole(rr, seed_text):
    # many paragraphs: the pieces are cut at blank lines, which changes nothing
    text = "\n\n".join([seed_text] * 40)
    whole = Repairer(rr.config.with_options(max_chars=10**9, max_line=10**9)).repair(text)
    pieces = rr.repair(text)
    assert pieces.text == whole.text and pieces.edits == whole.edits
    assert apply_edits(text, pieces.edits) == pieces.text


# -- empty -----------------------------------------------------------------------------------------
def test_empty_files_and_records(tmp_path):
    for name in ("a.txt", "b.jsonl", "c.csv", "d.tsv"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "e.jsonl").write_text('{"text": ""}\n\n  \n{"text": "IA"}\n', encoding="utf-8")
    (tmp_path / "f.csv").write_text("text\n\"\"\n", encoding="utf-8")
    out = tmp_path / "out"
    res = run(*(tmp_path / n for n in ("a.txt", "b.jsonl", "c.csv", "d.tsv", "e.jsonl", "f.csv")), "-o", out)
    assert res.exit_code == 0, res.output
    for name in ("a.txt", "b.jsonl", "c.csv", "d.tsv"):
        assert (out / name).read_bytes() == b""
    assert [(r["repaired"], r["edits"]) for r in lines(out / "e.jsonl")][0] == ("", [])
    assert len(lines(out / "e.jsonl")) == 2  # blank lines are not records
    assert (out / "f.csv").read_text().splitlines() == ["text,repaired,edits", ",,[]"]


# -- malformed records -------------------------------------------------------------------------------
def test_malformed_json_kinds_each_give_one_error_record(tmp_path):
    src = tmp_path / "a.jsonl"
    records = ['{"text": "IA"}', '{"text": broken', "[1, 2]", '"just a string"', "{" * 100_000,
               '{"text": 7}', '{"other": "x"}', '{"text": "UE"}']
    src.write_text("\n".join(records) + "\n", encoding="utf-8")
    errors = tmp_path / "err.jsonl"
    res = run(src, "-o", tmp_path / "o.jsonl", "--errors-file", errors)
    assert res.exit_code == 3
    out = lines(tmp_path / "o.jsonl")
    errs = lines(errors)
    assert len(out) + len(errs) == len(records)  # one record in, one record out
    assert [e["line"] for e in errs] == [2, 3, 4, 5]
    assert out[0]["repaired"] == "AI" and out[-1]["repaired"] == "EU"
    assert out[1] == {"text": 7} and out[2] == {"other": "x"}  # passed through, with a warning


# -- line endings ---------------------------------------------------------------------------------
def test_mixed_line_endings_are_kept(tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(b"The IA race.\r\nUE summit.\nOTAN meeting.\rlast 7 %\r\n\r\nAdvertisement\r\nEnd.")
    res = run(src, "-o", tmp_path / "o.txt")
    assert res.exit_code == 0
    assert (tmp_path / "o.txt").read_bytes() == b"The AI race.\r\nEU summit.\nNATO meeting.\rlast 7%\r\n\r\nEnd."
    j = tmp_path / "b.jsonl"
    j.write_bytes(b'{"text": "IA\\r\\nUE"}\r\n{"text": "OTAN"}\n{"text": "x"}')
    res = run(j, "-o", tmp_path / "o.jsonl")
    data = (tmp_path / "o.jsonl").read_bytes()
    assert data.count(b"\r\n") == 1 and data.endswith(b"\n")
    assert [json.loads(x)["repaired"] for x in data.splitlines()] == ["AI\r\nEU", "NATO", "x"]


# -- mojibake ------------------------------------------------------------------------------------------
def test_mojibake_is_fixed_as_encoding_edits_composed_with_the_glossary(rr):
    text = "Itâ€™s the IA race: shares rose 7Â\u00a0% on Monday."
    r = rr.repair(text)
    assert r.text == "It’s the AI race: shares rose 7% on Monday."
    got = [(e.before, e.after, e.source, e.rule_id) for e in r.edits]
    assert got == [("â€™", "’", "encoding", "ftfy.fix_encoding"), ("IA", "AI", "glossary", "ACRONYM_IA"),
                   ("Â\u00a0%", "%", "encoding+glossary", "ftfy.fix_encoding,PERCENT_SPACE")]
    assert apply_edits(text, r.edits) == r.text  # offsets are on the text as read
    assert all(text[e.start:e.end] == e.before for e in r.edits)
    off = Repairer(rr.config.with_options(fix_encoding=False)).repair(text)
    assert "â€™" in off.text


CLEAN_NON_ASCII = ["Zoë Müller’s “café” in São Paulo — £4bn, €3m, ¥1tn.", "Señor Ñandú and Łódź’s Dvořák, naïve façade.",
                   "‘Quoted,’ she said… «bien sûr» ½ °C ±2 × 3 — “fine”.", "Straße, Ærøskøbing, Þórshöfn, Ðakovo.",
                   "東京 and 北京 and Москва and Αθήνα and עברית.", "Emoji 🙂 and a replacement character \ufffd stay."]


@pytest.mark.parametrize("text", [c["original"] for c in load_cases("negative.jsonl")] + CLEAN_NON_ASCII)
def test_ftfy_leaves_clean_text_alone(text):
    assert mojibake_edits(text) == []


# -- HTML ------------------------------------------------------------------------------------------------
def test_html_markup_is_left_intact(rr):
    html = ('<!DOCTYPE html><html><head><title>The IA race</title><style>.IA { color: red }</style>'
            '<script>var IA = "UE";</script></head><body class="IA UE">'
            '<p data-x="OTAN">The IA <b>race</b> &amp; the UE<!-- IA --> summit, 7&nbsp;%.</p>'
            '<img alt="IA" src="ia.png"><p>Itâ€™s <a href="/IA">OTAN</a> news.</p></body></html>')
    r = rr.repair(html)
    assert r.text == html.replace("<title>The IA race", "<title>The AI race").replace(
        "The IA <b>", "The AI <b>").replace("the UE<!--", "the EU<!--").replace("Itâ€™s", "It’s").replace(
        ">OTAN</a>", ">NATO</a>")
    assert apply_edits(html, r.edits) == r.text
    # "7&nbsp;%" would need an edit inside an entity: held back, with the reason
    assert any(x.rule_id == "PERCENT_SPACE" and x.reason == "crosses HTML markup" for x in r.rejected)


def test_html_detection_and_modes(rr):
    assert rr.repair("if a<b and c>d, the IA race").text == "if a<b and c>d, the AI race"
    raw = '<a title="IA">IA</a>'
    assert rr.repair(raw).text == '<a title="IA">AI</a>'
    none = Repairer(rr.config.with_options(markup="none")).repair(raw)
    assert none.text == '<a title="AI">AI</a>'  # treated as plain text: the attribute changes too
    odd = "<font color=IA>IA"  # no closing tag, no quoted attribute: not detected
    assert rr.repair(odd).text == "<font color=AI>AI"
    assert Repairer(rr.config.with_options(markup="html")).repair(odd).text == "<font color=IA>AI"


def test_html_edits_that_cross_a_tag_are_held_back(rr):
    text = "<p>Advertisement</p>\n<p>The IA race.</p>"
    r = rr.repair(text)
    # deleting the furniture line would also take the line break that stands for </p>
    assert r.text == "<p>Advertisement</p>\n<p>The AI race.</p>"
    assert [(x.rule_id, x.reason) for x in r.rejected if x.rule_id == "FURNITURE_ADVERT"] == [
        ("FURNITURE_ADVERT", "crosses HTML markup")]


def test_truncated_gzip_keeps_what_it_can_and_reports_the_rest(tmp_path):
    import gzip

    data = gzip.compress(b"".join(b'{"i": %d, "text": "IA"}\n' % i for i in range(3000)))
    src = tmp_path / "cut.jsonl.gz"
    src.write_bytes(data[: len(data) // 2])
    errors = tmp_path / "err.jsonl"
    res = run(src, "-o", tmp_path / "out.jsonl.gz", "--errors-file", errors)
    assert res.exit_code == 3
    with gzip.open(tmp_path / "out.jsonl.gz", "rt", encoding="utf-8") as fh:
        out = [json.loads(x) for x in fh]
    assert [r["i"] for r in out] == list(range(len(out))) and len(out) > 1000
    assert all(r["repaired"] == "AI" for r in out)
    (err,) = lines(errors)
    assert err["line"] == len(out) + 1 and "cannot read the rest of the file" in err["error"]
