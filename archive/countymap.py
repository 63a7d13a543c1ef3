"""The county map: an SVG drawn at build time from county coordinates, points only, nothing fetched."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
WIDTH = 480.0  # viewBox units; shown at 100 % of its box, so a 390 px phone scales it by 0.8
MARGIN = 48.0  # viewBox units around the framed points, room for labels and the scale bar
MIN_SPAN_KM = 300.0  # one county alone is still shown with some land around it
LABEL_SIZE, PROVINCE_SIZE, SMALL_SIZE = 17.0, 18.0, 13.0  # × 0.73 on a 390 px screen: 12.4, 13.1, 9.5 px
NICE_KM = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000)


@dataclass(frozen=True)
class MapPoint:
    """One county to draw: name, link relative to the page, WGS84 degrees, report count, highlight, province."""

    name: str
    url: str
    lon: float
    lat: float
    count: int  # 0: not shown (a map of where counties are, not of how much each holds)
    highlighted: bool = False
    province: str = ""


@dataclass(frozen=True)
class Frame:
    """The projection framed to the points: equirectangular about the centre latitude, in km, then viewBox units."""

    lon0: float
    lat0: float
    west_km: float
    north_km: float
    scale: float  # viewBox units per km
    height: float

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        """(x, y) in viewBox units: east to the right, north up."""
        x_km, y_km = _km(lon, lat, self.lon0, self.lat0)
        return MARGIN + (x_km - self.west_km) * self.scale, MARGIN + (self.north_km - y_km) * self.scale


def _km(lon: float, lat: float, lon0: float, lat0: float) -> tuple[float, float]:
    """Equirectangular projection with its standard parallel at lat0: east and north of (lon0, lat0) in km."""
    k = math.pi / 180 * EARTH_RADIUS_KM
    return (lon - lon0) * k * math.cos(math.radians(lat0)), (lat - lat0) * k


def frame(points: Sequence[MapPoint]) -> Frame:
    """Centre and scale the projection on the points' bounding box, no flatter than 2:1 nor taller than 1:1."""
    lon0 = (min(p.lon for p in points) + max(p.lon for p in points)) / 2
    lat0 = (min(p.lat for p in points) + max(p.lat for p in points)) / 2
    xs, ys = zip(*(_km(p.lon, p.lat, lon0, lat0) for p in points))
    span_x = max(max(xs) - min(xs), MIN_SPAN_KM)
    span_y = max(max(ys) - min(ys), MIN_SPAN_KM / 2)
    span_x, span_y = max(span_x, span_y), max(span_y, span_x / 2)  # keep it readable on a narrow screen
    scale = (WIDTH - 2 * MARGIN) / span_x
    west = (min(xs) + max(xs)) / 2 - span_x / 2
    north = (min(ys) + max(ys)) / 2 + span_y / 2
    return Frame(lon0, lat0, west, north, scale, span_y * scale + 2 * MARGIN)


def radius(count: int) -> float:
    """A point's radius: its area grows with the number of reports, up to a cap."""
    return min(5.0 + 2.5 * math.sqrt(max(count, 0)), 14.0)  # capped low: neighbouring counties stay apart


def point_radius(p: MapPoint) -> float:
    """A point's drawn radius: by its count, a highlighted county's a little larger, so it stands out."""
    return radius(p.count) + (3.0 if p.highlighted else 0.0)


def _n(value: float) -> str:
    """A coordinate with one decimal, never '-0.0', so the output is the same on every machine."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _text_box(x: float, y: float, text: str, size: float, anchor: str) -> Box:
    """The box a one-line label takes: a Han character is about 1 em wide, a Latin one about half."""
    width = sum(size if ord(c) > 0x2E7F else size * 0.55 for c in text)
    left = x - width if anchor == "end" else x - width / 2 if anchor == "middle" else x
    return left, y - size * 0.85, left + width, y + size * 0.25


def _overlaps(a: Box, b: Box) -> bool:
    """Whether two boxes intersect."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


Label = tuple[float, float, str, bool]  # x, y, text-anchor, shown
CROWDED = ' class="map-crowded"'  # a label with no free place: hidden by the map's style


def _place(x: float, y: float, r: float, text: str, taken: list[Box], height: float, must: bool = False) -> Label:
    """A label's position beside its point (right, left, above, below): the first free one inside the map.

    With none free the label is hidden rather than drawn over another (the point keeps its name as its title),
    unless it must be shown: a highlighted county's.
    """
    gap = r + 4
    tries = [(x + gap, y + LABEL_SIZE * 0.35, "start"), (x - gap, y + LABEL_SIZE * 0.35, "end"),
             (x, y - gap - 2, "middle"), (x, y + gap + LABEL_SIZE * 0.8, "middle")]
    for tx, ty, anchor in tries:
        box = _text_box(tx, ty, text, LABEL_SIZE, anchor)
        if box[0] >= 2 and box[2] <= WIDTH - 2 and box[1] >= 2 and box[3] <= height - 2 and not any(_overlaps(box, t) for t in taken):
            taken.append(box)
            return tx, ty, anchor, True
    tx, ty, anchor = tries[0] if x < WIDTH / 2 else tries[1]
    if must:
        taken.append(_text_box(tx, ty, text, LABEL_SIZE, anchor))
    return tx, ty, anchor, must


def _point(p: MapPoint, xy: tuple[float, float], label: Label, any_highlight: bool) -> str:
    """One county: a link around its circle and label, named for screen readers."""
    x, y = xy
    tx, ty, anchor, shown = label
    state = "on" if p.highlighted or not any_highlight else "off"
    name = f"{p.name}（{p.province}）" if p.province else p.name
    if p.count > 0:
        name += f"：{p.count} 篇报道"
    return (f'<a class="map-county map-{state}" href="{escape(p.url)}" aria-label="{escape(name)}">'
            f'<title>{escape(name)}</title>'
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(point_radius(p))}"/>'
            f'<text x="{_n(tx)}" y="{_n(ty)}" text-anchor="{anchor}"{"" if shown else CROWDED}>'
            f'{escape(p.name)}</text></a>')


