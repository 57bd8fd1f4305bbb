"""The project's spider loader: Scrapy's, plus one spider per portal of newsarchive.toml.

Set as SPIDER_LOADER_CLASS, so every command (`crawl`, `archive`, `probe`, `sites`, and
Scrapy's own `list`, `check` …) sees config portals beside the built-in ones.
"""

from __future__ import annotations

import sys
from typing import Any

from scrapy.spiderloader import SpiderLoader

from crawler import config


class ConfigSpiderLoader(SpiderLoader):
    def __init__(self, settings: Any) -> None:
        self.config_portals: list[str] = []
        self._settings = settings
        super().__init__(settings)

    def _load_all_spiders(self) -> None:
        super()._load_all_spiders()
        from crawler.spiders.configportal import spider_class

        try:
            portals = config.load_for(self._settings).portals
        except config.ConfigError as exc:
            # our commands check the file before this; Scrapy's own (`scrapy list`) get here
            print(f"scrapy: error: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
        for rules in portals:
            if rules.name in self._spiders:  # a spider module of the same name
                print(
                    f"scrapy: error: {rules.source}: portal {rules.name!r}: name: is a built-in spider",
                    file=sys.stderr,
                )
                raise SystemExit(2)
            self._spiders[rules.name] = spider_class(rules)
            self.config_portals.append(rules.name)
