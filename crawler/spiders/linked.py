"""Fetching an article's page by the full-text chain (parsers/fulltext.py), the pages of a
long one joined: what `scrapy crawl page` and feeds with `fulltext=1` share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy.http import Response, TextResponse

from crawler import config
from crawler.config import PortalRules
from crawler.downloadsafety import failure_reason
from crawler.items import Article
from crawler.parsers import fulltext
from crawler.parsers.blocked import blocked_by, blocked_page, blocked_status
from crawler.parsers.charset import decode_gb
from crawler.parsers.common import LayoutError
from crawler.sites import on_domains

GB_FAMILY = ("gb2312", "gbk", "gb18030", "cp936", "hz")


def parse_mirrors(value: str) -> dict[str, tuple[str, str]]:
    """`-a mirrors=ofweek=http://127.0.0.1:8000,3dmgame=http://…`: where a portal's
    pages are fetched from (same path and query)."""
    mirrors = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        key, _, origin = part.partition("=")
        parts = urlsplit(origin.strip())
        if not key.strip() or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"mirrors: expected KEY=http(s)://host[:port], not {part!r}")
        mirrors[key.strip()] = (parts.scheme, parts.netloc)
    return mirrors


def decode_page(source: fulltext.Source, response: Response) -> str:
    """A linked page's text (ValueError when it cannot be read): a portal's pages as its
    spider reads them (UTF-8, else GB18030), a config portal's in its charset, any other
    page UTF-8 when it is, else in the charset it declares."""
    body = response.body
    if source.step == "portal":
        return decode_gb(body)
    declared = response.encoding if isinstance(response, TextResponse) else "utf-8"
    if source.rules is not None and source.rules.charset:
        declared = source.rules.charset
    enc = declared.lower().replace("_", "-")
    if enc in GB_FAMILY or enc.startswith("gb"):
        return decode_gb(body)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        if source.step == "config":
            raise ValueError(f"not {declared}") from None
    try:
        return body.decode(declared, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


class LinkedPages:
    """Fetch an article by the full-text chain, pages of a long one joined. Callers give
    `on_article(article, meta)` and `on_failure(reason, detail, meta)` through meta."""

    portals: list[PortalRules]
    mirrors: dict[str, tuple[str, str]]
    crawler: Any

    def linked_request(self, url: str, source: fulltext.Source, **meta: Any) -> scrapy.Request:
        fetch = url
        mirror = self.mirrors.get(source.key)
        if mirror and on_domains(urlsplit(url).hostname, source.domains):
            parts = urlsplit(url)
            fetch = urlunsplit((*mirror, parts.path, parts.query, ""))
        return scrapy.Request(
            fetch,
            callback=self.parse_linked,
            errback=self.linked_error,
            meta={"canonical": url, "source": source, **meta},
        )

    def linked_error(self, failure: Any) -> Any:
        reason, detail = failure_reason(failure, self.crawler.settings.getint("REDIRECT_MAX_TIMES"))
        status = getattr(getattr(failure.value, "response", None), "status", None)
        if reason.startswith("http-") and status and blocked_status(status):
            reason, detail = "blocked", blocked_status(status) or ""
        yield from self.linked_failed(reason, detail, failure.request.meta)

    def parse_linked(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        source: fulltext.Source = meta["source"]
        url = meta["canonical"]
        joined: Article | None = meta.get("joined")
        if not response.body:
            yield from self.linked_failed("empty-page", url, meta)
            return
        try:
            text = self.unmirror_linked(decode_page(source, response))
        except ValueError as exc:
            yield from self.linked_failed("undecodable", str(exc), meta)
            return
        login = source.step == fulltext.GENERIC and blocked_page("", response.url)
        if login:  # redirected to a login page: any page reads, so only the URL tells
            yield from self.linked_failed("blocked", login, meta)
            return
        try:
            got = fulltext.extract(source, text, url, further=joined is not None)
        except LayoutError as exc:
            seen = blocked_by(exc, text, response.url)
            if seen:
                yield from self.linked_failed("blocked", seen, meta)
            else:
                yield from self.linked_failed(exc.reason, str(exc), meta)
            return
        if joined is not None:  # a further page of the same article
            joined.body += got.article.body
            joined.image_urls += got.article.image_urls
            joined.pages += 1
            article = joined
        else:
            article = got.article
            article.layout = got.layout
        nxt = getattr(got, "next_page_url", None)
        seen_urls = meta.get("seen", (url,))
        if nxt and nxt not in seen_urls and on_domains(urlsplit(nxt).hostname, source.domains):
            keep = {k: v for k, v in meta.items() if k in self.linked_meta}
            yield self.linked_request(nxt, source, joined=article, seen=(*seen_urls, nxt), **keep)
            return
        self.crawler.stats.inc_value(f"newsarchive/fulltext/{source.step}")
        yield from self.linked_done(article, meta)

    linked_meta: tuple[str, ...] = ()  # meta keys carried to an article's further pages

    def unmirror_linked(self, text: str) -> str:
        return text

    def linked_done(self, article: Article, meta: dict[str, Any]) -> Iterator[Any]:
        raise NotImplementedError

    def linked_failed(self, reason: str, detail: str, meta: dict[str, Any]) -> Iterator[Any]:
        raise NotImplementedError


def load_portals(settings: Any) -> list[PortalRules]:
    try:
        return config.load_for(settings).portals
    except config.ConfigError:
        return []  # the commands report a broken config before any crawl
