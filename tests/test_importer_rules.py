"""The importer's rules one at a time, on real Chinese lines: bylines, dates, titles and places."""
from __future__ import annotations

import pytest

from archive.gazetteer import infer_place
from archive.importer.byline import parse_byline
from archive.importer.dates import choose, dates_in, lead_month_day, url_date
from archive.importer.titles import could_be_title


@pytest.mark.parametrize(
    "line,authors,editor,publication",
    [
        ("2020-09-16 11:19:32 作者:王 璐 通讯员 张吉景 来源:", ["王璐", "张吉景"], "", ""),
        ("(通讯员 郭庆笔 张梁)", ["郭庆笔", "张梁"], "", ""),
        ("（记者丁需学通讯员李婉婷陈亚飞）", ["丁需学", "李婉婷", "陈亚飞"], "", ""),
        ("来源:开化新闻网   作者:唐文楷 江心洲 姜丽珍   编辑:王欣", ["唐文楷", "江心洲", "姜丽珍"], "王欣", "开化新闻网"),
        ("2014年07月03日 09:54  来源: 中国庆元网  作者: 放大 正常 缩小 打印", [], "", "中国庆元网"),
        ("株洲日报·掌上株洲讯记者/贺天鸿 通讯员/唐新春 刘如荣", ["贺天鸿", "唐新春", "刘如荣"], "", "株洲日报"),
        ("文/胡志文 耿兴徐 图/李明", ["胡志文", "耿兴徐"], "", ""),
        ("（记者 欧阳娜娜 通讯员 司马光明）", ["欧阳娜娜", "司马光明"], "", ""),
        ("发布时间：2018-12-05 14:04:53 责任编辑：陈义", [], "陈义", ""),
    ],
)
def test_bylines(line: str, authors: list[str], editor: str, publication: str) -> None:
    found = parse_byline(line)
    assert (list(found.authors), found.editor, found.publication) == (authors, editor, publication)


def test_an_ambiguous_run_of_names_stays_a_visible_todo() -> None:
    found = parse_byline("记者 王小明李四")
    assert found.authors == ()
    assert found.unsure and found.unsure[0].startswith("TODO: 王小明李四") and "王小明、李四" in found.unsure[0]


def test_dates() -> None:
    assert [f.iso() for f in dates_in("2020-09-16 11:19:32 作者:王璐", 1, "")] == ["2020-09-16"]
    assert [f.iso() for f in dates_in("2019/11/18", 1, "")] == ["2019-11-18"]
    assert [f.iso() for f in dates_in("《怀化政法》2019年12月", 1, "")] == ["2019-12"]
    assert url_date("http://a.cn/2022/03/16/content_1.html").iso() == "2022-03-16"  # type: ignore[union-attr]
    assert url_date("http://a.cn/news/201904/t20190402_556677.html").iso() == "2019-04-02"  # type: ignore[union-attr]
    assert lead_month_day("邓州网讯（记者丁需学）11月23日，记者从邓州市委政法委获悉") == (11, 23)
    date, note = choose([], (11, 23), [])
    assert date == "" and "11月23日" in note and "年份待查" in note
    reprint = dates_in("发布时间：2021-05-20 10:12", 0, "页首的发布时间") + dates_in("来源：湘潭日报 2021-05-18", 1, "署名行的日期")
    date, note = choose(reprint, None, [])
    assert date == "2021-05-20" and "2021-05-18" in note


@pytest.mark.parametrize("line", [
    "本文链接：https://www.dengzhou.example.cn/news/show-20211123.html", "分享到：", "当前位置：首页 > 新闻",
    "2019年3月29日 16:53", "常山新闻网", "首页 | 新闻 | 政务 | 服务", "（通讯员 郭庆笔 张梁）", "http://www.example.cn/a.html",
])
def test_never_a_title(line: str) -> None:
    assert not could_be_title(line)


def test_places_weighed_and_settled() -> None:
    assert infer_place([("邓州网讯 近日，邓州市公安局开展平安建设", 3.0)]).division.name == "邓州市"  # type: ignore[union-attr]
    settled = infer_place([("鼓楼区：网格员成了居民的“贴心人”", 5.0), ("徐州市鼓楼区把全区划分为836个基础网格", 3.0)])
    assert settled.division is not None and settled.division.prefecture == "徐州市"
    open_question = infer_place([("鼓楼区开展平安建设宣传", 5.0)])
    assert open_question.division is None and "鼓楼区" in open_question.note and "南京市" in open_question.note
    former = infer_place([("横县巡防队守护乡村夜晚", 5.0)])
    assert former.division is not None and former.division.name == "横州市" and "横县" in former.note
