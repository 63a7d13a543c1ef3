#!/usr/bin/env bash
# Set up everything (including Chromium for the browser tests) and run every test: pytest, then node's runner.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/python -m pytest -q "$@"
node --test tests/js/
