"""Draft report pages from raw source texts: decode, keep the raw bytes, strip debris, infer the front matter."""
from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .content import TODO
from .errors import display_path

# ---------------------------------------------------------------- decoding


class ImportProblem(Exception):
    """A source that cannot be imported, with the place to look: path:line: message."""

    def __init__(self, path: Path, line: int, message: str):
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{display_path(path)}:{line}: {message}")


@dataclass
class Decoded:
    """A source's text with how it was stored."""

    text: str  # with '\n' line endings and no BOM
    encoding: str
    newline: str  # 'LF', 'CRLF', 'CR', 'mixed' or 'none'


_BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8 with BOM"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32 LE"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32 BE"),
    (b"\xff\xfe", "utf-16-le", "UTF-16 LE"),
    (b"\xfe\xff", "utf-16-be", "UTF-16 BE"),
]
# Control characters a text file may hold; any other C0 control (or NUL) marks a binary file.
_TEXT_CONTROLS = set("\t\n\r\f\v\x1a")


def decode(data: bytes, path: Path) -> Decoded:
    """Decode a raw source: BOMs first, then strict UTF-8, then strict GB18030; refuse empty and binary files."""
    if not data.strip():
        raise ImportProblem(path, 1, "empty file: nothing to import")
    text, encoding = None, ""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec.removesuffix("-sig") if codec == "utf-8-sig" else codec)
            except UnicodeDecodeError as exc:
                raise ImportProblem(path, 1, f"starts with a {name} byte-order mark but is not {name}: {exc.reason} at byte {exc.start + len(bom)}") from None
            encoding = name
            break
    if text is None:
        nul = data.find(b"\x00")
        if nul >= 0:
            line = data.count(b"\n", 0, nul) + 1
            raise ImportProblem(path, line, f"binary file (NUL byte at offset {nul}), not a text report; a UTF-16 text needs its byte-order mark")
        bad_at = 0
        for codec, name in (("utf-8", "UTF-8"), ("gb18030", "GB18030")):
            try:
                text, encoding = data.decode(codec), name
                break
            except UnicodeDecodeError as exc:
                bad_at = max(bad_at, exc.start)
                continue
        else:
            raise ImportProblem(
                path, data.count(b"\n", 0, bad_at) + 1,
                f"binary file or unknown encoding: byte 0x{data[bad_at]:02x} at offset {bad_at} is neither UTF-8 nor GB18030/GBK "
                "(and there is no UTF-16 byte-order mark); save it as UTF-8",
            )
    assert text is not None
    if not text.strip():
        raise ImportProblem(path, 1, "empty file: nothing to import")
    _refuse_binary(text, path)
    newline = _newline_style(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Decoded(text, encoding, newline)


def _refuse_binary(text: str, path: Path) -> None:
    """Text that decodes but is mostly control or private-use characters is a binary file, not a report."""
    odd = [i for i, ch in enumerate(text) if (ord(ch) < 32 and ch not in _TEXT_CONTROLS) or "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd"]
    if odd and len(odd) * 20 > len(text):
        first = odd[0]
        raise ImportProblem(path, text.count("\n", 0, first) + 1, f"binary file ({len(odd)} control or private-use characters), not a text report")
    # GB18030 decodes almost any bytes: a text with no CJK and many rare symbols was not really GB18030.
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    rare = sum(1 for ch in text if ord(ch) > 0x7F and not ("\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or "\u2000" <= ch <= "\u206f"))
    if rare > cjk and rare * 10 > len(text):
        raise ImportProblem(path, 1, "binary or unknown encoding: the bytes decode to mostly rare symbols, not Chinese text")


def _newline_style(text: str) -> str:
    """How the source ends its lines."""
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    kinds = [name for name, n in (("CRLF", crlf), ("CR", cr), ("LF", lf)) if n]
    return kinds[0] if len(kinds) == 1 else "mixed" if kinds else "none"


# ---------------------------------------------------------------- punctuation and Markdown

_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"}


def _is_wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def full_width(text: str) -> str:
    """Half-width , ; : ( ) ! ? touching Chinese text become full-width; numbers, times and URLs stay as they are."""
    out = []
    for i, ch in enumerate(text):
        if ch in _HALF_TO_FULL:
            prev = text[i - 1] if i else ""
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if (prev and _is_wide(prev)) or (nxt and _is_wide(nxt)):
                ch = _HALF_TO_FULL[ch]
        out.append(ch)
    return "".join(out)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~{}])")


def md_escape(text: str) -> str:
    """Escape what Markdown would read as markup, so the text renders exactly as written."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"^(\d+)([.)])(?=\s|$)", r"\1\\\2", text)
    text = re.sub(r"^([-+=:])", r"\\\1", text)
    return text


# ---------------------------------------------------------------- recognising lines

_SENTENCE_END = "。！？!?；;…"
_CLAUSE_END = "，,、：:——-"
_CJK = r"\u4e00-\u9fff"
_MENU_HEADERS = {
    "相关阅读", "相关链接", "相关新闻", "相关文章", "图文推荐", "要闻关注", "特别推荐", "频道精选", "热点推荐", "热门推荐",
    "推荐阅读", "延伸阅读", "猜你喜欢", "精彩推荐", "阅读下一篇", "阅读上一篇", "上一篇", "下一篇", "分享到", "打印本页",
    "关闭窗口", "返回顶部", "返回首页", "【打印】", "【关闭】", "综治联播", "网友评论", "我要评论", "热门评论",
}
_BREADCRUMB_RE = re.compile(r"^(当前位置|您的位置|你的位置|您现在的位置|所在位置)\s*[:：]?|\S\s*(>|»|›|＞)\s*\S.*(>|»|›|＞)")
_HOME_LINK_RE = re.compile(r"^(返回\S{0,8}首页\s*)+$")
_ONLY_MARKS_RE = re.compile(rf"^[^\w{_CJK}]+$")
_BULLET_RE = re.compile(r"^[•·●◆▪■□\-*]\s*\S")

_ROLE_RE = re.compile(r"(本报记者|特约记者|见习记者|记者|通讯员|特约通讯员|作者|撰稿|文/|文／|文:|文：|□)")
_BYLINE_RE = re.compile(rf"^(?:[{_CJK}·\s]{{0,16}}?)(?:本报|特约|见习)?(记者|通讯员|作者)\s*[/／:：]?\s*[{_CJK}]{{2,4}}|^□\s*[{_CJK}]{{2,4}}|^(文|撰文)\s*[/／:：]\s*[{_CJK}]{{2,4}}")
# 记者手记, 记者观察, 记者来到…: the role word starts a heading or a sentence, not a byline.
_NOT_BYLINE_RE = re.compile(r"(记者|通讯员|作者)\s*(手记|观察|调查|采访|走访|来到|看到|了解|获悉|注意到|发现|从|在|跟随|随|日前|近日|感言|说)")
_META_RE = re.compile(r"^(发布时间|发表时间|发布日期|更新时间|时间|日期|来源|稿源|作者|编辑|责任编辑|责编|通讯员|记者|点击数|浏览次数|字号)\s*[:：]")
_INLINE_BYLINE_RE = re.compile(rf"[（(]\s*(?:作者|记者|通讯员|文)\s*[:：/／]?\s*([{_CJK}\s、，,]+)[）)]\s*$")
_TAIL_BYLINE_RE = re.compile(rf"[。！？!?”]\s*([{_CJK}·]{{0,12}}?)(?:本报)?(?:记者|通讯员)\s*[/／:：]?\s*([{_CJK}]{{2,4}}(?:[\s、，,]+[{_CJK}]{{2,4}})*)\s*$")

_DATE_PATTERNS = [
    re.compile(r"(?<!\d)(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d)"),
]
_DATE_LABEL_RE = re.compile(r"(发布时间|发表时间|发布日期|更新时间|时间|日期)\s*[:：]")

# Common single-character surnames, to split names a byline runs together (卢拥军李梁崇 → 卢拥军, 李梁崇).
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)


def is_sentence(line: str) -> bool:
    """A line that ends as a sentence or clause does (before any closing quote), so it is text, not a heading."""
    core = line.rstrip("”’」』）)\"'")
    return core.endswith(tuple(_SENTENCE_END)) or core.endswith(tuple(_CLAUSE_END))


def split_names(run: str) -> list[str]:
    """Names from a run of CJK characters: one name of 2–4 characters, or several run together."""
    if len(run) <= 4:
        return [run]
    if len(run) == 6:
        return [run[:3], run[3:]]
    if len(run) == 5:
        if run[2] in _SURNAMES:
            return [run[:2], run[2:]]
        if run[3] in _SURNAMES:
            return [run[:3], run[3:]]
    return []  # cannot tell where one name ends


def names_in_byline(text: str) -> tuple[list[str], str]:
    """The people a byline names, in order, and the publication it names before '记者' (…讯记者, 永州日报记者)."""
    names: list[str] = []
    publication = ""
    parts = _ROLE_RE.split(text)
    if len(parts) > 1:
        before = parts[0].strip(" ·：:　")
        if before and not before.startswith(("本报", "来源")):
            publication = re.split(r"[·•]", before)[0].removesuffix("讯").strip()
    for after in parts[2::2]:  # the text after each role word
        # Names run up to the next role word; what follows a non-name character (摄, 报道) is not a name.
        for run in re.findall(rf"[{_CJK}]+", after):
            if run in ("摄", "摄影", "报道", "整理", "供图", "图", "文", "本报", "编辑", "责编", "校对"):
                break
            found = split_names(run)
            if not found:
                break
            names.extend(found)
    return list(dict.fromkeys(n for n in names if n)), publication


# ---------------------------------------------------------------- the draft


@dataclass
class Block:
    """A run of non-blank source lines and how the importer reads it."""

    lines: list[str]
    first_line: int  # 1-based line number in the source
    gap_before: int  # blank lines before it
    kind: str = "p"  # p, heading, caption, title, byline, meta, debris

    @property
    def text(self) -> str:
        return "".join(self.lines)


@dataclass
class Draft:
    """What the importer inferred from one source."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    date: str = ""
    county: str = ""
    publication: str = ""
    editor: str = ""
    years: str = ""  # the years the text mentions, as a hint where the date is unknown
    body: str = ""
    todos: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)


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
            gap += 1
            continues = False
            continue
        if continues and blocks:
            blocks[-1].lines.append(line)
        else:
            # Scraped texts put one paragraph on a line; multi-line captions are regrouped later.
            blocks.append(Block([line], number, gap))
        gap = 0
        # A full-width line runs on, even when a sentence happens to end at the margin, unless the next line is
        # indented as a new paragraph.
        following = raw_lines[number] if number < len(raw_lines) else ""
        indented = following[:1] in (" ", "\t", "\u3000")
        continues = bool(width) and measure(line) >= width - 2 and not (indented and line.endswith(tuple(_SENTENCE_END)))
    return blocks


