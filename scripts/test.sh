#!/usr/bin/env bash
# Set up everything (including Chromium for the browser tests) and run every check: ruff, mypy, the import
# layers, pytest, then node's runner.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check                 # archive/ and build.py (pyproject.toml)
.venv/bin/mypy                       # --strict on archive/ (pyproject.toml)
.venv/bin/lint-imports               # the layers of archive/, no import cycle (.importlinter)
.venv/bin/python -m pytest -q "$@"
node --test tests/js/
