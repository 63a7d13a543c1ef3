"""The per-report step: a report's Markdown body, programme findings and search terms, from the report alone."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from . import markdown, programmes, search
from .content import Report
from .executor import Runner
from .markdown import RenderedBody

Registry = programmes.Matcher  # the programme registry as the per-report step reads it


@dataclass(frozen=True)
class Processed:
    """What the per-report step makes of one report."""

    body: RenderedBody
    findings: programmes.Findings  # programme mentions, passages and figures found in the body
    terms: search.DocTerms  # the report's search document and its terms, the programmes it mentions among them


def process_report(report: Report, registry: Registry) -> Processed:
    """Render the body, find its programme mentions and tokenize it for search: a pure function of its inputs."""
    body = markdown.render_body(report, registry)
    findings = programmes.find(report, body, registry)
    mentioned = [p for p, _ in programmes.mentioned(findings, registry.programmes)]
    return Processed(body, findings, search.report_terms(report, body, mentioned))


class ReportMemo(Protocol):
    """What this stage needs of a watch session's memo."""

    def processed(self, reports: Sequence[Report], registry: Registry,
                  compute: Callable[[list[Report]], list[Processed]]) -> dict[str, Processed]:
        """Each report's result, computed with compute() only for those it does not hold."""
        ...


def process_all(reports: Sequence[Report], registry: Registry, executor: Runner,
                memo: ReportMemo | None = None) -> dict[str, Processed]:
    """Every report processed, by slug: reports the memo holds are taken from it, the others run on the executor."""
    step = partial(process_report, registry=registry)
    if memo is None:
        return dict(zip((r.slug for r in reports), executor.map(step, reports)))
    return memo.processed(reports, registry, lambda todo: executor.map(step, todo))