def _columns(line: str) -> int:
    """Display width: a Chinese character takes two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def wrap_width(lines: list[str]) -> tuple[Callable[[str], int], int]:
    """How a hard-wrapped text breaks its lines (by columns or by characters) and where; width 0 for whole paragraphs."""
    # A wrapped line is followed directly by another line and does not end a sentence.
    cut = [a for a, b in zip(lines, lines[1:]) if a and b and len(a) >= 15 and not a.endswith(tuple(_SENTENCE_END))]
    if len(cut) < 3:
        return len, 0
    best: tuple[float, Callable[[str], int], int] = (0.0, len, 0)
    for measure in (_columns, len):  # the one the lines agree on best
        sizes = [measure(a) for a in cut]
        top = Counter(sizes).most_common(1)[0][0]
        near = sum(1 for n in sizes if abs(n - top) <= 2)
        if near >= 3 and near / len(sizes) > best[0]:
            best = (near / len(sizes), measure, top)
    share, measure, width = best
    return (measure, width) if share >= 0.6 else (len, 0)


def classify(blocks: list[Block]) -> None:
    """Mark debris, title, byline, metadata, captions and headings; what is left is paragraph text."""
    in_tail_menu = False
    # Bylines sit near the top or the bottom; a short line in between that mentions 记者 is text.
    edge = {id(b) for b in blocks[:10] + blocks[-12:]}

    def near_edge(block: Block) -> bool:
        return id(block) in edge

    for block in blocks:
        line = block.text
        if in_tail_menu and (len(line) <= 20 or _BULLET_RE.match(line)) and not line.endswith("。"):
            block.kind = "debris"
            continue
        in_tail_menu = False
        if line in _MENU_HEADERS or line.strip("【】[]") in _MENU_HEADERS:
            block.kind, in_tail_menu = "debris", True
        elif _ONLY_MARKS_RE.match(line) or _BREADCRUMB_RE.search(line) or _HOME_LINK_RE.match(line):
            block.kind = "debris"
        elif _META_RE.match(line) and len(line) <= 60:
            block.kind = "meta"
        elif len(line) <= 60 and _BYLINE_RE.search(line) and not line.endswith("。") and near_edge(block) and not _NOT_BYLINE_RE.search(line):
            block.kind = "byline"
    # The title: the first short line that is not a sentence, near the top.
    for block in [b for b in blocks if b.kind == "p"][:6]:
        if 4 <= len(block.text) <= 60 and not is_sentence(block.text) and not block.text.startswith("——"):
            block.kind = "title"
            break
    _mark_captions(blocks)
    for block in blocks:
        if block.kind == "p" and len(block.text) <= 40 and not is_sentence(block.text):
            block.kind = "heading"


def _mark_captions(blocks: list[Block]) -> None:
    """Captions: short non-sentences after a wider gap than paragraphs have (where the photo was)."""
    gaps = Counter(b.gap_before for b in blocks[1:] if b.kind == "p")
    usual = gaps.most_common(1)[0][0] if gaps else 1
    title_seen = False
    i = 0
    while i < len(blocks):
        block = blocks[i]
        title_seen = title_seen or block.kind == "title"
        if title_seen and block.kind == "p" and block.gap_before > usual and _caption_like(block.text):
            # Consecutive short lines without a gap belong to one caption (a name, then the person's posts).
            j = i + 1
            while j < len(blocks) and blocks[j].gap_before == 0 and blocks[j].kind == "p" and _caption_like(blocks[j].text) and len(blocks[j].text) <= 20:
                j += 1
            block.kind = "caption"
            if j > i + 1:
                block.lines = [" ".join(b.text for b in blocks[i:j])]
                del blocks[i + 1 : j]
        i += 1


def _caption_like(line: str) -> bool:
    return len(line) <= 80 and not line.endswith(tuple("，,、：:；;")) and not line.startswith("——")


def infer(text: str) -> Draft:
    """Read a decoded source and infer everything a page needs."""
    draft = Draft()
    blocks = split_blocks(text)
    classify(blocks)
    draft.blocks = blocks

    title = next((b for b in blocks if b.kind == "title"), None)
    draft.title = title.text if title else ""

    # Authors and publication, from byline and metadata lines, then from bylines closing a paragraph.
    authors: list[str] = []
    for block in blocks:
        line = block.text
        if block.kind == "byline":
            found, publication = names_in_byline(line)
            authors += found
            draft.publication = draft.publication or publication
        elif block.kind == "meta":
            for label, value in re.findall(r"(来源|稿源|作者|编辑|责任编辑|责编|记者|通讯员)\s*[:：]\s*(\S+(?:\s+[^\s:：]+(?=\s|$))*)", line):
                value = re.split(r"\s+\S+[:：]", value)[0].strip()
                if label in ("来源", "稿源"):
                    draft.publication = draft.publication or value
                elif label in ("编辑", "责任编辑", "责编"):
                    draft.editor = draft.editor or value.split()[0]
                else:
                    authors += names_in_byline(f"{label}:{value}")[0]
        elif block.kind == "p":
            m = _INLINE_BYLINE_RE.search(line)
            if m:
                authors += [n for run in re.findall(rf"[{_CJK}]+", m.group(1)) for n in split_names(run)]
            m = _TAIL_BYLINE_RE.search(line)
            if m:
                draft.publication = draft.publication or m.group(1).strip("·")
                authors += [n for run in re.findall(rf"[{_CJK}]+", m.group(2)) for n in split_names(run)]
    draft.authors = list(dict.fromkeys(authors))
    if not draft.publication:
        draft.publication = _site_in_breadcrumb(blocks)

    draft.date = _infer_date(blocks)
    draft.county = infer_county(text, draft.title)
    draft.body = _body(blocks, draft)

    if not draft.title:
        draft.todos.append("title: no headline line found near the top")
    if not draft.authors:
        draft.todos.append("author: no 记者 / 通讯员 / 作者 / □ byline found")
    if not draft.date:
        years = sorted({int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})\s*年", text)})
        draft.years = f"{years[0]}–{years[-1]}" if len(years) > 1 else f"{years[0]}" if years else ""
        hint = f" (the text mentions {draft.years})" if draft.years else ""
        draft.todos.append(f"date: no publication date found{hint}")
    if not draft.county:
        draft.todos.append("county: no 县/区/市/州 name stands out")
    return draft


def _site_in_breadcrumb(blocks: list[Block]) -> str:
    """The website a breadcrumb starts from (三湘综治网 > 平安湖南 > … → 三湘综治网)."""
    for block in blocks:
        if block.kind == "debris" and re.search(r"(>|»|›|＞)", block.text):
            first = re.split(r"\s*(?:>|»|›|＞)\s*", re.sub(r"^(当前位置|您的位置|你的位置|您现在的位置|所在位置)\s*[:：]?", "", block.text))[0].strip()
            if first and first not in ("首页", "主页", "网站首页") and len(first) <= 12:
                return first
    return ""


def _infer_date(blocks: list[Block]) -> str:
    """The publication date: a labelled date (发布时间), else a date on a byline/metadata line or on a line of its own."""
    candidates = [b.text for b in blocks if b.kind == "meta" and _DATE_LABEL_RE.search(b.text)]
    candidates += [b.text for b in blocks if b.kind in ("meta", "byline")]
    candidates += [b.text for b in blocks if len(b.text) <= 30 and any(p.fullmatch(b.text.strip()) or p.match(b.text.strip()) for p in _DATE_PATTERNS) and b.kind in ("p", "heading")]
    for line in candidates:
        for pattern in _DATE_PATTERNS:
            m = pattern.search(line)
            if m:
                parts = [int(g) for g in m.groups()]
                if not (1 <= parts[1] <= 12) or (len(parts) > 2 and not 1 <= parts[2] <= 31):
                    continue
                return "-".join([f"{parts[0]:04d}"] + [f"{p:02d}" for p in parts[1:]])
    return ""


# Words ending in 县/区/市/州 that are not places, by what comes before the suffix.
_NOT_PLACE_STEMS = {
    "全", "该", "本", "我", "各", "每", "此", "其", "外", "邻", "兄弟", "城", "市", "社", "片", "辖", "景", "园", "小", "山", "地",
    "新", "老", "城区", "示范", "开发", "集聚", "产业集聚", "试验", "试点", "先进", "平安", "模范", "三无", "贫困", "重点", "街",
    "湖", "灾", "库", "禁", "校", "服务", "功能", "保护", "风景", "工业", "经济", "高新", "旅游", "商", "营", "矿", "林", "牧",
    "农", "垦", "警", "防", "责任", "网格", "社会", "文明", "卫生", "园林", "法治", "百强", "强", "省", "县", "乡", "镇", "村",
    "城市", "都", "城乡", "边", "党", "亿", "万", "千", "百", "十", "两", "一", "二", "三", "四", "五", "六", "七", "八", "九",
    "多", "个", "门", "上", "下", "楼", "超", "夜", "早", "菜", "股", "黑", "误", "盲", "禁", "危", "病", "疫", "封", "管控",
    "风险", "高风险", "中风险", "低风险", "校区", "街区", "园区", "厂区", "矿区", "社区", "库区", "湖区", "山区", "牧区", "林区",
}
# Autonomous prefectures and counties are named by their short form in running text.
_AUTONOMOUS = {
    "湘西州": "湘西土家族苗族自治州", "恩施州": "恩施土家族苗族自治州", "黔东南州": "黔东南苗族侗族自治州",
    "黔南州": "黔南布依族苗族自治州", "黔西南州": "黔西南布依族苗族自治州", "延边州": "延边朝鲜族自治州",
    "凉山州": "凉山彝族自治州", "甘孜州": "甘孜藏族自治州", "阿坝州": "阿坝藏族羌族自治州", "楚雄州": "楚雄彝族自治州",
    "红河州": "红河哈尼族彝族自治州", "文山州": "文山壮族苗族自治州", "西双版纳州": "西双版纳傣族自治州",
    "大理州": "大理白族自治州", "德宏州": "德宏傣族景颇族自治州", "怒江州": "怒江傈僳族自治州", "迪庆州": "迪庆藏族自治州",
    "临夏州": "临夏回族自治州", "甘南州": "甘南藏族自治州", "海北州": "海北藏族自治州", "黄南州": "黄南藏族自治州",
    "海南州": "海南藏族自治州", "果洛州": "果洛藏族自治州", "玉树州": "玉树藏族自治州", "海西州": "海西蒙古族藏族自治州",
    "昌吉州": "昌吉回族自治州", "博州": "博尔塔拉蒙古自治州", "巴州": "巴音郭楞蒙古自治州", "克州": "克孜勒苏柯尔克孜自治州",
    "伊犁州": "伊犁哈萨克自治州",
}
_AUTONOMOUS_FULL_RE = re.compile(rf"[{_CJK}]{{2,4}}?(?:[{_CJK}]{{1,4}}?族)+自治[州县旗]")


def infer_county(text: str, title: str = "") -> str:
    """The most prominent county-level (or prefecture) name: 县/区/市/州 names counted, the title counting thrice."""
    counts: Counter[str] = Counter()
    for source, weight in ((text, 1), (title, 3)):
        for m in _AUTONOMOUS_FULL_RE.finditer(source):
            counts[m.group(0)] += weight
        occurrences: dict[str, int] = {}

        def count(word: str, source: str = source, occurrences: dict[str, int] = occurrences) -> int:
            if word not in occurrences:  # a long text has thousands of suffixes but few distinct stems
                occurrences[word] = source.count(word)
            return occurrences[word]

        for m in re.finditer(r"[县区市州]", source):
            name = _place_ending_at(source, m.start(), count)
            if name:
                counts[name] += weight
    if not counts:
        return ""
    # Full autonomous names win over their short forms.
    for short, full in _AUTONOMOUS.items():
        if short in counts:
            counts[full] += counts.pop(short)
    best, n = max(counts.items(), key=lambda kv: (kv[1], len(kv[0])))
    return _simplified(best) if n >= 2 else ""


def _place_ending_at(text: str, end: int, count: Callable[[str], int]) -> str:
    """The place name whose suffix is at text[end], or '' (left edge: where the preceding characters stop agreeing)."""
    start = end
    while start > 0 and end - start < 4 and re.match(rf"[{_CJK}]", text[start - 1]):
        start -= 1
    if start == end:
        return ""
    # Grow the stem leftwards one character at a time while every occurrence of the stem+suffix has that character.
    suffix = text[end]
    stem = text[end - 1 : end]
    while len(stem) < end - start:
        longer = text[end - len(stem) - 1] + stem
        if count(longer + suffix) * 3 < count(stem + suffix) * 2:
            break
        stem = longer
    if stem in _NOT_PLACE_STEMS or any(c in "县区市州省乡镇村" for c in stem):
        return ""
    if len(stem) == 1 and count(stem + suffix) < 3:
        return ""
    return stem + suffix


def _simplified(name: str) -> str:
    """County names in metadata are in simplified characters (郟县 → 郏县)."""
    try:
        from .tokenize import ts_map

        table = ts_map()
    except Exception as exc:  # the table is a build artefact of another stage; say so rather than guess
        print(f"note: traditional→simplified table unavailable ({exc}); county kept as {name}", file=sys.stderr)
        return name
    return "".join(table.get(ch, ch) for ch in name)


def _complete(paragraph: str) -> bool:
    """A paragraph that ends a sentence, or ends with its byline ((作者:…), 永州日报记者 吴林)."""
    if _INLINE_BYLINE_RE.search(paragraph) or _TAIL_BYLINE_RE.search(paragraph):
        return True
    return is_sentence(paragraph) and not paragraph.rstrip("”’」』）)\"'").endswith(tuple(_CLAUSE_END))


def _body(blocks: list[Block], draft: Draft) -> str:
    """The page body: paragraphs (split ones joined again), ## headings and ::: figure captions."""
    out: list[str] = []
    pending: str | None = None  # a paragraph that ended mid-sentence, waiting for its continuation
    pending_line = 0
    held: list[str] = []  # captions met while a paragraph waits: they follow it, not split it

    def flush() -> None:
        nonlocal pending, held
        out.append(md_escape(full_width(pending or "")))
        out.extend(held)
        pending, held = None, []

    for block in blocks:
        text = block.text
        if block.kind == "p":
            pending = text if pending is None else pending + text
            pending_line = block.first_line
            if _complete(pending):
                flush()
        elif block.kind == "heading":
            if pending is not None:
                draft.notes.append(f"line {pending_line}: the paragraph ends mid-sentence (before a heading): check the source")
                flush()
            out.append("## " + md_escape(full_width(text)))
        elif block.kind == "caption":
            figure = "::: figure\n" + md_escape(full_width(text)) + "\n:::"
            (held if pending is not None else out).append(figure)
    if pending is not None:
        draft.notes.append(f"line {pending_line}: the text ends mid-sentence: check the source")
        flush()
    return "\n\n".join(out) + "\n"


