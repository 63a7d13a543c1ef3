// The engine expands a prefix into the loaded terms in lunr.js's own order (its TokenSet walk), without lunr.js.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const engine = require("../../layouts/static/js/search.js");
const { lunrExpansion } = require("./lunr_reference.js");

global.ArchiveSearch = engine;

function random(seed) {
  return () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
}

test("prefix expansions come in lunr.js's order", () => {
  const alphabet = ["县", "城", "平", "安", "县", "a", "b", "1", "2", "0", "𠀀", "𠀁", "é", "z"];
  const rand = random(7), terms = new Set(["县", "县城", "县城平", "1", "12", "12309", "𠀀", "𠀀县"]);
  while (terms.size < 400) {
    let t = "";
    for (let n = 1 + Math.floor(rand() * 4); n > 0; n--) { t += alphabet[Math.floor(rand() * alphabet.length)]; }
    terms.add(t);
  }
  const list = [...terms];
  engine.manifest({ fields: ["title", "body"], boosts: [10, 1], k1: 1.2, b: 0.75, count: 1, lengths: [1, 1],
                    refs: ["", "", ["a"]], shards: 1, split: {}, suggest: [] });
  engine.shard([0, list.map((t, i) => [t, i, "", "0,0"])]);
  for (const prefix of ["县", "县城", "1", "12", "𠀀", "a", "é", "z", "2"]) {
    const ours = engine.expand({ term: prefix, prefix: true });
    assert.deepStrictEqual(ours, lunrExpansion(list, prefix), prefix);
    assert.ok(ours.length > 1, prefix);
  }
});
