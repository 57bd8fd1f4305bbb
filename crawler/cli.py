"""`newsarchive COMMAND …`: the project's Scrapy commands from any working directory.

`newsarchive archive`, `newsarchive crawl ofweek`, `newsarchive validate FILE`, `newsarchive
probe …` are `scrapy …` run with this project's settings (crawler.settings), wherever the
shell is: no `cd` into the project folder first (a cron line can call it directly).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.cmdline import execute  # after the settings module is set

    execute(["newsarchive", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