# ---------------------------------------------------------------- pages


def slug_for(county: str, date: str, fallback: str) -> str:
    """<year>-<pinyin of the county's short name>, e.g. 2017-pingjiang, 2017-jiaxian, 2018-xiangxi."""
    from pypinyin import lazy_pinyin

    year = date[:4] if date else "undated"
    short = county
    m = re.match(rf"^([{_CJK}]{{2,}}?)(?:[{_CJK}]{{1,4}}?族)+自治[州县旗]$", county)
    if m:
        short = m.group(1)
    elif len(county) > 2 and county[-1] in "县区市州旗":
        short = county[:-1]
    letters = "".join(lazy_pinyin(short)) if short else ""
    letters = re.sub(r"[^a-z0-9]", "", letters.lower()) or re.sub(r"[^\w-]", "-", fallback).strip("-").lower()
    return f"{year}-{letters}"


def render_page(draft: Draft, source_name: str) -> str:
    """The drafted page: front matter with TODO values where inference failed, then the body."""
    meta: dict[str, object] = {
        "title": draft.title or f"{TODO}: 标题",
        "county": draft.county or f"{TODO}: 县/区名称",
        "date": draft.date or f"{TODO}: YYYY、YYYY-MM 或 YYYY-MM-DD" + (f"（文中提到的年份：{draft.years}）" if draft.years else ""),
        "author": draft.authors or [f"{TODO}: 作者"],
    }
    if draft.editor:
        meta["editor"] = draft.editor
    if draft.publication:
        meta["publication"] = draft.publication
    meta["source_file"] = source_name
    meta["draft"] = True
    header = "# Drafted by `build.py import`: check every value and the body against the source, then delete 'draft: true'.\n"
    return "---\n" + header + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000) + "---\n\n" + draft.body


