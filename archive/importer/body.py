"""The page body from classified blocks: paragraphs (split ones joined again), ## headings, ::: figure captions, and
the provenance entries saying what left the body."""
from __future__ import annotations

import re

from .blocks import Block
from ..provenance import Entry
from .text import CJK, CLAUSE_END, full_width, is_sentence, md_escape

INLINE_BYLINE_RE = re.compile(rf"[（(]\s*(?:作者|记者|通讯员|文)\s*[:：/／]?\s*([{CJK}\s、，,]+)[）)]\s*$")
TAIL_BYLINE_RE = re.compile(rf"[。！？!?”]\s*([{CJK}·]{{0,12}}?)(?:本报)?(?:记者|通讯员)\s*[/／:：]?\s*"
                            rf"([{CJK}]{{2,4}}(?:[\s、，,]+[{CJK}]{{2,4}})*)\s*$")
_MOVED_TO = {"title": "title", "byline": "author", "meta": "metadata"}


def complete(paragraph: str) -> bool:
    """A paragraph that ends a sentence, or ends with its byline ((作者:…), 永州日报记者 吴林)."""
    if INLINE_BYLINE_RE.search(paragraph) or TAIL_BYLINE_RE.search(paragraph):
        return True
    return is_sentence(paragraph) and not paragraph.rstrip("”’」』）)\"'").endswith(tuple(CLAUSE_END))


def _left_out(block: Block) -> Entry | None:
    """The provenance entry for a block that is not body text."""
    if block.kind in _MOVED_TO:
        return Entry("moved", tuple(block.numbers), block.text, _MOVED_TO[block.kind])
    if block.kind == "debris":
        return Entry("removed", tuple(block.numbers), block.text, block.why or "网页杂项")
    return None


class _Assembler:
    """Builds the body block by block, holding a paragraph that ended mid-sentence until its continuation comes."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.notes: list[str] = []
        self.entries: list[Entry] = []
        self.pending: str | None = None
        self.pending_lines: list[int] = []
        self.parts = 0  # how many source blocks the pending paragraph joins
        self.held: list[str] = []  # captions met while a paragraph waits: they follow it, not split it

    def flush(self) -> None:
        """Write the pending paragraph and the captions it held."""
        if self.pending is not None:
            self.out.append(md_escape(full_width(self.pending)))
            if self.parts > 1:
                self.entries.append(Entry("joined", (self.pending_lines[0], self.pending_lines[-1]),
                                          self.pending[:12] + "…", "图片说明或换行把一段话隔断，已接回"))
        self.out.extend(self.held)
        self.pending, self.pending_lines, self.parts, self.held = None, [], 0, []

    def paragraph(self, block: Block) -> None:
        """Add a paragraph block, joining it to a pending one."""
        self.pending = block.text if self.pending is None else self.pending + block.text
        self.pending_lines += block.numbers
        self.parts += 1
        if complete(self.pending):
            self.flush()

    def heading(self, block: Block) -> None:
        """Add a ## heading (a waiting paragraph is cut off there: say so)."""
        if self.pending is not None:
            self.notes.append(f"line {self.pending_lines[-1]}: the paragraph ends mid-sentence (before a heading): "
                              "check the source")
            self.flush()
        self.out.append("## " + md_escape(full_width(block.text)))

    def caption(self, block: Block) -> None:
        """Add a ::: figure caption, after the paragraph it split if one is waiting."""
        figure = "::: figure\n" + md_escape(full_width(block.text)) + "\n:::"
        moved = self.pending is not None
        why = "图片说明，原在一段话中间，移到该段之后" if moved else "图片说明，作为图注"
        self.entries.append(Entry("captions", tuple(block.numbers), block.text, why))
        (self.held if moved else self.out).append(figure)


def assemble(blocks: list[Block]) -> tuple[str, list[str], list[Entry]]:
    """The Markdown body, notes on paragraphs that end mid-sentence, and the provenance entries in source order."""
    body = _Assembler()
    for block in blocks:
        left = _left_out(block)
        if left:
            body.entries.append(left)
        elif block.kind == "p":
            body.paragraph(block)
        elif block.kind == "heading":
            body.heading(block)
        elif block.kind == "caption":
            body.caption(block)
    if body.pending is not None:
        body.notes.append(f"line {body.pending_lines[-1]}: the text ends mid-sentence: check the source")
    body.flush()
    entries = sorted(body.entries, key=lambda e: e.lines[0])
    return "\n\n".join(body.out) + "\n", body.notes, entries
