"""Repairing one record's text as a batch sees it: mojibake, HTML markup, long texts.

:class:`RecordRepairer` wraps a :class:`~repair.pipeline.Repairer` and adds what scraped
input needs around it, without changing what the Repairer does to clean text:

- ``fix_encoding``: ftfy's mojibake fixes (:mod:`repair.encoding`) run first; their
  edits and the glossary's are composed with :func:`repair.edit.compose_edits`, so every
  edit's offsets point into the text as it was read.
- ``markup``: ``"auto"`` repairs only the text nodes of a record that looks like HTML
  (:mod:`repair.markup`), ``"html"`` always treats records as HTML, ``"none"`` never.
- long texts are repaired in pieces (:mod:`repair.batch.chunks`), so that the cost stays
  linear in the length of the text.

>>> from repair import RepairConfig
>>> rr = RecordRepairer(Repairer(RepairConfig(use_judge=False)))
>>> r = rr.repair("<p>Itâ€™s the IA <b>race</b></p>")
>>> r.text
'<p>It’s the AI <b>race</b></p>'
>>> [(e.source, e.rule_id, e.before, e.after) for e in r.edits]
[('encoding', 'ftfy.fix_encoding', 'â€™', '’'), ('glossary', 'ACRONYM_IA', 'IA', 'AI')]
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..edit import Edit, Rejected, Repaired, compose_edits, locate_edits, to_original
from ..encoding import mojibake_edits
from ..markup import MarkupView, looks_like_html
from ..pipeline import Repairer
from .chunks import MAX_CHARS, MAX_LINE, split_points

MARKUP_MODES = ("auto", "html", "none")


@dataclass(frozen=True)
class TextOptions:
    """What the batch does around the Repairer, with its documented default."""

    #: Undo mojibake with ftfy before the glossary pass.
    fix_encoding: bool = True
    #: "auto": treat a record as HTML when it contains markup; "html": always; "none": never.
    markup: str = "auto"
    #: Texts longer than this are repaired in pieces (see repair.batch.chunks).
    max_chars: int = MAX_CHARS
    #: Lines longer than this are cut at sentence boundaries.
    max_line: int = MAX_LINE

    def __post_init__(self):
        if self.markup not in MARKUP_MODES:
            raise ValueError(f"markup must be one of {MARKUP_MODES}, not {self.markup!r}")


class RecordRepairer:
    """Repairs record texts with a Repairer plus the encoding, markup and length handling."""

    def __init__(self, repairer: Repairer, options: TextOptions = TextOptions()):
        self.repairer = repairer
        self.options = options

    def is_markup(self, text: str) -> bool:
        mode = self.options.markup
        return mode == "html" or (mode == "auto" and looks_like_html(text))

    def repair(self, text: str) -> Repaired:
        if not text:
            return Repaired(text)
        if self.is_markup(text):
            return self._repair_markup(text)
        return self.repair_plain(text)

    def repair_plain(self, text: str) -> Repaired:
        """Repair text that is not markup (in pieces when it is long)."""
        points = split_points(text, self.options.max_chars, self.options.max_line)
        if len(points) == 2:
            return self._repair_piece(text)
        texts: list[str] = []
        edits: list[Edit] = []
        rejected: list[Rejected] = []
        out_offset = 0
        for a, b in zip(points, points[1:]):
            r = self._repair_piece(text[a:b])
            texts.append(r.text)
            edits += [replace(e.shifted(a), out_start=e.out_start + out_offset, out_end=e.out_end + out_offset)
                      for e in r.edits]
            rejected += [replace(x, start=x.start + a, end=x.end + a) for x in r.rejected]
            out_offset += len(r.text)
        return Repaired("".join(texts), tuple(edits), tuple(rejected))

    def _repair_piece(self, text: str) -> Repaired:
        """Encoding fixes, then the Repairer, composed into edits on ``text``."""
        enc = mojibake_edits(text) if self.options.fix_encoding else []
        if not enc:
            return self.repairer.repair(text)
        mid, first = locate_edits(text, enc)
        result = self.repairer.repair(mid)
        if result.edits:
            new_text, edits = compose_edits(text, first, result.edits)
        else:
            new_text, edits = mid, first
        rejected = tuple(_back(r, first, text) for r in result.rejected)
        return Repaired(new_text, edits, rejected)

    def _repair_markup(self, text: str) -> Repaired:
        view = MarkupView.parse(text)
        inner = self.repair_plain(view.text)
        kept, dropped = view.map_edits(inner.edits)
        new_text, edits = locate_edits(text, kept)
        rejected = sorted(view.map_rejected(inner.rejected) + dropped, key=lambda r: (r.start, r.end))
        return Repaired(new_text, edits, tuple(rejected))


def _back(r: Rejected, first: tuple[Edit, ...], original: str) -> Rejected:
    """A rejected proposal on the encoding-fixed text, moved back onto the original text."""
    start, end = to_original(r.start, first, "start"), to_original(r.end, first, "end")
    end = max(start, end)
    return replace(r, start=start, end=end, before=original[start:end])