def _page_naming(reports: Path, source_name: str) -> Path | None:
    """The existing page whose source_file is this source, if any."""
    pattern = re.compile(rf"^source_file:\s*['\"]?{re.escape(source_name)}['\"]?\s*$", re.M)
    for page in sorted(reports.glob("*.md")):
        try:
            head = page.read_text("utf-8", errors="replace").split("\n---", 1)[0]
        except OSError:
            continue
        if pattern.search(head):
            return page
    return None


@dataclass
class Plan:
    """What importing one file will write."""

    source: Path
    data: bytes
    decoded: Decoded
    draft: Draft
    source_dest: Path
    page: Path
    unchanged: bool = False
    message: str = ""


def plan_import(path: Path, content_dir: Path, force: bool, taken: set[Path] | None = None) -> Plan:
    """Decide what to write for one file, raising ImportProblem for anything that must stop the import."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportProblem(path, 1, f"cannot read: {exc.strerror}") from None
    decoded = decode(data, path)
    draft = infer(decoded.text)
    sources, reports = content_dir / "sources", content_dir / "reports"
    source_dest = sources / path.name
    if source_dest.exists() and source_dest.read_bytes() != data:
        raise ImportProblem(path, 1, f"{display_path(source_dest)} already exists with different content: rename the file before importing it")
    if not source_dest.exists():
        # The same bytes kept under another name are the same source: reuse that name, do not add a copy.
        twin = next((f for f in sorted(sources.glob("*")) if f.is_file() and f.stat().st_size == len(data) and f.read_bytes() == data), None)
        if twin is not None:
            source_dest = twin
    existing = _page_naming(reports, source_dest.name) if source_dest.exists() else None
    if existing is not None:
        plan = Plan(path, data, decoded, draft, source_dest, existing)
        if not force:
            plan.unchanged = True
            plan.message = f"{display_path(existing)}: already drafted from {display_path(source_dest)}; unchanged (--force drafts it again)"
        return plan
    slug = slug_for(draft.county, draft.date, path.stem)
    page = reports / f"{slug}.md"
    n = 2
    taken = set() if taken is None else taken
    while page.exists() or page in taken:  # another report has this slug: never overwrite it, take the next free name
        page = reports / f"{slug}-{n}.md"
        n += 1
    taken.add(page)
    return Plan(path, data, decoded, draft, source_dest, page)


def run_import(files: list[Path], content_dir: Path, force: bool) -> int:
    """Import raw source files as draft pages; print what was inferred and what is left TODO. Exit status."""
    plans: list[Plan] = []
    failed = False
    taken: set[Path] = set()  # pages this run will write, so two new sources with one slug get two pages
    for path in files:
        try:
            plans.append(plan_import(path, content_dir, force, taken))
        except ImportProblem as problem:
            print(problem, file=sys.stderr)
            failed = True
    names = Counter(p.source_dest.name for p in plans)
    for name, n in names.items():
        if n > 1:
            print(f"{name}: given {n} times with one file name; import them one at a time under different names", file=sys.stderr)
            failed = True
    if failed:
        print("import failed: nothing written", file=sys.stderr)
        return 1
    for plan in plans:
        if plan.unchanged:
            print(plan.message)
            continue
        plan.source_dest.parent.mkdir(parents=True, exist_ok=True)
        plan.page.parent.mkdir(parents=True, exist_ok=True)
        if not plan.source_dest.exists():
            plan.source_dest.write_bytes(plan.data)
        plan.page.write_text(render_page(plan.draft, plan.source_dest.name), "utf-8")
        _report(plan)
    return 0


def _report(plan: Plan) -> None:
    """Tell the user what was inferred and what still needs a hand."""
    d = plan.draft
    kinds = Counter(b.kind for b in d.blocks)
    print(f"{display_path(plan.page)}: drafted from {display_path(plan.source_dest)} ({plan.decoded.encoding}, {plan.decoded.newline} line endings)")
    print(f"  title: {d.title or '-'} | county: {d.county or '-'} | date: {d.date or '-'} | author: {'、'.join(d.authors) or '-'}")
    print(f"  {kinds['heading']} heading(s), {kinds['caption']} caption(s), {kinds['debris']} debris line(s) removed")
    for todo in d.todos:
        print(f"  TODO {todo}")
    for note in d.notes:
        print(f"  check {note}")
