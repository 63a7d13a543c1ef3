"""The headline: never a URL, a 本文链接/分享到/当前位置 line, a byline or a date line."""
from __future__ import annotations

import re

from .blocks import Block, debris_reason, is_byline, is_meta
from .text import fold, is_sentence

_NOT_TITLE_RE = re.compile(r"https?://|www\.|\.s?html?\b|本文链接|原文链接|分享到|当前位置|您的位置|所在位置|^来源|^作者|"
                           r"^责任编辑|^编辑|^发布|^\d{4}\s*[-/.年]\s*\d{1,2}|^\d{1,2}\s*月\s*\d{1,2}\s*日|^[（(]|^——|"
                           r"\d{4}\s*年\s*\d{1,2}\s*月$|^[^\s：:]{2,10}(网|网站|日报|晚报|频道|在线|客户端|融媒|发布)$")


def could_be_title(line: str) -> bool:
    """A line a headline could be: short, not a sentence, no link, date, byline or page furniture."""
    return (4 <= len(line) <= 64 and not is_sentence(line) and not _NOT_TITLE_RE.search(line)
            and not debris_reason(line) and not is_byline(line) and not is_meta(line))


def mark_title(blocks: list[Block], hint: str = "") -> None:
    """Mark the headline block: the one the page's metadata names, else the first title-like line near the top."""
    if hint:
        want = fold(hint)
        for block in blocks:
            text = fold(block.text)
            if block.kind in ("p", "debris") and text and (text == want or (len(text) >= 6 and want.startswith(text))):
                block.kind = "title"
                return
    candidates = [b for b in blocks if b.kind == "p" or (b.kind == "debris" and b.hint == "chrome")]
    for block in [b for b in candidates if b.hint in ("", "heading", "title")][:6]:
        if could_be_title(block.text):
            block.kind = "title"
            return
