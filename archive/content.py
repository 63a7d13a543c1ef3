"""Read and validate content: reports and programmes, with front matter checked key by key."""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .config import Config
from .errors import Problems
from .frontmatter import Document, read_document

TODO = "TODO"

# Slugs become file names and URL parts: letters (any script), digits, '-', '_' and '.' only.
SLUG_RE = re.compile(r"^[\w][\w.-]*$")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

_Item = TypeVar("_Item")  # what _load_all parses a folder's documents into


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day; never padded into a false day."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> "PartialDate":
        """Parse YYYY, YYYY-MM or YYYY-MM-DD; raise ValueError with a reason otherwise."""
        m = DATE_RE.match(text)
        if not m:
            raise ValueError(f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        year = int(m.group(1))
        month, day = (int(g) if g else None for g in m.groups()[1:])
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"date {text!r} has no month {month}")
        if month is not None and day is not None:  # DATE_RE has no day without a month
            try:
                _dt.date(year, month, day)
            except ValueError:
                raise ValueError(f"date {text!r} is not a day of the calendar") from None
        return cls(year, month, day)

    @property
    def precision(self) -> str:
        """'year', 'month' or 'day'."""
        return "day" if self.day else "month" if self.month else "year"

    def iso(self) -> str:
        """YYYY, YYYY-MM or YYYY-MM-DD, exactly as precise as known."""
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def chinese(self) -> str:
        """2018年12月5日, 2017年7月 or 2017年."""
        text = f"{self.year}年"
        if self.month:
            text += f"{self.month}月"
        if self.day:
            text += f"{self.day}日"
        return text

    def sort_key(self) -> tuple[int, int, int]:
        """Orders partial dates; an unknown month or day sorts before known ones."""
        return (self.year, self.month or 0, self.day or 0)

    def __str__(self) -> str:
        return self.iso()


@dataclass
class Report:
    """One report page: typed front matter, the Markdown body, and where it came from."""

    path: Path
    slug: str
    title: str
    county: str
    date: PartialDate
    authors: list[str]
    body: str
    body_line: int  # line of the file on which the body starts, for error messages
    province: str = ""
    prefecture: str = ""
    publication: str = ""
    source_url: str = ""
    source_file: str = ""
    date_note: str = ""
    editor: str = ""
    summary: str = ""
    draft: bool = False
    retrieved: PartialDate | None = None  # when the source was collected: a citation's access date
    programmes: list[str] = field(default_factory=list)
    not_programmes: list[str] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # front-matter key -> line number

    @property
    def url(self) -> str:
        """The page's URL relative to the site root."""
        return f"reports/{self.slug}.html"

    def line_of(self, key: str) -> int:
        """The line of a front-matter key (1 if the key is absent)."""
        return self.lines.get(key, 1)


@dataclass
class Programme:
    """One programme of the registry: names, category and the team's annotation."""

    path: Path
    slug: str
    name: str
    aliases: list[str]
    category: str
    body: str
    body_line: int
    see_also: list[str] = field(default_factory=list)
    summary: str = ""
    lines: dict[str, int] = field(default_factory=dict)
    not_in: list[str] = field(default_factory=list)  # words inside which an alias is not this programme
    measures: list[str] = field(default_factory=list)  # words whose sentences feed the figures table

    @property
    def url(self) -> str:
        """The page's URL relative to the site root."""
        return f"programmes/{self.slug}.html"

    @property
    def names(self) -> list[str]:
        """The name followed by every alias, without repeats."""
        return list(dict.fromkeys([self.name, *self.aliases]))

    def line_of(self, key: str) -> int:
        """The line of a front-matter key (1 if the key is absent)."""
        return self.lines.get(key, 1)


@dataclass
class Content:
    """Everything loaded from the content folder, before any rendering."""

    config: Config
    root: Path
    reports: list[Report]
    programmes: list[Programme]


