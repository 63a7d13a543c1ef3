// The browser tokenizer against the shared vectors (the same file tests/test_tokenize.py reads).
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const path = require("node:path");
const fs = require("node:fs");
const tk = require("../../layouts/static/js/tokenize.js");

const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "tokenizer_vectors.json"), "utf8"));

test("folding: NFKC, lower case, traditional to simplified", () => {
  for (const v of vectors.fold) {
    assert.strictEqual(tk.fold(v.text), v.folded, v.text);
  }
});

test("tokens: bigrams, words, transparent quotes and dots, code-point offsets", () => {
  for (const v of vectors.tokens) {
    assert.deepStrictEqual(tk.tokenize(v.text), v.tokens, v.text);
  }
});

test("郟县 and 郏县 give the same terms", () => {
  const terms = (s) => tk.tokenize(s).map((t) => t[0]);
  assert.deepStrictEqual(terms("郟县人民法院"), terms("郏县人民法院"));
});
