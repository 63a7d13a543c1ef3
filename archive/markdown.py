"""Markdown bodies to HTML, with a stable anchor on every block and programme mentions linked."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from . import programmes
from .content import Report


@dataclass
class Paragraph:
    """One block of a rendered body: its anchor in the page and its plain text."""

    anchor: str
    text: str
    kind: str = "p"  # p, h2, h3, figure, li, td, note, footnote


@dataclass
class RenderedBody:
    """A report body as HTML plus the plain-text blocks search and programme pages quote."""

    html: str
    paragraphs: list[Paragraph] = field(default_factory=list)


# Links in report bodies may go to the web, to an e-mail address or to a page of the site; no other scheme.
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_ALLOWED_SCHEMES = {"http", "https", "mailto"}


def validate_link(url: str) -> bool:
    """True for http(s), mailto and scheme-less (relative or #anchor) links."""
    m = _SCHEME_RE.match(url.strip())
    return m is None or m.group(1).lower() in _ALLOWED_SCHEMES


# ---------------------------------------------------------------- anchors

# Openers that start an anchored block; the kind is decided by where they sit.
_CONTAINERS_WITHOUT_OWN_PARAGRAPHS = ("list_item_open", "container_figure_open", "tr_open")


def _anchor_blocks(state: StateCore) -> None:
    """Give every block an id pN in document order and collect its plain text into env['paragraphs']."""
    paragraphs: list[Paragraph] = []
    open_types: list[str] = []  # the stack of open block tokens
    anchored: list[bool] = []  # for each open block token: did it start an anchored block
    current: list[tuple[Paragraph, list[str]]] = []  # anchored blocks still open, innermost last

    def start(token: Token, kind: str) -> None:
        anchor = f"p{len(paragraphs) + 1}"
        token.attrSet("id", anchor)
        paragraph = Paragraph(anchor, "", kind)
        paragraphs.append(paragraph)
        current.append((paragraph, []))

    for token in state.tokens:
        if token.nesting == 1:
            kind = _kind_of(token, open_types)
            if kind:
                start(token, kind)
            open_types.append(token.type)
            anchored.append(bool(kind))
            if token.type in ("td_open", "th_open") and current and current[-1][1]:
                current[-1][1].append(" | ")
        elif token.nesting == -1:
            if open_types:
                open_types.pop()
            if anchored and anchored.pop() and current:
                paragraph, parts = current.pop()
                paragraph.text = "".join(parts).strip()
        elif token.type == "inline":
            if current:
                current[-1][1].append(_plain_text(token.children or []))
        elif token.type in ("fence", "code_block"):
            start(token, "p")
            paragraph, _ = current.pop()
            paragraph.text = token.content.strip()
    state.env["paragraphs"] = paragraphs


def _kind_of(token: Token, open_types: Sequence[str]) -> str:
    """The kind of anchored block an opening token starts, or '' when it is part of a larger one."""
    if token.type == "heading_open":
        return token.tag
    if token.type == "container_figure_open":
        return "figure"
    if token.type == "list_item_open":
        return "li"
    if token.type == "tr_open":
        return "td"
    if token.type == "paragraph_open":
        if any(t in _CONTAINERS_WITHOUT_OWN_PARAGRAPHS for t in open_types):
            return ""
        if "footnote_open" in open_types:
            return "footnote"
        if "container_note_open" in open_types:
            return "note"
        return "p"
    return ""


def _plain_text(children: list[Token]) -> str:
    """The text a reader sees in an inline run, without footnote markers."""
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append("")  # a line break inside Chinese text is not a space
        elif child.type == "hardbreak":
            parts.append("\n")
        elif child.type == "image":
            parts.append(_plain_text(child.children or []))
    return "".join(parts)


# ---------------------------------------------------------------- rendering rules


# A render rule, as MarkdownIt.add_render_rule binds it to the renderer.
_Rule = Callable[[Sequence[Token], int, OptionsDict, EnvType], str]


def _render_figure(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """A photo caption: the photo is not in the source, only its caption."""
    token = tokens[idx]
    if token.nesting == 1:
        anchor = token.attrGet("id") or ""
        return f'<figure class="photo" id="{escape(str(anchor))}"><figcaption>'
    return "</figcaption></figure>\n"


def _render_note(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """An editor's note, set apart from the report's own text."""
    if tokens[idx].nesting == 1:
        return '<aside class="note" role="note"><p class="note-label">编者按</p>\n'
    return "</aside>\n"


def _hide_figure_paragraphs(state: StateCore) -> None:
    """Put a caption's text straight into <figcaption> instead of a nested <p>."""
    inside = 0
    for token in state.tokens:
        if token.type == "container_figure_open":
            inside += 1
        elif token.type == "container_figure_close":
            inside -= 1
        elif inside and token.type in ("paragraph_open", "paragraph_close"):
            token.hidden = True


def _install_renderers(md: MarkdownIt) -> None:
    """Headings with a permalink, tables that scroll on a phone, footnotes under a heading."""
    assert isinstance(md.renderer, RendererHTML)  # make_markdown's MarkdownIt keeps the default renderer
    default_heading_close: _Rule | None = md.renderer.rules.get("heading_close")  # rules are bound methods

    def heading_close(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        # the nearest heading_open before idx, found without copying the token list for every heading
        anchor = next((tokens[i].attrGet("id") for i in range(idx - 1, -1, -1) if tokens[i].type == "heading_open"), None)
        link = f'<a class="anchor" href="#{escape(str(anchor))}" aria-label="本节链接">#</a>' if anchor else ""
        if default_heading_close:
            return link + default_heading_close(tokens, idx, options, env)
        return link + self.renderToken(tokens, idx, options, env)

    def table_open(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return '<div class="table-wrap">' + self.renderToken(tokens, idx, options, env)

    def table_close(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return self.renderToken(tokens, idx, options, env) + "</div>\n"

    def footnote_block_open(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
                            env: EnvType) -> str:
        return ('<section class="footnotes" aria-label="注释">\n<h2 class="footnotes-title">注释</h2>\n'
                '<ol class="footnotes-list">\n')

    def footnote_anchor(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
                        env: EnvType) -> str:
        # the plugin's ↩︎ is rendered as an emoji by some fonts; a plain arrow with a label reads better
        n = tokens[idx].meta["id"] + 1
        sub = tokens[idx].meta.get("subId", 0)
        ref = f"fnref{n}" + (f":{sub}" if sub > 0 else "")
        return f' <a href="#{ref}" class="footnote-backref" aria-label="回到正文">↑</a>'

    md.add_render_rule("heading_close", heading_close)
    md.add_render_rule("table_open", table_open)
    md.add_render_rule("table_close", table_close)
    md.add_render_rule("footnote_block_open", footnote_block_open)
    md.add_render_rule("footnote_anchor", footnote_anchor)


class _ReportMarkdown(MarkdownIt):
    """MarkdownIt whose links may only use the schemes validate_link allows."""

    def validateLink(self, url: str) -> bool:
        return validate_link(url)


def make_markdown(matcher: programmes.Matcher) -> MarkdownIt:
    """A MarkdownIt for report bodies: no raw HTML, tables, footnotes, note and figure containers."""
    md = _ReportMarkdown("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.use(footnote_plugin)
    md.use(container_plugin, "note", render=_render_note)
    md.use(container_plugin, "figure", render=_render_figure)
    _install_renderers(md)
    programmes.markdown_plugin(md, matcher)
    # Anchors last: after footnotes moved to the end and after mentions were linked, so ids follow the page.
    md.core.ruler.push("hide_figure_paragraphs", _hide_figure_paragraphs)
    md.core.ruler.push("anchor_blocks", _anchor_blocks)
    return md


_cache: list[tuple[programmes.Matcher, MarkdownIt]] = []  # one (matcher, md) pair: building md costs more than a page


def markdown_for(matcher: programmes.Matcher) -> MarkdownIt:
    """The MarkdownIt instance for a matcher, built once."""
    if not _cache or _cache[0][0] is not matcher:
        _cache[:] = [(matcher, make_markdown(matcher))]
    return _cache[0][1]


def render_text(text: str, matcher: programmes.Matcher, report: Report | None = None) -> RenderedBody:
    """Render any Markdown text the way report bodies are rendered."""
    md = markdown_for(matcher)
    env: EnvType = {"report": report}  # the programmes plugin honours the report's not_programmes
    tokens = md.parse(text, env)
    html = md.renderer.render(tokens, md.options, env)
    return RenderedBody(html, env.get("paragraphs", []))


def render_body(report: Report, matcher: programmes.Matcher) -> RenderedBody:
    """Render one report body with an id on every block and programme mentions linked."""
    return render_text(report.body, matcher, report)
