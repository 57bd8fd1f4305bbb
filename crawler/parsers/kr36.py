"""36kr 快讯 (36kr.com/newsflashes): the list page's JSON state. Pure functions.

What is known of the real site is in /work/shared/PORTALS.md ("36kr", 快讯); what the
fixture models beyond that is in seeds/36kr/README.md. As RSSHub's corpus-era route
(`lib/routes/36kr/newsflashes.js@332b56a`) does:

- the state is the JSON of `<script>window.initialState=(.*?)</script>` (read with
  json.loads, never evaluated); items at `newsflashList.flow.itemList` (corpus era), else
  at the newer `newsflashCatalogData.data.newsflashList.data.itemList`;
- per item: title `templateMaterial.widgetTitle`, body `templateMaterial.widgetContent`
  (plain text, kept exactly), date `templateMaterial.publishTime` (epoch ms, UTC), link
  the `url` query parameter of `templateMaterial.sourceUrlRoute` when there is one, else
  `https://36kr.com/newsflashes/<itemId>`; id = itemId. No article page is read.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

from crawler.parsers.common import LayoutError, ListEntry, ListPage

SITE = "36kr"
STATE = re.compile(r"<script>window\.initialState=(.*?)</script>", re.S)
ITEM_PATHS: tuple[tuple[str, ...], ...] = (
    ("newsflashList", "flow", "itemList"),                                        # corpus era
    ("newsflashCatalogData", "data", "newsflashList", "data", "itemList"),        # newer
)
LINK = "https://36kr.com/newsflashes/{id}"


@dataclass
class FlashEntry(ListEntry):
    """A 快讯 item: everything the post needs (empty/None where the item lacks it)."""
    item_id: str = ""
    body: str = ""                                  # widgetContent, exactly as given
    published: datetime | None = None               # publishTime, aware UTC


# --- URLs --------------------------------------------------------------------

_FLASH = re.compile(r"^/newsflashes/(\d+)/?$")


def article_id(url: str) -> str | None:
    """`1459337398812931` for `https://36kr.com/newsflashes/1459337398812931` (also on
    www.36kr.com); None for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in (
            "36kr.com", "www.36kr.com"):
        return None
    m = _FLASH.match(parts.path)
    return m.group(1) if m else None


def item_link(item_id: str, source_route: object) -> str:
    """The route's link: the http(s) `url` query parameter of `sourceUrlRoute`
    (`webview?url=https%3A%2F%2F…`), else the item's own 36kr.com page."""
    if isinstance(source_route, str) and source_route:
        for url in parse_qs(urlsplit(source_route).query).get("url", []):
            if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname:
                return url
    return LINK.format(id=item_id)


# --- the state ------------------------------------------------------------------

def _state(html: str) -> Any:
    m = STATE.search(html)
    if m is None:
        raise LayoutError("no-layout", "no <script>window.initialState=…</script>")
    text = m.group(1).strip().removesuffix(";")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise LayoutError("no-layout", f"window.initialState is not JSON: {exc}") from None


def _item_list(state: Any) -> list[Any]:
    for path in ITEM_PATHS:
        node = state
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, list):
            return node
    raise LayoutError("no-layout", "no item list at " + " or ".join(".".join(p) for p in ITEM_PATHS))


def publish_time(value: object) -> datetime | None:
    """Epoch milliseconds (a number, or digits) as an aware UTC datetime, to the second;
    None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value // 1000, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def parse_list(html: str, url: str) -> ListPage:
    """The 快讯 items of the page, in page order; a second item of an id already listed is
    dropped. Items keep what they have (a missing title, body or date is the spider's
    counted skip). Raises LayoutError("no-layout") without the state script, when its
    JSON does not parse, or when neither item path holds a list."""
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for item in _item_list(_state(html)):
        if not isinstance(item, dict):
            continue
        raw_id = item.get("itemId")
        item_id = str(raw_id) if isinstance(raw_id, (int, str)) and not isinstance(raw_id, bool) else ""
        item_id = item_id.strip()
        if item_id and item_id in seen:
            continue
        seen.add(item_id)
        material = item.get("templateMaterial")
        material = material if isinstance(material, dict) else {}
        link = item_link(item_id, material.get("sourceUrlRoute")) if item_id else url
        entries.append(FlashEntry(link, _text(material.get("widgetTitle")).strip(), item_id=item_id,
                                  body=_text(material.get("widgetContent")),
                                  published=publish_time(material.get("publishTime"))))
    return ListPage(entries)
