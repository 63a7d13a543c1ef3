"""Bylines: who wrote a report (记者, 通讯员, 作者, 文), who edited it (编辑, 责任编辑) and where it ran (来源, …讯)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .text import CJK

# The most common single-character surnames (about 90 % of people) and the compound ones still in use.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭"
    "陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安"
    "齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳"
    "管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟"
    "邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟"
    "冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿"
    "薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智"
    "幸奉植衡富尧闭由"
)
COMPOUND_SURNAMES = {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文", "司徒",
                     "夏侯", "端木", "澹台", "南宫", "西门", "轩辕", "呼延", "万俟", "申屠", "太史", "独孤"}
# The roles a byline may name, longest first; 文/图/摄 count only with a mark after them (胡志文 is a name).
_ROLE = (r"(本报记者|特约记者|见习记者|实习记者|融媒记者|记者|特约通讯员|通讯员|实习生|作者|撰稿|撰文|责任编辑|责编|编辑|"
         r"审核|校对|来源|稿源|摄影|摄像|供图)\s*[/／:：]?|(文|图|摄)\s*[/／:：]|(□)")
ROLE_RE = re.compile(_ROLE)
_AUTHOR_ROLES = {"本报记者", "特约记者", "见习记者", "实习记者", "融媒记者", "记者", "特约通讯员", "通讯员", "实习生", "作者",
                 "撰稿", "撰文", "文", "□"}
_EDITOR_ROLES = {"责任编辑", "责编", "编辑"}
_SOURCE_ROLES = {"来源", "稿源"}
# Words that follow a role on a page but are no names: the page's font-size buttons, 报道, 摄.
_NOT_NAMES = {"放大", "缩小", "正常", "打印", "关闭", "字号", "大", "中", "小", "默认", "分享", "收藏", "报道", "摄", "摄影",
              "整理", "供图", "本报", "校对", "发布", "时间", "日期", "点击", "浏览", "次数", "阅读", "无", "佚名", "本网"}


@dataclass(frozen=True)
class Byline:
    """What a byline says: authors in order, the editor, the publication, and names it could not split."""

    authors: tuple[str, ...] = ()
    editor: str = ""
    publication: str = ""
    unsure: tuple[str, ...] = ()  # TODO values for runs of names with more than one split


def _starts_with_surname(text: str) -> int:
    """Length of the surname a text starts with (2 for 欧阳), or 0."""
    if text[:2] in COMPOUND_SURNAMES:
        return 2
    return 1 if text[:1] in SURNAMES else 0


def _is_name(part: str) -> bool:
    """A plausible full name: a surname and a given name of one or two characters."""
    surname = _starts_with_surname(part)
    return bool(surname) and 1 <= len(part) - surname <= 2


def splits(run: str) -> list[list[str]]:
    """Every way a run of names written together divides into plausible names (李婉婷陈亚飞 → [[李婉婷, 陈亚飞]])."""
    if not run:
        return [[]]
    out: list[list[str]] = []
    for size in (2, 3, 4):
        head = run[:size]
        if len(head) == size and _is_name(head):
            out += [[head, *rest] for rest in splits(run[size:])]
    return out


def split_run(run: str) -> tuple[list[str], str]:
    """Names in a run of CJK characters, and a TODO text when the split is ambiguous (never a silent guess)."""
    if len(run) <= 3 or (len(run) == 4 and not (run[2] in SURNAMES and _is_name(run[:2]) and _is_name(run[2:]))):
        return [run], ""
    found = splits(run)
    if len(found) == 1:
        return found[0], ""
    options = " 或 ".join("、".join(f) for f in found[:3]) or "无法按姓氏分开"
    return [], f"TODO: {run}（几个名字连写，分法不确定：{options}）"


def _tokens(value: str) -> list[str]:
    """The names in the text after one role: spaced names joined (王 璐 → 王璐), runs split."""
    value = re.sub(r"[（(][^）)]*[）)]", " ", value)  # (实习生) and the like
    raw = [t for t in re.split(r"[\s、，,;；/／|]+", value) if t]
    tokens: list[str] = []
    for token in raw:
        if not re.fullmatch(rf"[{CJK}·]+", token):
            break  # a date, a URL or a button: the names are over
        if tokens and len(tokens[-1]) == 1 and len(tokens[-1] + token) <= 3:
            tokens[-1] += token  # a surname written apart from the given name
        else:
            tokens.append(token)
    return tokens


def names_after_role(value: str) -> tuple[list[str], list[str]]:
    """Names a role introduces, and TODO texts for runs that could not be split."""
    names: list[str] = []
    unsure: list[str] = []
    for token in _tokens(value):
        token = token.removesuffix("摄影").removesuffix("报道")
        if token in _NOT_NAMES or not token:
            break
        found, todo = split_run(token)
        names += found
        unsure += [todo] if todo else []
    return names, unsure


def parse_byline(text: str) -> Byline:
    """Authors, editor and publication named in a byline or metadata line (any width of punctuation)."""
    text = text.strip().strip("()（）【】[]")
    pieces = ROLE_RE.split(text)
    # re.split with three groups: [before, g1, g2, g3, after, g1, g2, g3, after, ...]
    before = pieces[0].strip(" ·：:　")
    authors: list[str] = []
    unsure: list[str] = []
    editor = publication = ""
    if re.fullmatch(rf"[{CJK}·•]{{2,24}}", before) and not before.startswith(("本报", "来源")):
        publication = re.split(r"[·•]", before)[0].strip().removesuffix("讯").removesuffix("网讯")
    for i in range(1, len(pieces) - 3, 4):
        role = next(g for g in pieces[i : i + 3] if g)
        value = pieces[i + 3]
        if role in _AUTHOR_ROLES:
            names, todo = names_after_role(value)
            authors += names
            unsure += todo
        elif role in _EDITOR_ROLES:
            editor = editor or next(iter(names_after_role(value)[0]), "")
        elif role in _SOURCE_ROLES:
            publication = publication or re.split(r"\s{1,}(?=\S+[:：])|\s{2,}", value.strip())[0].strip()
    return Byline(tuple(dict.fromkeys(authors)), editor, publication, tuple(unsure))
