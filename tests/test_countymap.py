"""The county map: points where they belong (north up, west left), escaped, accessible, the same bytes every build."""
from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT

from archive.countymap import MapPoint, county_map, frame, radius

SVG = "{http://www.w3.org/2000/svg}"

# Until the gazetteer lands, the test gives the coordinates (county seats, WGS84, rounded).
POINTS = [
    MapPoint("郏县", "../counties/%E9%83%8F%E5%8E%BF.html", 113.22, 33.97, 1, False, "河南省"),
    MapPoint("平江县", "../counties/%E5%B9%B3%E6%B1%9F%E5%8E%BF.html", 113.58, 28.70, 1, True, "湖南省"),
    MapPoint("冷水滩区", "../counties/%E5%86%B7%E6%B0%B4%E6%BB%A9%E5%8C%BA.html", 111.59, 26.46, 1, False, "湖南省"),
    MapPoint("湘西土家族苗族自治州", "../counties/x.html", 109.74, 28.31, 3, True, "湖南省"),
    MapPoint("炎陵县", "../counties/%E7%82%8E%E9%99%B5%E5%8E%BF.html", 113.77, 26.49, 1, False, "湖南省"),
]


def _centres(svg: str) -> dict[str, tuple[float, float, float]]:
    """Each county's circle (cx, cy, r), by the label text of its link."""
    root = ET.fromstring(svg)
    out = {}
    for a in root.iter(f"{SVG}a"):
        circle, text = a.find(f"{SVG}circle"), a.find(f"{SVG}text")
        assert circle is not None and text is not None and text.text
        out[text.text] = (float(circle.get("cx", "")), float(circle.get("cy", "")), float(circle.get("r", "")))
    return out


def test_points_north_up_and_west_left() -> None:
    at = _centres(str(county_map(POINTS, "报道所在县区")))
    hunan = ["平江县", "冷水滩区", "湘西土家族苗族自治州", "炎陵县"]
    assert all(at["郏县"][1] < at[name][1] for name in hunan)  # Henan is north of every Hunan county
    assert at["湘西土家族苗族自治州"][0] < at["炎陵县"][0]  # 湘西 is west of 炎陵
    assert at["冷水滩区"][0] < at["炎陵县"][0] and at["冷水滩区"][1] > at["平江县"][1]


def test_circle_size_by_report_count() -> None:
    at = _centres(str(county_map(POINTS, "t")))
    assert at["湘西土家族苗族自治州"][2] > at["郏县"][2]
    assert radius(1) < radius(3) < radius(100) == radius(1000)


def test_scale_bar_matches_the_projection() -> None:
    svg = str(county_map(POINTS, "t"))
    root = ET.fromstring(svg)
    bar = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "map-scale")
    km = int((bar.findtext(f"{SVG}text") or "").split()[0])
    length = float((bar.find(f"{SVG}path").get("d") or "").split("h")[1].split("v")[0])  # type: ignore[union-attr]
    at = _centres(svg)
    # 郏县 to 平江县 is about 588 km (haversine); the map's distance, by the bar's scale, must agree within 2 %.
    lat1, lat2, dlon = math.radians(33.97), math.radians(28.70), math.radians(113.58 - 113.22)
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    true_km = 2 * 6371.0088 * math.asin(math.sqrt(h))
    (x1, y1, _), (x2, y2, _) = at["郏县"], at["平江县"]
    assert math.hypot(x2 - x1, y2 - y1) / length * km == pytest.approx(true_km, rel=0.02)


def test_links_titles_and_aria() -> None:
    svg = str(county_map(POINTS, "报道所在县区", id_prefix="m1"))
    root = ET.fromstring(svg)
    assert root.get("viewBox", "").startswith("0 0 480.0 ") and root.get("width") == "100%"
    assert root.get("role") == "group" and root.get("aria-labelledby") == "m1-title"
    assert root.findtext(f"{SVG}title") == "报道所在县区"
    assert "郏县（1）" in (root.findtext(f"{SVG}desc") or "")
    links = list(root.iter(f"{SVG}a"))
    assert [a.get("href") for a in links if a.get("aria-label", "").startswith("郏县")] == [POINTS[0].url]
    assert all(a.get("aria-label") and a.findtext(f"{SVG}title") == a.get("aria-label") for a in links)
    provinces = sorted(t.text or "" for t in root.iter(f"{SVG}text") if t.get("class") == "map-province")
    assert provinces == ["河南省", "湖南省"]
    on = sorted(a.findtext(f"{SVG}text") or "" for a in links if "map-on" in (a.get("class") or ""))
    assert on == ["平江县", "湘西土家族苗族自治州"]