class _Fields:
    """Typed access to front-matter values that records every mistake with its line."""

    def __init__(self, doc: Document, problems: Problems, draft: bool = False):
        self.doc, self.problems, self.draft = doc, problems, draft

    def line(self, key: str) -> int:
        return self.doc.lines.get(key, 2)

    def error(self, key: str, message: str) -> None:
        self.problems.error(self.doc.path, self.line(key), message)

    def missing(self, key: str) -> None:
        """Report a required key that is absent."""
        self.problems.error(self.doc.path, 2, f"missing required key '{key}'")

    def text(self, key: str, required: bool = False) -> str:
        """A string value ('' when absent and optional)."""
        value = self.doc.meta.get(key)
        if value is None:
            if required:
                self.missing(key)
            return ""
        if not isinstance(value, str):
            self.error(key, f"'{key}' must be text, not {_type_name(value)} (quote it)")
            return ""
        text = value.strip()
        if required and not text:
            self.error(key, f"'{key}' is empty")
        self._todo(key, text)
        return text

    def names(self, key: str, required: bool = False) -> list[str]:
        """One name or a list of names, each non-empty text."""
        value = self.doc.meta.get(key)
        if value is None:
            if required:
                self.missing(key)
            return []
        items = value if isinstance(value, list) else [value]
        if required and not items:
            self.error(key, f"'{key}' is empty")
        out: list[str] = []
        for item in items:
            if not isinstance(item, str) or not item.strip():
                self.error(key, f"each '{key}' must be a name in text, not {_type_name(item)}")
                continue
            self._todo(key, item)
            out.append(item.strip())
        if len(set(out)) != len(out):
            self.error(key, f"'{key}' names someone twice")
        return out

    def flag(self, key: str) -> bool:
        """A yes/no value."""
        value = self.doc.meta.get(key, False)
        if not isinstance(value, bool):
            self.error(key, f"'{key}' must be true or false, not {_type_name(value)}")
            return False
        return value

    def date(self, key: str, required: bool = True) -> PartialDate | None:
        """A date at its own precision (None when absent, an error only when required)."""
        value = self.doc.meta.get(key)
        if value is None:
            if required:
                self.missing(key)
            return None
        if isinstance(value, _dt.datetime):
            value = value.date()
        if isinstance(value, _dt.date):
            return PartialDate(value.year, value.month, value.day)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.error(key, f"'{key}' must be YYYY, YYYY-MM or YYYY-MM-DD, not {_type_name(value)}")
            return None
        if value.strip().startswith(TODO):
            self._todo(key, value)
            return None
        try:
            return PartialDate.parse(value.strip())
        except ValueError as exc:
            self.error(key, str(exc))
            return None

    def _todo(self, key: str, text: str) -> None:
        if text.startswith(TODO):
            message = f"'{key}' is still {text!r}: fill it in" + ("" if self.draft else " or mark the page draft: true")
            if self.draft:
                self.problems.warning(self.doc.path, self.line(key), message)
            else:
                self.error(key, message)

    def unknown(self, known: set[str]) -> None:
        """Warn about every key the schema does not know."""
        for key in self.doc.meta:
            if key not in known:
                self.problems.warning(self.doc.path, self.line(key), f"unknown front-matter key '{key}' (ignored)")


_TYPE_NAMES: dict[type, str] = {
    bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "a mapping", type(None): "nothing",
}


def _type_name(value: object) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


REPORT_KEYS = {
    "title", "county", "date", "author", "province", "prefecture", "publication", "source_url",
    "source_file", "date_note", "editor", "summary", "draft", "slug", "programmes", "not_programmes", "retrieved",
}


def parse_report(doc: Document, root: Path, problems: Problems) -> Report | None:
    """Turn a document into a Report, recording every problem in its front matter."""
    draft = doc.meta.get("draft") is True
    f = _Fields(doc, problems, draft)
    f.unknown(REPORT_KEYS)
    before = len(problems.errors)
    slug = f.text("slug") or doc.path.stem
    if not SLUG_RE.match(slug):
        f.error("slug", f"slug {slug!r} may hold only letters, digits, '-', '_' and '.'")
    report = Report(
        path=doc.path,
        slug=slug,
        title=f.text("title", required=True),
        county=f.text("county", required=True),
        date=f.date("date") or PartialDate(0),
        authors=f.names("author", required=True),
        body=doc.body,
        body_line=doc.body_line,
        province=f.text("province"),
        prefecture=f.text("prefecture"),
        publication=f.text("publication"),
        source_url=f.text("source_url"),
        source_file=f.text("source_file"),
        date_note=f.text("date_note"),
        editor=f.text("editor"),
        summary=f.text("summary"),
        draft=f.flag("draft"),
        retrieved=f.date("retrieved", required=False),
        programmes=f.names("programmes"),
        not_programmes=f.names("not_programmes"),
        lines=dict(doc.lines),
    )
    if report.source_file:
        problem = source_problem(root, report.source_file)
        if problem:
            f.error("source_file", problem)
    return report if len(problems.errors) == before else None


