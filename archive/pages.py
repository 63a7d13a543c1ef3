"""Every HTML page, feed and data file of the site, rendered with the Jinja layouts."""
from __future__ import annotations

from pathlib import Path

from .output import OutputFile
from .site import Site


def render_site(site: Site, layouts: Path) -> list[OutputFile]:
    """Render every page (placeholder: report bodies only)."""
    return [OutputFile(r.url, site.bodies[r.slug].html.encode("utf-8"), str(r.path)) for r in site.reports]
