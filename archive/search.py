"""The search index: Chinese-aware tokens, built with lunr.py, loaded by lunr.js as scripts."""
from __future__ import annotations

from .output import OutputFile
from .site import Site


def build_search(site: Site) -> list[OutputFile]:
    """Index files for the site (placeholder)."""
    return []


def render_pages(site, renderer) -> list[OutputFile]:
    """search.html (placeholder)."""
    return []
