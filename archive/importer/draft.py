"""A source read into a draft: front-matter values, the Markdown body, and the record of what was moved or removed."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .. import gazetteer
from .blocks import Block, classify, mark_captions_and_headings, split_blocks
from .body import INLINE_BYLINE_RE as _INLINE_BYLINE_RE
from .body import TAIL_BYLINE_RE as _TAIL_BYLINE_RE
from .body import assemble
from .byline import Byline, parse_byline
from .dates import LABEL_RE, Found, choose, dates_in, lead_month_day, url_date
from .html import Page
from ..provenance import Entry
from .titles import mark_title

_DATELINE_RE = re.compile(r"^(?:[^，。,（(]{0,24}?讯)?\s*[（(]([^）)]{2,60})[）)]")


@dataclass(frozen=True)
class Draft:
    """What the importer inferred from one source."""

    title: str = ""
    authors: tuple[str, ...] = ()
    date: str = ""
    date_note: str = ""
    county: str = ""
    prefecture: str = ""
    province: str = ""
    publication: str = ""
    editor: str = ""
    source_url: str = ""
    years: str = ""  # the years the text mentions, as a hint where the date is unknown
    body: str = ""
    todos: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    entries: tuple[Entry, ...] = ()  # what the body leaves out of the source, for the provenance record
    kinds: dict[str, int] = field(default_factory=dict)  # how many blocks of each kind


def page_blocks(page: Page) -> list[Block]:
    """A saved page's lines as blocks, hinted by what trafilatura took for the article and by the markup."""
    lo, hi = min(page.article), max(page.article)
    blocks = []
    for i, line in enumerate(page.lines):
        inside = i in page.article or (line.caption and lo <= i <= hi)  # extractors often drop a figcaption
        hint = "chrome" if not inside else "caption" if line.caption else \
            "heading" if line.tag in ("h2", "h3", "h4", "h5", "h6") and len(line.text) <= 40 else ""
        blocks.append(Block([line.text], [line.source_line], 1, hint=hint))
    return blocks


def infer(text: str = "", page: Page | None = None) -> Draft:
    """Read a decoded text (or a saved page's lines) and infer everything a page needs."""
    blocks = page_blocks(page) if page else split_blocks(text)
    classify(blocks)
    mark_title(blocks, page.title if page else "")
    mark_captions_and_headings(blocks)
    title = next((b.text for b in blocks if b.kind == "title"), "")
    byline = _bylines(blocks)
    publication = byline.publication or (page.sitename if page else "") or _site_in_breadcrumb(blocks)
    source_url = page.url if page else ""
    date, date_note, years = _date(blocks, page, source_url)
    place_fields, place_todos, place_notes = _place(title, blocks)
    body, notes, entries = assemble(blocks)
    notes = place_notes + notes
    todos = list(place_todos) + list(byline.unsure)
    todos += [] if title else ["title: no headline line found near the top"]
    todos += [] if byline.authors or byline.unsure else ["author: no 记者 / 通讯员 / 作者 / □ byline found"]
    if not date:
        todos.append(f"date: no publication date found{f' (the text mentions {years})' if years else ''}")
    kinds: dict[str, int] = {}
    for block in blocks:
        kinds[block.kind] = kinds.get(block.kind, 0) + 1
    return Draft(title, tuple(byline.authors) + tuple(byline.unsure), date, date_note, *place_fields, publication,
                 byline.editor, source_url, years if not date else "", body, tuple(todos), tuple(notes), tuple(entries),
                 kinds)


