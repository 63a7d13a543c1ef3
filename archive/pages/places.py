"""Where the counties are: their points from the gazetteer, the county map a page shows, counties.geojson's points."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .. import gazetteer
from ..countymap import MapPoint
from ..jsonld import CountyPoint
from ..collection import Group, Site

MAP_TITLE = "报道所在县市区的位置"
LOCATION_TITLE = "本县市区在档案所收县市区中的位置"


@dataclass(frozen=True)
class CountyMap:
    """A county map as a page shows it: every located county (links from the site root), the ones to highlight."""

    points: tuple[MapPoint, ...]
    highlighted: tuple[str, ...]  # county names; none: every point is drawn alike
    title: str
    id_prefix: str = "county-map"


def locate(county: str, prefecture: str, province: str,
           gz: gazetteer.Gazetteer | None = None) -> gazetteer.Division | None:
    """The division a page's county names, with coordinates; the prefecture and province settle a shared name."""
    gz = gz or gazetteer.load()
    named = [d for d in gz.lookup(county) if (d.name == county or county in d.former) and d.longitude is not None]

    def fit(d: gazetteer.Division) -> tuple[bool, bool, bool]:
        """Same province, same prefecture, the standard name itself: better first."""
        return (d.province == province, d.prefecture == prefecture, d.name == county)

    return max(named, key=fit, default=None)


def coordinates(site: Site) -> dict[str, tuple[float, float]]:
    """Each county of the site that the gazetteer places: name -> (longitude, latitude)."""
    gz = gazetteer.load()
    out = {}
    for group in site.counties:
        division = locate(group.name, group.prefecture, group.province, gz)
        if division is not None and division.longitude is not None and division.latitude is not None:
            out[group.name] = (division.longitude, division.latitude)
    return out


def map_points(counties: Sequence[Group], where: dict[str, tuple[float, float]], counted: bool = True) -> tuple[MapPoint, ...]:
    """The located counties as map points, linking to their pages from the site root; sized by reports when counted."""
    return tuple(MapPoint(g.name, g.url, *where[g.name], g.count if counted else 0, province=g.province)
                 for g in counties if g.name in where)


def geo_points(site: Site) -> list[CountyPoint]:
    """counties.geojson's points: every located county, in the site's order, with its report count and page."""
    where = coordinates(site)
    return [CountyPoint(g.name, g.prefecture, g.province, *where[g.name], g.count, g.url)
            for g in site.counties if g.name in where]