def source_problem(root: Path, name: str) -> str:
    """Why source_file `name` is not a file inside root/sources ('' when it is): it is published as it is."""
    sources = root / "sources"
    if Path(name).is_absolute() or ".." in Path(name).parts:
        return f"source_file {name!r} must name a file inside {sources}, not a path leading out of it"
    if not (sources / name).resolve().is_relative_to(sources.resolve()):
        return f"source_file {name!r} resolves outside {sources} (a symlink?): only files inside it are published"
    if not (sources / name).is_file():
        return f"source_file {name!r} is not a file in {sources}"
    return ""


PROGRAMME_KEYS = {"name", "aliases", "category", "see_also", "summary", "not_in", "measures"}


def parse_programme(doc: Document, problems: Problems) -> Programme | None:
    """Turn a document into a Programme, recording every problem in its front matter."""
    f = _Fields(doc, problems)
    f.unknown(PROGRAMME_KEYS)
    before = len(problems.errors)
    slug = doc.path.stem
    if not SLUG_RE.match(slug):
        problems.error(doc.path, 1, f"file name {slug!r} may hold only letters, digits, '-', '_' and '.'")
    programme = Programme(
        path=doc.path,
        slug=slug,
        name=f.text("name", required=True),
        aliases=f.names("aliases"),
        category=f.text("category", required=True),
        body=doc.body,
        body_line=doc.body_line,
        see_also=f.names("see_also"),
        summary=f.text("summary"),
        lines=dict(doc.lines),
        not_in=f.names("not_in"),
        measures=f.names("measures"),
    )
    return programme if len(problems.errors) == before else None


def load_content(config: Config, root: Path, problems: Problems, drafts: bool = False) -> Content:
    """Load every report and programme under root, checking each and the collection as a whole."""
    reports = [r for r in _load_all(root / "reports", problems, lambda d: parse_report(d, root, problems))
               if drafts or not r.draft]
    programmes = _load_all(root / "programmes", problems, lambda d: parse_programme(d, problems))
    _check_unique(reports, "report", problems)
    _check_unique(programmes, "programme", problems)
    return Content(config, root, reports, programmes)


def _load_all(folder: Path, problems: Problems, parse: Callable[[Document], _Item | None]) -> list[_Item]:
    """Parse every .md file of a folder in a stable order, skipping hidden and editor lock files."""
    items: list[_Item] = []
    # Editors leave lock and backup files beside the page (emacs `.#page.md`, vim `.page.md.swp`):
    # like Hugo and MkDocs, names starting with '.' or '#' are not content.
    paths = [p for p in folder.glob("*.md") if not p.name.startswith((".", "#"))] if folder.is_dir() else []
    inside = folder.parent.resolve()  # the content folder: a symlink leading out of it is not content
    folder_inside = folder.resolve().is_relative_to(inside)
    for path in sorted(paths):
        # in a folder inside content/, only a symlink can lead out (resolving every path costs 1,000 lstat chains)
        if (path.is_symlink() or not folder_inside) and not path.resolve().is_relative_to(inside):
            problems.error(path, 1, f"symlink to {path.resolve()}, outside {folder.parent}: refused")
            continue
        doc = read_document(path, problems)
        if doc is not None:
            item = parse(doc)
            if item is not None:
                items.append(item)
    return items


def _check_unique(items: Sequence[Report | Programme], kind: str, problems: Problems) -> None:
    """Two pages may not claim one URL, also where only letter case or Unicode form differs."""
    seen: dict[str, Report | Programme] = {}
    for item in items:
        key = unicodedata.normalize("NFKC", item.slug).casefold()
        if key in seen:
            other = seen[key]
            problems.error(item.path, item.line_of("slug"),
                           f"duplicate {kind} slug {item.slug!r}: {other.path} has the same URL {item.url}")
        else:
            seen[key] = item
