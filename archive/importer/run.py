"""`build.py import FILE...`: plan every file first, write only when all of them can be imported."""
from __future__ import annotations

import datetime as dt
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import display_path
from .decode import Decoded, ImportProblem, decode, kind_of
from .draft import Draft, infer
from .html import read_page
from .page import render_page, slug_for
from ..provenance import dump, record_path


@dataclass(frozen=True)
class Plan:
    """What importing one file will write."""

    source: Path
    data: bytes
    decoded: Decoded
    draft: Draft
    source_dest: Path
    page: Path
    unchanged: bool = False
    message: str = ""


def read_source(path: Path, data: bytes) -> tuple[Decoded, Draft]:
    """Decode a source (text or saved page) and draft its page; ImportProblem when there is nothing to import."""
    kind = kind_of(path)
    decoded = decode(data, path, html=kind == "html")
    if kind == "text":
        return decoded, infer(decoded.text)
    if re.search(r"<(html|body)[\s>]", decoded.text, re.IGNORECASE) and not re.search(r"</(html|body)\s*>", decoded.text, re.IGNORECASE):
        line = decoded.text.rstrip("\n").count("\n") + 1
        raise ImportProblem(path, line, "truncated web page: the file ends before </body> or </html>; "
                            "save the whole page again")
    page = read_page(decoded.text)
    if page is None:
        raise ImportProblem(path, 1, "no article found in this web page (only navigation, lists or scripts); "
                            "save the article's own page, or copy its text into a .txt file")
    return decoded, infer(page=page)


def _page_naming(reports: Path, source_name: str) -> Path | None:
    """The existing page whose source_file is this source, if any."""
    pattern = re.compile(rf"^source_file:\s*['\"]?{re.escape(source_name)}['\"]?\s*$", re.MULTILINE)
    for page in sorted(reports.glob("*.md")):
        try:
            head = page.read_text("utf-8", errors="replace").split("\n---", 1)[0]
        except OSError:
            continue
        if pattern.search(head):
            return page
    return None


def plan_import(path: Path, content_dir: Path, force: bool, taken: set[Path]) -> Plan:
    """Decide what to write for one file, raising ImportProblem for anything that must stop the import."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportProblem(path, 1, f"cannot read: {exc.strerror}") from None
    decoded, draft = read_source(path, data)
    sources, reports = content_dir / "sources", content_dir / "reports"
    source_dest = sources / path.name
    if source_dest.exists() and source_dest.read_bytes() != data:
        raise ImportProblem(path, 1, f"{display_path(source_dest)} already exists with different content: "
                            "rename the file before importing it")
    if not source_dest.exists():
        # The same bytes kept under another name are the same source: reuse that name, do not add a copy.
        twin = next((f for f in sorted(sources.glob("*")) if f.is_file() and f.stat().st_size == len(data)
                     and f.read_bytes() == data), None)
        source_dest = twin or source_dest
    existing = _page_naming(reports, source_dest.name) if source_dest.exists() else None
    if existing is not None:
        message = "" if force else (f"{display_path(existing)}: already drafted from {display_path(source_dest)}; "
                                    "unchanged (--force drafts it again)")
        return Plan(path, data, decoded, draft, source_dest, existing, not force, message)
    slug = slug_for(draft.county, draft.date, path.stem)
    page, n = reports / f"{slug}.md", 2
    while page.exists() or page in taken:  # another report has this slug: never overwrite it, take the next free name
        page, n = reports / f"{slug}-{n}.md", n + 1
    taken.add(page)
    return Plan(path, data, decoded, draft, source_dest, page)


def run_import(files: list[Path], content_dir: Path, force: bool) -> int:
    """Import raw source files as draft pages; print what was inferred and what is left TODO. Exit status."""
    plans: list[Plan] = []
    failed = False
    taken: set[Path] = set()  # pages this run will write, so two new sources with one slug get two pages
    for path in files:
        try:
            plans.append(plan_import(Path(path), content_dir, force, taken))
        except ImportProblem as problem:
            print(problem, file=sys.stderr)
            failed = True
    for name, n in Counter(p.source_dest.name for p in plans).items():
        if n > 1:
            print(f"{name}: given {n} times with one file name; import them one at a time under different names",
                  file=sys.stderr)
            failed = True
    if failed:
        print("import failed: nothing written", file=sys.stderr)
        return 1
    today = dt.date.today().isoformat()
    for plan in plans:
        if plan.unchanged:
            print(plan.message)
            continue
        plan.source_dest.parent.mkdir(parents=True, exist_ok=True)
        plan.page.parent.mkdir(parents=True, exist_ok=True)
        if not plan.source_dest.exists():
            plan.source_dest.write_bytes(plan.data)
        plan.page.write_text(render_page(plan.draft, plan.source_dest.name, today), "utf-8")
        record_path(plan.page).write_text(dump(plan.source_dest.name, plan.draft.entries), "utf-8")
        _report(plan)
    return 0


def _report(plan: Plan) -> None:
    """Tell the user what was inferred and what still needs a hand."""
    d = plan.draft
    print(f"{display_path(plan.page)}: drafted from {display_path(plan.source_dest)} "
          f"({plan.decoded.encoding}, {plan.decoded.newline} line endings)")
    print(f"  title: {d.title or '-'} | county: {d.county or '-'} ({d.prefecture or '-'}, {d.province or '-'}) | "
          f"date: {d.date or '-'} | author: {'、'.join(d.authors) or '-'}")
    print(f"  {d.kinds.get('heading', 0)} heading(s), {d.kinds.get('caption', 0)} caption(s), "
          f"{d.kinds.get('debris', 0)} debris line(s) removed; record: {display_path(record_path(plan.page))}")
    for todo in d.todos:
        print(f"  TODO {todo}")
    for note in d.notes:
        print(f"  check {note}")
