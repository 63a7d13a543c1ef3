#!/usr/bin/env bash
# Set up a fresh machine: Python venv with pinned requirements and npm ci; with --test also what the
# tests need: Debian's Chromium and CJK fonts (browser tests) and the benchmark's pinned dependencies
# (Pagefind, pyinstrument: tests/test_bench.py runs the benchmark small). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt

if [ ! -d node_modules/lunr ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${1:-}" = "--test" ]; then
  if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
fi
