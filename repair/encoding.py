"""Mojibake repair with ftfy, reported as :class:`~repair.edit.Edit` records.

Scraped pages often carry text that was decoded with the wrong codec somewhere along the
way ("Itâ€™s" for "It’s", "Â£4bn" for "£4bn"). ftfy (``rspeer/python-ftfy``) detects and
undoes that. It is configured conservatively: only the encoding fixers run (undoing a
wrong decode, restoring a lost no-break space, decoding inconsistent UTF-8, C1 controls
that stand for Windows-1252 punctuation). Everything that would change correct text —
uncurling quotes, NFC normalisation, removing control characters, unescaping HTML,
ligatures, character widths, line breaks, lossy replacement with U+FFFD — is off.

Each changed stretch of a line becomes one Edit with ``source="encoding"``, a ``rule_id``
naming the ftfy fixer (``ftfy.fix_encoding``, ``ftfy.fix_c1_controls``, ...) and an
``origin`` giving ftfy's plan (``ftfy:encode:sloppy-windows-1252,decode:utf-8``).

>>> [(e.before, e.after, e.rule_id) for e in mojibake_edits("Itâ€™s a cafÃ©.")]
[('â€™', '’', 'ftfy.fix_encoding'), ('Ã©', 'é', 'ftfy.fix_encoding')]
>>> mojibake_edits("Zoë Müller’s “café” in São Paulo — £4bn.")
[]
>>> mojibake_edits("A replacement character \ufffd\ufffd stays.")
[]
"""
from __future__ import annotations

import difflib
import unicodedata
from functools import lru_cache

from .edit import Edit

SOURCE = "encoding"

#: Lines longer than this are diffed as one changed stretch (difflib is quadratic).
_MAX_DIFF_CHARS = 20_000


@lru_cache(maxsize=1)
def ftfy_config():
    """The conservative ftfy configuration: encoding fixers only."""
    import ftfy

    return ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_encoding=True,
        restore_byte_a0=True,
        replace_lossy_sequences=False,
        decode_inconsistent_utf8=True,
        fix_c1_controls=True,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=True,
        remove_control_chars=False,
        normalization=None,
        explain=True,
    )


@lru_cache(maxsize=1)
def _suspect():
    """A regex that every text ftfy could change (with :func:`ftfy_config`) matches.

    Undoing mojibake decodes the text's bytes (under one of ftfy's single-byte codecs) as
    UTF-8; that changes something only where a UTF-8 lead byte (0xC2-0xF4) is followed by a
    continuation byte (0x80-0xBF), or by a space that stood for a no-break space 0xA0. The
    other fixers that are on look for C1 controls and surrogates. Text without any of these
    is left to itself without running ftfy's slower checks."""
    import re

    from ftfy.chardata import CHARMAP_ENCODINGS

    def chars(encoding: str, lo: int, hi: int) -> set[str]:
        return set(bytes(range(lo, hi + 1)).decode(encoding, errors="ignore"))

    leads: set[str] = set()
    conts: set[str] = set()
    a0_leads: set[str] = set()
    for enc in CHARMAP_ENCODINGS:
        leads |= chars(enc, 0xC2, 0xF4)
        conts |= chars(enc, 0x80, 0xBF)
        if enc != "macroman":  # ftfy restores 0xA0 for every codec but MacRoman
            a0_leads |= chars(enc, 0xC2, 0xF4)

    def cls(cs: set[str]) -> str:
        return "[" + "".join(re.escape(c) for c in sorted(cs)) + "]"

    return re.compile(f"{cls(leads)}{cls(conts)}|{cls(a0_leads)} |[\x80-\x9f\ud800-\udfff]")


def mojibake_edits(text: str) -> list[Edit]:
    """Edits (offsets into ``text``) that undo mojibake, line by line; none for clean text."""
    if text.isascii() or not _suspect().search(text):  # nothing ftfy could decode
        return []
    import ftfy

    config = ftfy_config()
    edits: list[Edit] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        start = pos
        pos += len(line)
        if line.isascii():
            continue
        body = line.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        fixed, steps = ftfy.fix_and_explain(body, config)
        if fixed == body:
            continue
        rule_id, origin = _describe(steps or [])
        edits.extend(e for e in _diff_edits(body, fixed, start, rule_id, origin) if _plausible(e))
    return edits


def _plausible(edit: Edit) -> bool:
    """False for a change that makes text worse: one that brings in control, private-use
    or unassigned characters (ftfy's sloppy codecs turn U+FFFD into U+001A, for one)."""
    for c in edit.after:
        if unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") and c not in edit.before and c not in "\t\n\r":
            return False
    return True


def _describe(steps) -> tuple[str, str]:
    """ftfy's plan as a rule id (the fixers) and an origin (the full plan)."""
    names = []
    for action, parameter in steps:
        names.append(f"ftfy.{parameter}" if action in ("apply", "transcode") else "ftfy.fix_encoding")
    rule_id = ",".join(dict.fromkeys(names)) or "ftfy.fix_encoding"
    origin = "ftfy:" + ",".join(f"{a}:{p}" for a, p in steps)
    return rule_id, origin


def _diff_edits(before: str, after: str, offset: int, rule_id: str, origin: str) -> list[Edit]:
    """The changed stretches between ``before`` and ``after`` as edits at ``offset``."""
    if len(before) + len(after) > _MAX_DIFF_CHARS:
        a, b = _trim(before, after)
        return [Edit(offset + a, offset + len(before) - b, before[a:len(before) - b],
                     after[a:len(after) - b], SOURCE, rule_id, origin)]
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    out = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            out.append(Edit(offset + i1, offset + i2, before[i1:i2], after[j1:j2], SOURCE, rule_id, origin))
    return out


def _trim(a: str, b: str) -> tuple[int, int]:
    """Lengths of the common prefix and (non-overlapping) common suffix of ``a`` and ``b``."""
    n = min(len(a), len(b))
    p = 0
    while p < n and a[p] == b[p]:
        p += 1
    s = 0
    while s < n - p and a[len(a) - 1 - s] == b[len(b) - 1 - s]:
        s += 1
    return p, s
