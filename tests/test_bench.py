"""The benchmark runs end to end in a small form, so it cannot rot (nothing here is about time)."""
from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
MAKE_CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"


def has_search_index(site_json: dict) -> bool:
    """True when the build produced our search index (files counted by the benchmark)."""
    return site_json["our_index"][0] > 0


@pytest.mark.browser
def test_small_benchmark_completes_with_every_row(tmp_path: Path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (scripts/setup.sh --test installs it)")
    if not MAKE_CORPUS.exists():
        pytest.skip(f"{MAKE_CORPUS} is missing: shared/ must sit beside the repository")
    out, raw = tmp_path / "RESULTS.md", tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--reports", "30", "--runs", "1", "--repeats", "1",
         "--out", str(out), "--json", str(raw)],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert result.stdout.strip() == text.strip()  # the table printed is the table written
    for row in (
        "full build, cold process", "rebuild after a one-report edit", "HTML pages", "search index",
        "bytes fetched for the first search", "index load", "query p50", "query p95",
        "phrase recall, all queries", "phrase precision, all queries", "## Targets (issue 7)", "machine:", "date:",
    ):
        assert row in text, row
    for query in ("雪亮工程", "枫桥经验", "“五老”调解", "雪亮工程 2017"):
        assert f"| `{query}` |" in text

    figures = json.loads(raw.read_text(encoding="utf-8"))
    assert figures["reports"] == 30
    assert figures["expected"]["雪亮工程"] > 0  # the truth scan finds the programme in the synthetic reports
    assert all(s > 0 for s in figures["build_s"]) and figures["incremental_s"]
    tools = []
    if importlib.util.find_spec("pagefind") is not None:
        tools.append("Pagefind")
    if has_search_index(figures):
        tools.append("ours")
    for tool in tools:
        assert not figures["engines"][tool]["error"], figures["engines"][tool]["error"]
        assert figures["engines"][tool]["first_gzip"] > 0
        for measure in ("recall", "precision"):
            value = figures[measure][tool]
            assert isinstance(value, float) and not math.isnan(value) and 0.0 <= value <= 1.0, (tool, measure, value)
