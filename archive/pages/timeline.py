"""The timeline drawing: every report on its year's axis, county labels stacked in lanes."""
from __future__ import annotations

from dataclasses import dataclass

from ..content import PartialDate, Report
from ..collection import Group, Site

WIDTH = 960  # the drawing's own units; the SVG scales to the page width
LEFT = 120  # room for the lane of reports known only to the year, labels included
_RIGHT = 12
_LANE = 22
_TOP = 30
_CHAR = 13  # width of a CJK character at the label's font size


@dataclass(frozen=True)
class TimelineMark:
    """One report placed on a year's axis, its county label beside it."""

    report: Report
    x: float
    y: float
    precision: str
    label_x: float
    anchor: str  # 'start' (label to the right of the mark) or 'end' (to the left, near the axis end)


@dataclass(frozen=True)
class TimelineYear:
    """One year of the timeline: its marks, month ticks and the drawing's height."""

    group: Group
    marks: tuple[TimelineMark, ...]
    ticks: tuple[tuple[float, str], ...]
    height: int


def _x(date: PartialDate) -> float:
    """Where in a year a date falls; a date known only to the year sits in the left lane."""
    span = WIDTH - LEFT - _RIGHT
    if date.month is None:
        return 10
    fraction = (date.month - 1 + ((date.day - 0.5) / 31 if date.day else 0.5)) / 12
    return LEFT + fraction * span


def timeline(site: Site) -> list[TimelineYear]:
    """Every year's axis, newest year first."""
    span = WIDTH - LEFT - _RIGHT
    ticks = tuple((round(LEFT + m / 12 * span, 1), f"{m + 1}月") for m in range(12))
    return [timeline_year(group, ticks) for group in site.years]


def timeline_year(group: Group, ticks: tuple[tuple[float, str], ...]) -> TimelineYear:
    """One year's axis: its reports in date order, each label in the first lane with room for it."""
    lanes: list[float] = []  # the right end of what is drawn last in each lane
    marks = []
    for report in sorted(group.reports, key=lambda x: (x.date.sort_key(), x.slug)):
        x = _x(report.date)
        text_width = _CHAR * len(report.county)
        if x + 9 + text_width > WIDTH - 2:  # no room on the right: label on the left of the mark
            left, right, label_x, anchor = x - 9 - text_width, x + 6, x - 9, "end"
        else:
            left, right, label_x, anchor = x - 6, x + 9 + text_width, x + 9, "start"
        lane = next((i for i, end in enumerate(lanes) if end < left - 4), None)
        if lane is None:
            lanes.append(0)
            lane = len(lanes) - 1
        lanes[lane] = right
        marks.append(TimelineMark(report, round(x, 1), _TOP + 14 + lane * _LANE, report.date.precision,
                                  round(label_x, 1), anchor))
    return TimelineYear(group, tuple(marks), ticks, _TOP + 24 + len(lanes) * _LANE)