def test_everything_escaped() -> None:
    evil = MapPoint('<b>"县"&</b>', 'x.html?a=1&b="2"', 112.0, 27.0, 2, False, "<省>")
    svg = str(county_map([evil], '标题 <script>alert(1)</script> & "q"'))
    root = ET.fromstring(svg)  # well-formed XML: every text and attribute escaped
    assert "<script>" not in svg and "<b>" not in svg
    assert root.findtext(f"{SVG}title") == '标题 <script>alert(1)</script> & "q"'
    a = next(root.iter(f"{SVG}a"))
    assert a.get("href") == 'x.html?a=1&b="2"' and a.findtext(f"{SVG}text") == '<b>"县"&</b>'


def test_deterministic_and_order_free() -> None:
    one = county_map(POINTS, "t")
    assert county_map(list(reversed(POINTS)), "t") == one
    assert county_map([], "t") == ""


def test_one_county_still_framed() -> None:
    f = frame(POINTS[:1])
    assert f.height > 200 and f.scale > 0
    x, y = f.project(POINTS[0].lon, POINTS[0].lat)
    assert 0 < x < 480 and 0 < y < f.height


AXE = Path(os.environ.get("AXE_JS", ROOT / "node_modules" / "axe-core" / "axe.min.js"))


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_in_chromium(browser, tmp_path: Path, width: int) -> None:  # type: ignore[no-untyped-def]
    """Rendered by Chromium: Henan above Hunan, 湘西 left of 炎陵, labels on screen, and (with axe-core) no serious violation."""
    page_file = tmp_path / "map.html"
    svg = county_map(POINTS, "报道所在县区")
    page_file.write_text('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
                         '<meta name="viewport" content="width=device-width"><title>地图</title></head>'
                         f'<body><main><h1>地图</h1><figure style="margin:0">{svg}</figure></main></body></html>', "utf-8")
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(page_file.as_uri())
        boxes = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('svg a')].map(a => {
            const c = a.querySelector('circle').getBoundingClientRect();
            return [a.querySelector('text').textContent, [c.x + c.width / 2, c.y + c.height / 2, c.width]]; }))""")
        assert all(boxes["郏县"][1] < boxes[n][1] for n in ("平江县", "冷水滩区", "湘西土家族苗族自治州", "炎陵县"))
        assert boxes["湘西土家族苗族自治州"][0] < boxes["炎陵县"][0]
        svg_width = page.evaluate("document.querySelector('svg').getBoundingClientRect().width")
        assert svg_width <= width
        label_px = page.evaluate("document.querySelector('svg a text').getBoundingClientRect().height")
        assert label_px >= 11  # readable on a 390 px phone
        artifacts = ROOT / "tests" / "artifacts"
        artifacts.mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / f"countymap-{width}.png"), full_page=True)
        if not AXE.is_file():
            pytest.skip(f"axe-core not found at {AXE}: positions checked, accessibility not")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        bad = [(v["id"], v["impact"]) for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert bad == []
    finally:
        page.close()


def test_a_crowded_map_hides_labels_rather_than_overlap_them_and_names_the_highlighted_first() -> None:
    crowd = [MapPoint(f"县{i:02d}", f"c{i}.html", 120.0 + (i % 5) * 0.05, 30.0 + (i // 5) * 0.05, 20, i == 17, "浙江省")
             for i in range(25)]
    root = ET.fromstring(str(county_map(crowd, "t")))
    texts = {t.text: t for t in root.iter(f"{SVG}text") if (t.text or "").startswith("县")}
    hidden = {name for name, t in texts.items() if t.get("class") == "map-crowded"}
    assert len(texts) == 25 and hidden and "县17" not in hidden
    assert ".map-crowded{display:none}" in (root.findtext(f"{SVG}style") or "")
