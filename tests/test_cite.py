"""Citations: exact GB/T 7714-2015 strings for the five reports; catalog.bib, .ris and .csl.json parse back."""
from __future__ import annotations

import dataclasses
import json
import re

import bibtexparser
import pytest
import rispy
from conftest import ROOT

from archive import cite
from archive.config import Config, load_config
from archive.content import PartialDate, Report, load_content
from archive.errors import Problems

BASE = "https://example.org/archive/"
TITLE = "县域平安建设报道档案"

EXPECTED = {
    "2017-jiaxian": "卢拥军,李梁崇.着力实现“五新”转变 打造平安幸福郟县[Z].2017.",
    "2017-pingjiang": "唐颖,唐卉芳子.“六个一”创新社会管理 平江三年连续荣膺省级“平安县”[Z].2017.",
    "2018-lengshuitan": "吴林.全力打造“首善之区”——冷水滩区2017年政法工作纪实[N].永州日报,2018.",
    "2018-xiangxi": "向光旭,田智.构建“四大体系” 创建平安和谐湘西[EB/OL].三湘综治网,2018(2018-12-05).",
    "2021-yanling": "贺天鸿,唐新春,刘如荣.推进“五治”融合 夯实基层治理基石[N].株洲日报,2021.",
}

ARCHIVE_EXPECTED = {
    "2018-lengshuitan": "吴林.全力打造“首善之区”——冷水滩区2017年政法工作纪实[EB/OL].县域平安建设报道档案,2018."
                        "https://example.org/archive/reports/2018-lengshuitan.html.",
    "2018-xiangxi": "向光旭,田智.构建“四大体系” 创建平安和谐湘西[EB/OL].县域平安建设报道档案,2018(2018-12-05)[2026-01-02]."
                    "https://example.org/archive/reports/2018-xiangxi.html.",
}


@pytest.fixture(scope="module")
def reports() -> list[Report]:
    """The five real reports, loaded as the build loads them."""
    problems = Problems()
    content = load_content(load_config(ROOT / "config.yml", problems), ROOT / "content", problems)
    assert not problems.errors
    assert len(content.reports) == 5
    return content.reports


def _online(report: Report, url: str, retrieved: str | None) -> Report:
    """The report as if its front matter gave source_url and retrieved."""
    return dataclasses.replace(report, source_url=url, retrieved=PartialDate.parse(retrieved) if retrieved else None)


def test_gbt7714_of_the_five_reports(reports: list[Report]) -> None:
    assert {r.slug: cite.gbt7714(r) for r in reports} == EXPECTED


def test_document_type_from_publication_and_url(reports: list[Report]) -> None:
    by_slug = {r.slug: r for r in reports}
    assert cite.document_type(by_slug["2018-lengshuitan"]) == "N"
    assert cite.document_type(by_slug["2018-xiangxi"]) == "EB/OL"
    assert cite.document_type(by_slug["2017-jiaxian"]) == "Z"
    assert cite.document_type(_online(by_slug["2018-lengshuitan"], "http://x.cn/a", None)) == "N/OL"
    assert cite.document_type(_online(by_slug["2017-jiaxian"], "http://x.cn/a", None)) == "EB/OL"


def test_online_sources_carry_url_and_access_date_from_retrieved(reports: list[Report]) -> None:
    by_slug = {r.slug: r for r in reports}
    url = "http://www.sxzz.gov.cn/a?b=1&c=2"
    xiangxi = _online(by_slug["2018-xiangxi"], url, "2019-03-01")
    assert cite.gbt7714(xiangxi) == f"向光旭,田智.构建“四大体系” 创建平安和谐湘西[EB/OL].三湘综治网,2018(2018-12-05)[2019-03-01].{url}."
    lst = _online(by_slug["2018-lengshuitan"], "http://epaper.yzcity.com/1.html", "2018-02")
    assert cite.gbt7714(lst) == "吴林.全力打造“首善之区”——冷水滩区2017年政法工作纪实[N/OL].永州日报,2018[2018-02].http://epaper.yzcity.com/1.html."
    # No retrieved date: no access date is made up (the build must not depend on today's date).
    assert cite.gbt7714(_online(by_slug["2018-xiangxi"], url, None)).endswith(f"三湘综治网,2018(2018-12-05).{url}.")
    # A URL alone, without a publication: the (date) form of the issue.
    jiaxian = _online(by_slug["2017-jiaxian"], url, "2020-01-05")
    assert cite.gbt7714(jiaxian) == f"卢拥军,李梁崇.着力实现“五新”转变 打造平安幸福郟县[EB/OL].(2017)[2020-01-05].{url}."


def test_more_than_three_authors_become_three_and_deng(reports: list[Report]) -> None:
    assert cite.gbt_authors(["贺天鸿", "唐新春", "刘如荣"]) == "贺天鸿,唐新春,刘如荣"
    assert cite.gbt_authors(["甲", "乙", "丙", "丁", "戊"]) == "甲,乙,丙,等"
    yanling = next(r for r in reports if r.slug == "2021-yanling")
    four = dataclasses.replace(yanling, authors=[*yanling.authors, "李四"])
    assert cite.gbt7714(four) == "贺天鸿,唐新春,刘如荣,等.推进“五治”融合 夯实基层治理基石[N].株洲日报,2021."


def test_date_at_its_precision(reports: list[Report]) -> None:
    lst = next(r for r in reports if r.slug == "2018-lengshuitan")
    assert cite.gbt7714(dataclasses.replace(lst, date=PartialDate(2018, 3))).endswith("永州日报,2018-03.")
    assert cite.gbt7714(dataclasses.replace(lst, date=PartialDate(2018, 3, 9))).endswith("永州日报,2018-03-09.")


