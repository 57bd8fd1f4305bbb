"""bench/run_all.py --quick runs every section end to end (portals scaled down: the code
paths, not the figures; no timing is asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT

KEYS = {"measurement", "now", "peer", "ratio", "target", "met", "note"}


def test_run_all_quick_prints_and_writes_every_row(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    env = {**os.environ, "BENCH_SCALE": "0.2"}
    res = subprocess.run([sys.executable, "bench/run_all.py", "--quick", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "section failed" not in res.stdout, res.stdout + res.stderr[-3000:]
    report = out.read_text(encoding="utf-8")
    for measurement in ("remote-mode crawl, archive on disk", "CPU per article", "rerun over an unchanged portal",
                        "local-mode peak RSS", "local-mode crawl", "2 MP PNG -> 1600 px",
                        "12 MP JPEG -> 1600 px", "OFweek article page parse"):
        rows = [line for line in report.splitlines() if line.startswith(f"| {measurement}")]
        assert len(rows) == 1, (measurement, report)
        assert rows[0].rstrip().endswith(("| yes |", "| NO |")), rows[0]     # every target judged
        assert rows[0] in res.stdout                                          # and printed
    feeds = [line for line in report.splitlines() if line.startswith("| scrapy archive, ")]
    assert len(feeds) == 2 and all(line in res.stdout for line in feeds), report   # the quick sizes


def test_a_section_that_does_not_exist_is_skipped_with_a_line(capsys) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import run_all
    finally:
        sys.path.remove(str(ROOT / "bench"))
    rows = run_all.run_sections(True, ["bench.no_such_section"])
    assert rows == [] and "skipped bench.no_such_section" in capsys.readouterr().out
    for name in run_all.SECTIONS:                                  # each listed section is importable
        assert callable(__import__(name, fromlist=["section"]).section)
    assert set(run_all.COLUMNS) | {"note"} == KEYS
