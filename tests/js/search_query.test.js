// The query syntax (search-query.js): fields in Chinese and English, both colon widths, quotes,
// exclusion, unknown fields as text with a hint, resolving values against a small list.js, date order.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const Q = require("../../layouts/static/js/search-query.js");
const tk = require("../../layouts/static/js/tokenize.js");

const brief = (q) => Q.parse(q).pieces.map((p) => [p.field, p.text, p.negated, p.quoted, p.typing]);

test("every field, in Chinese and English, with a half- or full-width colon", () => {
  const pairs = [["标题", "title"], ["作者", "author"], ["县", "county"], ["项目", "programme"], ["年", "year"]];
  for (const [zh, en] of pairs) {
    for (const name of [zh, en, en.toUpperCase()]) {
      for (const colon of [":", "："]) {
        assert.deepStrictEqual(brief(name + colon + "值 x"), [[en, "值", false, false, false], [null, "x", false, false, true]], name + colon);
      }
    }
  }
});

test("fields combine with phrases, quotes and exclusion", () => {
  assert.deepStrictEqual(brief('县:郏县 "综治 中心" -县：平江县 -调解 标题:"平安 幸福"'), [
    ["county", "郏县", false, false, false],
    [null, "综治 中心", false, true, false],
    ["county", "平江县", true, false, false],
    [null, "调解", true, false, false],
    ["title", "平安 幸福", false, true, false],
  ]);
  assert.deepStrictEqual(brief("年:2017..2018"), [["year", "2017..2018", false, false, false]]);
  assert.deepStrictEqual(brief("标题:平安"), [["title", "平安", false, false, true]]);
  assert.deepStrictEqual(brief("作者:唐颖"), [["author", "唐颖", false, false, false]]);
});

test("an unknown field name is text, with a hint; a colon without a value is text", () => {
  const out = Q.parse("地点:郏县 综治");
  assert.deepStrictEqual(out.pieces.map((p) => [p.field, p.text]), [[null, "地点:郏县"], [null, "综治"]]);
  assert.strictEqual(out.hints.length, 1);
  assert.match(out.hints[0], /地点/);
  assert.deepStrictEqual(brief("县: 郏县"), [[null, "县:", false, false, false], [null, "郏县", false, false, true]]);
  assert.deepStrictEqual(Q.parse("12:30").hints, []);
  assert.deepStrictEqual(brief('"作者:唐颖"'), [[null, "作者:唐颖", false, true, false]]);
});

test("year values and ranges", () => {
  assert.deepStrictEqual(Q.years("2018"), [2018, 2018]);
  assert.deepStrictEqual(Q.years("2018年"), [2018, 2018]);
  assert.deepStrictEqual(Q.years("2017..2018"), [2017, 2018]);
  assert.deepStrictEqual(Q.years("2018..2017"), [2017, 2018]);
  assert.deepStrictEqual(Q.years("2017至2018"), [2017, 2018]);
  assert.deepStrictEqual(Q.years("2019.."), [2019, Infinity]);
  assert.deepStrictEqual(Q.years("..2017"), [-Infinity, 2017]);
  for (const bad of ["abc", "..", "17", "2017..18"]) { assert.strictEqual(Q.years(bad), null, bad); }
});

const LIST = {
  counties: ["冷水滩区", "平江县", "郏县", "湘西土家族苗族自治州", "鼓楼区", "鼓楼县"],
  county: [0, 1, 2, 3, 4, 5],
  year: [2018, 2017, 2017, 2018, 2021, 2020],
  authors: ["唐颖", "唐卉芳子", "吴林"],
  authorsOf: [[2], [0, 1], [], [], [], []],
  programmes: [["p/a.html", "雪亮工程", ["平安乡村·雪亮工程", "雪亮乡村"]], ["p/b.html", "“五老”调解", []]],
  programmesOf: [[0], [0, 1], [], [1], [], []],
  dates: ["2018年", "2017年", "2017年8月", "2018年12月5日", "2021年", "2017年8月3日"],
};

function hits(q) {
  const piece = Q.parse(q).pieces[0], r = Q.resolve(piece, LIST, tk);
  return { docs: LIST.county.map((_, d) => d).filter(r.test), hint: r.hint };
}

test("filters resolve against the result list", () => {
  assert.deepStrictEqual(hits("作者:唐颖").docs, [1]);
  assert.deepStrictEqual(hits("作者:唐").docs, []);
  assert.match(hits("作者:唐").hint, /唐/);
  assert.deepStrictEqual(hits("县:郟县").docs, [2]);
  assert.deepStrictEqual(hits("县:郏").docs, [2]);
  assert.deepStrictEqual(hits("县:湘西").docs, [3]);
  assert.deepStrictEqual(hits("县:鼓楼").docs, []);
  assert.match(hits("县:鼓楼").hint, /鼓楼区、鼓楼县/);
  assert.deepStrictEqual(hits("县:鼓楼区").docs, [4]);
  assert.deepStrictEqual(hits("项目:雪亮乡村").docs, [0, 1]);
  assert.deepStrictEqual(hits("项目:平安乡村雪亮工程").docs, [0, 1]);
  assert.deepStrictEqual(hits("项目:五老调解").docs, [1, 3]);
  assert.deepStrictEqual(hits("年:2017..2018").docs, [0, 1, 2, 3]);
  assert.deepStrictEqual(hits("年:2018").docs, [0, 3]);
  assert.deepStrictEqual(hits("年:x").docs, []);
});

test("date order: a report dated only to its year or month follows that year's (month's) dated ones, both ways", () => {
  const all = LIST.dates.map((_, d) => ({ doc: d }));
  const order = (newest) => all.slice().sort(Q.dateOrder(LIST, newest)).map((r) => LIST.dates[r.doc]);
  assert.deepStrictEqual(order(true), ["2021年", "2018年12月5日", "2018年", "2017年8月3日", "2017年8月", "2017年"]);
  assert.deepStrictEqual(order(false), ["2017年8月3日", "2017年8月", "2017年", "2018年12月5日", "2018年", "2021年"]);
  assert.deepStrictEqual(Q.dateKey("2018年12月5日"), [2018, 12, 5]);
});