def _provinces(points: Sequence[MapPoint], f: Frame, taken: list[Box]) -> list[str]:
    """Each province's name at the centroid of its counties' points, below them, in sorted order."""
    out = []
    for province in sorted({p.province for p in points if p.province}):
        xys = [f.project(p.lon, p.lat) for p in points if p.province == province]
        x = sum(v[0] for v in xys) / len(xys)
        y = sum(v[1] for v in xys) / len(xys) + 34
        y = min(y, f.height - MARGIN / 2)
        taken.append(_text_box(x, y, province, PROVINCE_SIZE, "middle"))
        out.append(f'<text class="map-province" x="{_n(x)}" y="{_n(y)}" text-anchor="middle">{escape(province)}</text>')
    return out


def _scale_bar(f: Frame) -> str:
    """A scale bar of a round number of km, about a quarter of the map's width, at the bottom left."""
    target = (WIDTH - 2 * MARGIN) / 4 / f.scale
    km = max((k for k in NICE_KM if k <= target), default=NICE_KM[0])
    x0, y0, length = 12.0, f.height - 14, km * f.scale
    return (f'<g class="map-scale" aria-hidden="true">'
            f'<path d="M{_n(x0)} {_n(y0 - 5)}v5h{_n(length)}v-5" fill="none"/>'
            f'<text x="{_n(x0)}" y="{_n(y0 - 8)}">{km} km</text></g>')


def _north(f: Frame) -> str:
    """A small north arrow at the top right: the map is drawn north up."""
    x = WIDTH - 18
    return (f'<g class="map-north" aria-hidden="true"><path d="M{_n(x)} 10l-6 16h12z"/>'
            f'<text x="{_n(x)}" y="42" text-anchor="middle">北</text></g>')


STYLE = (".map-bg{fill:#faf8f3;stroke:#d8d4ca}"
         ".map-county circle{fill:#b3261e;fill-opacity:.75;stroke:#fff;stroke-width:1.5}"
         ".map-off circle{fill:#8a8a8a;fill-opacity:.45}"
         ".map-county text,.map-province,.map-scale text,.map-north text{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}"
         f".map-county text{{font-size:{LABEL_SIZE}px;fill:#1a1a1a}}.map-off text{{fill:#4a4a4a}}"
         f".map-province{{font-size:{PROVINCE_SIZE}px;fill:#555;letter-spacing:.2em}}"
         f".map-scale text,.map-north text{{font-size:{SMALL_SIZE}px;fill:#333}}.map-scale path{{stroke:#333;stroke-width:1.5}}"
         ".map-crowded{display:none}.map-north path{fill:#333}.map-county:focus circle,.map-county:hover circle{stroke:#1a1a1a;stroke-width:2.5}")


def describe(points: Sequence[MapPoint]) -> str:
    """The map's text alternative: which counties, how many reports, which are highlighted."""
    if any(p.count > 0 for p in points):
        listed = "、".join(f"{p.name}（{p.count}）" for p in points)
        text = f"{len(points)} 个县区的位置，圆点越大报道越多：{listed}。"
    else:
        text = f"{len(points)} 个县区的位置：{'、'.join(p.name for p in points)}。"
    marked = [p.name for p in points if p.highlighted]
    if marked and len(marked) < len(points):
        text += f"突出显示：{'、'.join(marked)}。"
    return text + "等距圆柱投影，上北下南。"


def county_map(points: Sequence[MapPoint], title: str, id_prefix: str = "county-map") -> Markup:
    """The SVG map of the points (empty when there are none), every text escaped, the same bytes for the same input."""
    if not points:
        return Markup("")
    ordered = sorted(points, key=lambda p: (-point_radius(p), p.name, p.url))  # small points drawn last, on top
    f = frame(ordered)
    any_highlight = any(p.highlighted for p in ordered)
    taken: list[Box] = []
    provinces = _provinces(ordered, f, taken)
    xys = [f.project(p.lon, p.lat) for p in ordered]
    taken += [(x - point_radius(p), y - point_radius(p), x + point_radius(p), y + point_radius(p)) for p, (x, y) in zip(ordered, xys)]
    # highlighted counties are labelled first, so a crowded map still names them
    labels: dict[int, Label] = {}
    for i in sorted(range(len(ordered)), key=lambda i: not ordered[i].highlighted):
        (x, y), p = xys[i], ordered[i]
        labels[i] = _place(x, y, point_radius(p), p.name, taken, f.height, must=p.highlighted)
    ids = escape(id_prefix)
    parts = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" class="county-map" viewBox="0 0 {_n(WIDTH)} {_n(f.height)}" '
         f'width="100%" role="group" aria-labelledby="{ids}-title" aria-describedby="{ids}-desc">'),
        f'<title id="{ids}-title">{escape(title)}</title><desc id="{ids}-desc">{escape(describe(ordered))}</desc>',
        f"<style>{STYLE}</style>",
        f'<rect class="map-bg" x="0.5" y="0.5" width="{_n(WIDTH - 1)}" height="{_n(f.height - 1)}" rx="4"/>',
        *provinces,
        *(_point(p, xy, labels[i], any_highlight) for i, (p, xy) in enumerate(zip(ordered, xys))),
        _scale_bar(f),
        _north(f),
        "</svg>",
    ]
    return Markup("\n".join(parts))
