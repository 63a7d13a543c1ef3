// Helper for tests/test_search.py: the browser's search engine run by node over a built site.
// Usage: node search_harness.js SITE_DIR; then one JSON request per line on stdin:
//   {"q": "雪亮工程"}            -> {"refs": [...], "scores": [...]}
//   {"q": q, "details": n}      -> the same, checking the first n results one by one and the rest all at once
//   {"q": "县", "lunr": true}   -> the same, answered by lunr.js's own Index.query (lunr_reference.js)
//   {"lunr": true}               -> the index of all shards as lunr JSON (lunr_reference.js)
//   {"snippets": q, "doc": n}    -> the passages shown for document n
//   {"highlights": q, "texts": [...]} -> per text, [the ranges marked, as tokenizing the whole text marks them]
//   {"details": n}               -> {ref, title, county, date} of document n, from its doc file
//   {"first": q}                 -> per first result, [passages made when its file came, passages made now]
"use strict";
const path = require("node:path");
const readline = require("node:readline");
const engine = require("../../layouts/static/js/search.js");
const reference = require("./lunr_reference.js");

global.ArchiveSearch = engine;
const site = path.resolve(process.argv[2]);
engine.init("", (p) => { require(path.join(site, p)); return Promise.resolve(); });

async function answer(req) {
  if (req.q !== undefined) {
    const options = req.details === undefined ? undefined : { details: req.details };
    const out = await (req.lunr ? reference.referenceSearch(engine, req.q) : engine.search(req.q, options));
    return { refs: out.results.map((r) => r.ref), scores: out.results.map((r) => r.score) };
  }
  if (req.lunr) { await engine.init(); await engine.loadAll(); return reference.toLunrJSON(engine); }
  if (req.snippets !== undefined) {
    await engine.init(); await engine.loadDoc(req.doc);
    const units = engine.parse(req.snippets);
    return engine.snippets(req.doc, units, 2);
  }
  if (req.suggest !== undefined) { await engine.init(); return engine.suggest(req.suggest); }
  if (req.highlights !== undefined) {
    await engine.init();
    const units = engine.parse(req.highlights);
    return req.texts.map((t) => [engine.highlights(t, units).ranges, engine.highlights(t, units, null).ranges]);
  }
  if (req.first !== undefined) {
    const out = await engine.search(req.first);
    const top = out.results.slice(0, 10);
    await Promise.all(top.map((r) => engine.loadDoc(r.doc)));
    const made = top.map((r) => engine.snippets(r.doc, out.units, 2));
    return made.map((m, i) => [m, engine.snippets(top[i].doc, engine.parse(req.first), 2)]);
  }
  if (req.details !== undefined) { await engine.init(); await engine.loadDoc(req.details); return engine.details(req.details); }
  throw new Error("unknown request " + JSON.stringify(req));
}

let queue = Promise.resolve();
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  queue = queue.then(() => answer(JSON.parse(line)))
    .then((out) => process.stdout.write(JSON.stringify(out) + "\n"))
    .catch((err) => process.stdout.write(JSON.stringify({ error: String(err.stack || err) }) + "\n"));
});
