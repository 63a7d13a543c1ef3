"""Saved web pages: the page's visible text as lines, which of them trafilatura takes for the article, and metadata."""
from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
import trafilatura
from lxml import etree

from .text import fold, squeeze

_BLOCKS = {
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "table", "section", "article",
    "header", "footer", "nav", "aside", "figure", "figcaption", "dd", "dt", "dl", "blockquote", "pre", "form", "center",
    "main", "address", "title", "hr", "br", "option", "select", "tbody", "thead",
}
_INVISIBLE = {"script", "style", "noscript", "template", "iframe", "svg", "object", "button", "input", "textarea", "select"}
_CAPTION_CLASS = re.compile(r"caption|pic_?txt|img_?(desc|title|txt)|tuzhu|picnote|photo_?(desc|txt)", re.IGNORECASE)


@dataclass(frozen=True)
class Line:
    """One visible line of a page: its text, the source line it starts on, and what the page's markup says of it."""

    text: str
    source_line: int
    tag: str  # the block element it belongs to (h1, p, li, figcaption, …)
    caption: bool = False  # a figcaption, a caption class, or a short line right after an image


@dataclass(frozen=True)
class Page:
    """What the importer reads from a saved page."""

    lines: tuple[Line, ...]
    article: frozenset[int]  # indexes of the lines trafilatura extracted as the article's text
    title: str
    date: str  # trafilatura's (htmldate's) date, YYYY-MM-DD, or ''
    author: str
    sitename: str
    url: str  # the canonical URL, or ''


class _Walker:
    """Collects visible text into lines, breaking at block elements and <br>."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.parts: list[str] = []
        self.start = 0
        self.tag = ""
        self.caption = False
        self.after_image = False

    def flush(self) -> None:
        """End the current line."""
        text = squeeze("".join(self.parts))
        if text:
            short = len(text) <= 60 and not text.endswith(("。", "！", "？"))
            self.lines.append(Line(text, self.start, self.tag, self.caption or (self.after_image and short)))
            self.after_image = False
        self.parts = []

    def add(self, text: str | None, element: etree._Element, tag: str) -> None:
        """Add text to the current line, remembering where the line started."""
        if text and text.strip():
            if not "".join(self.parts).strip():
                line = element.sourceline
                self.start, self.tag = (line if isinstance(line, int) else 1), tag
            self.parts.append(text)

    def walk(self, element: etree._Element, caption: bool = False, tag: str = "") -> None:
        """Visit an element and its children in document order."""
        name = element.tag if isinstance(element.tag, str) else ""
        name = name.lower()
        if name in _INVISIBLE or not name:
            self.add(element.tail, element, tag)
            return
        block = name in _BLOCKS
        caption = caption or name == "figcaption" or bool(_CAPTION_CLASS.search(element.get("class", "") or ""))
        here = name if block else tag
        if block:
            self.flush()
            self.caption = caption
        if name == "img":
            self.flush()
            self.after_image = True
        self.add(element.text, element, here)
        for child in element:
            self.walk(child, caption, here)
        if block:
            self.flush()
            self.caption = False
        self.add(element.tail, element, tag)


def visible_lines(html: str) -> list[Line]:
    """The page's visible text, one line per block of text, in document order (scripts and styles left out)."""
    root = _parse(html)
    walker = _Walker()
    body = root.find(".//body")
    walker.walk(body if body is not None else root)
    walker.flush()
    return walker.lines


def _parse(html: str) -> etree._Element:
    """An lxml tree of a page (the XML declaration dropped: lxml refuses it in a str)."""
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    return lxml.html.document_fromstring(html)


def canonical_url(html: str) -> str:
    """The page's canonical URL (<link rel=canonical> or og:url), or ''."""
    root = _parse(html)
    for xpath in ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'):
        found = root.xpath(xpath)
        if isinstance(found, list) and found and str(found[0]).startswith("http"):
            return str(found[0]).strip()
    return ""


def read_page(html: str) -> Page | None:
    """The page's lines with the article marked, or None when trafilatura finds no article in it."""
    lines = visible_lines(html)
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=True,
                                      favor_precision=True)
    text = getattr(doc, "text", "") or "" if doc is not None else ""
    if not text.strip():
        return None
    extracted = [fold(t) for t in text.split("\n") if t.strip()]
    whole = "".join(extracted)
    pool = set(extracted)
    article = frozenset(
        i for i, line in enumerate(lines) if fold(line.text) in pool or (len(fold(line.text)) >= 12 and fold(line.text) in whole)
    )
    # An article has sentences: a page of link lists and headlines has none.
    if not any(lines[i].text.rstrip("”’\"'）)").endswith(("。", "！", "？")) for i in article):
        return None
    date = str(getattr(doc, "date", "") or "")
    return Page(tuple(lines), article, str(getattr(doc, "title", "") or ""), date,
                str(getattr(doc, "author", "") or ""), str(getattr(doc, "sitename", "") or ""), canonical_url(html))
