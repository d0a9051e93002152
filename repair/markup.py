"""HTML fragments: repair the text between tags, never the markup.

A scraped record may carry HTML (``<p>The IA <b>fleas</b> &amp; more</p>``). The repair
must leave every tag, attribute, comment, entity and the content of ``<script>`` and
``<style>`` exactly as it was. :class:`MarkupView` tokenizes the fragment with the
standard library's ``html.parser`` and builds a *text view*: the text nodes, in order,
with a line break where a block-level tag stood (so that paragraphs are separate lines
and sentences) and nothing where an inline tag (``<b>``, ``<a>``, ``<span>``, ...) stood
(so that "The <b>IA</b> chips" reads as one sentence). Entities appear decoded in the
view but are not editable.

Edits made on the view are mapped back to offsets in the original fragment. An edit
that is not wholly inside one run of plain text (it would cross a tag or touch an
entity) is dropped and reported as a :class:`~repair.edit.Rejected` record instead.

>>> view = MarkupView.parse('<p class="IA">The IA <b>fleas</b></p>')
>>> view.text
'\\nThe IA fleas\\n'
>>> view.is_editable(5, 7), view.to_original(5), view.to_original(8)
(True, 18, 24)
"""
from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from typing import Iterable

from .edit import Edit, Rejected

#: Elements that do not break a sentence: their tags vanish from the text view.
INLINE = frozenset("""a abbr b bdi bdo big cite code data del dfn em font i ins kbd mark nobr q rp rt ruby s samp
small span strike strong sub sup time tt u var wbr""".split())

_KNOWN = ("p|div|span|a|b|i|u|s|q|em|strong|small|big|sub|sup|mark|abbr|cite|code|pre|blockquote|h[1-6]|ul|ol|li|"
          "dl|dt|dd|table|thead|tbody|tfoot|tr|td|th|caption|section|article|header|footer|nav|main|aside|figure|"
          "figcaption|script|style|title|head|body|html|time|label|button|form|iframe|noscript|font|center|ins|del")
