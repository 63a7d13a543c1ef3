//# allFunctionsCalledOnLoad
/* The search engine of the archive: loads the index as scripts (so it works from file://), only the
   term shards a query needs, and answers queries with lunr's ranking (BM25 with field boosts), then
   keeps only the results in which every typed Chinese run occurs contiguously.

   Scores are lunr.Index.query's, computed here directly, without lunr.js: lunr builds a Set per
   expanded term and field and unions them (a one-character query over 1,000 reports expands to
   hundreds of terms and took 100-200 ms); evaluate() does the same arithmetic in the same order
   over the rows a query touches (tests/js/lunr_reference.js has lunr.js query the same index, and
   the tests compare every score).

   Index files (written by archive/search/shards.py), each a script calling back into this object
   (from file:// loaded as scripts; over http fetched and the call's JSON parsed, see fetchLoader):
     assets/search/manifest.js   ArchiveSearch.manifest({fields, count, lengths, refs, shards, split, suggest})
                                 lengths: every document's field lengths, document by document (for BM25);
                                 refs: [prefix, suffix, [name, ...]], a page is prefix + name + suffix
     assets/search/shard-N.js    ArchiveSearch.shard([N, [[term, lunrIndex, rowsField0, rowsField1, ...], ...]])
                                 rows: "docNumber,startSteps…[:k,length…]" joined by ";"
                                 (scores are computed here, as lunr.js's builder computes them)
     assets/search/doc-N.js      ArchiveSearch.doc([N, [title, county, date], [[anchor, text], ...]])
                                 what only a shown result needs: its title line and passages for snippets
     assets/search/list.js       ArchiveSearch.list({titles, dates, counties, programmes, county, year, programmesOf,
                                 authors, authorsOf})
                                 every document's title line, facets and authors: for the box's instant
                                 list, the result page and field filters (search() loads it only for a
                                 query with an author:, county:, programme: or year: term)
   Per query: the shards of its terms, then the doc files of the first results (search() starts
   loading them as soon as the first options.details results are known, while it checks the rest).
   A plain script (window.ArchiveSearch) that node can also require. */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("./tokenize.js"), require("./search-query.js"));
  } else {
    root.ArchiveSearch = factory(root.ArchiveTokenize, root.ArchiveQuery);
  }
})(typeof self !== "undefined" ? self : this, function (tk, syntax) {
  "use strict";

  var state = {
    base: "",             // the site root, relative to the page ("../") or absolute
    loader: null,         // function(path) -> Promise, how index scripts are loaded
    manifest: null,
    waiting: {},          // path -> [resolve, reject] of scripts being loaded
    loaded: {},           // path -> Promise
    shards: {},           // shard number -> entries
    entries: Object.create(null),    // term -> [term, lunrIndex, rowsField0, ...] as loaded
    byFirst: Object.create(null),    // first character -> loaded terms starting with it (see firsts())
    unindexed: [],                   // shards loaded since byFirst was last brought up to date
    postings: Object.create(null),   // term -> rows decoded on first use (see posting())
    expansions: Object.create(null), // prefix -> lunr's expansion of prefix* over the loaded terms
    refs: [],             // doc number -> page URL relative to the site root
    docs: {},             // doc number -> [[anchor, text], ...]
    folded: {},           // doc number -> each passage folded as search sees it (see doc())
    meta: {},             // doc number -> [title, county, date]
    wanted: {},           // doc number -> the units of the search whose first results it is among
    made: {},             // doc number -> {units, passages}: snippets(n, units) made when its file came
    list: null            // list.js, once loaded
  };

  /* ------------------------------------------------------------ loading */

  function scriptLoader(path) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = state.base + path;
      s.async = true;  // each index script runs as it arrives: they call back with their own number
      s.onload = function () { resolve(); };
      s.onerror = function () { reject(new Error("无法载入检索索引：" + path)); };
      document.head.appendChild(s);
    });
  }

  /* An index file over http(s): fetched and its data handed to the callback it names. A script
     element costs the page more per file (a first query loads 13 or more): it is parsed and run as
     code, where this is one JSON.parse. From file://, where fetch() cannot read, scripts load them. */
  function fetchLoader(path) {
    var failed = function () { throw new Error("无法载入检索索引：" + path); };
    return fetch(state.base + path).then(function (r) { return r.ok ? r.text() : failed(); }, failed).then(function (text) {
      // "ArchiveSearch.<callback>(<JSON>);": the JSON between the first "(" and the last ")"
      var open = text.indexOf("("), callback = callbacks[text.slice(text.indexOf(".") + 1, open)];
      if (!callback) { failed(); }
      callback(JSON.parse(text.slice(open + 1, text.lastIndexOf(")"))));
    });
  }

  function load(path) {
    if (!state.loaded[path]) {
      var byFetch = !state.loader && path.lastIndexOf("assets/search/", 0) === 0 && typeof fetch === "function" &&
        typeof location !== "undefined" && /^https?:$/.test(location.protocol);
      state.loaded[path] = (state.loader || (byFetch ? fetchLoader : scriptLoader))(path);
    }
    return state.loaded[path];
  }

  /* Point the engine at the site root; loader(path) is for tests outside a browser. */
  function init(base, loader) {
    if (base !== undefined) { state.base = base; }
    if (loader) { state.loader = loader; }
    // the query syntax (search-query.js), loaded here beside the manifest unless the page has it
    var withSyntax = syntax || typeof self === "undefined" ? null : load("assets/js/search-query.js").then(function () {
      syntax = syntax || self.ArchiveQuery;
    });
    return Promise.all([load("assets/search/manifest.js"), withSyntax]).then(function () { return state.manifest; });
  }

  /* ------------------------------------------------------------ callbacks of the index scripts */

  function manifest(m) {
    var nf = m.fields.length, prefix = m.refs[0], suffix = m.refs[1], names = m.refs[2];
    state.manifest = m;
    state.textFields = null;
    state.refs = new Array(names.length);
    for (var d = 0; d < names.length; d++) { state.refs[d] = prefix + names[d] + suffix; }
    // lunr.Builder's average field lengths: summed document by document, divided by the count
    state.averages = m.fields.map(function (_, f) {
      var sum = 0;
      for (var d = 0; d < m.count; d++) { sum += m.lengths[d * nf + f]; }
      return sum / m.count;
    });
    warm();
  }

  var WARM_TEXT = "检索预热", WARM_DOCS = 1000;

  /* The first query's one-time costs paid while the index loads: V8 runs a function's loops slowly
     until it has optimised them, so a first query decoded, ranked, checked phrases and folded
     passages cold. Here they run once over a made-up term per bigram of WARM_TEXT (a phrase of three
     terms), found in the first WARM_DOCS documents (100 were too few to matter), and the made-up
     state is removed again: nothing a query sees changes. At 1,000 reports, under load: the first
     query's main-thread CPU 20 -> 14 ms, the index load's 11 -> 22 ms. */
  function warm() {
    var m = state.manifest, body = m.fields.indexOf("body");
    if (!m.count || body < 0) { return; }
    var units = [makeUnit(WARM_TEXT, false, false, true)], tokens = units[0].tokens, kept = [];
    try {
      tokens.forEach(function (t, k) {
        kept.push([t.term, state.entries[t.term], state.postings[t.term]]);
        var rows = [];
        for (var d = 0; d < Math.min(m.count, WARM_DOCS); d++) { rows.push(d + "," + t.start + ",9"); }
        var entry = [t.term, -1 - k];
        for (var f = 0; f < m.fields.length; f++) { entry.push(f === body ? rows.join(";") : ""); }
        state.entries[t.term] = entry;
        delete state.postings[t.term];
      });
      run(units, evaluate, 0);
      // a search checks its first results one by one (occurs), the rest all at once (run, unitDocs)
      for (var d = 0; d < Math.min(m.count, 200); d++) { occurs(units[0], d); }
      state.wanted[-1] = units;
      doc([-1, [WARM_TEXT, "", ""], [["", WARM_TEXT + "，" + (m.suggest || []).join("、")], ["", WARM_TEXT]]]);
      snippets(-1, units);
      expand({ term: WARM_TEXT[0], prefix: true });
    } finally {
      kept.forEach(function (k) {  // (a term of WARM_TEXT already loaded gets its own entry back)
        if (k[1]) { state.entries[k[0]] = k[1]; } else { delete state.entries[k[0]]; }
        if (k[2]) { state.postings[k[0]] = k[2]; } else { delete state.postings[k[0]]; }
      });
      ["meta", "docs", "folded", "made", "wanted"].forEach(function (key) { delete state[key][-1]; });
      state.expansions = Object.create(null);
      units.forEach(function (u) { delete u.postings; });
    }
  }

  // Scratch for decoding positions (d) and chainsInField (a, b, w): positions as [start, length, …], grown as needed.
  var scratch = { a: new Int32Array(1024), b: new Int32Array(1024), w: new Int32Array(512), d: new Int32Array(1024) };

  function room(key, size) {
    if (scratch[key].length < size) { scratch[key] = new Int32Array(size * 2); }
    return scratch[key];
  }

  /* Positions text[from, to) "startSteps…[:k,length…]" as one flat array [start, length, start,
     length, …] (starts ascending), read digit by digit: a phrase check decodes thousands of them. */
  function decodePositions(term, text, from, to) {
    return scratch.d.slice(0, decodeInto("d", term, text, from, to));
  }

  /* decodePositions into scratch[key] (always a typed array: V8 keeps one kind of store fast);
     returns how many numbers it wrote. */
  function decodeInto(key, term, text, from, to) {
    // each start takes a digit and a comma at least: (to - from) / 2 + 1 starts, two numbers each
    var out = room(key, to - from + 4);
    var usual = term.length === 1 || term.codePointAt(0) <= 0xFFFF && term.length === 2 ? term.length : Array.from(term).length;
    var m = 0, at = 0, n = 0, i = from, c;
    for (; i < to; i++) {
      c = text.charCodeAt(i);
      if (c === 44) { at += n; out[m++] = at; out[m++] = usual; n = 0; }   // ,
      else if (c === 58) { break; }                                        // :
      else { n = n * 10 + (c - 48); }
    }
    at += n; out[m++] = at; out[m++] = usual;
    if (i < to) {  // k,length pairs: the k-th position spans length characters, not the term's own
      var k = -1; n = 0;
      for (i++; i <= to; i++) {
        c = i < to ? text.charCodeAt(i) : 44;
        if (c !== 44) { n = n * 10 + (c - 48); continue; }
        if (k < 0) { k = n; } else { out[2 * k + 1] = n; k = -1; }
        n = 0;
      }
    }
    return m;
  }

  function rowCount(rows) {
    if (!rows) { return 0; }
    var n = 1;
    for (var i = rows.indexOf(";"); i >= 0; i = rows.indexOf(";", i + 1)) { n++; }
    return n;
  }

  /* A shard's terms, kept as loaded: a term's rows are decoded when a query first needs them. */
  function shard(arg) {
    var entries = arg[1];
    state.shards[arg[0]] = entries;
    for (var e = 0; e < entries.length; e++) {
      state.entries[entries[e][0]] = entries[e];
    }
    state.unindexed.push(entries);
    state.expansions = Object.create(null);
  }

  /* A term's rows per field: {number, fields: [{docs, scores, text, starts, ends}]}, or null: for
     row i, its document, its score, and where its positions are in the field's rows text (decoded
     when a phrase check first needs them). One pass over the text, digit by digit, without a
     string per row. The scores are lunr.js's own (lunr.Builder.createFieldVectors and lunr.idf:
     the same expressions in the same order, rounded as lunr rounds them). */
  function posting(term) {
    var p = state.postings[term];
    if (p) { return p; }
    var entry = state.entries[term];
    if (!entry) { return null; }
    var m = state.manifest, fields = m.fields, nf = fields.length, count = m.count, k1 = m.k1, b = m.b, withTerm = 0;
    var counts = [];
    for (var c = 0; c < nf; c++) { counts.push(rowCount(entry[2 + c])); withTerm += counts[c]; }
    var x = (count - withTerm + 0.5) / (withTerm + 0.5), idf = Math.log(1 + Math.abs(x));
    p = { term: term, number: entry[1], fields: [] };
    for (var f = 0; f < nf; f++) {
      var text = entry[2 + f] || "", n = counts[f], len = text.length, i = 0, r = 0, ch;
      var rows = { text: text, docs: new Int32Array(n), scores: new Float64Array(n), starts: new Int32Array(n),
                   ends: new Int32Array(n), decoded: new Array(n) };
      var boost = m.boosts[f], average = state.averages[f];
      while (i < len) {
        var d = 0, tf = 1, odd = false;
        while ((ch = text.charCodeAt(i)) !== 44) { d = d * 10 + (ch - 48); i++; }
        var from = ++i;
        for (; i < len && (ch = text.charCodeAt(i)) !== 59; i++) {
          if (ch === 44) { if (!odd) { tf++; } } else if (ch === 58) { odd = true; }
        }
        var fieldLength = m.lengths[d * nf + f];
        var score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (fieldLength / average)) + tf);
        score *= boost;
        score *= 1;  // document boost
        rows.docs[r] = d;
        rows.scores[r] = Math.round(score * 1000) / 1000;
        rows.starts[r] = from;
        rows.ends[r] = i;
        r++;
        i++;
      }
      p.fields.push(rows);
    }
    return (state.postings[term] = p);
  }

  /* Which row of a field holds document d (rows are in document order), or -1. */
  function rowOf(rows, d) {
    var docs = rows.docs, lo = 0, hi = docs.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1, v = docs[mid];
      if (v < d) { lo = mid + 1; } else if (v > d) { hi = mid - 1; } else { return mid; }
    }
    return -1;
  }

  /* Positions [start, length, start, length, …] of a term (its posting) in one field of a document, or null. */
  function positionsIn(p, f, d) {
    var rows = p.fields[f], i = rowOf(rows, d);
    if (i < 0) { return null; }
    return rows.decoded[i] || (rows.decoded[i] = decodePositions(p.term, rows.text, rows.starts[i], rows.ends[i]));
  }

  function positions(term, f, d) {
    var p = posting(term);
    return p ? positionsIn(p, f, d) : null;
  }

  /* A document's file: kept, and its passages folded now, while the other files of a query load. */
  function doc(arg) {
    var n = arg[0], paragraphs = arg[2], folded = new Array(paragraphs.length);
    for (var i = 0; i < paragraphs.length; i++) { folded[i] = foldSame(paragraphs[i][1]); }
    state.meta[n] = arg[1];
    state.docs[n] = paragraphs;
    state.folded[n] = folded;
    // a file a search asked for: its passages for that search are chosen now, while the others load
    var units = state.wanted[n];
    if (units) {
      delete state.wanted[n];
      state.made[n] = { units: units, passages: passages(n, units, SNIPPETS, WIDTH) };
    }
  }

  function list(arg) { state.list = arg; }

  // Each code unit's folding (tk.foldChar), kept in an array: passages are folded on every query's
  // first run, and an array lookup by code is several times cheaper than a Map lookup by string.
  var foldedUnit = new Array(0x10000);  // sized up front: fast elements, not a dictionary

  /* The text folded, if each of its code units folds to exactly one (so that an offset in the
     result is an offset in the text, in code points too: no surrogates); else null. Most passages
     need no change at all and are returned as they are. */
  function foldSame(text) {
    var out = null, from = 0;
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c >= 0xD800 && c <= 0xDFFF) { return null; }
      var f = foldedUnit[c];
      if (f === undefined) { f = foldedUnit[c] = tk.foldChar(text[i]); }
      if (f.length !== 1) { return null; }
      if (f.charCodeAt(0) !== c) {
        out = (out === null ? "" : out) + text.slice(from, i) + f;
        from = i + 1;
      }
    }
    return out === null ? text : out + text.slice(from);
  }

  /* tk.fold(text), through the same array. */
  function fold(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.length) {  // a pair of surrogates: one code point
        out += tk.foldChar(text.slice(i, i + 2));
        i++;
        continue;
      }
      var f = foldedUnit[c];
      if (f === undefined) { f = foldedUnit[c] = tk.foldChar(text[i]); }
      out += f;
    }
    return out;
  }

  /* The shards that may hold a term (every term starting with it, for a prefix). */
  function shardsOf(term, prefix) {
    var m = state.manifest, chars = Array.from(term), split = m.split && m.split[chars[0]];
    if (!split) { return [chars[0].codePointAt(0) % m.shards]; }
    if (prefix) {
      var all = [];
      for (var i = 0; i < split[1]; i++) { all.push(split[0] + i); }
      return all;
    }
    return [split[0] + (chars.length > 1 ? chars[1].codePointAt(0) : 0) % split[1]];
  }

  function loadShards(tokens) {
    var wanted = {};
    tokens.forEach(function (t) { shardsOf(t.term, t.prefix).forEach(function (n) { wanted[n] = true; }); });
    return Promise.all(Object.keys(wanted).sort().map(function (n) {
      return load("assets/search/shard-" + n + ".js");
    }));
  }

  function loadAll() {
    var m = state.manifest, count = m.shards, all = [];
    Object.keys(m.split || {}).forEach(function (c) { count += m.split[c][1]; });
    for (var n = 0; n < count; n++) { all.push(load("assets/search/shard-" + n + ".js")); }
    return Promise.all(all);
  }

  /* ------------------------------------------------------------ queries */

  /* The query as units: each a chunk of the query (a word, a Chinese run, "a quoted phrase") whose
     tokens must all match, contiguously; a unit starting with - excludes. A title: unit must occur
     in the title; an author:, county:, programme: or year: unit is a filter (no tokens), tested
     against list.js once resolved (see resolveFilters). Syntax: search-query.js. */
  function parse(q) { return query(q).units; }

  function query(q) {
    var parsed = syntax.parse(q), units = [];
    parsed.pieces.forEach(function (p) {
      if (p.field && p.field !== "title") {
        units.push({ text: p.text, negated: p.negated, quoted: p.quoted, tokens: [], filter: p });
        return;
      }
      var unit = makeUnit(p.text, p.negated, p.quoted, p.typing);
      if (unit && p.field) { unit.field = p.field; }
      if (unit) { units.push(unit); }
    });
    return { units: units, hints: parsed.hints };
  }

  /* Each filter unit's test against list.js (loaded); the hints of values that name nothing. */
  function resolveFilters(units) {
    var hints = [];
    units.forEach(function (u) {
      if (!u.filter) { return; }
      var r = syntax.resolve(u.filter, state.list, tk);
      u.test = r.test;
      if (r.hint) { hints.push(r.hint); }
    });
    return hints;
  }

  function makeUnit(text, negated, quoted, typing) {
    var length = Array.from(text).length;
    var tokens = tk.tokenize(text).filter(function (t) { return t[3] !== "t"; }).map(function (t) {
      return { term: t[0], start: t[1], length: t[2], kind: t[3], prefix: false };
    });
    if (!tokens.length) { return null; }
    tokens.forEach(function (t, k) {
      // a lone character with nothing after it may be the start of a longer run: 县 finds 县城 too
      t.prefix = (t.kind === "u" && (tokens.length === 1 || t.start + t.length === length)) ||
                 (t.kind === "w" && typing && t.start + t.length === length);
      if (k > 0) {
        var p = tokens[k - 1];
        t.sameRun = p.kind === "b" && t.kind === "b" && t.start === p.start + p.length - 1;
        t.gap = t.start - (p.start + p.length);
      }
    });
    return { text: text, negated: negated, quoted: quoted, tokens: tokens };
  }

  /* Loaded terms by their first character, for prefixes: indexed when a prefix first needs them,
     not as each shard loads (most queries have no prefix). */
  function firsts() {
    state.unindexed.forEach(function (entries) {
      for (var e = 0; e < entries.length; e++) {
        var term = entries[e][0], first = String.fromCodePoint(term.codePointAt(0));
        (state.byFirst[first] || (state.byFirst[first] = [])).push(term);
      }
    });
    state.unindexed = [];
    return state.byFirst;
  }

  /* The loaded terms a token stands for, in the order lunr.js expands them: [term] or, for a
     prefix, every term starting with it. The order decides in which order a document's fields
     are added up (see evaluate). */
  function expand(token) {
    if (!token.prefix) { return state.entries[token.term] ? [token.term] : []; }
    var hit = state.expansions[token.term];
    if (hit) { return hit; }
    var prefix = token.term;
    var terms = (firsts()[String.fromCodePoint(prefix.codePointAt(0))] || [])
      .filter(function (t) { return t.lastIndexOf(prefix, 0) === 0; });
    return (state.expansions[prefix] = terms.sort(lunrOrder));
  }

  /* The order of lunr.js's TokenSet.toArray: it walks the trie of the terms depth first with a
     stack, so a term comes before the longer terms it begins, and of two terms that differ, the one
     with the larger code unit where they first differ comes first. */
  function lunrOrder(a, b) {
    for (var i = 0, n = Math.min(a.length, b.length); i < n; i++) {
      var d = b.charCodeAt(i) - a.charCodeAt(i);
      if (d) { return d; }
    }
    return a.length - b.length;
  }

  /* The positions of any of the postings in one field of a document, flat and in ascending order. */
  function positionsOf(postings, f, d) {
    if (postings.length === 1) { return positionsIn(postings[0], f, d); }
    var pairs = [];
    for (var i = 0; i < postings.length; i++) {
      var p = positionsIn(postings[i], f, d);
      for (var j = 0; p && j < p.length; j += 2) { pairs.push([p[j], p[j + 1]]); }
    }
    if (!pairs.length) { return null; }
    pairs.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var out = [];
    for (var k = 0; k < pairs.length; k++) { out.push(pairs[k][0], pairs[k][1]); }
    return out;
  }

  /* Does any of the postings have a row for the document in one field? (No positions needed.) */
  function inField(postings, f, d) {
    for (var i = 0; i < postings.length; i++) {
      if (rowOf(postings[i].fields[f], d) >= 0) { return true; }
    }
    return false;
  }

  /* Does the unit occur contiguously in one of the document's own text fields? The programme-names
     field ranks results but never makes a report match: a report is found for the words it
     contains, not for a programme it names by another alias. Positions are code-point offsets: two
     bigrams of one run follow each other when next.start = start + length - 1; other neighbours
     must be exactly as far apart as in the query: 农村警务“113”模式 is not found in
     农村警务“113”工作模式. unit.postings: each token's expansion's postings (see run). */
  function occurs(unit, d) {
    if (unit.filter) { return unit.test(d); }
    var postings = unit.postings, fields = unit.field ? fieldIndex(unit.field) : textFields(), last = unit.tokens.length - 1;
    for (var n = 0; n < fields.length; n++) {
      var f = fields[n];
      if (!last) {
        if (inField(postings[0], f, d)) { return true; }
        continue;
      }
      var skip = false;  // every token must be in the field before any positions are decoded
      for (var k = 0; k <= last && !skip; k++) { skip = !inField(postings[k], f, d); }
      if (skip) { continue; }
      var current = positionsOf(postings[0], f, d);
      for (k = 1; k <= last && current.length; k++) {
        current = follow(current, positionsOf(postings[k], f, d), unit.tokens[k]);
      }
      if (current.length) { return true; }
    }
    return false;
  }

  /* The positions of next that continue a chain ending at one of current's: both flat and ascending
     by start; a pair of pointers walks them once. */
  function follow(current, next, t) {
    var wants = [], sorted = true;
    for (var i = 0; i < current.length; i += 2) {
      var want = current[i] + current[i + 1] + (t.sameRun ? -1 : t.gap);
      if (wants.length && want < wants[wants.length - 1]) { sorted = false; }
      wants.push(want);
    }
    if (!sorted) { wants.sort(function (a, b) { return a - b; }); }
    var kept = [], w = 0;
    for (var j = 0; j < next.length && w < wants.length; j += 2) {
      while (w < wants.length && wants[w] < next[j]) { w++; }
      if (w < wants.length && wants[w] === next[j]) { kept.push(next[j], next[j + 1]); }
    }
    return kept;
  }

  /* Indexes of the fields a match must be in: every field but the programme names. */
  function textFields() {
    if (!state.textFields) {
      state.textFields = [];
      state.manifest.fields.forEach(function (name, f) { if (name !== "programme") { state.textFields.push(f); } });
    }
    return state.textFields;
  }

  /* [the index of a named field], for a unit scoped to it (title:). */
  function fieldIndex(name) { return [state.manifest.fields.indexOf(name)]; }

  function queryTokens(units) {
    var tokens = [];
    units.forEach(function (u) { tokens = tokens.concat(u.tokens); });
    return tokens;
  }

  /* Search: resolves to {units, results: [{ref, doc, score}]} in lunr's order (ties: newest first).
     The doc files of the first options.details results (10 unless given; 0 for none) start loading
     as soon as those results are known: every list shows them, and they load while the rest is checked. */
  function search(q, options) {
    var details = options && options.details !== undefined ? options.details : 10;
    return init().then(function () {
      var parsed = query(q), units = parsed.units;
      if (!units.length) { return { units: units, results: [], hints: parsed.hints }; }
      // a filter needs list.js (authors, counties, programmes, years): loaded beside the shards
      var filters = units.some(function (u) { return u.filter; });
      return Promise.all([loadShards(queryTokens(units)), filters ? loadList() : null]).then(function () {
        var hints = parsed.hints.concat(filters ? resolveFilters(units) : []);
        var out = run(units, evaluate, details);
        out.hints = hints;
        return out;
      });
    });
  }

  /* The query's clauses as lunr receives them: [{term, prefix, prohibited}], each once. */
  function clauses(units) {
    var out = [], seen = {};
    units.forEach(function (u) {
      // what to exclude is checked in run(), in the text fields only (see occurs)
      if (u.negated) { return; }
      u.tokens.forEach(function (t) {
        var key = (u.negated ? "-" : "+") + t.term + (t.prefix ? "*" : "");
        if (seen[key]) { return; }
        seen[key] = true;
        out.push({ term: t.term, prefix: t.prefix, prohibited: u.negated });
      });
    });
    return out;
  }

  /* lunr.Index.query for these clauses, computed without lunr's sets: every required clause must
     match in some field, no prohibited one may; a document's score is, field by field in the order
     lunr first meets them, the query vector (1 per expanded term, added up) dotted with the field's
     BM25 vector in term-number order, divided by the query vector's length. */
  function evaluate(list) {
    var m = state.manifest, nf = m.fields.length, nd = m.count;
    var weight = Object.create(null), used = [], required = 0, seen = 0;
    // met[d * nf + f]: when a clause first met field f of document d (1, 2, …; 0: never), the order
    // in which lunr adds up a document's fields
    var hits = new Int32Array(nd), excluded = new Uint8Array(nd), met = new Int32Array(nd * nf);
    for (var c = 0; c < list.length; c++) {
      var terms = expand(list[c]), prohibited = list[c].prohibited, clauseHits = new Uint8Array(nd);
      if (!terms.length && !prohibited) { return []; }
      for (var j = 0; j < terms.length; j++) {
        var p = posting(terms[j]);
        if (!prohibited) {
          if (weight[p.number] === undefined) { weight[p.number] = 0; used.push(p); }
          weight[p.number] += 1;
        }
        for (var f = 0; f < nf; f++) {
          var docs = p.fields[f].docs;
          if (prohibited) {
            for (var i = 0; i < docs.length; i++) { excluded[docs[i]] = 1; }
            continue;
          }
          for (i = 0; i < docs.length; i++) {
            var d = docs[i];
            clauseHits[d] = 1;
            if (!met[d * nf + f]) { met[d * nf + f] = ++seen; }
          }
        }
      }
      if (!prohibited) {
        required++;
        for (var x = 0; x < nd; x++) { hits[x] += clauseHits[x]; }
      }
    }
    used.sort(function (a, b) { return a.number - b.number; });
    var squares = 0;
    for (var u = 0; u < used.length; u++) { squares += weight[used[u].number] * weight[used[u].number]; }
    var magnitude = Math.sqrt(squares), dots = new Float64Array(nd * nf);
    for (u = 0; u < used.length; u++) {
      var w = weight[used[u].number];
      for (f = 0; f < nf; f++) {
        var rows = used[u].fields[f], rowDocs = rows.docs, scores = rows.scores;
        for (i = 0; i < rowDocs.length; i++) { dots[rowDocs[i] * nf + f] += w * scores[i]; }
      }
    }
    var results = [], order = [];
    for (d = 0; d < nd; d++) {
      if (hits[d] !== required || excluded[d] || !required) { continue; }
      order.length = 0;  // the document's fields in the order they were met
      for (f = 0; f < nf; f++) {
        if (!met[d * nf + f]) { continue; }
        for (var at = order.length; at > 0 && met[d * nf + order[at - 1]] > met[d * nf + f]; at--) { order[at] = order[at - 1]; }
        order[at] = f;
      }
      var score = dots[d * nf + order[0]] / magnitude || 0;
      for (var k = 1; k < order.length; k++) { score += dots[d * nf + order[k]] / magnitude || 0; }
      results.push({ doc: d, score: score });
    }
    return results;
  }

  /* The results in order: ranked first (rank(clauses) -> [{doc, score}], evaluate or a reference),
     then checked for the phrases in that order, so that the doc files of the first `details`
     results load while the others are checked (details 0: none requested). */
  function run(units, rank, details) {
    var positive = units.filter(function (u) { return !u.negated && !u.filter; }), found;
    if (positive.length) {
      found = rank(clauses(units));
    } else {
      found = [];
      for (var n = 0; n < state.manifest.count; n++) { found.push({ doc: n, score: 0 }); }
    }
    found.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
    units.forEach(function (u) {
      u.postings = u.tokens.map(function (t) { return expand(t).map(posting); });
    });
    var results = [], k = 0, r, i, ok;
    // the first `details` results checked one by one, in order, each file requested as soon as its
    // result is known (a request takes a few milliseconds to go out: they overlap the checks)...
    for (; k < found.length && results.length < details; k++) {
      for (r = found[k], ok = true, i = 0; i < units.length && ok; i++) {
        ok = units[i].negated ? !occurs(units[i], r.doc) : occurs(units[i], r.doc);
      }
      if (!ok) { continue; }
      results.push({ ref: state.refs[r.doc], doc: r.doc, score: r.score });
      prefetch(results.slice(-1), units);
    }
    // ...and the rest from each unit's documents, found for all at once while those files load
    var flags = k < found.length ? units.map(function (u) { return u.filter ? null : unitDocs(u, found.slice(k)); }) : [];
    for (; k < found.length; k++) {
      for (r = found[k], ok = true, i = 0; i < units.length && ok; i++) {
        var hit = flags[i] ? flags[i][r.doc] === 1 : units[i].test(r.doc);
        ok = units[i].negated ? !hit : hit;
      }
      if (ok) { results.push({ ref: state.refs[r.doc], doc: r.doc, score: r.score }); }
    }
    return { units: units, results: results };
  }

  /* The documents a unit occurs in (as occurs() decides), flags by document number: the rows of its
     tokens walked together in document order, field by field, and positions decoded into scratch
     arrays, so no row is looked up by binary search and no array made per row (at 10,000 reports a
     phrase in 3,000 of them took 60 ms one by one). A token that expands to several terms (a prefix)
     is checked document by document among the candidates. */
  function unitDocs(unit, candidates) {
    var flags = new Uint8Array(state.manifest.count), postings = unit.postings, n = postings.length;
    var fields = unit.field ? fieldIndex(unit.field) : textFields(), f, i, k;
    if (n === 1) {  // one token: any row in one of the fields
      for (f = 0; f < fields.length; f++) {
        for (k = 0; k < postings[0].length; k++) {
          var docs = postings[0][k].fields[fields[f]].docs;
          for (i = 0; i < docs.length; i++) { flags[docs[i]] = 1; }
        }
      }
      return flags;
    }
    if (postings.some(function (p) { return p.length !== 1; })) {
      candidates.forEach(function (c) { flags[c.doc] = occurs(unit, c.doc) ? 1 : 0; });
      return flags;
    }
    for (f = 0; f < fields.length; f++) {
      chainsInField(unit, postings.map(function (p) { return p[0].fields[fields[f]]; }), flags);
    }
    return flags;
  }

  /* Flags every document in which the unit's tokens (their rows in one field) form a chain. */
  function chainsInField(unit, rows, flags) {
    var n = rows.length, at = new Int32Array(n), first = rows[0].docs, tokens = unit.tokens;
    for (var i0 = 0; i0 < first.length; i0++) {
      var d = first[i0], k, all = true;
      if (flags[d]) { continue; }
      for (k = 1; k < n && all; k++) {
        var docs = rows[k].docs, p = at[k];
        while (p < docs.length && docs[p] < d) { p++; }
        at[k] = p;
        all = p < docs.length && docs[p] === d;
      }
      if (!all) { continue; }
      var count = rowInto("a", tokens[0].term, rows[0], i0);
      for (k = 1; k < n && count; k++) {
        var next = rowInto("b", tokens[k].term, rows[k], at[k]);
        count = followInto(count, next, tokens[k]);
      }
      if (count) { flags[d] = 1; }
    }
  }

  /* Row i's positions into scratch[key]; returns how many numbers. */
  function rowInto(key, term, rows, i) { return decodeInto(key, term, rows.text, rows.starts[i], rows.ends[i]); }

  /* follow() over the scratch arrays: keeps in "a" the positions of "b" that continue a chain. */
  function followInto(count, next, t) {
    var a = scratch.a, b = scratch.b, w = room("w", count / 2), wants = 0, sorted = true;
    for (var i = 0; i < count; i += 2) {
      var want = a[i] + a[i + 1] + (t.sameRun ? -1 : t.gap);
      if (wants && want < w[wants - 1]) { sorted = false; }
      w[wants++] = want;
    }
    if (!sorted) { w.subarray(0, wants).sort(); }
    a = room("a", next);  // (what a held is in w now)
    var kept = 0, x = 0;
    for (var j = 0; j < next && x < wants; j += 2) {
      while (x < wants && w[x] < b[j]) { x++; }
      if (x < wants && w[x] === b[j]) { a[kept++] = b[j]; a[kept++] = b[j + 1]; }
    }
    return kept;
  }

  function prefetch(results, units) {
    results.forEach(function (r) {
      if (!state.docs[r.doc]) { state.wanted[r.doc] = units; }
      loadDoc(r.doc);
    });
  }

  /* ------------------------------------------------------------ snippets */

  function loadDoc(n) { return load("assets/search/doc-" + n + ".js").then(function () { return state.docs[n]; }); }

  /* What a shown result needs: {ref, title, county, date}, once its doc file (loadDoc) or the
     list (loadList) is loaded; else null. */
  function details(n) {
    var meta = state.meta[n], l = state.list;
    if (meta) { return { ref: state.refs[n], title: meta[0], county: meta[1], date: meta[2] }; }
    return l ? { ref: state.refs[n], title: l.titles[n], county: l.counties[l.county[n]], date: l.dates[n] } : null;
  }

  /* Every document's title line and facets, for lists of results: resolves to {titles, dates,
     counties, programmes: [[url, name, aliases]], county: [n], year: [n], programmesOf: [[n]]}. */
  function loadList() { return load("assets/search/list.js").then(function () { return state.list; }); }

  /* Ranges [start, end) in code points of text where the positive units occur. same: the text
     folded unit for unit (foldSame), if known. */
  function highlights(text, units, same) {
    if (same === undefined) { same = foldSame(text); }
    units = units.filter(function (u) { return u.tokens.length; });  // filters mark nothing
    // a match starts with a token whose term starts with the unit's first character: a passage
    // without any of those characters needs no tokenizing (most passages of a report)
    var folded = same === null ? fold(text) : same;
    var possible = units.some(function (u) { return !u.negated && folded.indexOf(firstChar(u)) >= 0; });
    if (!possible) { return { ranges: [], units: 0 }; }
    var tokens = null, ranges = [], hitUnits = {};
    units.forEach(function (u, ui) {
      if (u.negated) { return; }
      if (u.tokens.length === 1 && u.tokens[0].prefix) {
        // one character: mark every place it stands, as the first or the last of a token
        var c = u.tokens[0].term, i;
        if (same !== null) {  // (a longer term, a word being typed, is not marked: no character equals it)
          for (i = c.length === 1 ? same.indexOf(c) : -1; i >= 0; i = same.indexOf(c, i + 1)) {
            ranges.push([i, i + 1]);
            hitUnits[ui] = true;
          }
          return;
        }
        var chars = Array.from(text);
        for (i = 0; i < chars.length; i++) {
          if (tk.foldChar(chars[i]) === c) { ranges.push([i, i + 1]); hitUnits[ui] = true; }
        }
        return;
      }
      // Tokenize only around each place the unit's first character stands, from the separator
      // before it to one well after it: no token spans a separator (a character of class OTHER),
      // so these are the passage's own tokens there. A chain reaching the end of such a window
      // is looked for again in the whole passage.
      if (same !== null) {
        var c0 = firstChar(u), span = 2 * u.text.length + 8, whole = false;
        for (var at = same.indexOf(c0), covered = 0; at >= 0 && !whole; at = same.indexOf(c0, at + 1)) {
          if (at < covered) { continue; }
          var a = at, b = Math.min(same.length, at + span);
          while (a > 0 && tk.charClass(same[a - 1]) !== tk.OTHER) { a--; }
          while (b < same.length && tk.charClass(same[b]) !== tk.OTHER) { b++; }
          var window = tk.tokenize(text.slice(a, b));
          for (var w = 0; w < window.length; w++) { window[w][1] += a; }
          whole = chains(u, window, b < same.length, function (r) { ranges.push(r); hitUnits[ui] = true; });
          covered = b;
        }
        if (!whole) { return; }
      }
      tokens = tokens || tk.tokenize(text);
      chains(u, tokens, false, function (r) { ranges.push(r); hitUnits[ui] = true; });
    });
    ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    ranges.forEach(function (r) {
      var top = merged[merged.length - 1];
      if (top && r[0] <= top[1]) { top[1] = Math.max(top[1], r[1]); } else { merged.push([r[0], r[1]]); }
    });
    return { ranges: merged, units: Object.keys(hitUnits).length };
  }

  function firstChar(u) { return String.fromCodePoint(u.tokens[0].term.codePointAt(0)); }

  /* Every chain of tokens that spells the unit: found([start, end]) for each. Returns true, having
     found nothing, when a chain may go on past the end of tokens (cut: more text follows). */
  function chains(u, tokens, cut, found) {
    var first = u.tokens[0], out = [];
    for (var k = 0; k < tokens.length; k++) {
      var t = tokens[k];
      if (!matches(first, t)) { continue; }
      var chainStart = t[1], prev = t, ok = true, j = k;
      for (var n = 1; n < u.tokens.length && ok; n++) {
        var want = u.tokens[n], next = null, m;
        for (m = j + 1; m < tokens.length && m <= j + 3; m++) {
          var cand = tokens[m];
          if (cand[3] === "t" && !want.prefix && want.kind !== "u") { continue; }
          if (!matches(want, cand)) { continue; }
          var end = prev[1] + prev[2], okGap;
          if (want.sameRun) { okGap = cand[1] === end - 1; }
          else if (want.gap === 0) { okGap = cand[1] === end; }
          else { okGap = cand[1] > end && cand[1] <= end + want.gap + 2; }
          if (okGap) { next = cand; j = m; break; }
        }
        if (!next && cut && m === tokens.length) { return true; }
        if (next) { prev = next; } else { ok = false; }
      }
      if (ok) {
        var last = prev[1] + (prev[3] === "b" && u.tokens[u.tokens.length - 1].prefix ? 1 : prev[2]);
        out.push([chainStart, last]);
      }
    }
    out.forEach(found);
    return false;
  }

  function matches(want, token) {
    if (want.prefix) { return token[0].indexOf(want.term) === 0 && token[3] !== "t"; }
    return token[0] === want.term;
  }

  var SNIPPETS = 2, WIDTH = 110;

  /* One or two passages of a document with the matches marked: [{anchor, parts: [{text, mark}]}]
     (made when its file arrived, if a search of these units asked for it). */
  function snippets(n, units, max, width) {
    max = max || SNIPPETS; width = width || WIDTH;
    var made = state.made[n];
    if (made && made.units === units && max === SNIPPETS && width === WIDTH) { return made.passages; }
    return passages(n, units, max, width);
  }

  function passages(n, units, max, width) {
    var paragraphs = state.docs[n] || [], folded = state.folded[n] || [], scored = [];
    paragraphs.forEach(function (p, i) {
      var h = highlights(p[1], units, folded[i]);
      if (h.ranges.length) { scored.push({ i: i, anchor: p[0], text: p[1], h: h }); }
    });
    scored.sort(function (a, b) { return b.h.units - a.h.units || b.h.ranges.length - a.h.ranges.length || a.i - b.i; });
    var chosen = scored.slice(0, max).sort(function (a, b) { return a.i - b.i; });
    if (!chosen.length && paragraphs.length) {
      chosen = [{ anchor: paragraphs[0][0], text: paragraphs[0][1], h: { ranges: [] } }];
    }
    return chosen.map(function (c) { return { anchor: c.anchor, parts: cut(c.text, c.h.ranges, width) }; });
  }

  /* The passage around its first match, as text parts, marked or not. */
  function cut(text, ranges, width) {
    var chars = Array.from(text), from = 0, to = chars.length;
    if (chars.length > width) {
      var first = ranges.length ? ranges[0][0] : 0;
      from = Math.max(0, first - Math.floor(width / 3));
      to = Math.min(chars.length, from + width);
      from = Math.max(0, to - width);
    }
    var parts = [], at = from;
    if (from > 0) { parts.push({ text: "…", mark: false }); }
    ranges.forEach(function (r) {
      var s = Math.max(r[0], at), e = Math.min(r[1], to);
      if (e <= s) { return; }
      if (s > at) { parts.push({ text: chars.slice(at, s).join(""), mark: false }); }
      parts.push({ text: chars.slice(s, e).join(""), mark: true });
      at = e;
    });
    if (at < to) { parts.push({ text: chars.slice(at, to).join(""), mark: false }); }
    if (to < chars.length) { parts.push({ text: "…", mark: false }); }
    return parts;
  }

  /* ------------------------------------------------------------ suggestions */

  function grams(s) {
    var chars = Array.from(tk.fold(s)).filter(function (c) { return tk.charClass(c) === tk.HAN; }), out = {};
    for (var i = 0; i < chars.length; i++) {
      out[chars[i]] = true;
      if (i + 1 < chars.length) { out[chars[i] + chars[i + 1]] = true; }
    }
    return out;
  }

  /* The county or programme name closest to what was typed (for "no results"), or null. */
  function suggest(q) {
    var m = state.manifest;
    if (!m) { return null; }
    var g = grams(q), keys = Object.keys(g), best = null, bestScore = 0;
    if (!keys.length) { return null; }
    m.suggest.forEach(function (name) {
      var h = grams(name), hk = Object.keys(h), common = 0;
      keys.forEach(function (k) { if (h[k]) { common += Array.from(k).length; } });
      var score = 2 * common / (keys.length + hk.length);
      if (score > bestScore) { bestScore = score; best = name; }
    });
    return bestScore >= 0.25 ? best : null;
  }

  var callbacks = { manifest: manifest, shard: shard, doc: doc, list: list };

  return {
    init: init, manifest: manifest, shard: shard, doc: doc, list: list, search: search,
    parse: parse, query: query, loadAll: loadAll, loadDoc: loadDoc, details: details, loadList: loadList, snippets: snippets,
    highlights: highlights, suggest: suggest, state: state,
    // what tests/js/lunr_reference.js reads the loaded index and ranks a query through
    run: run, expand: expand, posting: posting, positions: positions
  };
});
