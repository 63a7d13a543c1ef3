"""How the benchmark drives our own search in a built site: which files are the index, and its JS API.

Read from layouts/static/js/search.js and search-ui.js: the UI loads three scripts in order, then
`ArchiveSearch.init(base)` loads assets/search/manifest.js (over http, as here, every index file is fetched
and its JSON parsed; from file:// it is loaded as a script); `ArchiveSearch.search(q)` loads only the term
shards the query needs and resolves to {units, results: [{ref, doc, score}]} (starting to load the doc
files of the first 10 results); `loadDoc(n)` loads a result's doc file, then `details(n)` gives its title,
county and date and `snippets(n, units)` its passages. The benchmark does exactly that from a blank page.
"""
from __future__ import annotations

from pathlib import Path

import browser as web

SEARCH_DIR = "assets/search"
ENGINE_SCRIPTS = ["assets/js/ts-chars.js", "assets/js/tokenize.js", "assets/js/search-query.js", "assets/js/search.js"]


def index_files(site: Path) -> tuple[list[Path], str]:
    """The files of our search index in a built site (manifest, term shards, snippet texts), and which they are."""
    folder = site / SEARCH_DIR
    if not folder.is_dir():
        return [], ""
    manifest = sorted(folder.glob("manifest*.js")) + sorted(folder.glob("list*.js"))
    shards = sorted(folder.glob("shard-*.js"))
    docs = sorted(folder.glob("doc-*.js"))
    note = (f"`{SEARCH_DIR}/`: {len(manifest)} manifest and list, {len(shards)} term shard(s), {len(docs)} snippet file(s) "
            "(the engine scripts are code, not counted)")
    return manifest + shards + docs, note


def engine(site: Path) -> web.Engine | None:
    """The browser driver for our search, or None while the site has no search to drive."""
    if not all((site / path).is_file() for path in ENGINE_SCRIPTS) or not index_files(site)[0]:
        return None
    scripts = ", ".join(f'"{p}"' for p in ENGINE_SCRIPTS)
    return web.Engine(
        name="ours",
        load_js=f"""async () => {{
            const t0 = performance.now();
            const load = (src) => new Promise((resolve, reject) => {{
                const s = document.createElement("script");
                s.src = src; s.async = false;
                s.onload = resolve; s.onerror = () => reject(new Error("cannot load " + src));
                document.head.appendChild(s);
            }});
            await Promise.all([{scripts}].map(load));
            await window.ArchiveSearch.init("");
            return performance.now() - t0;
        }}""",
        query_js=f"""async (q) => {{
            const S = window.ArchiveSearch;
            const t0 = performance.now();
            const out = await S.search(q);
            const t1 = performance.now();
            const top = out.results.slice(0, {web.RESULTS_PAGE});
            await Promise.all(top.map(r => S.loadDoc(r.doc)));
            top.forEach(r => {{ S.details(r.doc); S.snippets(r.doc, out.units, 2); }});
            return {{ms: performance.now() - t0, search_ms: t1 - t0, count: out.results.length}};
        }}""",
        urls_js="""async (q) => (await window.ArchiveSearch.search(q, {details: 0})).results.map(r => r.ref)""",
    )