def _bylines(blocks: list[Block]) -> Byline:
    """Authors, editor and publication from byline and metadata lines, a dateline's brackets or a closing byline."""
    found: list[Byline] = []
    for block in blocks:
        if block.kind in ("byline", "meta"):
            found.append(parse_byline(block.text))
    paragraphs = [b for b in blocks if b.kind == "p"]
    for i, block in enumerate(paragraphs):
        m = _DATELINE_RE.match(block.text) if i < 2 else None
        if m:
            inner = parse_byline(m.group(1))
            head = block.text[: m.start(1)].rstrip("（( ")
            found.append(Byline(inner.authors, inner.editor, inner.publication or head.removesuffix("讯"), inner.unsure))
        m = _INLINE_BYLINE_RE.search(block.text)
        if m:
            found.append(parse_byline("作者:" + m.group(1)))
        m = _TAIL_BYLINE_RE.search(block.text)
        if m:
            tail = parse_byline("记者 " + m.group(2))
            found.append(Byline(tail.authors, "", m.group(1).strip("·"), tail.unsure))
    authors = tuple(dict.fromkeys(a for b in found for a in b.authors))
    unsure = tuple(dict.fromkeys(u for b in found for u in b.unsure))
    editor = next((b.editor for b in found if b.editor), "")
    publication = next((b.publication for b in found if b.publication), "")
    return Byline(authors, editor, publication, unsure)


def _site_in_breadcrumb(blocks: list[Block]) -> str:
    """The website a breadcrumb starts from (三湘综治网 > 平安湖南 > … → 三湘综治网)."""
    for block in blocks:
        if block.kind == "debris" and re.search(r"(>|»|›|＞)", block.text):
            trail = re.sub(r"^(当前位置|您的位置|你的位置|您现在的位置|所在位置|您当前的位置)\s*[:：]?", "", block.text)
            first = re.split(r"\s*(?:>|»|›|＞)\s*", trail)[0].strip()
            if first and first not in ("首页", "主页", "网站首页") and len(first) <= 12:
                return first
    return ""


def _date(blocks: list[Block], page: Page | None, url: str) -> tuple[str, str, str]:
    """The publication date, its date_note, and the years the text mentions (a hint when there is no date)."""
    found: list[Found] = []
    for block in blocks:
        if block.kind in ("meta", "byline"):
            labelled = LABEL_RE.search(block.text)
            found += dates_in(block.text, 0 if labelled else 1, "页首的发布时间" if labelled else "署名行的日期")
    if page and page.date:
        found += dates_in(page.date, 1, "网页元数据")
    at = url_date(url) if url else None
    found += [at] if at else []
    lead = next((b.text for b in blocks if b.kind == "p"), "")
    text = "\n".join(b.text for b in blocks if b.kind in ("p", "heading", "title"))
    years = sorted({int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})\s*年", text)})
    date, note = choose(found, lead_month_day(lead), years if len(years) == 1 else [])
    hint = f"{years[0]}–{years[-1]}" if len(years) > 1 else f"{years[0]}" if years else ""
    return date, note, hint


@lru_cache(maxsize=1)
def _converter() -> Any:
    """OpenCC's traditional → simplified converter (static data, built once per process)."""
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def _simple_char(ch: str) -> str:
    """One character in simplified form, or itself when OpenCC maps it to more or fewer than one."""
    out = str(_converter().convert(ch))
    return out if len(out) == 1 else ch


def simplified(text: str) -> str:
    """A text in simplified characters, character for character, so offsets stay (郟縣 → 郏县)."""
    return "".join(_simple_char(ch) for ch in text)


def _place(title: str, blocks: list[Block]) -> tuple[tuple[str, str, str], list[str], list[str]]:
    """County, prefecture and province from the gazetteer: title weighed most, then the dateline and lead."""
    paragraphs = [b.text for b in blocks if b.kind in ("p", "heading")]
    lead = paragraphs[0] if paragraphs else ""
    parts = [(simplified(title), 5.0), (simplified(lead[:60]), 3.0), (simplified(lead[60:]), 2.0)]
    parts += [(simplified(p), 1.0) for p in paragraphs[1:]]
    parts += [(simplified(b.text), 2.0) for b in blocks if b.kind in ("meta", "byline")]
    place = gazetteer.infer_place(parts)
    if place.division is None:
        return ("", "", ""), [f"county: {place.note or 'no county, district or city of the gazetteer is named'}"], []
    d = place.division
    notes = [f"county: {place.note}"] if place.note else []
    return (d.name, d.prefecture or (d.name if d.level == "prefecture" else ""), d.province), [], notes
