//# allFunctionsCalledOnLoad
/* The query syntax of the archive's search: words, "quoted phrases", -exclusion, and field-scoped
   terms in Chinese or English (标题:/title:, 作者:/author:, 县:/county:, 项目:/programme:, 年:/year:,
   with a half- or full-width colon), which combine with all of them: -县:平江县 excludes.

   parse(q) splits the query into pieces; search.js turns text and title pieces into phrase units
   and the others into filters, which resolve(piece, list, tk) tests against list.js (authors,
   counties, programmes with their aliases, years: what the result list already carries).
   dateOrder(list, newest) sorts results by the date on their title line.
   A plain script (window.ArchiveQuery) that node can also require. Pure: no DOM, no state. */
(function (root, factory) {
  if (typeof module === "object" && module.exports) { module.exports = factory(); }
  else { root.ArchiveQuery = factory(); }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // Field names as typed (English ones in any case) -> field.
  var FIELDS = {
    "标题": "title", "题目": "title", "title": "title",
    "作者": "author", "author": "author",
    "县": "county", "县域": "county", "county": "county",
    "项目": "programme", "programme": "programme", "program": "programme",
    "年": "year", "年份": "year", "year": "year"
  };
  var FIELD_NAMES = "标题 作者 县 项目 年（或 title author county programme year）";
  // A field name: letters or Han characters, then a colon of either width, then a value.
  var FIELD_RE = /^([A-Za-z\u3400-\u9fff]{1,12})[:\uff1a](?=\S)/;

  function isSpace(c) { return /\s/.test(c) || c === "\u3000"; }

  /* The query as pieces {field: null | "title" | "author" | "county" | "programme" | "year", text,
     negated, quoted, typing} and hints [text] for what was typed as a field but is none. */
  function parse(q) {
    var chars = Array.from(String(q || "")), pieces = [], hints = [], i = 0;
    while (i < chars.length) {
      if (isSpace(chars[i])) { i++; continue; }
      var negated = false, quoted = false, text = "", field = null;
      if (chars[i] === "-" && i + 1 < chars.length && !isSpace(chars[i + 1])) { negated = true; i++; }
      var named = chars[i] === "\"" ? null : FIELD_RE.exec(chars.slice(i, i + 14).join(""));
      if (named && FIELDS[named[1].toLowerCase()]) {
        field = FIELDS[named[1].toLowerCase()];
        i += Array.from(named[0]).length;
      } else if (named) {
        hints.push("“" + named[1] + "”不是检索字段，已按文字检索。字段有：" + FIELD_NAMES + "。");
      }
      if (chars[i] === "\"") {
        quoted = true; i++;
        while (i < chars.length && chars[i] !== "\"") { text += chars[i]; i++; }
        i++;
      } else {
        while (i < chars.length && !isSpace(chars[i]) && chars[i] !== "\"") { text += chars[i]; i++; }
      }
      // the word still being typed (last, unquoted, nothing after it) matches as a prefix
      var typing = !quoted && !negated && i >= chars.length && (field === null || field === "title");
      pieces.push({ field: field, text: text, negated: negated, quoted: quoted, typing: typing });
    }
    return { pieces: pieces, hints: hints };
  }

  /* A name as compared: folded (郟 = 郏), without spaces, quotation marks or middle dots. */
  function canon(tk, s) {
    return Array.from(tk.fold(s)).filter(function (c) {
      var k = tk.charClass(c);
      return k === tk.HAN || k === tk.WORD;
    }).join("");
  }

  /* The names matching a value: those equal to it, else those starting with it (a short form). */
  function lookup(tk, value, names) {
    var v = canon(tk, value), exact = [], starts = [];
    if (!v) { return []; }
    names.forEach(function (name, k) {
      var c = canon(tk, name);
      if (c === v) { exact.push(k); } else if (c.lastIndexOf(v, 0) === 0) { starts.push(k); }
    });
    return exact.length ? exact : starts;
  }

  /* Years of a year piece: 2018, 2017..2018, 2017.., ..2018 (also with ~, –, 至); null if unreadable. */
  function years(text) {
    var m = /^(\d{4})?年?(?:(\.\.|~|～|–|—|至)(\d{4})?年?)?$/.exec(text.trim());
    if (!m || !m[1] && !m[3]) { return null; }
    var from = m[1] ? +m[1] : -Infinity, to = m[2] ? (m[3] ? +m[3] : Infinity) : from;
    return from <= to ? [from, to] : [to, from];
  }

  var NONE = function () { return false; };

  /* A filter piece resolved against list.js: {test(doc number) -> bool, hint}. A value that names
     nothing, or several things, matches no report and says why. */
  function resolve(piece, list, tk) {
    var v = piece.text, said = "“" + v + "”";
    if (piece.field === "year") {
      var span = years(v);
      if (!span) { return { test: NONE, hint: "年份写作 2018 或 2017..2018，不是" + said + "。" }; }
      return { test: function (d) { return list.year[d] >= span[0] && list.year[d] <= span[1]; }, hint: "" };
    }
    if (piece.field === "author") {
      var v0 = canon(tk, v), ids = [];
      list.authors.forEach(function (a, k) { if (canon(tk, a) === v0) { ids.push(k); } });
      if (!ids.length) { return { test: NONE, hint: "没有作者" + said + "（作者须写全名）。" }; }
      return { test: function (d) { return list.authorsOf[d].some(function (a) { return ids.indexOf(a) >= 0; }); }, hint: "" };
    }
    if (piece.field === "county") {
      var counties = lookup(tk, v, list.counties);
      if (counties.length !== 1) { return { test: NONE, hint: several("县域", said, counties.map(function (k) { return list.counties[k]; })) }; }
      return { test: function (d) { return list.county[d] === counties[0]; }, hint: "" };
    }
    return programme(list, tk, v, said);
  }

  /* A programme by its name or any alias (or the unambiguous start of one); a report matches if it
     mentions the programme under any of its names. */
  function programme(list, tk, v, said) {
    var names = [], owner = [];
    list.programmes.forEach(function (p, k) {
      [p[1]].concat(p[2]).forEach(function (name) { names.push(name); owner.push(k); });
    });
    var found = [];
    lookup(tk, v, names).forEach(function (n) { if (found.indexOf(owner[n]) < 0) { found.push(owner[n]); } });
    if (found.length !== 1) { return { test: NONE, hint: several("项目", said, found.map(function (k) { return list.programmes[k][1]; })) }; }
    return { test: function (d) { return list.programmesOf[d].indexOf(found[0]) >= 0; }, hint: "" };
  }

  function several(what, said, names) {
    if (!names.length) { return "没有" + what + said + "。"; }
    return said + "可指" + what + "：" + names.slice(0, 8).join("、") + (names.length > 8 ? "等" : "") + "，请写全。";
  }

  /* [year, month, day] of a date as the title line writes it (2018年12月5日, 2017年7月, 2017年); 0: unknown. */
  function dateKey(text) {
    var m = /(\d+)年(?:(\d+)月)?(?:(\d+)日)?/.exec(text || "");
    return m ? [+m[1], +(m[2] || 0), +(m[3] || 0)] : [0, 0, 0];
  }

  /* Sorts results ({doc}) by date, newest or oldest first. A report dated only to its year (or month)
     comes after the exactly dated reports of that year (month) in both orders; ties keep their order. */
  function dateOrder(list, newest) {
    var keys = {}, dir = newest ? -1 : 1;
    function key(d) { return keys[d] || (keys[d] = dateKey(list.dates[d])); }
    return function (a, b) {
      var x = key(a.doc), y = key(b.doc);
      if (x[0] !== y[0]) { return dir * (x[0] - y[0]); }
      for (var k = 1; k < 3; k++) {
        if (x[k] === y[k]) { continue; }
        if (!x[k] || !y[k]) { return x[k] ? -1 : 1; }
        return dir * (x[k] - y[k]);
      }
      return 0;
    };
  }

  return { parse: parse, resolve: resolve, years: years, dateKey: dateKey, dateOrder: dateOrder, FIELDS: FIELDS };
});
