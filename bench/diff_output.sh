#!/usr/bin/env bash
# Compare the site this checkout builds with the one an earlier revision builds from the same content.
# Usage: bench/diff_output.sh REV [CONTENT_DIR]   (default content: this checkout's content/)
# Prints `diff -r` of the two trees and exits 0 only when they are byte-identical.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bench/diff_output.sh REV [CONTENT_DIR]}
content=$(realpath -s "${2:-content}")
py=$(realpath -s "${PYTHON:-.venv/bin/python}")  # PYTHON=...: another checkout's venv
work=$(mktemp -d)
trap 'git worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add -q --detach "$work/old" "$rev"
ln -s "$(realpath node_modules)" "$work/old/node_modules"
(cd "$work/old" && "$py" build.py --content "$content" --out "$work/before" >/dev/null)
"$py" build.py --content "$content" --out "$work/after" >/dev/null
diff -r "$work/before" "$work/after" && echo "identical: $(find "$work/after" -type f | wc -l) files"
