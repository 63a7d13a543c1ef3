"""The drafted page: front matter with visible TODO values where inference failed, then the body; and its file name."""
from __future__ import annotations

import re

import yaml

from ..content import TODO
from .draft import Draft
from .text import CJK


def slug_for(county: str, date: str, fallback: str) -> str:
    """<year>-<pinyin of the county's short name>, e.g. 2017-pingjiang, 2017-jiaxian, 2018-xiangxi."""
    from pypinyin import lazy_pinyin

    year = date[:4] if date else "undated"
    short = county
    m = re.match(rf"^([{CJK}]{{2,}}?)(?:[{CJK}]{{1,4}}?族)+自治[州县旗]$", county)
    if m:
        short = m.group(1)
    elif len(county) > 2 and county[-1] in "县区市州旗":
        short = county[:-1]
    letters = "".join(lazy_pinyin(short)) if short else ""
    letters = re.sub(r"[^a-z0-9]", "", letters.lower()) or re.sub(r"[^\w-]", "-", fallback).strip("-").lower()
    return f"{year}-{letters}"


def render_page(draft: Draft, source_name: str, retrieved: str = "") -> str:
    """The page text: front matter (TODO where unknown) and body."""
    hint = f"（文中提到的年份：{draft.years}）" if draft.years else ""
    meta: dict[str, object] = {
        "title": draft.title or f"{TODO}: 标题",
        "county": draft.county or f"{TODO}: 县/区名称",
    }
    if draft.county:
        meta["prefecture"] = draft.prefecture or f"{TODO}: 地级市（省直辖则删去此行）"
        meta["province"] = draft.province
    meta["date"] = draft.date or f"{TODO}: YYYY、YYYY-MM 或 YYYY-MM-DD{hint}"
    if draft.date_note:
        meta["date_note"] = draft.date_note
    meta["author"] = list(draft.authors) or [f"{TODO}: 作者"]
    for key, value in (("editor", draft.editor), ("publication", draft.publication), ("source_url", draft.source_url)):
        if value:
            meta[key] = value
    meta["source_file"] = source_name
    if retrieved:
        meta["retrieved"] = retrieved
    meta["draft"] = True
    header = ("# Drafted by `build.py import`: check every value and the body against the source, then delete "
              "'draft: true'.\n")
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return "---\n" + header + front + "---\n\n" + draft.body
