/* Highlight on arrival: a report opened from a search result (report.html?q=…#p7) marks every
   occurrence of the query's phrases, as search finds them (search.js highlights(): folded, so 郟縣
   marks 郏县, and across quotation marks and programme links), scrolls to the first (at or after
   the linked paragraph), and offers previous / next / clear. Marks are made by splitting text
   nodes: nothing from the query or the page is ever parsed as HTML. Works from file://. */
(function (root) {
  "use strict";

  // Elements whose text runs on inside their block: a phrase may cross them (a programme link).
  var INLINE = /^(A|ABBR|B|BDI|CITE|CODE|DFN|EM|I|KBD|MARK|Q|S|SMALL|SPAN|STRONG|SUB|SUP|TIME|U|VAR)$/;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }

  /* The text nodes of root grouped by the block they read in: [[node, …], …] in document order. */
  function blocks(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT), groups = [], last = null, node;
    while ((node = walker.nextNode())) {
      var block = node.parentNode;
      while (block !== root && INLINE.test(block.tagName)) { block = block.parentNode; }
      if (/^(SCRIPT|STYLE|NOSCRIPT)$/.test(node.parentNode.tagName)) { continue; }
      if (block !== last) { groups.push([]); last = block; }
      groups[groups.length - 1].push(node);
    }
    return groups;
  }

  /* UTF-16 offset of each code point of text (and of its end). */
  function unitOffsets(text) {
    var out = [], u = 0;
    for (var ch of text) { out.push(u); u += ch.length; }
    out.push(u);
    return out;
  }

  /* Wraps [from, to) of a text node in a mark of hit k. */
  function wrap(node, from, to, k) {
    if (to < node.data.length) { node.splitText(to); }
    var middle = from > 0 ? node.splitText(from) : node;
    var mark = el("mark", { class: "search-hit", "data-hit": String(k) });
    middle.parentNode.replaceChild(mark, middle);
    mark.appendChild(middle);
    return mark;
  }

  /* Marks every range of the units in one block; returns the hits, each [mark, …], in order. */
  function markBlock(S, nodes, units) {
    var text = nodes.map(function (n) { return n.data; }).join("");
    var ranges = S.highlights(text, units).ranges;
    if (!ranges.length) { return []; }
    var at = unitOffsets(text), starts = [], s = 0;
    nodes.forEach(function (n) { starts.push(s); s += n.data.length; });
    var hits = ranges.map(function () { return []; });
    // from the last range and the last node back, so that splitting never moves what is still to do
    for (var r = ranges.length - 1; r >= 0; r--) {
      var a = at[ranges[r][0]], b = at[ranges[r][1]];
      for (var i = nodes.length - 1; i >= 0; i--) {
        var from = Math.max(a, starts[i]) - starts[i], to = Math.min(b, starts[i] + nodes[i].data.length) - starts[i];
        if (to > from) { hits[r].unshift(wrap(nodes[i], from, to, 0)); }
      }
    }
    return hits;
  }

  /* The hit to show first: the first at or after the element the URL's #anchor names, else the first. */
  function firstHit(hits) {
    var id = decodeURIComponent(window.location.hash.slice(1)), target = id && document.getElementById(id);
    if (!target) { return 0; }
    for (var k = 0; k < hits.length; k++) {
      var m = hits[k][0];
      if (target === m || target.contains(m) || target.compareDocumentPosition(m) & Node.DOCUMENT_POSITION_FOLLOWING) { return k; }
    }
    return 0;
  }

  /* The bar with the count, previous / next / clear. */
  function bar(q, hits, go, clear) {
    var box = el("div", { class: "search-hitbar", role: "region", "aria-label": "检索词标记" });
    var count = el("span", { class: "search-hitcount", "aria-live": "polite" });
    box.appendChild(el("span", { class: "search-hitq" }, "“" + q + "”"));
    box.appendChild(count);
    [["上一处", -1, "prev"], ["下一处", 1, "next"]].forEach(function (b) {
      var button = el("button", { type: "button", class: "search-hit-" + b[2] }, b[0]);
      button.disabled = !hits.length;
      button.addEventListener("click", function () { go(b[1]); });
      box.appendChild(button);
    });
    var off = el("button", { type: "button", class: "search-hit-clear" }, "清除标记");
    off.addEventListener("click", clear);
    box.appendChild(off);
    return { box: box, count: count };
  }

  function start(article, q) {
    var S = root.ArchiveSearch, units = S.parse(q), hits = [], current = 0;
    // a query of fields only (作者:唐颖) or of exclusions has no phrase to mark
    if (!units.some(function (u) { return u.tokens.length && !u.negated; })) { return { hits: 0 }; }
    blocks(article).forEach(function (nodes) { hits = hits.concat(markBlock(S, nodes, units)); });
    hits.forEach(function (marks, k) { marks.forEach(function (m) { m.setAttribute("data-hit", String(k)); }); });
    var ui = bar(q, hits, go, clear);
    document.body.appendChild(ui.box);
    document.addEventListener("keydown", onKey);

    function show(k) {
      if (hits[current]) { hits[current].forEach(function (m) { m.classList.remove("search-hit-current"); }); }
      current = k;
      hits[k].forEach(function (m) { m.classList.add("search-hit-current"); });
      hits[k][0].scrollIntoView({ block: "center" });
      ui.count.textContent = "第 " + (k + 1) + " / " + hits.length + " 处";
    }

    function go(step) { if (hits.length) { show((current + step + hits.length) % hits.length); } }

    function clear() {
      article.querySelectorAll("mark.search-hit").forEach(function (m) {
        var parent = m.parentNode;
        while (m.firstChild) { parent.insertBefore(m.firstChild, m); }
        parent.removeChild(m);
        parent.normalize();
      });
      ui.box.remove();
      document.removeEventListener("keydown", onKey);
      try { window.history.replaceState(null, "", window.location.pathname + window.location.hash); } catch (e) { /* file:// in some browsers */ }
    }

    function onKey(e) {
      var tag = e.target && e.target.tagName;
      if (e.key === "Escape" && tag !== "INPUT" && tag !== "TEXTAREA") { clear(); }
    }

    if (hits.length) { show(firstHit(hits)); } else { ui.count.textContent = "本页未找到"; }
    return { hits: hits.length, go: go, clear: clear };
  }

  var style = document.createElement("style");
  style.textContent =
    "mark.search-hit{background:#ffe58a;color:inherit;padding:0}mark.search-hit-current{background:#ff9f43;outline:2px solid #e67e22}" +
    ".search-hitbar{position:fixed;right:1rem;bottom:1rem;z-index:30;background:#fff;border:1px solid #ccd;border-radius:6px;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.15);padding:.45rem .6rem;font-size:.92rem;display:flex;gap:.5rem;align-items:center}" +
    ".search-hitq{font-weight:600;max-width:14rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}" +
    "@media print{.search-hitbar{display:none}mark.search-hit{background:none}}";
  document.head.appendChild(style);

  root.ArchiveMark = { start: start };
})(typeof self !== "undefined" ? self : this);
