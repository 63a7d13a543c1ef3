"""The search index on the real reports: equal to lunr.py's, sharded without changing a score, ranked as
lunr ranks (golden rankings, lunr.js itself as the reference), and the browser engine (run by node)
finding exactly what a substring scan of the folded text finds."""
from __future__ import annotations

import json
import pickle
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from search_reference import lunr_json, reference_index
from test_tokenize import MIXED

from archive import search
from archive.build import BuildOptions, analyse, load
from archive.errors import Problems
from archive.output import write_tree
from archive.process import process_report
from archive.programmes import Matcher
from archive.search import shards as shard_files
from archive.tokenize import (
    HAN,
    TRANSPARENT,
    char_class,
    fold,
    tokenize,
    tokenize_reference,
)

HARNESS = ROOT / "tests" / "js" / "search_harness.js"
GOLDEN = ROOT / "tests" / "search_golden.json"


# ---------------------------------------------------------------- shared with test_search_browser.py


def real_site():
    """The repository's content, loaded and analysed as the build does."""
    problems = Problems()
    content = load(BuildOptions(content_dir=ROOT / "content", config_file=ROOT / "config.yml"), problems)
    problems.raise_if_errors()
    return analyse(content, problems)[0]


def canon(text: str) -> str:
    """Folded text with quotation marks and middle dots between two Han characters removed."""
    chars = fold(text)
    out = []
    i = 0
    while i < len(chars):
        if char_class(chars[i]) == TRANSPARENT and out and char_class(out[-1]) == HAN:
            j = i
            while j < len(chars) and char_class(chars[j]) == TRANSPARENT:
                j += 1
            if j < len(chars) and char_class(chars[j]) == HAN:
                i = j
                continue
        out.append(chars[i])
        i += 1
    return "".join(out)


_CANON: dict[str, str] = {}


def _canon_cached(text: str) -> str:
    if text not in _CANON:
        _CANON[text] = canon(text)
    return _CANON[text]


def containing(docs: list[search.SearchDoc], phrase: str) -> set[str]:
    """Pages whose own text (title, body, county, authors) contains the phrase.

    The programme-names field ranks results but never makes a page match: a report that names
    网格化管理 only as 网格员 is not a hit for 网格化管理."""
    # a quotation mark at either end of what was typed separates nothing from nothing: “五治”融合
    # is found in 推进“五治”融合, so the needle drops it
    needle = canon(phrase)
    while needle and char_class(needle[0]) == TRANSPARENT:
        needle = needle[1:]
    while needle and char_class(needle[-1]) == TRANSPARENT:
        needle = needle[:-1]
    return {d.ref for d in docs if any(needle in _canon_cached(d.field_text(name)) for name, _ in search.FIELDS if name != "programme")}


def programme_names(site) -> list[str]:
    """Every programme name and alias of the registry."""
    return sorted({n for p in site.programmes for n in [p.name, *p.aliases]})


def scattered_phrases(docs: list[search.SearchDoc], limit: int = 40) -> list[tuple[str, str]]:
    """(phrase, ref): three Han characters whose two bigrams both occur in the report, never together."""
    out = []
    for doc in docs:
        text = canon(doc.body)
        bigrams = sorted({t.term for t in tokenize(doc.body) if t.kind == "b"})
        by_first: dict[str, list[str]] = {}
        for b in bigrams:
            by_first.setdefault(b[0], []).append(b)
        found = 0
        for ab in bigrams:
            for bc in by_first.get(ab[1], []):
                phrase = ab + bc[1]
                if all(phrase not in canon(doc.field_text(n)) for n, _ in search.FIELDS):
                    out.append((phrase, doc.ref))
                    found += 1
                    break
            if found >= limit // len(docs):
                break
        assert text
    return out


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def site():
    return real_site()


@pytest.fixture(scope="module")
def docs(site):
    return search.documents(site)


