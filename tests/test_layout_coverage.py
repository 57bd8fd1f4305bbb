"""Every layout version a portal declares is read from a fixture page by a real crawl (as
Fundus keeps a saved page per parser version): crawl every fixture portal of the spider and
collect `newsarchive/layout/<site>/<version>`; a declared version no fixture page matches is a
version nobody has seen work."""
from __future__ import annotations

from pathlib import Path

import pytest
from crawler import fixturecrawl
from tests.portalcrawl import crawl

PORTALS = fixturecrawl.portals()
SPIDERS = sorted({p.spider for p in PORTALS})


@pytest.mark.parametrize("spider", SPIDERS)
def test_every_declared_version_is_read_from_a_fixture_page(tmp_path: Path, spider: str) -> None:
    portals = [p for p in PORTALS if p.spider == spider]
    cls = portals[0].spider_class()
    seen: dict[str, int] = {}
    for n, portal in enumerate(portals):
        res, stats = crawl(portal, tmp_path / str(n), args=("-a", "max_pages=100"))
        assert res.returncode in (0, 1), res.stderr[-2000:]        # 1: a case's deliberate skip
        prefix = f"newsarchive/layout/{cls.site_key}/"
        for key, count in stats.items():
            if key.startswith(prefix):
                seen[key.removeprefix(prefix)] = seen.get(key.removeprefix(prefix), 0) + count
    declared = {x.name for x in cls.layouts}
    assert declared and set(seen) <= declared, (seen, declared)
    assert declared - set(seen) == set(), f"{spider}: no fixture page reads as {declared - set(seen)}"
