// Helper for tests/test_tokenize.py: reads one JSON array of strings per line on stdin and writes
// one JSON line [[fold(s), tokenize(s)], ...] back, so one node process serves a whole property test.
"use strict";
const readline = require("node:readline");
const tk = require("../../layouts/static/js/tokenize.js");

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const texts = JSON.parse(line);
  process.stdout.write(JSON.stringify(texts.map((s) => [tk.fold(s), tk.tokenize(s)])) + "\n");
});