def test_reference_to_the_archive_copy(reports: list[Report]) -> None:
    by_slug = {r.slug: r for r in reports}
    lst = by_slug["2018-lengshuitan"]
    assert cite.archive_gbt7714(lst, cite.page_url(BASE, lst), TITLE) == ARCHIVE_EXPECTED["2018-lengshuitan"]
    xiangxi = by_slug["2018-xiangxi"]
    got = cite.archive_gbt7714(xiangxi, cite.page_url(BASE, xiangxi), TITLE, accessed=PartialDate(2026, 1, 2))
    assert got == ARCHIVE_EXPECTED["2018-xiangxi"]
    before, after = cite.archive_gbt7714_parts(xiangxi, cite.page_url(BASE, xiangxi), TITLE)
    assert before + "[2026-01-02]" + after == got


def test_catalog_bib_parses_with_one_entry_per_report(reports: list[Report]) -> None:
    data = cite.bibtex(reports)
    library = bibtexparser.parse_string(data.decode("utf-8"))
    assert not library.failed_blocks
    assert [e.key for e in library.entries] == [r.slug for r in reports]
    for entry, report in zip(library.entries, reports):
        assert entry.fields_dict["title"].value == report.title
        assert entry.fields_dict["author"].value.split(" and ") == report.authors
        assert entry.fields_dict["date"].value == report.date.iso()
    types = {e.key: e.entry_type for e in library.entries}
    assert types == {"2017-jiaxian": "misc", "2017-pingjiang": "misc", "2018-lengshuitan": "article",
                     "2018-xiangxi": "online", "2021-yanling": "article"}
    assert cite.bibtex(reports) == data  # deterministic


def test_bibtex_escapes_latex_specials(reports: list[Report]) -> None:
    odd = dataclasses.replace(reports[0], title="100% {覆盖} & a_b #1 $ ~^\\")
    odd = _online(odd, "http://x.cn/a_b%20c?d=1&e={f}", "2020-01-01")
    library = bibtexparser.parse_string(cite.bibtex([odd]).decode("utf-8"))
    assert not library.failed_blocks
    fields = library.entries[0].fields_dict
    assert fields["title"].value == r"100\% \{覆盖\} \& a\_b \#1 \$ \textasciitilde{}\textasciicircum{}\textbackslash{}"
    assert fields["url"].value == "http://x.cn/a_b%20c?d=1&e=%7Bf%7D"
    assert fields["urldate"].value == "2020-01-01"


RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  - (.*)$")


def _parse_ris(text: str) -> list[dict[str, list[str]]]:
    """A strict little RIS reader: every non-blank line is 'XX  - value'; TY opens a record and ER closes it."""
    records: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] | None = None
    for line in text.split("\r\n"):
        if not line:
            continue
        m = RIS_LINE.match(line)
        assert m, f"not a RIS line: {line!r}"
        tag, value = m.groups()
        if tag == "TY":
            assert current is None, "TY inside a record"
            current = {}
        assert current is not None, f"{tag} outside a record"
        if tag == "ER":
            records.append(current)
            current = None
        else:
            current.setdefault(tag, []).append(value)
    assert current is None, "record not closed by ER"
    return records


def test_catalog_ris_has_one_record_per_report(reports: list[Report]) -> None:
    text = cite.ris(reports, BASE, TITLE).decode("utf-8")
    records = _parse_ris(text)
    assert [r["ID"] for r in records] == [[r.slug] for r in reports]
    assert [r["TY"] for r in records] == [["GEN"], ["GEN"], ["NEWS"], ["ELEC"], ["NEWS"]]
    assert [r["AU"] for r in records] == [r.authors for r in reports]
    assert records[2]["T2"] == ["永州日报"] and records[2]["DA"] == ["2018///"]
    assert records[3]["DA"] == ["2018/12/05/"]
    # rispy, a maintained RIS reader, reads the same records.
    entries = rispy.loads(text)
    assert [e["title"] for e in entries] == [r.title for r in reports]
    assert [e["authors"] for e in entries] == [r.authors for r in reports]


def test_catalog_ris_access_date_and_url(reports: list[Report]) -> None:
    online = _online(reports[2], "http://x.cn/1", "2019-04-05")
    record = _parse_ris(cite.ris([online], BASE, TITLE).decode("utf-8"))[0]
    assert record["UR"] == ["http://x.cn/1"] and record["Y2"] == ["2019/04/05/"]


def test_catalog_csl_json(reports: list[Report]) -> None:
    items = json.loads(cite.csl_json(reports, BASE, TITLE))
    assert [i["id"] for i in items] == [r.slug for r in reports]
    by_id = {i["id"]: i for i in items}
    assert by_id["2018-lengshuitan"]["type"] == "article-newspaper"
    assert by_id["2018-lengshuitan"]["container-title"] == "永州日报"
    assert by_id["2018-xiangxi"]["type"] == "webpage"
    assert by_id["2018-xiangxi"]["issued"] == {"date-parts": [[2018, 12, 5]]}
    assert by_id["2021-yanling"]["issued"] == {"date-parts": [[2021]]}
    assert [a["literal"] for a in by_id["2021-yanling"]["author"]] == ["贺天鸿", "唐新春", "刘如荣"]
    assert by_id["2017-jiaxian"]["archive_location"] == BASE + "reports/2017-jiaxian.html"
    online = _online(reports[2], "http://x.cn/1", "2019-04")
    item = json.loads(cite.csl_json([online], BASE, TITLE))[0]
    assert item["URL"] == "http://x.cn/1" and item["accessed"] == {"date-parts": [[2019, 4]]}


def test_config_title_is_the_archive_title() -> None:
    assert Config().title == TITLE
