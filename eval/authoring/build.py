"""Expand the authoring files ``eval/authoring/batch-*.txt`` into records of ``eval/dev.jsonl``.

    python eval/authoring/build.py           # rewrite eval/dev.jsonl (lines not made here are kept as they are)
    python eval/authoring/build.py --check   # exit 1 if eval/dev.jsonl is out of sync with the batches

A batch file holds blocks separated by blank lines. Each block starts with a header
``@ <id> <kind> <topic>``; its next lines are the paragraph (several lines are joined with
``\\n``); a clean block may end with ``traps: a | b | c``. Lines starting with ``#`` are comments.
Inside a garbled paragraph each error is written ``{wrong|right|category}``: the source takes
``wrong``, the reference ``right``. The edit's ``before``/``after`` are widened word by word
into the unchanged text around the error until ``before`` holds at least two words and occurs
once in the source, so that applying the edits in order, each to the first occurrence of its
``before``, gives the reference. Short category codes: see ``CODES``.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEV = HERE.parent / "dev.jsonl"

CODES = {
    "adv": "adverb_placement", "nc": "noun_compound", "art": "article", "prep": "preposition",
    "vp": "verb_pattern", "pron": "pronoun", "wo": "word_order", "poss": "possessive", "gram": "grammar",
    "acr": "acronym", "ff": "false_friend", "cal": "calque", "num": "number_format", "quo": "quotes",
    "hyp": "hyphenation", "furn": "furniture", "oth": "other",
}
CATEGORIES = set(CODES.values())
KINDS = ("garbled", "clean")
MARK = re.compile(r"\{([^{}|]*)\|([^{}|]*)\|([a-z_]+)\}")


class AuthoringError(ValueError):
    pass


def parse_blocks(path: Path):
    """(id, kind, topic, text lines, traps, line number) for each block of one batch file."""
    blocks, cur = [], None
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip()
        if line.startswith("#"):
            continue
        if not line:
            cur = None
            continue
        if line.startswith("@ "):
            parts = line[2:].split()
            if len(parts) != 3 or parts[1] not in KINDS:
                raise AuthoringError(f"{path}:{n}: header must be '@ <id> <garbled|clean> <topic>'")
            cur = {"id": parts[0], "kind": parts[1], "topic": parts[2], "lines": [], "traps": [], "at": n}
            blocks.append(cur)
        elif cur is None:
            raise AuthoringError(f"{path}:{n}: text outside a block (start one with '@ id kind topic')")
        elif line.startswith("traps:"):
            cur["traps"] = [t.strip() for t in line[len("traps:"):].split("|") if t.strip()]
        else:
            cur["lines"].append(line)
    return blocks


def segments(text: str):
    """The paragraph as a list of plain strings and (wrong, right, category) marks."""
    out, pos = [], 0
    for m in MARK.finditer(text):
        out.append(text[pos:m.start()])
        cat = CODES.get(m.group(3), m.group(3))
        if cat not in CATEGORIES:
            raise AuthoringError(f"unknown category {m.group(3)!r} in {m.group(0)!r}")
        out.append((m.group(1), m.group(2), cat))
        pos = m.end()
    out.append(text[pos:])
    rest = "".join(s for s in out if isinstance(s, str))
    if any(c in rest for c in "{}|"):
        raise AuthoringError(f"a stray brace or bar (malformed mark?) in: {text[:80]!r}")
    return out


def build_record(block: dict, where: str) -> dict:
    text = "\n".join(block["lines"])
    segs = segments(text)
    marks = [i for i, s in enumerate(segs) if not isinstance(s, str)]
    source = "".join(s if isinstance(s, str) else s[0] for s in segs)
    reference = "".join(s if isinstance(s, str) else s[1] for s in segs)
    rec = {"id": block["id"], "kind": block["kind"], "topic": block["topic"], "source": source,
           "reference": reference}
    if block["kind"] == "clean":
        if marks:
            raise AuthoringError(f"{where}: a clean record with error marks")
        missing = [t for t in block["traps"] if t not in source]
        if not block["traps"] or missing:
            raise AuthoringError(f"{where}: clean records need traps that occur in the text; missing: {missing}")
        rec["traps"] = block["traps"]
        rec["edits"] = []
        return rec
    if not marks or block["traps"]:
        raise AuthoringError(f"{where}: a garbled record needs error marks and no traps")
    edits = []
    for k, i in enumerate(marks):
        wrong, right, cat = segs[i]
        # the text when this edit is applied: earlier marks corrected, later ones not yet
        work_segs = [s if isinstance(s, str) else (s[1] if j < i else s[0]) for j, s in enumerate(segs)]
        at = len("".join(work_segs[:i]))
        left_plain, right_plain = segs[i - 1], segs[i + 1]
        lctx, rctx, turn = "", "", 0
        while True:
            before = lctx + wrong + rctx
            working = "".join(work_segs)
            ok = (len(before.split()) >= 2 and source.count(before) == 1
                  and working.find(before) == at - len(lctx) and before.strip() == before)
            if ok:
                break
            grew = False
            for side in ((turn % 2, 1 - turn % 2)):
                if side == 0:  # widen to the right
                    m = re.match(r"\s*\S+", right_plain[len(rctx):])
                    if m:
                        rctx += m.group(0)
                        grew = True
                        break
                else:  # widen to the left
                    m = re.search(r"\S+\s*$", left_plain[:len(left_plain) - len(lctx)])
                    if m:
                        lctx = m.group(0) + lctx
                        grew = True
                        break
            turn += 1
            if not grew:
                raise AuthoringError(f"{where}: cannot make the edit {wrong!r} -> {right!r} unique")
        edits.append({"before": before, "after": lctx + right + rctx, "category": cat})
    out = source
    for e in edits:
        if e["before"] not in out:
            raise AuthoringError(f"{where}: edit {e['before']!r} not found when applied")
        out = out.replace(e["before"], e["after"], 1)
    if out != reference:
        raise AuthoringError(f"{where}: the edits do not give the reference")
    for s in (source, reference):
        if "  " in s or s != s.strip():
            raise AuthoringError(f"{where}: doubled or edge whitespace in {s[:60]!r}")
    rec["edits"] = edits
    return rec


def build_all() -> list[dict]:
    recs = []
    for path in sorted(HERE.glob("batch-*.txt")):
        for b in parse_blocks(path):
            recs.append(build_record(b, f"{path.name}:{b['at']} ({b['id']})"))
    ids = [r["id"] for r in recs]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise AuthoringError(f"repeated ids: {sorted(dup)}")
    return recs


def render(recs: list[dict], dev_lines: list[str]) -> str:
    made = {r["id"] for r in recs}
    kept = [line for line in dev_lines if line.strip() and json.loads(line).get("id") not in made]
    return "".join(line + "\n" for line in kept) + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check that eval/dev.jsonl is in sync")
    ap.add_argument("--stats", action="store_true", help="print counts per kind, topic and category")
    args = ap.parse_args(argv)
    try:
        recs = build_all()
    except AuthoringError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.stats:
        from collections import Counter
        print("kinds:", dict(Counter(r["kind"] for r in recs)))
        print("prefix/topic:", dict(Counter(f"{r['id'].split('-')[0]}/{r['topic']}" for r in recs)))
        print("categories:", dict(Counter(e["category"] for r in recs for e in r["edits"]).most_common()))
        return 0
    current = DEV.read_text(encoding="utf-8")
    text = render(recs, current.splitlines())
    if args.check:
        if text != current:
            print(f"{DEV} is out of sync with {HERE}/batch-*.txt: run python {Path(__file__).name}", file=sys.stderr)
            return 1
        print(f"in sync: {len(recs)} records from the batches")
        return 0
    DEV.write_text(text, encoding="utf-8")
    print(f"wrote {DEV}: {len(text.splitlines())} lines, {len(recs)} from the batches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
