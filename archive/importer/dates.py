"""Publication dates: labelled lines (发布时间), header timestamps, a page's URL, and a lead's month and day."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_FULL = [
    re.compile(r"(?<!\d)(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
]
_MONTH = re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d)")
LABEL_RE = re.compile(r"(发布时间|发表时间|发布日期|编辑日期|更新时间|时间|日期)\s*[:：]")
# A lead that gives only the month and day: "11月23日，", "邓州网讯（…）11月23日上午".
_LEAD_RE = re.compile(r"^(?:[^，。,]{0,40}?[讯）)】]\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_URL_PATTERNS = [
    re.compile(r"/((?:19|20)\d{2})[/-](\d{2})[/-]?(\d{2})/"),  # /2022/03/16/, /2024-09/13/, /2019/0402/
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_"),  # /201309/t20130916_294711.html
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),  # /20220316/
]


@dataclass(frozen=True)
class Found:
    """One date the source gives, how sure it is to be the publication date (lower is surer) and where it is."""

    year: int
    month: int | None
    day: int | None
    rank: int  # 0 labelled 发布时间, 1 header or page metadata, 2 URL, 3 a date line of its own
    where: str

    def iso(self) -> str:
        """YYYY, YYYY-MM or YYYY-MM-DD."""
        parts = [f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p]
        return "-".join(parts)


def _valid(year: int, month: int | None, day: int | None) -> bool:
    """A real calendar date within the archive's span."""
    if not 1949 <= year <= dt.date.today().year + 1 or (month is not None and not 1 <= month <= 12):
        return False
    if day is None:
        return True
    try:
        dt.date(year, month or 1, day)
    except ValueError:
        return False
    return True


def dates_in(line: str, rank: int, where: str) -> list[Found]:
    """Every full date (or year and month) a line gives."""
    out: list[Found] = []
    for pattern in _FULL:
        for m in pattern.finditer(line):
            y, mo, d = (int(g) for g in m.groups())
            if _valid(y, mo, d):
                out.append(Found(y, mo, d, rank, where))
    if not out:
        for m in _MONTH.finditer(line):
            y, mo = int(m.group(1)), int(m.group(2))
            if _valid(y, mo, None):
                out.append(Found(y, mo, None, rank, where))
    return out


def url_date(url: str) -> Found | None:
    """The date a page's own URL path gives (/2022/03/16/, /t20130916_…), if any."""
    for pattern in _URL_PATTERNS:
        m = pattern.search(url)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            if _valid(y, mo, d):
                return Found(y, mo, d, 2, "网页地址")
    return None


def lead_month_day(lead: str) -> tuple[int, int] | None:
    """The month and day a lead opens with (11月23日), if it gives no year."""
    m = _LEAD_RE.match(lead.strip())
    if not m:
        return None
    month, day = int(m.group(1)), int(m.group(2))
    return (month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None


def choose(found: list[Found], lead: tuple[int, int] | None, years: list[int]) -> tuple[str, str]:
    """The publication date and a date_note saying how it was inferred and naming any other dates the source gives."""
    if not found:
        return _from_lead(lead, years)
    best = min(found, key=lambda f: (f.rank, -(f.day is not None), -(f.month is not None)))
    notes = []
    others = sorted({f.iso() for f in found if f.iso() != best.iso() and not best.iso().startswith(f.iso())})
    if others:
        notes.append(f"取{best.where}的{best.iso()}为发布日期；原文另有{'、'.join(others)}（可能是原发或转载日期）")
    if best.day is None and lead and (best.month in (None, lead[0])) and _valid(best.year, lead[0], lead[1]):
        notes.append(f"导语只写“{lead[0]}月{lead[1]}日”，年份据{best.where}定为{best.year}年")
        return f"{best.year:04d}-{lead[0]:02d}-{lead[1]:02d}", "；".join(notes)
    if best.rank >= 2:
        notes.append(f"日期据{best.where}推定")
    return best.iso(), "；".join(notes)


def _from_lead(lead: tuple[int, int] | None, years: list[int]) -> tuple[str, str]:
    """A date from the lead's month and day, the year from the one year the text names; else nothing, with a note."""
    if not lead:
        return "", ""
    said = f"导语只写“{lead[0]}月{lead[1]}日”"
    if len(set(years)) == 1 and _valid(years[0], lead[0], lead[1]):
        return f"{years[0]:04d}-{lead[0]:02d}-{lead[1]:02d}", f"{said}，年份据文中所提的{years[0]}年推定"
    return "", f"{said}，未写年份；年份待查"
