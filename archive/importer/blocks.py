"""A source as blocks of lines, each marked as paragraph, heading, caption, title, byline, metadata or debris."""
from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from .byline import ROLE_RE
from .text import CJK, SENTENCE_END, is_sentence

_MENU_HEADERS = {
    "相关阅读", "相关链接", "相关新闻", "相关文章", "图文推荐", "要闻关注", "特别推荐", "频道精选", "热点推荐", "热门推荐",
    "推荐阅读", "延伸阅读", "猜你喜欢", "精彩推荐", "阅读下一篇", "阅读上一篇", "上一篇", "下一篇", "分享到", "打印本页",
    "关闭窗口", "返回顶部", "返回首页", "【打印】", "【关闭】", "综治联播", "网友评论", "我要评论", "热门评论", "扫一扫",
    "友情链接", "网站地图", "联系我们", "关于我们", "收藏本站", "设为首页",
}
_DEBRIS_RE = re.compile(
    r"^(当前位置|您的位置|你的位置|您现在的位置|所在位置|您当前的位置)\s*[:：]?|\S\s*(>|»|›|＞)\s*\S.*(>|»|›|＞)|"
    r"^(返回\S{0,8}首页\s*)+$|^(本文链接|原文链接|文章链接|分享到|转载请注明|版权所有|Copyright|©)|ICP\s*备|公网安备|"
    r"^(上一篇|下一篇|上一条|下一条)\s*[:：]|(长按|扫描|扫码|识别).{0,6}二维码|^阅读原文$|点击.{0,4}(蓝字|关注)|^(【[^】]{1,8}】\s*)+$|^(技术支持|主办单位|主办|承办|承办单位|网站标识码|联系电话|联系我们)\s*[:：]|^([^\s|｜]{1,8}\s*[|｜]\s*){2,}[^\s|｜]{1,8}$|^https?://|^www\.|^【?(打印|关闭|收藏|字号|大|中|小)】?(\s*【?(打印|关闭|收藏|大|中|小)】?)*$",
    re.IGNORECASE,
)
_ONLY_MARKS_RE = re.compile(rf"^[^\w{CJK}]+$")
_BULLET_RE = re.compile(r"^[•·●◆▪■□\-*]\s*\S")
META_RE = re.compile(r"^【?(发布时间|发表时间|发布日期|编辑日期|更新时间|时间|日期|来源|稿源|作者|编辑|责任编辑|责编|通讯员|记者|"
                     r"点击数|浏览次数|阅读次数|字号|信息来源)\s*[:：]")
