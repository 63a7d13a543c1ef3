/* The search box on every page (instant results as you type, arrow keys, Enter, Escape; / focuses it)
   and the result page search.html?q=… (snippets, facets, sorting by date; its links carry the query
   to the report page, where search-mark.js marks it). Everything shown is built from DOM text nodes:
   report text and queries are never inserted as HTML. The index loads on first use, as scripts, so
   this works from file:// as well as over http. */
(function () {
  "use strict";

  var me = document.currentScript;
  // the site root relative to this page: "../" on reports/x.html, "" on index.html
  var base = me ? me.getAttribute("src").replace(/assets\/js\/search-ui\.js(\?.*)?$/, "") : "";
  var PAGE = 20, DROPDOWN = 8, DEBOUNCE = 60;
  var ready = null;
  var ENGINE = ["assets/js/ts-chars.js", "assets/js/tokenize.js", "assets/js/search-query.js", "assets/js/search.js"];

  function loadScript(path) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = base + path;
      s.async = false;  // run in insertion order: the tokenizer needs its data, the index its engine
      s.onload = function () { resolve(); };
      s.onerror = function () { reject(new Error("无法载入 " + path)); };
      document.head.appendChild(s);
    });
  }

  /* The engine and its manifest, loaded once, on first use. */
  function engine() {
    if (!ready) {
      ready = Promise.all(ENGINE.map(loadScript))
        .then(function () { return window.ArchiveSearch.init(base); })
        .then(function () { return window.ArchiveSearch; });
    }
    return ready;
  }

  /* An element with attributes and children; strings become text nodes. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) { return; }
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  /* A result's title line, from its doc file or the list (load one first). */
  function docInfo(S, r) {
    var d = S.details(r.doc);
    // page paths may hold Chinese or other characters: percent-encode each part, as the pages do
    return { url: d.ref.split("/").map(encodeURIComponent).join("/"), title: d.title, county: d.county, date: d.date };
  }

  /* The doc files of these results, loaded (search() has started loading the first ones). */
  function withDetails(S, results) {
    return Promise.all(results.map(function (r) { return S.loadDoc(r.doc); }));
  }

  function searchUrl(q) { return base + "search.html?q=" + encodeURIComponent(q); }

  /* A report's link that carries the query, for search-mark.js to mark it there: page?q=…#anchor. */
  function markedUrl(url, q, anchor) { return base + url + "?q=" + encodeURIComponent(q) + (anchor ? "#" + anchor : ""); }

  /* Hints about the query (a field name that is none, a county that is ambiguous), one line each. */
  function hintLines(out) {
    return (out.hints || []).map(function (h) { return el("div", { class: "search-hint", text: h }); });
  }

  /* ------------------------------------------------------------ the box on every page */

  function dropdown(input) {
    var form = input.form;
    var pop = el("div", { id: "search-pop", class: "search-pop", role: "listbox", "aria-label": "检索结果" });
    pop.hidden = true;
    form.style.position = "relative";
    form.appendChild(pop);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", "search-pop");
    input.setAttribute("aria-expanded", "false");
    var options = [], active = -1, seq = 0, timer = null;

    function close() {
      pop.hidden = true; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function setActive(i) {
      options.forEach(function (o, k) { o.setAttribute("aria-selected", k === i ? "true" : "false"); });
      active = i;
      if (i >= 0) { input.setAttribute("aria-activedescendant", options[i].id); options[i].scrollIntoView({ block: "nearest" }); }
      else { input.removeAttribute("aria-activedescendant"); }
    }

    function show(S, q, out) {
      clear(pop); options = []; active = -1;
      hintLines(out).forEach(function (h) { pop.appendChild(h); });
      if (!out.results.length) {
        var hint = S.suggest(q);
        pop.appendChild(el("div", { class: "search-none" }, ["没有找到“" + q + "”。"].concat(
          hint ? ["试试：", el("a", { href: searchUrl(hint), text: hint })] : [])));
      }
      out.results.slice(0, DROPDOWN).forEach(function (r, k) {
        var d = docInfo(S, r);
        var a = el("a", { id: "search-opt-" + k, class: "search-opt", role: "option", "aria-selected": "false", href: base + d.url }, [
          el("span", { class: "search-opt-title", text: d.title }),
          el("span", { class: "search-opt-meta", text: d.county + " · " + d.date })
        ]);
        options.push(a);
        pop.appendChild(a);
      });
      if (out.results.length) {
        var all = el("a", { id: "search-opt-" + options.length, class: "search-opt search-all", role: "option", "aria-selected": "false", href: searchUrl(q),
                            text: "查看全部 " + out.results.length + " 篇结果（含摘录与筛选）" });
        options.push(all);
        pop.appendChild(all);
      }
      pop.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function update() {
      var q = input.value.trim(), mine = ++seq;
      if (!q) { close(); return; }
      engine().then(function (S) {
        // titles from the list (one file, loaded once): no report's own file is needed here
        return Promise.all([S.search(q, { details: 0 }), S.loadList()]).then(function (both) {
          if (mine === seq) { show(S, q, both[0]); }
        });
      }).catch(function (err) { if (mine === seq) { clear(pop); pop.appendChild(el("div", { class: "search-none", text: String(err.message || err) })); pop.hidden = false; } });
    }

    input.addEventListener("focus", function () { engine().then(function (S) { return S.loadList(); }); });
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, DEBOUNCE); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && !pop.hidden && options.length) { e.preventDefault(); setActive((active + 1) % options.length); }
      else if (e.key === "ArrowUp" && !pop.hidden && options.length) { e.preventDefault(); setActive(active <= 0 ? options.length - 1 : active - 1); }
      else if (e.key === "Escape") { e.preventDefault(); escape(input, pop.hidden); close(); }
      else if (e.key === "Enter" && active >= 0 && !pop.hidden) { e.preventDefault(); window.location.href = options[active].getAttribute("href"); }
    });
    document.addEventListener("click", function (e) { if (!form.contains(e.target)) { close(); } });
  }

  /* ------------------------------------------------------------ the result page */

  var FACETS = [["county", "县域"], ["year", "年份"], ["programme", "项目"]];

  function resultPage(page, input) {
    var status = page.querySelector("#search-status"), facetsBox = page.querySelector("#search-facets");
    var list = page.querySelector("#search-results"), moreBox = page.querySelector("#search-more");
    var params = new URLSearchParams(window.location.search);
    var chosen = { county: params.getAll("county"), year: params.getAll("year"), programme: params.getAll("programme") };
    var q = params.get("q") || "", seq = 0, drawn = 0, timer = null, last = null, shown = 0;
    var sort = SORTS[params.get("sort")] ? params.get("sort") : "";
    var hintsBox = el("div", { id: "search-hints", class: "search-hints" });
    status.parentNode.insertBefore(hintsBox, status.nextSibling);
    status.parentNode.insertBefore(sortControl(sort, function (value) {
      sort = value;
      writeUrl();
      if (last) { engine().then(function (S) { render(S, last); }); }
    }), status);
    input.value = q;

    /* A document's values of each facet, from list.js (loaded before the first render). */
    function facetsOf(S, r) {
      var f = S.state.list, n = r.doc;
      return { county: [f.counties[f.county[n]]], year: [String(f.year[n])],
               programme: f.programmesOf[n].map(function (p) { return f.programmes[p][1]; }) };
    }

    function keyOf(S, facet, d) { return d[facet]; }

    function passes(S, d, except) {
      return FACETS.every(function (f) {
        var want = chosen[f[0]];
        if (f[0] === except || !want.length) { return true; }
        var have = keyOf(S, f[0], d);
        return want.some(function (w) { return have.indexOf(w) >= 0; });
      });
    }

    function writeUrl() {
      var p = new URLSearchParams();
      if (q) { p.set("q", q); }
      if (sort) { p.set("sort", sort); }
      FACETS.forEach(function (f) { chosen[f[0]].forEach(function (v) { p.append(f[0], v); }); });
      var s = p.toString();
      try { window.history.replaceState(null, "", s ? "?" + s : window.location.pathname); } catch (e) { /* file:// in some browsers */ }
    }

    function renderFacets(S, results) {
      clear(facetsBox);
      FACETS.forEach(function (f) {
        var counts = {};
        results.forEach(function (r) {
          var d = facetsOf(S, r);
          if (!passes(S, d, f[0])) { return; }
          keyOf(S, f[0], d).forEach(function (k) { counts[k] = (counts[k] || 0) + 1; });
        });
        chosen[f[0]].forEach(function (k) { if (!(k in counts)) { counts[k] = 0; } });
        var keys = Object.keys(counts).sort(function (a, b) {
          return f[0] === "year" ? b.localeCompare(a) : counts[b] - counts[a] || a.localeCompare(b, "zh-CN");
        });
        if (!keys.length) { return; }
        var box = el("fieldset", { class: "facet" }, [el("legend", { text: f[1] })]);
        keys.forEach(function (k) {
          var check = el("input", { type: "checkbox", name: f[0], value: k });
          check.checked = chosen[f[0]].indexOf(k) >= 0;
          check.addEventListener("change", function () {
            chosen[f[0]] = check.checked ? chosen[f[0]].concat([k]) : chosen[f[0]].filter(function (v) { return v !== k; });
            writeUrl();
            render(S, last);
          });
          box.appendChild(el("label", {}, [check, " " + k + " ", el("span", { class: "count", text: "(" + counts[k] + ")" })]));
        });
        facetsBox.appendChild(box);
      });
    }

    function resultItem(S, r, units) {
      var d = docInfo(S, r);
      var li = el("li", { class: "search-result" }, [
        el("a", { class: "report-title", href: markedUrl(d.url, q), text: d.title }),
        el("div", { class: "report-meta", text: d.county + " · " + d.date })
      ]);
      var box = el("div", { class: "snippets" });
      li.appendChild(box);
      S.snippets(r.doc, units, 2).forEach(function (s) {
        var p = el("a", { class: "snippet", href: markedUrl(d.url, q, s.anchor) });
        s.parts.forEach(function (part) {
          p.appendChild(part.mark ? el("mark", { text: part.text }) : document.createTextNode(part.text));
        });
        box.appendChild(el("p", {}, [p]));
      });
      return li;
    }

    /* The next page of results (their doc files loaded: titles and passages). */
    function showMore(S, filtered, units) {
      filtered.slice(shown, shown + PAGE).forEach(function (r) { list.appendChild(resultItem(S, r, units)); });
      shown = Math.min(filtered.length, shown + PAGE);
      clear(moreBox);
      if (shown < filtered.length) {
        var button = el("button", { type: "button", text: "显示更多（还有 " + (filtered.length - shown) + " 篇）" });
        button.addEventListener("click", function () {
          var mine = drawn;
          withDetails(S, filtered.slice(shown, shown + PAGE)).then(function () {
            if (mine === drawn) { showMore(S, filtered, units); }
          });
        });
        moreBox.appendChild(button);
      }
    }

    /* The results and facets, once the first page's doc files are loaded. */
    function render(S, out) {
      var mine = ++drawn;
      if (!q) { last = out; clear(list); clear(moreBox); shown = 0; status.textContent = "请在上方输入要检索的词语。"; clear(facetsBox); return; }
      var filtered = out.results.filter(function (r) { return passes(S, facetsOf(S, r), null); });
      if (sort) { filtered.sort(window.ArchiveQuery.dateOrder(S.state.list, sort === "date")); }
      withDetails(S, filtered.slice(0, PAGE)).then(function () {
        if (mine === drawn) { draw(S, out, filtered); }
      }).catch(function (err) { status.textContent = String(err.message || err); });
    }

    function draw(S, out, filtered) {
      last = out;
      clear(list); clear(moreBox); shown = 0;
      renderFacets(S, out.results);
      clear(status);
      clear(hintsBox);
      hintLines(out).forEach(function (h) { hintsBox.appendChild(h); });
      if (!out.results.length) {
        status.appendChild(document.createTextNode("没有找到包含“" + q + "”的报道。"));
        var hint = S.suggest(q);
        if (hint) {
          status.appendChild(document.createTextNode("您是不是要找："));
          status.appendChild(el("a", { href: searchUrl(hint), text: hint }));
          status.appendChild(document.createTextNode("？"));
        }
        return;
      }
      status.textContent = "“" + q + "”：" + filtered.length + " 篇报道" +
        (filtered.length < out.results.length ? "（共 " + out.results.length + " 篇，已按条件筛选）" : "");
      showMore(S, filtered, out.units);
    }

    function update() {
      var mine = ++seq;
      if (!q) { engine().then(function (S) { render(S, { results: [], units: [] }); }); return; }
      status.textContent = "正在检索…";
      engine().then(function (S) {
        return Promise.all([S.search(q, { details: PAGE }), S.loadList()]).then(function (both) {
          if (mine === seq) { render(S, both[0]); }
        });
      }).catch(function (err) { status.textContent = String(err.message || err); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { q = input.value.trim(); writeUrl(); update(); }, DEBOUNCE);
    });
    input.form.addEventListener("submit", function (e) { e.preventDefault(); q = input.value.trim(); writeUrl(); update(); });
    input.addEventListener("keydown", function (e) { if (e.key === "Escape") { e.preventDefault(); escape(input, true); } });
    update();
  }

  // sort= in the URL: newest first, oldest first; none: by relevance
  var SORTS = { "": "按相关度", "date": "最新在前", "date-asc": "最早在前" };

  function sortControl(sort, changed) {
    var select = el("select", { id: "search-sort", name: "sort" });
    Object.keys(SORTS).forEach(function (k) {
      var o = el("option", { value: k, text: SORTS[k] });
      o.selected = k === sort;
      select.appendChild(o);
    });
    select.addEventListener("change", function () { changed(select.value); });
    return el("label", { class: "search-sort" }, ["排序：", select]);
  }

  /* Escape: closes the list if it is open (the caller does), else clears the box. */
  function escape(input, closed) {
    if (!closed || !input.value) { return; }
    input.value = "";
    input.dispatchEvent(new Event("input"));
  }

  /* "/" focuses the search box from anywhere but a field being typed in. */
  function slashKey(input) {
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) { return; }
      var t = e.target, tag = t && t.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) { return; }
      e.preventDefault();
      input.focus();
      input.select();
    });
  }

  /* A report opened from a result (page?q=…): search-mark.js marks the query's phrases in it. */
  function markArrival() {
    var q = new URLSearchParams(window.location.search).get("q");
    var article = document.querySelector("article.report");
    if (!q || !article) { return; }
    Promise.all(ENGINE.concat(["assets/js/search-mark.js"]).map(loadScript)).then(function () {
      window.ArchiveMark.start(article, q);
    });
  }

  function start() {
    var input = document.getElementById("search-input");
    markArrival();
    if (!input || !input.form) { return; }
    slashKey(input);
    var page = document.getElementById("search-page");
    if (page) { resultPage(page, input); } else { dropdown(input); }
  }

  var style = document.createElement("style");
  style.textContent =
    ".search-pop{position:absolute;top:100%;left:0;right:0;z-index:20;background:#fff;border:1px solid #ccd;border-radius:4px;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.12);max-height:70vh;overflow:auto;margin-top:2px;min-width:18rem}" +
    ".search-opt{display:block;padding:.45rem .7rem;text-decoration:none;color:inherit;border-bottom:1px solid #eee}" +
    ".search-opt[aria-selected=true],.search-opt:hover{background:#eef3fb}" +
    ".search-opt-title{display:block;font-weight:600}.search-opt-meta{display:block;font-size:.85rem;color:#666}" +
    ".search-all{font-size:.9rem;color:#1a56a6}.search-none{padding:.6rem .7rem;font-size:.92rem}" +
    ".search-layout{display:grid;grid-template-columns:minmax(0,1fr) 14rem;gap:2rem}" +
    "@media (max-width:46rem){.search-layout{grid-template-columns:1fr}}" +
    ".facet{border:1px solid #dde;border-radius:4px;margin:0 0 1rem;padding:.3rem .8rem .6rem}" +
    ".facet label{display:block;font-size:.92rem;line-height:1.8;cursor:pointer}" +
    ".search-result{padding:.7rem 0;border-bottom:1px solid #e4e4e4;list-style:none}" +
    "#search-results{padding:0;margin:0}.snippets p{margin:.3rem 0 0;font-size:.95rem;line-height:1.75}" +
    ".snippet{color:inherit;text-decoration:none}.snippet:hover{text-decoration:underline}" +
    ".snippets mark{background:#ffe58a;color:inherit;padding:0 .05em}" +
    ".search-hint{padding:.3rem .7rem;font-size:.88rem;color:#7a4b00;background:#fff8e6}" +
    ".search-hints .search-hint{margin:.3rem 0;border-radius:3px}.search-sort{float:right;font-size:.92rem}";
  document.head.appendChild(style);

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
