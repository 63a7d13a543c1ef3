//# allFunctionsCalledOnLoad
/* The search tokenizer, the same rule as archive/tokenize.py (tests/tokenizer_vectors.json holds both
   to it): per code point NFKC + lower case + traditional→simplified, Han runs → overlapping bigrams
   (plus the run's last character as a "tail"; a lone character stays a unigram), Latin/digit runs →
   whole words, everything else separates, except quotation marks and middle dots between two Han
   characters, which are skipped. Offsets are in code points of the original string.
   A plain script (window.ArchiveTokenize) that node can also require. */
(function (root, factory) {
  if (typeof module === "object" && module.exports) { module.exports = factory(require("./ts-chars.js")); }
  else { root.ArchiveTokenize = factory(root.ArchiveTSChars); }
})(typeof self !== "undefined" ? self : this, function (pairs) {
  "use strict";

  var HAN = 1, WORD = 2, TRANSPARENT = 3, OTHER = 0;
  var HAN_RANGES = [[0x3007, 0x3007], [0x3400, 0x4DBF], [0x4E00, 0x9FFF], [0xF900, 0xFAFF],
                    [0x20000, 0x2FA1F], [0x30000, 0x323AF]];
  var WORD_RANGES = [[0x30, 0x39], [0x61, 0x7A], [0xDF, 0xF6], [0xF8, 0x24F], [0x370, 0x3FF], [0x400, 0x4FF]];
  var TRANSPARENT_CHARS = "\"'\u2018\u2019\u201c\u201d\u300c\u300d\u300e\u300f\u301d\u301e\u301f\u00ab\u00bb" +
                          "\u2039\u203a\u00b7\u2027\u30fb\u2022\u2219\u22c5";

  var table = new Map();
  var list = Array.from(pairs);
  for (var p = 0; p + 1 < list.length; p += 2) { table.set(list[p], list[p + 1]); }

  function inRanges(cp, ranges) {
    for (var i = 0; i < ranges.length; i++) { if (cp >= ranges[i][0] && cp <= ranges[i][1]) { return true; } }
    return false;
  }

  // Caches by code point: snippets tokenize whole passages, and a typed-array lookup costs far
  // less than a Map lookup by string. classOf holds class + 1 (0: not seen yet).
  var classOf = new Uint8Array(0x110000);
  function classOfPoint(cp) {
    var k = classOf[cp];
    if (k) { return k - 1; }
    if (inRanges(cp, HAN_RANGES)) { k = HAN; }
    else if (inRanges(cp, WORD_RANGES)) { k = WORD; }
    else if (TRANSPARENT_CHARS.indexOf(String.fromCodePoint(cp)) >= 0) { k = TRANSPARENT; }
    else { k = OTHER; }
    classOf[cp] = k + 1;
    return k;
  }

  function charClass(ch) { return classOfPoint(ch.codePointAt(0)); }

  var foldCache = new Map();
  var foldOfUnit = new Array(0x10000);  // BMP code unit -> its folding (sized: fast elements, not a dictionary)
  /* One code point folded: NFKC, lower case, traditional → simplified (0–n characters). */
  function foldChar(ch) {
    var f = foldCache.get(ch);
    if (f !== undefined) { return f; }
    var cp = ch.codePointAt(0);
    if (cp >= 0x4E00 && cp <= 0x9FFF) {  // CJK Unified Ideographs: NFKC and lower case leave them as they are
      f = table.get(ch);
      f = f === undefined ? ch : f;
      foldCache.set(ch, f);
      return f;
    }
    var out = "";
    for (var c of ch.normalize("NFKC").toLowerCase()) {
      var s = table.get(c);
      out += s === undefined ? c : s;
    }
    foldCache.set(ch, out);
    return out;
  }

  /* The text as search sees it. */
  function fold(text) {
    var out = "";
    for (var ch of String(text)) { out += foldChar(ch); }
    return out;
  }

  /* Folded characters with the code-point offset of the original character each came from, and
     each one's class. */
  function folded(text) {
    text = String(text);
    var chars = [], pos = [], classes = [], i = 0, u = 0, f, c, next;
    for (; u < text.length; u++, i++) {
      c = text.charCodeAt(u);
      if (c >= 0xD800 && c <= 0xDBFF && u + 1 < text.length && (next = text.charCodeAt(u + 1)) >= 0xDC00 && next <= 0xDFFF) {
        f = foldChar(text.slice(u, u + 2));
        u++;
      } else {
        f = foldOfUnit[c];
        if (f === undefined) { f = foldOfUnit[c] = foldChar(text[u]); }
      }
      if (f.length === 1) {
        chars.push(f); pos.push(i); classes.push(classOfPoint(f.charCodeAt(0)));
        continue;
      }
      for (var ch of f) { chars.push(ch); pos.push(i); classes.push(classOfPoint(ch.codePointAt(0))); }
    }
    return { chars: chars, pos: pos, classes: classes };
  }

  /* Tokens as [term, start, length, kind]; kind w word, b bigram, u lone Han char, t run tail. */
  function tokenize(text) {
    var f = folded(text), chars = f.chars, pos = f.pos, n = chars.length;
    var classes = f.classes;
    var tokens = [], i = 0, j, m;
    while (i < n) {
      var kind = classes[i];
      if (kind === HAN) {
        var run = [i];
        j = i + 1;
        while (j < n) {
          if (classes[j] === HAN) { run.push(j); j++; }
          else if (classes[j] === TRANSPARENT) {
            m = j;
            while (m < n && classes[m] === TRANSPARENT) { m++; }
            if (m < n && classes[m] === HAN) { j = m; } else { break; }
          } else { break; }
        }
        if (run.length === 1) {
          tokens.push([chars[i], pos[i], 1, "u"]);
        } else {
          for (var r = 0; r + 1 < run.length; r++) {
            var a = run[r], b = run[r + 1];
            tokens.push([chars[a] + chars[b], pos[a], pos[b] + 1 - pos[a], "b"]);
          }
          var last = run[run.length - 1];
          tokens.push([chars[last], pos[last], 1, "t"]);
        }
        i = j;
      } else if (kind === WORD) {
        j = i;
        var term = "";
        while (j < n && classes[j] === WORD) { term += chars[j]; j++; }
        tokens.push([term, pos[i], pos[j - 1] + 1 - pos[i], "w"]);
        i = j;
      } else {
        i++;
      }
    }
    return tokens;
  }

  return { fold: fold, foldChar: foldChar, tokenize: tokenize, charClass: charClass,
           HAN: HAN, WORD: WORD, TRANSPARENT: TRANSPARENT, OTHER: OTHER };
});