_STAMP_RE = re.compile(r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?(\s+\d{1,2}:\d{2}(:\d{2})?)?")
# A periodical's issue line: 《怀化政法》2019年12月, 《平安通讯》2020年第3期.
_ISSUE_RE = re.compile(r"^《[^》]{2,20}》\s*\d{4}\s*年")
BYLINE_RE = re.compile(rf"^[（(【]?\s*(?:[{CJK}·\s]{{0,16}}?)(?:本报|特约|见习|融媒)?(记者|通讯员|作者)\s*[/／:：]?\s*[{CJK}]|"
                       rf"^□\s*[{CJK}]{{2,4}}|^[（(]?(文|撰文|图)\s*[/／:：]\s*[{CJK}]{{2,4}}")
# 记者手记, 记者来到…: the role word starts a heading or a sentence, not a byline.
_NOT_BYLINE_RE = re.compile(r"(记者|通讯员|作者)\s*(手记|观察|调查|采访|走访|来到|看到|了解|获悉|注意到|发现|从|在|跟随|随|日前|近日|感言|说)")


@dataclass
class Block:
    """A run of non-blank source lines and how the importer reads it."""

    lines: list[str]
    numbers: list[int]  # 1-based source line of each of its lines
    gap_before: int  # blank lines before it
    kind: str = "p"  # p, heading, caption, title, byline, meta, debris
    hint: str = ""  # from a page's markup: chrome, article, caption, heading
    why: str = field(default="")  # for debris: what it was

    @property
    def text(self) -> str:
        """The block's text, its lines joined."""
        return "".join(self.lines)

    @property
    def first_line(self) -> int:
        """The source line the block starts on."""
        return self.numbers[0]


def split_blocks(text: str) -> list[Block]:
    """The source's non-blank lines as blocks, with the blank lines before each; hard-wrapped lines joined again."""
    raw_lines = text.split("\n")
    lines = [raw.strip().strip("\u3000").strip() for raw in raw_lines]
    measure, width = wrap_width(lines)
    blocks: list[Block] = []
    gap = 0
    continues = False  # the previous line was cut by hard wrapping
    for number, line in enumerate(lines, 1):
        if not line:
            gap, continues = gap + 1, False
            continue
        if continues and blocks:
            blocks[-1].lines.append(line)
            blocks[-1].numbers.append(number)
        else:
            blocks.append(Block([line], [number], gap))
        gap = 0
        # A full-width line runs on, even when a sentence happens to end at the margin, unless the next line is
        # indented as a new paragraph.
        following = raw_lines[number] if number < len(raw_lines) else ""
        indented = following[:1] in (" ", "\t", "\u3000")
        continues = bool(width) and measure(line) >= width - 2 and not (indented and line.endswith(tuple(SENTENCE_END)))
    return blocks


def _columns(line: str) -> int:
    """Display width: a Chinese character takes two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def wrap_width(lines: list[str]) -> tuple[Callable[[str], int], int]:
    """How a hard-wrapped text breaks its lines (by columns or by characters) and where; width 0 for whole paragraphs."""
    cut = [a for a, b in itertools.pairwise(lines) if a and b and len(a) >= 15 and not a.endswith(tuple(SENTENCE_END))]
    if len(cut) < 3:
        return len, 0
    best: tuple[float, Callable[[str], int], int] = (0.0, len, 0)
    measures: tuple[Callable[[str], int], ...] = (_columns, len)
    for measure in measures:  # the one the lines agree on best
        sizes = [measure(a) for a in cut]
        top = Counter(sizes).most_common(1)[0][0]
        near = sum(1 for n in sizes if abs(n - top) <= 2)
        if near >= 3 and near / len(sizes) > best[0]:
            best = (near / len(sizes), measure, top)
    share, measure, width = best
    return (measure, width) if share >= 0.6 else (len, 0)


def is_byline(line: str) -> bool:
    """A short line that names the authors (本报记者 卢拥军, (通讯员 郭庆笔 张梁), □唐颖), not a sentence about them."""
    return (len(line) <= 70 and bool(BYLINE_RE.search(line)) and not line.endswith("。")
            and not _NOT_BYLINE_RE.search(line))


def is_meta(line: str) -> bool:
    """A labelled metadata line (发布时间: …, 来源: …) or a header timestamp carrying roles or a source."""
    if len(line) > 90:
        return False
    if _ISSUE_RE.match(line):
        return True
    return bool(META_RE.match(line)) or bool(_STAMP_RE.match(line) and (ROLE_RE.search(line) or len(line) <= 30))


def debris_reason(line: str) -> str:
    """Why a line is web debris (navigation, share bar, link, copyright), or '' when it is not."""
    if line in _MENU_HEADERS or line.strip("【】[]") in _MENU_HEADERS:
        return "网页栏目或按钮"
    if _ONLY_MARKS_RE.match(line):
        return "只有符号的行"
    m = _DEBRIS_RE.search(line)
    if m:
        return "网页链接或版权信息" if re.search(r"链接|https?:|www\.|ICP|公网安备|版权|Copyright|©", line, re.IGNORECASE) else "网页导航"
    return ""


def classify(blocks: list[Block]) -> None:
    """Mark debris, bylines and metadata; a tail menu (相关阅读 and the short lines after it) is debris."""
    in_tail_menu = False
    edge = {id(b) for b in blocks[:12] + blocks[-12:]}  # bylines sit near the top or the bottom
    for block in blocks:
        line = block.text
        if in_tail_menu and (len(line) <= 24 or _BULLET_RE.match(line)) and not line.endswith("。"):
            block.kind, block.why = "debris", "相关文章列表"
            continue
        in_tail_menu = False
        reason = debris_reason(line)
        if reason:
            block.kind, block.why = "debris", reason
            in_tail_menu = reason == "网页栏目或按钮"
        elif is_meta(line):
            block.kind = "meta"
        elif is_byline(line) and (id(block) in edge or block.hint == "chrome"):
            block.kind = "byline"
        elif block.hint == "chrome":
            block.kind, block.why = "debris", "网页框架（导航、栏目、页脚）"


def mark_captions_and_headings(blocks: list[Block]) -> None:
    """Captions (after a wider gap than paragraphs have, or marked so by the page) and short headings."""
    gaps = Counter(b.gap_before for b in blocks[1:] if b.kind == "p")
    usual = gaps.most_common(1)[0][0] if gaps else 1
    title_seen = False
    i = 0
    while i < len(blocks):
        block = blocks[i]
        title_seen = title_seen or block.kind == "title"
        wide_gap = not block.hint and block.gap_before > usual
        if title_seen and block.kind == "p" and (wide_gap or block.hint == "caption") and caption_like(block.text):
            # Consecutive short lines without a gap belong to one caption (a name, then the person's posts).
            j = i + 1
            while (j < len(blocks) and blocks[j].gap_before == 0 and blocks[j].kind == "p" and not blocks[j].hint
                   and caption_like(blocks[j].text) and len(blocks[j].text) <= 20):
                j += 1
            block.kind = "caption"
            if j > i + 1:
                block.lines = [" ".join(b.text for b in blocks[i:j])]
                block.numbers = [n for b in blocks[i:j] for n in b.numbers]
                del blocks[i + 1 : j]
        i += 1
    for block in blocks:
        if block.kind == "p" and (block.hint == "heading" or len(block.text) <= 40 and not is_sentence(block.text)):
            block.kind = "heading"


def caption_like(line: str) -> bool:
    """Short enough for a caption and not ending as a clause that goes on."""
    return len(line) <= 80 and not line.endswith(tuple("，,、：:；;")) and not line.startswith("——")
