"""The Markdown plugin that links every programme mention of a body to the programme's page."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from .registry import Matcher, Span

# Blocks whose text is not the report's own words: editor's notes and our footnotes.
# Mentions there are neither linked nor counted.
NOT_REPORT_TEXT = ("container_note", "footnote_block")


def markdown_plugin(md: MarkdownIt, matcher: Matcher) -> None:
    """Install a markdown-it core rule that links every mention in body text.

    Links go to ../programmes/<slug>.html (report pages live in reports/), with the programme's
    one-line summary as tooltip. Headings are not linked (a heading is a section title, not a
    sentence to follow), text already inside a link is not linked again, and editor's notes and
    footnotes are left alone because they are our words, not the report's. Pass the report as
    env={"report": report} so its `not_programmes:` are honoured (env["exclude"]: more slugs to skip).

    The core rule only notes the mentions on each text token (meta["mentions"]); the text renderer
    writes them as links. Splitting the token into link_open, text and link_close tokens would
    cost five tokens and a generic render of each per mention, for the same HTML.
    """

    def link_mentions(state: StateCore) -> None:
        """The core rule: note the mentions of every text token of the report's own words."""
        env = state.env if isinstance(state.env, dict) else {}
        excluded = frozenset(excluded_by(env.get("report"), matcher) | set(env.get("exclude", ())))
        depth_skip = 0
        in_heading = False
        for token in state.tokens:
            if token.type.startswith(NOT_REPORT_TEXT):
                depth_skip += token.nesting
                continue
            if token.type == "heading_open":
                in_heading = True
            elif token.type == "heading_close":
                in_heading = False
            if token.type != "inline" or depth_skip > 0 or in_heading or not token.children:
                continue
            _note_mentions(token.children, matcher, excluded)

    opening: dict[str, str] = {}  # programme slug -> its <a ...> tag, as markdown-it renders a link's attributes

    def link_tag(slug: str) -> str:
        """The opening <a> of a link to a programme, made once per programme."""
        tag = opening.get(slug)
        if tag is None:
            programme = matcher.programmes[slug]
            title = f"{programme.name}\uff1a{programme.summary}" if programme.summary else programme.name
            attrs = {"href": f"../programmes/{slug}.html", "class": "programme", "title": title, "data-programme": slug}
            tag = opening[slug] = "<a" + "".join(f' {escapeHtml(k)}="{escapeHtml(v)}"' for k, v in attrs.items()) + ">"
        return tag

    def render_text(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        """A text token, its noted mentions as links."""
        token = tokens[idx]
        spans: list[Span] | None = token.meta.get("mentions") if token.meta else None
        if not spans:
            return escapeHtml(token.content)
        text, pos, out = token.content, 0, []
        for span in spans:
            out += [escapeHtml(text[pos:span.start]), link_tag(span.programme),
                    escapeHtml(text[span.start:span.end]), "</a>"]
            pos = span.end
        out.append(escapeHtml(text[pos:]))
        return "".join(out)

    md.core.ruler.push("programme_links", link_mentions)
    md.add_render_rule("text", render_text)


def excluded_by(report: Any, matcher: Matcher) -> set[str]:
    """Slugs a report's front matter (`not_programmes:`) excludes from automatic matching; unknown names skipped."""
    if report is None:
        return set()
    return {s for s in (matcher.resolve(n) for n in getattr(report, "not_programmes", []) or []) if s}


def _note_mentions(children: list[Token], matcher: Matcher, excluded: frozenset[str]) -> None:
    """Note on each plain-text token outside a link the mentions it holds (meta["mentions"]: spans)."""
    in_link = 0
    for child in children:
        kind = child.type
        if kind == "text":
            if not in_link and child.content:
                spans = matcher.find(child.content, excluded)
                if spans:
                    child.meta["mentions"] = spans
        elif kind == "link_open":
            in_link += 1
        elif kind == "link_close":
            in_link -= 1
