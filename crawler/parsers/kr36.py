"""36kr 快讯 (newsflashes): the list page's JSON state. Pure functions.

What is known of the real site is in /work/shared/PORTALS.md ("36kr", 快讯); what the
fixtures model beyond that is in seeds/36kr/README.md (corpus era) and
seeds/36kr-2026/README.md (today). One page holds every item whole; no item page is read.
Two layout versions, newest first, told apart by where the page's state holds the items:

- `2026` (today): `https://www.36kr.com/newsflashes` (RSSHub's current
  `lib/routes/36kr/index.ts`); `window.initialState=` may share one `<script>` with
  `window.__GATEWAY_SIGN__ = "…";` and may end with `;`; items at
  `newsflashCatalogData.data.newsflashList.data.itemList` (wushier2/news-monitor's 2026
  fixtures); items whose `itemType` is 0 are not 快讯 and are dropped, and the link is the
  item's own page `https://www.36kr.com/newsflashes/<itemId>`, as the current route does;
- `corpus-2022` (the corpus era): `<script>window.initialState=…</script>`, items at
  `newsflashList.flow.itemList`; link the `url` query parameter of
  `templateMaterial.sourceUrlRoute` when there is one, else
  `https://36kr.com/newsflashes/<itemId>` (RSSHub `lib/routes/36kr/newsflashes.js@332b56a`).

Both: the state is read with json (never evaluated); per item title
`templateMaterial.widgetTitle`, body `templateMaterial.widgetContent` (plain text, kept
exactly), date `templateMaterial.publishTime` (epoch ms, UTC); id = itemId. The stub 36kr
serves to clients it takes for spiders (`window.initialState={"isSpider":true}`) and its WAF
challenge page (`_wafchallengeid`) raise Blocked, not a layout error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

from crawler.parsers.common import Blocked, LayoutError, ListEntry, ListPage
from crawler.parsers.layouts import CORPUS, CURRENT, Layout, Page, pick

SITE = "36kr"
CURRENT_PATH: tuple[str, ...] = ("newsflashCatalogData", "data", "newsflashList", "data", "itemList")
CORPUS_PATH: tuple[str, ...] = ("newsflashList", "flow", "itemList")
LINK = "https://36kr.com/newsflashes/{id}"  # corpus era (the route's)
LINK_2026 = "https://www.36kr.com/newsflashes/{id}"  # today's route (rootUrl www.36kr.com)

_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.S | re.I)
_ASSIGN = re.compile(r"(?<![\w$.])window\.initialState\s*=\s*")
_TAIL = re.compile(r"[ \t]*(?:;|[\r\n]|$)|\s*$")  # the JSON ends the statement


@dataclass
class FlashEntry(ListEntry):
    """A 快讯 item: everything the post needs (empty/None where the item lacks it)."""

    item_id: str = ""
    body: str = ""  # widgetContent, exactly as given
    published: datetime | None = None  # publishTime, aware UTC


# --- URLs --------------------------------------------------------------------

_FLASH = re.compile(r"^/newsflashes/(\d+)/?$")


def article_id(url: str) -> str | None:
    """`1459337398812931` for `https://36kr.com/newsflashes/1459337398812931` or
    `https://www.36kr.com/newsflashes/1459337398812931`; None for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in (
        "36kr.com",
        "www.36kr.com",
    ):
        return None
    m = _FLASH.match(parts.path)
    return m.group(1) if m else None


def item_link(item_id: str, source_route: object) -> str:
    """The corpus-era route's link: the http(s) `url` query parameter of `sourceUrlRoute`
    (`webview?url=https%3A%2F%2F…`), else the item's own 36kr.com page."""
    if isinstance(source_route, str) and source_route:
        for url in parse_qs(urlsplit(source_route).query).get("url", []):
            if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname:
                return url
    return LINK.format(id=item_id)


def item_link_2026(item_id: str, source_route: object) -> str:
    """Today's route's link: always the item's own page on www.36kr.com."""
    return LINK_2026.format(id=item_id)


# --- the state ------------------------------------------------------------------

_NO_SCRIPT, _NOT_JSON = "no-script", "not-json"


@lru_cache(maxsize=8)
def read_state(html: str) -> tuple[str, Any]:
    """The value of the first `window.initialState=<JSON>` statement in a `<script>`
    (alone, or after other statements such as `window.__GATEWAY_SIGN__ = "…";`, followed
    by `;`, another statement or the end of the script): ("ok", value); else
    ("no-script", None) or ("not-json", what json said)."""
    problem: tuple[str, Any] = (_NO_SCRIPT, None)
    for script in _SCRIPT.finditer(html):
        code = script.group(1)
        for assign in _ASSIGN.finditer(code):
            try:
                value, end = json.JSONDecoder().raw_decode(code, assign.end())
            except ValueError as exc:
                problem = (_NOT_JSON, str(exc))
                continue
            if not _TAIL.match(code, end):
                problem = (_NOT_JSON, f"JSON followed by {code[end : end + 20]!r}")
                continue
            return "ok", value
    return problem


