"""Run scrapy in this process and write its peak RSS (VmHWM, kB) to a file at exit.

    python -m tests.peakrss OUT crawl ofweek -a … -s …

ru_maxrss of a child would include the memory of the process that forked it (Linux
keeps the high-water mark across fork and exec); VmHWM read at exit is the crawl's own.
"""
from __future__ import annotations

import atexit
import runpy
import sys


def _write_hwm(out: str) -> None:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                with open(out, "w", encoding="ascii") as dst:
                    dst.write(line.split()[1])


if __name__ == "__main__":
    atexit.register(_write_hwm, sys.argv[1])
    sys.argv = ["scrapy", *sys.argv[2:]]
    runpy.run_module("scrapy", run_name="__main__")
