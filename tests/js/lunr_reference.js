// Test oracle: lunr.js 2.3.9 itself over the index the engine (layouts/static/js/search.js) has loaded.
// The engine ranks without lunr; these functions rebuild a lunr.Index from the loaded shards and let
// lunr.js answer the same query, so the tests can compare every result and score.
"use strict";
const lunr = require("../../node_modules/lunr/lunr.js");

function sortedPairs(flat) {
  const pairs = [];
  for (let i = 0; i < flat.length; i += 2) { pairs.push([flat[i], flat[i + 1]]); }
  pairs.sort((a, b) => a[0] - b[0]);
  return pairs.flat();
}

const built = new WeakMap();  // engine -> {terms, index}: rebuilt when more shards have loaded

/* The lunr index over the terms the engine has loaded, as lunr.js itself would hold it. */
function lunrIndex(engine) {
  const state = engine.state, m = state.manifest, terms = Object.keys(state.entries).sort();
  const last = built.get(engine);
  if (last && last.terms === terms.length) { return last.index; }
  const inverted = Object.create(null), vectors = Object.create(null);
  terms.forEach((term) => {
    const p = engine.posting(term), lunrPosting = { _index: p.number };
    m.fields.forEach((field, f) => {
      const byRef = {}, rows = p.fields[f];
      rows.docs.forEach((d, i) => {
        const fieldRef = field + "/" + state.refs[d];
        byRef[state.refs[d]] = {};
        (vectors[fieldRef] || (vectors[fieldRef] = [])).push(p.number, rows.scores[i]);
      });
      lunrPosting[field] = byRef;
    });
    inverted[term] = lunrPosting;
  });
  const fieldVectors = Object.create(null);
  state.refs.forEach((ref) => {
    m.fields.forEach((field) => {
      const fieldRef = field + "/" + ref;
      fieldVectors[fieldRef] = new lunr.Vector(sortedPairs(vectors[fieldRef] || []));
    });
  });
  const index = new lunr.Index({
    invertedIndex: inverted, fieldVectors: fieldVectors, tokenSet: lunr.TokenSet.fromArray(terms),
    fields: m.fields, pipeline: new lunr.Pipeline(),
  });
  built.set(engine, { terms: terms.length, index: index });
  return index;
}

/* The loaded shards as the lunr JSON they came from (tests compare it with lunr.py's). */
function toLunrJSON(engine) {
  const state = engine.state, m = state.manifest, idx = lunrIndex(engine), fieldVectors = [];
  for (let d = 0; d < m.count; d++) {
    for (let f = 0; f < m.fields.length; f++) {
      const fieldRef = m.fields[f] + "/" + state.refs[d];
      fieldVectors.push([fieldRef, idx.fieldVectors[fieldRef].elements]);
    }
  }
  const terms = Object.keys(state.entries).sort();
  return {
    version: m.lunr, fields: m.fields, fieldVectors: fieldVectors, pipeline: [],
    invertedIndex: terms.map((t) => {
      const p = engine.posting(t), lunrPosting = { _index: p.number };
      m.fields.forEach((field, f) => {
        lunrPosting[field] = {};
        p.fields[f].docs.forEach((d) => {
          const flat = engine.positions(t, f, d), pairs = [];
          for (let i = 0; i < flat.length; i += 2) { pairs.push([flat[i], flat[i + 1]]); }
          lunrPosting[field][state.refs[d]] = { position: pairs };
        });
      });
      return [t, lunrPosting];
    }),
  };
}

/* lunr.Index.query for the engine's clauses: [{doc, score}]. */
function lunrQuery(engine, clauses) {
  const number = {};
  engine.state.refs.forEach((ref, n) => { number[ref] = n; });
  return lunrIndex(engine).query((query) => {
    clauses.forEach((c) => {
      query.term(c.term, {
        usePipeline: false,
        wildcard: c.prefix ? lunr.Query.wildcard.TRAILING : lunr.Query.wildcard.NONE,
        presence: c.prohibited ? lunr.Query.presence.PROHIBITED : lunr.Query.presence.REQUIRED,
      });
    });
  }).map((r) => ({ doc: number[r.ref], score: r.score }));
}

/* The engine's search, ranked by lunr.js's own Index.query over every loaded term. */
async function referenceSearch(engine, q) {
  const out = await engine.search(q, { details: 0 });  // loads the query's shards
  if (!out.units.length) { return out; }
  return engine.run(out.units, (clauses) => lunrQuery(engine, clauses), 0);
}

/* lunr.js's expansion of prefix* over a list of terms (what engine.expand must give, in order). */
function lunrExpansion(terms, prefix) {
  const sorted = terms.filter((t) => t.startsWith(prefix)).sort();
  return lunr.TokenSet.fromArray(sorted).intersect(lunr.TokenSet.fromString(prefix + "*")).toArray();
}

module.exports = { lunrIndex, toLunrJSON, lunrQuery, referenceSearch, lunrExpansion };