#: Markup that plain news text does not contain: a closing tag of a known element, a void
#: element, a tag with a quoted attribute, a comment or a doctype.
_DETECT = re.compile(
    rf"</(?:{_KNOWN})\s*>"
    r"|<(?:br|hr|img|meta|link|input|source)\b[^<>]*>"
    rf"|<(?:{_KNOWN})\s[^<>]*?[\w-]+\s*=\s*[\"'][^<>]*>"
    r"|<!--|<!doctype\s", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """True when ``text`` contains markup (not just a stray "<" or "a<b").

    >>> looks_like_html("<p>Shares fell.</p>"), looks_like_html("if a<b and c>d, x < 5")
    (True, False)
    """
    return "<" in text and _DETECT.search(text) is not None


@dataclass(frozen=True)
class Piece:
    """A stretch of the original (``o_start:o_end``) and what stands for it in the view."""

    v_start: int
    v_end: int
    o_start: int
    o_end: int
    editable: bool  # plain text: the view and the original are the same characters


class _Tokenizer(HTMLParser):
    """Records (offset, kind, data, tag) for every construct, in order."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=False)
        self.events: list[tuple[int, str, str, str]] = []
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def _at(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def handle_data(self, data):
        self.events.append((self._at(), "cdata" if self.cdata_elem else "data", data, ""))

    def handle_starttag(self, tag, attrs):
        self.events.append((self._at(), "tag", "", tag))

    def handle_startendtag(self, tag, attrs):
        self.events.append((self._at(), "tag", "", tag))

    def handle_endtag(self, tag):
        self.events.append((self._at(), "tag", "", tag))

    def handle_entityref(self, name):
        self.events.append((self._at(), "entity", "", ""))

    def handle_charref(self, name):
        self.events.append((self._at(), "entity", "", ""))

    def handle_comment(self, data):
        self.events.append((self._at(), "other", "", ""))

    def handle_decl(self, decl):
        self.events.append((self._at(), "other", "", ""))

    def handle_pi(self, data):
        self.events.append((self._at(), "other", "", ""))

    def unknown_decl(self, data):
        self.events.append((self._at(), "other", "", ""))


class MarkupView:
    """The text view of an HTML fragment, and the way back to the fragment's offsets."""

    def __init__(self, original: str, text: str, pieces: list[Piece]):
        self.original = original
        self.text = text
        self.pieces = pieces
        self._starts = [p.v_start for p in pieces]

    @classmethod
    def parse(cls, original: str) -> "MarkupView":
        tok = _Tokenizer(original)
        tok.feed(original)
        tok.close()
        events = tok.events
        pieces: list[Piece] = []
        parts: list[str] = []
        v = 0
        covered = 0
        if events and events[0][0] > 0:  # cannot happen with html.parser; keep the text safe anyway
            events.insert(0, (0, "other", "", ""))
        for i, (start, kind, data, tag) in enumerate(events):
            end = events[i + 1][0] if i + 1 < len(events) else len(original)
            if end <= start:
                continue
            raw = original[start:end]
            if kind == "data" and raw == data:
                view, editable = raw, True
            elif kind == "entity":
                view, editable = html.unescape(raw), False
            elif kind == "tag":
                view, editable = ("" if tag in INLINE else "\n"), False
            elif kind == "cdata":
                view, editable = "", False
            else:  # comments, declarations, and text html.parser did not hand over verbatim
                view, editable = "", False
            last = pieces[-1] if pieces else None
            if editable and last is not None and last.editable and last.o_end == start and last.v_end == v:
                pieces[-1] = Piece(last.v_start, v + len(view), last.o_start, end, True)  # one run of text
            else:
                pieces.append(Piece(v, v + len(view), start, end, editable))
            parts.append(view)
            v += len(view)
            covered = end
        if covered < len(original):
            pieces.append(Piece(v, v, covered, len(original), False))
        return cls(original, "".join(parts), pieces)

    # -- positions --------------------------------------------------------------------
    def _piece_for(self, start: int, end: int) -> Piece | None:
        """The editable piece holding the view span ``[start, end)`` whole, if any."""
        i = bisect.bisect_right(self._starts, start) - 1
        # an insertion at a boundary may belong to the piece that ends there
        for j in (i, i - 1, i + 1):
            if 0 <= j < len(self.pieces):
                p = self.pieces[j]
                if p.editable and p.v_start <= start and end <= p.v_end and p.v_end > p.v_start:
                    return p
        return None

    def is_editable(self, start: int, end: int) -> bool:
        return self._piece_for(start, end) is not None

    def to_original(self, pos: int, side: str = "start") -> int:
        """The original offset of view position ``pos`` (inside markup: that markup's edge)."""
        i = bisect.bisect_right(self._starts, pos) - 1
        if i < 0:
            return 0
        p = self.pieces[i]
        while i > 0 and p.v_start == p.v_end and p.v_start == pos and side == "start":
            i -= 1
            p = self.pieces[i]
        if p.editable:
            return p.o_start + min(pos - p.v_start, p.o_end - p.o_start)
        return p.o_start if side == "start" or pos == p.v_start else p.o_end

    # -- edits ------------------------------------------------------------------------
    def map_edits(self, edits: Iterable[Edit]) -> tuple[list[Edit], list[Rejected]]:
        """Edits on the view as edits on the original; those that cross markup are rejected."""
        kept: list[Edit] = []
        dropped: list[Rejected] = []
        for e in edits:
            p = self._piece_for(e.start, e.end)
            if p is None:
                start, end = self.to_original(e.start, "start"), self.to_original(e.end, "end")
                dropped.append(Rejected(start, max(start, end), self.original[start:max(start, end)], e.after,
                                        e.source, e.rule_id, "crosses HTML markup", e.origin, e.score))
                continue
            start = p.o_start + (e.start - p.v_start)
            sentence = None if e.sentence is None else (self.to_original(e.sentence[0], "start"),
                                                        self.to_original(e.sentence[1], "end"))
            kept.append(replace(e, start=start, end=start + (e.end - e.start), out_start=None, out_end=None,
                                sentence=sentence))
        return kept, dropped

    def map_rejected(self, rejected: Iterable[Rejected]) -> list[Rejected]:
        out = []
        for r in rejected:
            start, end = self.to_original(r.start, "start"), self.to_original(r.end, "end")
            end = max(start, end)
            out.append(replace(r, start=start, end=end, before=self.original[start:end]))
        return out
