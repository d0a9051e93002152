"""Real machine-translation noise: round trips through Apertium (English -> Spanish ->
French -> Spanish -> English), run as one batch per call over many lines.

Needs the ``apertium`` command with the eng-spa, spa-eng, es-fr and fr-es pairs (Debian:
``apt-get install apertium apertium-en-es apertium-es-fr``).
"""
from __future__ import annotations

import re
import shutil
import subprocess

CHAIN = ("eng-spa", "es-fr", "fr-es", "spa-eng")
_MARK = re.compile(r"(?<![\w])[*#@](?=\w)")


class ApertiumNotFound(RuntimeError):
    pass


def strip_markers(s: str) -> str:
    """Remove Apertium's unknown-word (*), generation (#) and untranslated (@) markers.

    >>> strip_markers("The *Brexit #talks of @Macron")
    'The Brexit talks of Macron'
    """
    return _MARK.sub("", s)


def available() -> bool:
    return shutil.which("apertium") is not None


def round_trip(lines: list[str], chain: tuple[str, ...] = CHAIN, timeout: float = 3600) -> list[str]:
    """Translate ``lines`` through ``chain`` (one apertium process per hop, all lines at once);
    one output line per input line."""
    if not available():
        raise ApertiumNotFound("apertium is not installed (apt-get install apertium apertium-en-es apertium-es-fr)")
    clean = [ln.replace("\n", " ").strip() for ln in lines]
    # a blank line between sentences keeps Apertium from joining them
    text = "\n\n".join(clean) + "\n"
    for pair in chain:
        out = subprocess.run(["apertium", "-u", pair], input=text, capture_output=True, text=True,
                             timeout=timeout, check=True)
        text = out.stdout
    outs = [strip_markers(b.strip()) for b in re.split(r"\n\s*\n", text.strip("\n"))]
    if len(outs) != len(clean):
        raise RuntimeError(f"apertium returned {len(outs)} lines for {len(clean)}")
    return outs
