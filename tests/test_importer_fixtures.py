"""The importer on 21 sources written in the layouts of county news sites: the share of each field it gets right."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from archive.importer.run import read_source
from archive.importer.verify import page_text

FIXTURES = Path(__file__).parent / "fixtures" / "import"
SOURCES = sorted(p for p in FIXTURES.iterdir() if p.suffix != ".yml")
FIELDS = ("title", "county", "prefecture", "province", "author", "date")


def expected(source: Path) -> dict:
    """The metadata a careful editor reads off the source (the YAML beside it)."""
    return yaml.safe_load(source.with_suffix(".yml").read_text("utf-8"))


def inferred(source: Path) -> dict:
    """What the importer drafts from the source, field by field."""
    _, d = read_source(source, source.read_bytes())
    return {"title": d.title, "county": d.county, "prefecture": d.prefecture, "province": d.province,
            "author": list(d.authors), "date": d.date, "editor": d.editor, "publication": d.publication,
            "source_url": d.source_url, "date_note": d.date_note, "body": d.body}


def test_share_right_per_field() -> None:
    """Prints the figure the README quotes; every field must be right in at least 95 % of the sources."""
    assert len(SOURCES) >= 20 and {p.suffix for p in SOURCES} >= {".txt", ".html"}
    right = dict.fromkeys(FIELDS, 0)
    wrong = []
    for source in SOURCES:
        want, got = expected(source), inferred(source)
        for field in FIELDS:
            if got[field] == (str(want[field]) if field == "date" else want[field]):
                right[field] += 1
            else:
                wrong.append(f"{source.name}: {field} {got[field]!r}, expected {want[field]!r}")
    total = sum(right.values())
    print(f"\nimporter on {len(SOURCES)} fixture sources: " + ", ".join(
        f"{f} {right[f]}/{len(SOURCES)}" for f in FIELDS) + f"; all fields {total}/{len(SOURCES) * len(FIELDS)} "
        f"({100 * total / (len(SOURCES) * len(FIELDS)):.1f} %)")
    print("\n".join(wrong))
    assert all(right[f] >= 0.95 * len(SOURCES) for f in FIELDS), wrong


@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
def test_each_fixture(source: Path) -> None:
    """Editor, publication and canonical URL where the source names them; no chrome in the body."""
    want, got = expected(source), inferred(source)
    for key in ("editor", "publication", "source_url"):
        if key in want:
            assert got[key] == want[key], key
    if "date_note_has" in want:
        assert str(want["date_note_has"]) in got["date_note"]
    for phrase in want.get("body_has", []):
        assert phrase in got["body"]
    for phrase in want.get("body_not", []):
        assert phrase not in got["body"], phrase
    if "captions" in want:
        assert list(page_text(got["body"]).captions) == want["captions"]
    assert got["title"] not in got["body"]


def test_a_gb2312_page_with_heavy_chrome_gives_a_clean_body() -> None:
    got = inferred(FIXTURES / "h01-lushan-gb2312.html")
    paragraphs = [text for _, text in page_text(got["body"]).blocks]
    assert paragraphs == [
        "鲁山县山多路险，过去一到晚上，不少山村的道路漆黑一片，群众出行很不方便，也给不法分子留下了可乘之机。",
        "去年以来，鲁山县把“雪亮工程”建设延伸到偏远山区，在进村路口、学校周边和集市等重点部位新装高清摄像头1260个，并与县综治中心联网。",
        "“现在村里装上了摄像头，晚上出门心里踏实多了。”尧山镇一位村民说。",
        "据介绍，“雪亮工程”投入使用以来，鲁山县已借助视频监控破获各类案件87起，找回走失老人和儿童23人。",
    ]
    assert page_text(got["body"]).captions == ("尧山镇综治中心工作人员查看监控画面",)


def test_a_lead_with_only_month_and_day_gets_its_year_from_elsewhere_with_a_note() -> None:
    got = inferred(FIXTURES / "t02-dengzhou.txt")
    assert got["date"] == "2021-11-23" and "11月23日" in got["date_note"] and "2021" in got["date_note"]


def test_a_former_county_name_resolves_to_todays() -> None:
    _, d = read_source(FIXTURES / "t03-hengxian.txt", (FIXTURES / "t03-hengxian.txt").read_bytes())
    assert (d.county, d.prefecture, d.province) == ("横州市", "南宁市", "广西壮族自治区")
    assert any("横县" in note and "横州市" in note for note in d.notes)
