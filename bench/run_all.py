"""Every row of the performance table, as ratios measured in the same run.

    python bench/run_all.py [--quick] [--out bench/RESULTS.md]

Each section is a module with `section(quick: bool) -> list[dict]`, each dict a row with the
keys measurement, now, peer, ratio, target, met (True/False/None) and note. SECTIONS below is
the one list of them: a module that does not exist is skipped with a printed line (so a
section can be listed before it lands). `--quick` uses small portals and few repeats
(under 3 minutes on 2 cores); the full run uses the issue's sizes (2,000 articles; set
BENCH_HUGE=1 for a local crawl of 10,000 too).
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The sections, in the order printed. Add a module here to add its rows.
SECTIONS = [
    "bench.crawl_section",  # remote crawl vs bare Scrapy (disk, tmpfs), CPU per article, rerun
    "bench.local_section",  # local mode: peak RSS at two sizes, articles/s
    "bench.images_section",  # PNG and JPEG vs bare Pillow and Scrapy's ImagesPipeline
    "bench.parse_section",  # OFweek article parse vs trafilatura and bare parsel
    "bench.feeds_bench",  # scrapy archive over many local feeds vs one bare Scrapy spider
]

COLUMNS = ("measurement", "now", "peer", "ratio", "target", "met")


def run_sections(quick: bool, names: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name in names:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                print(f"skipped {name}: no such module", flush=True)
                continue
            raise
        t0 = time.perf_counter()
        print(f"running {name} …", flush=True)
        try:
            got = module.section(quick)
        except Exception as exc:  # one broken section never costs the others
            traceback.print_exc()
            got = [
                {
                    "measurement": name,
                    "now": "",
                    "peer": "",
                    "ratio": "",
                    "target": "",
                    "met": None,
                    "note": f"section failed: {type(exc).__name__}: {exc}",
                }
            ]
        for r in got:
            r.setdefault("section", name)
            print(
                f"  {r['measurement']}: {r['now']} | {r['peer']} | {r['ratio']} | met: {_met(r.get('met'))}",
                flush=True,
            )
        rows += got
        print(f"  {name}: {time.perf_counter() - t0:.0f} s", flush=True)
    return rows


def _met(value: bool | None) -> str:
    return {True: "yes", False: "NO", None: "–"}[value]


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        cells = [str(r.get(c, "")) if c != "met" else _met(r.get("met")) for c in COLUMNS]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, few repeats (< 3 min)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"), help="the Markdown report")
    ap.add_argument("--only", action="append", help="run only this section module (repeatable)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    rows = run_sections(args.quick, args.only or SECTIONS)
    elapsed = time.perf_counter() - t0
    md = table(rows)
    notes = [f"- {r['measurement']}: {r['note']}" for r in rows if r.get("note")]
    print()
    print(md)
    if notes:
        print("\n" + "\n".join(notes))
    header = (
        f"# Benchmark results\n\n`bench/run_all.py{' --quick' if args.quick else ''}`, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.machine()}, {elapsed:.0f} s. Medians (min–max, "
        f"runs) of interleaved runs; ratios are of the same run.\n\n"
    )
    if os.environ.get("BENCH_SCALE"):
        header += f"Portals scaled by BENCH_SCALE={os.environ['BENCH_SCALE']}: not the table's sizes.\n\n"
    Path(args.out).write_text(header + md + "\n\n## Notes\n\n" + "\n".join(notes) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out} ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