def _at(node: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _holds(path: tuple[str, ...]) -> Callable[[Page], bool]:
    def detect(page: Page) -> bool:
        status, state = read_state(page.text)
        return status == "ok" and isinstance(_at(state, path), list)

    return detect


_STATE_2026 = '<script>[window.__GATEWAY_SIGN__ = "…";]window.initialState=…[;]</script>'
_STATE_CORPUS = "<script>window.initialState=…</script>"
_ITEM = "itemList[].templateMaterial."

LIST_LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "2026",
        CURRENT,
        marker=f"{_STATE_2026} → {'.'.join(CURRENT_PATH)}",
        fields={
            "list": f"{_STATE_2026} → {'.'.join(CURRENT_PATH)}[] (itemType 0 dropped)",
            "title": _ITEM + "widgetTitle",
            "date": _ITEM + "publishTime (epoch ms)",
            "body": _ITEM + "widgetContent",
        },
        source="wushier2/news-monitor tests/fixtures/36kr-backfill-first.html and "
        "36kr-macro.html (2026; /work/shared/realpages/36kr); RSSHub "
        "lib/routes/36kr/index.ts@d15f125 (www.36kr.com/newsflashes, itemType 0 dropped)",
        detect=_holds(CURRENT_PATH),
    ),
    Layout(
        "corpus-2022",
        CORPUS,
        marker=f"{_STATE_CORPUS} → {'.'.join(CORPUS_PATH)}",
        fields={
            "list": f"{_STATE_CORPUS} → {'.'.join(CORPUS_PATH)}[]",
            "title": _ITEM + "widgetTitle",
            "date": _ITEM + "publishTime (epoch ms)",
            "body": _ITEM + "widgetContent",
        },
        source="RSSHub lib/routes/36kr/newsflashes.js@332b56a; the corpus posts",
        detect=_holds(CORPUS_PATH),
    ),
)
ARTICLE_LAYOUTS: tuple[Layout, ...] = ()  # no item page is read

# Per version: where the items are, their link, whether items of itemType 0 are dropped.
_RULES: dict[str, tuple[tuple[str, ...], Callable[[str, object], str], bool]] = {
    "2026": (CURRENT_PATH, item_link_2026, True),
    "corpus-2022": (CORPUS_PATH, item_link, False),
}


def _unreadable(html: str, url: str) -> LayoutError:
    """Why no version matched: Blocked for 36kr's spider stub or WAF challenge, else a
    LayoutError("no-layout") naming what failed and the versions tried."""
    status, state = read_state(html)
    if status == "ok" and isinstance(state, dict) and state.get("isSpider") is True:
        return Blocked('an anti-bot stub (window.initialState={"isSpider":true})')
    if status != "ok" and "_wafchallengeid" in html:
        return Blocked("a WAF challenge (_wafchallengeid)")
    if status == _NO_SCRIPT:
        what = "no <script> with window.initialState=…"
    elif status == _NOT_JSON:
        what = f"window.initialState is not JSON: {state}"
    else:
        what = "no item list in window.initialState"
    tried = "; ".join(f"{x.name}: {x.marker}" for x in LIST_LAYOUTS)
    return LayoutError("no-layout", f"{url}: {what} (tried {tried})")


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
        return datetime.fromtimestamp(value // 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def parse_list(html: str, url: str) -> ListPage:
    """The 快讯 items of the page, in page order, with the version that read it; a second
    item of an id already listed is dropped (and, in `2026`, items of itemType 0). Items
    keep what they have (a missing title, body or date is the spider's counted skip).
    Raises Blocked for the spider stub or the WAF challenge, else LayoutError("no-layout")
    without the state script, when its JSON does not parse, or when no version's item
    path holds a list."""
    try:
        layout = pick(LIST_LAYOUTS, Page(html, url))
    except LayoutError:
        raise _unreadable(html, url) from None
    path, link, drop_type_0 = _RULES[layout.name]
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for item in _at(read_state(html)[1], path):
        if not isinstance(item, dict):
            continue
        item_type = item.get("itemType")
        if drop_type_0 and item_type == 0 and not isinstance(item_type, bool):
            continue
        raw_id = item.get("itemId")
        item_id = str(raw_id) if isinstance(raw_id, (int, str)) and not isinstance(raw_id, bool) else ""
        item_id = item_id.strip()
        if item_id and item_id in seen:
            continue
        seen.add(item_id)
        material = item.get("templateMaterial")
        material = material if isinstance(material, dict) else {}
        entries.append(
            FlashEntry(
                link(item_id, material.get("sourceUrlRoute")) if item_id else url,
                _text(material.get("widgetTitle")).strip(),
                item_id=item_id,
                body=_text(material.get("widgetContent")),
                published=publish_time(material.get("publishTime")),
            )
        )
    return ListPage(entries, layout=layout.name)
