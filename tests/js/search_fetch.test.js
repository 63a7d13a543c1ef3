// Over http the engine reads its index files with fetch(), from file:// as scripts: the same files give the
// same results, passages and details either way, and a missing file or a failed request is reported the same way.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const JS = path.join(__dirname, "..", "..", "layouts", "static", "js");

// A tiny index in the files' own format (archive/search/shards.py): two reports, one shard.
function writeSite() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "search-fetch-"));
  fs.mkdirSync(path.join(dir, "assets", "search"), { recursive: true });
  const call = (name, data) => "ArchiveSearch." + name + "(" + JSON.stringify(data) + ");\n";
  const files = {
    "manifest.js": call("manifest", {
      version: 2, lunr: "2.3.9", fields: ["title", "body", "county", "author", "programme"], boosts: [10, 1, 5, 3, 3],
      k1: 1.2, b: 0.75, count: 2, lengths: [3, 9, 2, 0, 0, 2, 5, 2, 0, 0],
      refs: ["reports/", ".html", ["a", "b (2)"]], shards: 1, split: {}, suggest: ["平江县"],
    }),
    "shard-0.js": call("shard", [0, [
      ["平安", 0, "0,0", "0,3;1,1", "", "", ""],
      ["安建", 1, "", "0,4", "", "", ""],
      ["建设", 2, "", "0,5", "", "", ""],
    ]]),
    "doc-0.js": call("doc", [0, ["平安（一）", "平江县", "2017年"], [["p1", "这是\u2028平安建设的\"报道\")"]]]),
    "doc-1.js": call("doc", [1, ["二", "郏县", "2018年"], [["p1", "一平安"]]]),
  };
  for (const [name, text] of Object.entries(files)) { fs.writeFileSync(path.join(dir, "assets", "search", name), text); }
  return dir;
}

// A fresh engine (its state lives in the module), loading either way.
function freshEngine() {
  for (const name of ["search.js", "search-query.js", "tokenize.js", "ts-chars.js"]) {
    delete require.cache[require.resolve(path.join(JS, name))];
  }
  const engine = require(path.join(JS, "search.js"));
  global.ArchiveSearch = engine;
  return engine;
}

async function answers(engine) {
  const out = await engine.search("平安建设");
  await Promise.all(out.results.map((r) => engine.loadDoc(r.doc)));
  return {
    results: out.results,
    details: out.results.map((r) => engine.details(r.doc)),
    snippets: out.results.map((r) => engine.snippets(r.doc, out.units, 2)),
    single: (await engine.search("平安")).results.map((r) => r.ref),
  };
}

test("index files fetched over http give what the same files give as scripts", async () => {
  const site = writeSite();
  const scripts = freshEngine();
  scripts.init("", (p) => { require(path.join(site, p)); return Promise.resolve(); });
  const expected = await answers(scripts);
  assert.deepStrictEqual(expected.results.map((r) => r.ref), ["reports/a.html"]);
  assert.deepStrictEqual(expected.single, ["reports/a.html", "reports/b (2).html"]);

  const fetched = [];
  global.location = { protocol: "http:" };
  global.fetch = (url) => {
    fetched.push(url);
    if (url.endsWith("doc-8.js")) { return Promise.reject(new TypeError("Failed to fetch")); }  // the network failed
    const file = path.join(site, url);
    const ok = fs.existsSync(file);
    return Promise.resolve({ ok: ok, text: () => Promise.resolve(ok ? fs.readFileSync(file, "utf8") : "") });
  };
  try {
    const http = freshEngine();
    http.init("");
    assert.deepStrictEqual(await answers(http), expected);
    assert.ok(fetched.includes("assets/search/manifest.js") && fetched.includes("assets/search/doc-0.js"));
    assert.ok(fetched.every((u) => u.startsWith("assets/search/")), "code is never fetched: " + fetched);
    await assert.rejects(http.loadDoc(7), /无法载入检索索引：assets\/search\/doc-7\.js/);
    await assert.rejects(http.loadDoc(8), /无法载入检索索引：assets\/search\/doc-8\.js/);
  } finally {
    delete global.location;
    delete global.fetch;
  }
});
