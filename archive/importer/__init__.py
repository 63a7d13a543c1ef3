"""Draft report pages from raw sources (texts and saved web pages), with a provenance record `check` can prove."""
from __future__ import annotations

from .decode import Decoded, ImportProblem, decode
from .draft import Draft, infer
from .page import render_page, slug_for
from .run import run_import
from .verify import verify

__all__ = ["Decoded", "Draft", "ImportProblem", "decode", "infer", "render_page", "run_import", "slug_for", "verify"]