class Harness:
    """The browser's search.js run by node over a built site; one process answers many requests."""

    def __init__(self, site_dir: Path):
        node = shutil.which("node")
        assert node, "node is needed (scripts/setup.sh installs it)"
        self.proc = subprocess.Popen([node, str(HARNESS), str(site_dir)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, encoding="utf-8")

    def ask(self, request: dict):
        self.proc.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        assert not (isinstance(answer, dict) and "error" in answer), answer.get("error")
        return answer

    def refs(self, q: str) -> list[str]:
        return self.ask({"q": q})["refs"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def index_of(docs: list[search.SearchDoc]) -> search.Index:
    """The index of the documents, tokenized here."""
    return search.build_index([search.doc_terms(d) for d in docs])


def write_index(site, docs, out: Path, shards: int | None, shard_bytes: int = search.SHARD_BYTES) -> Path:
    """The index files alone (manifest, shards, snippets) in a folder, for the node harness."""
    files = search.index_files(site, docs, index_of(docs), shards=shards, shard_bytes=shard_bytes)
    out.mkdir(parents=True, exist_ok=True)
    write_tree(files, out)
    return out


@pytest.fixture(scope="module")
def harness(built_site):
    h = Harness(built_site)
    yield h
    h.close()


# ---------------------------------------------------------------- the index


def as_comparable(index: dict) -> dict:
    """A lunr JSON index with its lists of pairs as dicts (their order carries no meaning)."""
    index = json.loads(json.dumps(index))
    return {**index, "fieldVectors": dict(index["fieldVectors"]), "invertedIndex": dict(index["invertedIndex"])}


def test_index_is_what_lunr_py_builds(docs):
    """The fast builder writes lunr.py's index exactly: terms, term numbers, positions and scores."""
    reference = reference_index(docs)
    ours = json.loads(json.dumps(lunr_json(index_of(docs))))
    assert ours == reference
    assert len(reference["invertedIndex"]) > 5000
    # nothing stripped Chinese: the bigrams of a programme name are terms
    terms = dict(reference["invertedIndex"])
    for bigram in ("雪亮", "亮工", "工程", "郏县"):
        assert terms[bigram]["body"], bigram


def test_lunr_js_loads_the_index(docs, tmp_path):
    """lunr.js 2.3.9 itself loads lunr.py's JSON and finds the report of a bigram."""
    path = tmp_path / "index.json"
    path.write_text(json.dumps(reference_index(docs), ensure_ascii=False), encoding="utf-8")
    script = (
        "const lunr = require(process.argv[1] + '/node_modules/lunr/lunr.js');"
        "const idx = lunr.Index.load(JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8')));"
        "const r = idx.query(q => q.term('郏县', {usePipeline: false}));"
        "console.log(JSON.stringify(r.map(x => x.ref)));"
    )
    out = subprocess.run(["node", "-e", script, str(ROOT), str(path)], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == ["reports/2017-jiaxian.html"]


@pytest.mark.parametrize("shards", [1, 7, None])
def test_shards_hold_the_whole_index(site, docs, tmp_path, shards):
    """All shards together, read back by search.js, are the lunr index again."""
    if shards is None:  # small shards: the busiest first characters are split by their second
        assert search.plan_shards(index_of(docs), 3000)[1]
    h = Harness(write_index(site, docs, tmp_path / "site", shards, shard_bytes=3000))
    try:
        assert as_comparable(h.ask({"lunr": True})) == as_comparable(lunr_json(index_of(docs)))
    finally:
        h.close()


def test_sharding_changes_no_result_and_no_score(site, docs, tmp_path):
    """The same queries over one shard and over many (split ones too): identical results, order and scores."""
    one = Harness(write_index(site, docs, tmp_path / "one", 1))
    many = Harness(write_index(site, docs, tmp_path / "many", 9))
    split = Harness(write_index(site, docs, tmp_path / "split", None, shard_bytes=3000))
    try:
        for q in ["雪亮工程", "平安 建设", "县", "平", "调解 -人民调解", "网格化 2017", "郟縣", "综治中心", "-雪亮工程"]:
            expected = one.ask({"q": q})
            assert expected["refs"], q
            assert many.ask({"q": q}) == expected, q
            assert split.ask({"q": q}) == expected, q
    finally:
        for h in (one, many, split):
            h.close()


def test_rankings_of_real_queries_are_the_golden_ones(harness):
    """Real queries on the five reports rank as lunr ranked them when the engine still loaded lunr.js (1efd3f1)."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))["queries"]
    assert {"雪亮工程", "网格化管理", "综治中心", "人民调解", "平江县"} <= golden.keys()
    for q, expected in golden.items():
        ours = harness.ask({"q": q})
        assert ours["refs"] == [ref for ref, _ in expected], q
        assert ours["scores"] == pytest.approx([score for _, score in expected], rel=1e-9, abs=1e-9), q


def bm25_scores(index: dict, terms: list[str]) -> dict[str, float]:
    """A short reference of lunr's ranking: each term required; a document's score is, summed over its
    fields, the query vector (1 per term) dotted with the field's BM25 vector, over the query's length."""
    inverted = dict(index["invertedIndex"])
    vectors = {ref: dict(zip(flat[0::2], flat[1::2])) for ref, flat in index["fieldVectors"]}
    weights: dict[int, int] = {}
    for term in terms:
        weights[inverted[term]["_index"]] = weights.get(inverted[term]["_index"], 0) + 1
    magnitude = sum(w * w for w in weights.values()) ** 0.5
    refs = set.intersection(*({ref for f in index["fields"] for ref in inverted[t][f]} for t in terms))
    return {ref: sum(sum(w * vectors[f"{f}/{ref}"].get(n, 0) for n, w in weights.items()) / magnitude
                     for f in index["fields"] if any(ref in inverted[t][f] for t in terms)) for ref in refs}


def test_scores_are_lunrs_bm25_with_field_boosts(docs, harness):
    """The engine's scores equal a short reference of lunr's model over lunr.py's own vectors."""
    index = reference_index(docs)
    for q in ["雪亮工程", "网格化管理", "综治中心", "人民调解", "平江县", "平安 建设", "雪亮工程 2017 ", "首善之区"]:
        terms = [t.term for t in tokenize(q) if t.kind != "t"]  # a run's last character only finds by prefix
        expected = bm25_scores(index, terms)
        ours = harness.ask({"q": q})
        assert ours["refs"], q
        assert set(ours["refs"]) <= expected.keys(), q  # phrases then keep the reports holding them whole
        assert ours["scores"] == pytest.approx([expected[ref] for ref in ours["refs"]], rel=1e-12), q
        assert ours["scores"] == sorted(ours["scores"], reverse=True), q


def test_results_and_scores_are_what_lunr_js_itself_gives(harness):
    """The engine scores without lunr's sets; lunr.js's Index.query over the same terms gives the same list."""
    queries = ["县", "平", "的", "雪亮工程", "平安 建设", "调解 -人民调解", "网格化 2017", "郟縣", "-雪亮工程 平安",
               "综治 中心 县", "平 安", "20", "12309", "4+X", "\u201c五老\u201d调解", "平安 -县",
               "平 平安", "安 平安 2017"]  # the last two: a term in two clauses counts twice in lunr's query vector
    found = 0
    for q in queries:
        ours = harness.ask({"q": q})
        assert ours == harness.ask({"q": q, "lunr": True}), q
        found += bool(ours["refs"])
    assert found >= len(queries) - 2


def test_shard_scripts_are_the_json_encoders_output(docs):
    """Shards are written without the JSON encoder: the bytes are json.dumps's, and text it would escape goes to it."""
    index = index_of(docs)
    entries = [[term, *index.postings[term]] for term in sorted(index.postings)]
    assert shard_files.shard_script(3, entries) == shard_files._script("shard", [3, entries])
    odd = [["雪亮", 1, "0,5", "", "", "", ""], ['a"b\\\n', 2, "1,3", "", "", "", ""]]
    assert shard_files.shard_script(0, odd) == shard_files._script("shard", [0, odd])
    json.loads(shard_files.shard_script(0, odd).decode()[len("ArchiveSearch.shard("):-3])


@settings(max_examples=200, deadline=None)
@given(MIXED)
def test_a_fields_rows_are_its_tokens_grouped_plainly(text):
    """field_terms (C-speed paths for terms seen once) equals grouping the plain rule's tokens term by term."""
    tokens = tokenize_reference(text)
    starts: dict[str, list[int]] = {}
    for t in tokens:
        starts.setdefault(t.term, []).append(t.start)
    expected = {}
    for term, at in starts.items():
        steps = ",".join(str(b - a) for a, b in zip([0, *at], at))
        odd = [f"{at.index(t.start)},{t.length}" for t in tokens if t.term == term and t.length != len(term)]
        expected[term] = steps + (":" + ",".join(odd) if odd else "")
    terms = search.field_terms(text)
    assert terms.count == len(tokens)
    assert list(terms.items()) == list(expected.items())


def test_index_files_are_deterministic(site, docs):
    first = search.index_files(site, docs, index_of(docs))
    second = search.index_files(site, search.documents(site), index_of(search.documents(site)))
    assert [(f.path, f.data) for f in first] == [(f.path, f.data) for f in second]
    assert [(f.path, f.data) for f in search.build_search(site)] == [(f.path, f.data) for f in first]


def test_report_terms_are_a_pure_record_that_travels_between_processes(site):
    """Per-report work is a pure function of its arguments: the same call gives an equal, frozen, picklable record."""
    report = site.reports[0]
    mentioned = search.documents(site)[0].programmes
    programmes = [p for p in site.programmes if p.slug in mentioned]
    terms = search.report_terms(report, site.bodies[report.slug], programmes)
    assert terms == search.report_terms(report, site.bodies[report.slug], programmes)
    assert pickle.loads(pickle.dumps(terms)) == terms
    with pytest.raises(AttributeError):
        terms.doc = None  # type: ignore[misc]


def test_the_per_report_step_tokenizes_the_programmes_the_analysis_finds_in_each_report(site):
    """Each report's terms, made alone (as every build makes them), give the files of the analysed site's documents."""
    registry = Matcher.from_registry(site.programmes, Problems())
    alone = [process_report(r, registry).terms for r in site.reports]
    assert any(dt.doc.programmes for dt in alone)  # 平江县's report mentions 雪亮工程, among others
    assert [dt.doc for dt in alone] == search.documents(site)
    assert [(f.path, f.data) for f in search.build_search(site, alone)] == [(f.path, f.data) for f in search.build_search(site)]
    with pytest.raises(ValueError):
        search.build_search(site, alone[::-1])


def test_runs_of_any_length_give_the_same_index(docs):
    """Rows are assembled run by run and the runs joined: the index does not depend on the runs' length."""
    terms = [search.doc_terms(d) for d in docs]
    whole = search.build_index(terms)
    for run in (1, 2, 3):
        assert search.build_index(terms, run=run) == whole, run


def test_site_has_the_index_scripts_and_no_lunr(built_site):
    """The engine ranks without lunr.js: the site neither ships nor loads it."""
    assets = built_site / "assets"
    assert (assets / "search" / "manifest.js").read_text(encoding="utf-8").startswith("ArchiveSearch.manifest(")
    assert not (assets / "search" / "lunr.min.js").exists()
    assert not [p for p in built_site.rglob("*") if p.is_file() and b"lunr.min.js" in p.read_bytes()]
    for name in ("search-ui.js", "search.js", "tokenize.js", "ts-chars.js"):
        assert (assets / "js" / name).is_file()
    page = (built_site / "search.html").read_text(encoding="utf-8")
    assert 'id="search-page"' in page and "assets/js/search-ui.js" in page
    assert 'src="../assets/js/search-ui.js"' in (built_site / "reports" / "2017-jiaxian.html").read_text(encoding="utf-8")


def test_the_result_list_carries_what_field_queries_test(site, docs):
    """list.js: each report's authors (as numbers into one table), county, year, programmes and date line."""
    listed = shard_files.result_list(site, docs)
    assert listed["authors"] == sorted({a for r in site.reports for a in r.authors})
    for n, report in enumerate(site.reports):
        assert [listed["authors"][a] for a in listed["authorsOf"][n]] == list(report.authors)
        assert listed["counties"][listed["county"][n]] == report.county
        assert listed["year"][n] == report.date.year and listed["dates"][n] == report.date.chinese()
    files = {f.path: f.data for f in search.build_search(site)}
    assert b'"authorsOf":[[' in files["assets/search/list.js"]


# ---------------------------------------------------------------- what a reader finds


def test_every_programme_name_and_alias_finds_exactly_the_reports_containing_it(site, docs, harness):
    names = programme_names(site)
    assert len(names) > 30
    for name in names:
        assert set(harness.refs(name)) == containing(docs, name), name


def test_a_programme_named_only_by_another_alias_is_not_a_hit(site, docs, harness):
    """平江 links 网格化管理 (it writes 网格化服务管理) but never writes the words: typing them must not find it."""
    pingjiang = "reports/2017-pingjiang.html"
    doc = next(d for d in docs if d.ref == pingjiang)
    assert "网格化管理" in doc.field_text("programme") and "网格化管理" not in canon(doc.body)
    assert pingjiang not in harness.refs("网格化管理")
    assert pingjiang in harness.refs("网格化服务管理")
    # and excluding a phrase looks at the text alone too
    assert pingjiang in harness.refs("平江 -网格化管理")


def test_traditional_and_simplified_find_each_other(harness):
    assert harness.refs("郏县") == ["reports/2017-jiaxian.html"]
    assert harness.refs("郟县") == harness.refs("郏县") == harness.refs("郟縣")
    assert set(harness.refs("國務院")) == set(harness.refs("国务院"))


def test_a_phrase_is_never_found_from_scattered_characters(docs, harness):
    """Each phrase's bigrams all occur in the report, but apart: the report must not be returned."""
    cases = scattered_phrases(docs)
    assert len(cases) >= 20
    for phrase, ref in cases:
        refs = harness.refs(phrase)
        assert ref not in refs, phrase
        assert set(refs) == containing(docs, phrase), phrase


def test_results_checked_one_by_one_or_all_at_once_are_the_same(site, docs, harness):
    """run() checks its first results one by one (occurs) and the rest for all documents at once (unitDocs)."""
    queries = [p for p, _ in scattered_phrases(docs, limit=15)] + programme_names(site) + [
        "“五老”调解", "农村警务“113”模式", "郟縣", "县", "平安 -县", "雪亮工程 2017", "调解 -人民调解", "标题:平安 县",
        '"综治 中心"', "综治 中心 -县:平江县", "平安建设", "建设 -设", "作者:唐颖 平安", "1", "2017"]
    for q in queries:
        one_by_one = harness.ask({"q": q, "details": 10**6})
        assert harness.ask({"q": q, "details": 0}) == one_by_one, q
        assert [harness.ask({"q": q, "details": k})["refs"] for k in (1, 2)] == [one_by_one["refs"]] * 2, q


def test_phrases_found_through_quotation_marks_and_middle_dots(docs, harness):
    assert "reports/2018-lengshuitan.html" in harness.refs("五老调解")  # “五老”调解 in the text
    assert set(harness.refs("五老调解")) == containing(docs, "五老调解")
    assert set(harness.refs("乡村雪亮")) == containing(docs, "乡村雪亮") != set()  # 平安乡村·雪亮工程


def test_one_character_finds_every_report_containing_it(docs, harness):
    chars = sorted({c for d in docs for c in canon(d.body + d.title) if char_class(c) == HAN})
    for c in chars[::9]:
        assert set(harness.refs(c)) == containing(docs, c), c


def test_all_words_must_match_and_minus_excludes(docs, harness):
    both = containing(docs, "雪亮工程") & containing(docs, "2017")
    assert set(harness.refs("雪亮工程 2017")) == both and both
    assert set(harness.refs("调解 -人民调解")) == containing(docs, "调解") - containing(docs, "人民调解")
    assert set(harness.refs("-人民调解")) == {d.ref for d in docs} - containing(docs, "人民调解")
    assert set(harness.refs('"综治中心"')) == containing(docs, "综治中心")
    assert harness.refs("雪亮工程 不存在的词语") == []


def test_ranking_puts_the_title_first(harness):
    """A phrase in a title ranks that report first (the title field is boosted)."""
    assert harness.refs("首善之区")[0] == "reports/2018-lengshuitan.html"


def test_snippets_mark_the_phrase_and_link_to_its_paragraph(site, docs, harness):
    n = next(i for i, d in enumerate(docs) if d.ref == "reports/2018-lengshuitan.html")
    passages = harness.ask({"snippets": "五老调解", "doc": n})
    assert 1 <= len(passages) <= 2
    anchors = {a for a, _ in docs[n].paragraphs}
    for passage in passages:
        assert passage["anchor"] in anchors
        marked = [p["text"] for p in passage["parts"] if p["mark"]]
        assert marked and all(canon(m) == "五老调解" for m in marked)
        text = dict(docs[n].paragraphs)[passage["anchor"]]
        assert "".join(p["text"] for p in passage["parts"]).strip("…") in text


def test_marks_found_around_each_first_character_are_the_whole_passages_marks(site, docs, harness):
    """Snippets tokenize a window around each place a phrase may start: the marks equal tokenizing the whole passage."""
    passages = [text for d in docs for _, text in d.paragraphs]
    queries = [*programme_names(site), *(phrase for phrase, _ in scattered_phrases(docs, 10)), "郟縣", "“五老”调解",
               "12309", "1230", "4+X", "县", "平安 -县", "农村警务“113”模式", "雪亮工程 2017"]
    marked = 0
    for q in queries:
        for fast, whole in harness.ask({"highlights": q, "texts": passages}):
            assert fast == whole, q
            marked += bool(fast)
    assert marked > 100


@settings(max_examples=100, deadline=None)
@given(MIXED, st.integers(0, 40), st.integers(1, 8))
def test_marks_in_mixed_text_are_the_whole_passages_marks(harness, text, start, size):
    """Traditional, full-width, quotes, dots, characters outside the BMP: a window never changes a mark."""
    q = text[start:start + size].strip() or text.strip()[:4]
    if q:
        ((fast, whole),) = harness.ask({"highlights": q, "texts": [text + "。" + text]})
        assert fast == whole


def test_passages_chosen_as_the_first_results_files_arrive_are_the_ones_asked_for_later(built_site, site):
    """search() has the first results' passages made while their files load: the same as made on demand."""
    h = Harness(built_site)  # a fresh engine: no doc file loaded yet
    try:
        for q in ["调解", "雪亮工程", "郟縣", "“五老”调解", "平安 -郏县"]:
            pairs = h.ask({"first": q})
            assert pairs, q
            assert all(made == later and made for made, later in pairs), q
    finally:
        h.close()


def test_a_results_title_line_comes_from_its_doc_file(docs, harness):
    """What only a shown result needs is in doc-N.js: the title, county and date a reader sees."""
    n = next(i for i, d in enumerate(docs) if d.ref == "reports/2017-jiaxian.html")
    assert harness.ask({"details": n}) == {"ref": docs[n].ref, "title": "着力实现“五新”转变 打造平安幸福郟县",
                                           "county": "郏县", "date": docs[n].date}


def test_no_results_suggests_the_closest_name(harness):
    assert harness.ask({"suggest": "雪亮工程建设2099"}) == "雪亮工程"
    assert harness.ask({"suggest": "郏县县城"}) == "郏县"
    assert harness.ask({"suggest": "<img src=x>"}) is None


def test_the_word_being_typed_matches_as_a_prefix(docs, harness):
    """12309 is found from 1230 while typing; a finished word (space after it) stays whole."""
    words = {d.ref: {t.term for n, _ in search.FIELDS for t in tokenize(d.field_text(n)) if t.kind == "w"} for d in docs}
    assert any("12309" in w for w in words.values())
    for prefix in ("1230", "20", "17"):
        expected = {ref for ref, w in words.items() if any(x.startswith(prefix) for x in w)}
        assert set(harness.refs(prefix)) == expected and expected, prefix
    assert set(harness.refs("1230 ")) == {ref for ref, w in words.items() if "1230" in w}
