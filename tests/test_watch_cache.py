"""The watch mode's cache on its own: fingerprints of values and what a template observed."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import jinja2

from archive.content import PartialDate, Report
from archive.incremental import Cache, Fingerprints


def report(**changes) -> Report:
    base = Report(path=Path("content/reports/2017-pingjiang.md"), slug="2017-pingjiang", title="平江县扎实推进平安建设",
                  county="平江县", date=PartialDate(2017, 7), authors=["唐颖"], body="全县建成“雪亮工程”监控点位。",
                  body_line=9)
    return dataclasses.replace(base, **changes)


def test_equal_content_gives_equal_digests_and_any_change_a_new_one() -> None:
    a, b = report(), report()
    assert Fingerprints().of(a) == Fingerprints().of(b)
    assert Fingerprints().of([a, {"x": (a, 1)}]) == Fingerprints().of([b, {"x": (b, 1)}])
    for change in ({"body": "全县建成“雪亮工程”监控点位两千个。"}, {"title": "平江县平安建设纪实"},
                   {"date": PartialDate(2017, 8)}, {"authors": ["唐颖", "卢拥军"]}):
        assert Fingerprints().of(report(**change)) != Fingerprints().of(a), change
        # ... also when the report sits deep inside something else, beside objects digested by reference
        assert Fingerprints().of([{"r": report(**change)}, a]) != Fingerprints().of([{"r": a}, a]), change


def test_a_page_is_rendered_again_only_when_what_it_read_changed() -> None:
    env = jinja2.Environment(loader=jinja2.DictLoader({
        "item.html": "<h1>{{ report.title }}</h1><p>{{ others|length }}篇</p>",
        "list.html": "{% for r in reports %}<li>{{ r.title }}</li>{% endfor %}",
    }))
    cache = Cache()

    def build(reports: list[Report]) -> tuple[list[str], int]:
        cache.start(full=False)
        with cache.rendering():
            pages = [env.get_template("item.html").render(report=r, others=reports, url=r.slug) for r in reports]
            pages.append(env.get_template("list.html").render(reports=reports, url="list"))
        cache.finish()
        return pages, cache.stats.pages_rendered

    first = [report(), report(slug="2018-yanling", title="炎陵县综治中心实体化运行", county="炎陵县")]
    pages, rendered = build(first)
    assert rendered == 3 and pages[0] == "<h1>平江县扎实推进平安建设</h1><p>2篇</p>"
    # The body is on no page: nothing renders again (the list loops over reports but prints only titles).
    second = [report(body="全县新建监控点位。"), first[1]]
    pages, rendered = build(second)
    assert rendered == 0 and pages[0] == "<h1>平江县扎实推进平安建设</h1><p>2篇</p>"
    # A new title: its own page and the list.
    third = [report(title="平江县“雪亮工程”全覆盖"), first[1]]
    pages, rendered = build(third)
    assert rendered == 2 and pages[0] == "<h1>平江县“雪亮工程”全覆盖</h1><p>2篇</p>" and "“雪亮工程”全覆盖" in pages[2]
    # One report more: every page that counts them.
    fourth = [*third, report(slug="2019-jiaxian", title="郏县矛盾纠纷多元化解", county="郏县")]
    pages, rendered = build(fourth)
    assert rendered == 4 and pages[1].endswith("<p>3篇</p>")


def test_cached_reuses_a_result_only_while_its_inputs_are_the_same() -> None:
    from archive.incremental import cached

    calls: list[str] = []

    def tokens(text: str) -> list[str]:
        calls.append(text)
        return list(text)

    assert cached("tokens", "平安", lambda: tokens("平安")) == ["平", "安"]  # no build running: computed
    cache = Cache()
    for _ in range(2):
        cache.start(full=False)
        with cache.active():
            assert cached("tokens", report(), lambda: tokens("综治")) == ["综", "治"]
        cache.finish()
    cache.start(full=False)
    with cache.active():
        cached("tokens", report(body="新的正文。"), lambda: tokens("政法"))
    assert calls == ["平安", "综治", "政法"]


def test_loops_and_membership_observe_exactly_what_they_read() -> None:
    env = jinja2.Environment(loader=jinja2.DictLoader({
        "marked.html": "{% for r in reports if r.slug in marks %}{{ r.title }};{% endfor %}",
        "bodies.html": "{% for r in reports %}{{ r.body }}{% endfor %}",
    }))
    cache = Cache()

    def render(name: str, reports: list[Report], marks: dict) -> tuple[str, int]:
        cache.start(full=False)
        with cache.rendering():
            text = env.get_template(name).render(reports=reports, marks=marks, url=name)
        cache.finish()
        return text, cache.stats.pages_rendered

    a, b = report(), report(slug="2018-yanling", title="炎陵县综治中心实体化运行")
    assert render("marked.html", [a, b], {"2017-pingjiang": 1}) == ("平江县扎实推进平安建设;", 1)
    assert render("marked.html", [a, b], {"2017-pingjiang": 2}) == ("平江县扎实推进平安建设;", 0)  # a value it never read
    assert render("marked.html", [a, b], {"2017-pingjiang": 2, "2018-yanling": 1}) == (
        "平江县扎实推进平安建设;炎陵县综治中心实体化运行;", 1)  # a key it asked about
    assert render("bodies.html", [a, b], {})[1] == 1
    assert render("bodies.html", [report(body="新的正文。"), b], {}) == ("新的正文。全县建成“雪亮工程”监控点位。", 1)


def test_an_unchanged_object_stays_the_same_object_and_pages_check_only_what_changed() -> None:
    from archive.incremental import derived, stable

    env = jinja2.Environment(loader=jinja2.DictLoader({
        "list.html": "{% for r in reports %}<li>{{ r.title }}（{{ r.county }}）</li>{% endfor %}",
    }))
    cache = Cache()
    passages: list[str] = []

    def build(reports: list[Report]) -> tuple[list[Report], list, str]:
        cache.start(full=False)
        with cache.active(), cache.rendering():
            kept = [stable(("report", r.path), r) for r in reports]
            found = [derived(("passages", r.path), (r,), lambda r=r: passages.append(r.slug) or [r.body[:4]]) for r in kept]
            page = env.get_template("list.html").render(reports=kept, url="list")
        cache.finish()
        return kept, found, page

    first = [report(), report(path=Path("content/reports/2018-yanling.md"), slug="2018-yanling",
                             title="炎陵县综治中心实体化运行", county="炎陵县", body="综治中心实体化运行。")]
    kept, found, page = build(first)
    assert passages == ["2017-pingjiang", "2018-yanling"]
    # The same content read again (new objects): the very objects of the last build, nothing derived again.
    again = [dataclasses.replace(r) for r in first]
    kept2, found2, page2 = build(again)
    assert all(a is b for a, b in zip(kept2, kept)) and all(a is b for a, b in zip(found2, found))
    assert passages == ["2017-pingjiang", "2018-yanling"] and cache.stats.pages_reused == 1
    # One body changed: only that report is a new object, and is derived again; the list does not show
    # bodies, so its page is reused after looking at the one new item only.
    changed = [report(body="全县建成“雪亮工程”监控点位两千个。"), dataclasses.replace(first[1])]
    kept3, found3, page3 = build(changed)
    assert kept3[0] is not kept[0] and kept3[1] is kept[1] and found3[1] is found[1]
    assert passages == ["2017-pingjiang", "2018-yanling", "2017-pingjiang"] and found3[0] == ["全县建成"]
    assert cache.stats.pages_reused == 1 and page3 == page
    # A county moves: the page shows counties, so it is rendered again.
    kept4, _, page4 = build([report(body="全县建成“雪亮工程”监控点位两千个。", county="湘阴县"), first[1]])
    assert cache.stats.pages_rendered == 1 and "平江县扎实推进平安建设（湘阴县）" in page4
    # A value that equals the last one but has another type is a change (True is not 1).
    assert build([report(draft=True), first[1]])[0][0] is not build([report(draft=1), first[1]])[0][0]
