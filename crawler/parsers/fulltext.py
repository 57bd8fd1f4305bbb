"""Full text from any link: one chain, pure functions of (text, URL).

    known portal's parser (its hosts) → a config portal's article rules (its hosts)
    → the generic extractor (trafilatura)

`resolve(url, portals)` says which step reads a link (and under which site key and id);
`extract(source, text, url)` reads the page. The step name (`portal`, `config`,
`generic`) is what spiders count as `newsarchive/fulltext/<step>`. The generic body is
trafilatura's HTML (images and links kept); it is sanitized by the pipelines like any body.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector

from crawler.config import PortalRules
from crawler.items import Article
from crawler.parsers import cnbeta, configportal, ithome, ofweek, oschina, rawhtml
from crawler.parsers.blocked import blocked_page
from crawler.parsers.common import ArticlePage, Blocked, LayoutError
from crawler.sites import SITES, on_domains

# Built-in portals whose article pages have a parser: site key -> (parse_article, article_id).
PORTAL_PARSERS: dict[str, tuple[Callable[[str, str], Any], Callable[[str], str | None]]] = {
    "ofweek": (ofweek.parse_article, ofweek.article_id),
    "ithome": (ithome.parse_article, ithome.article_id),
    "cnbeta": (cnbeta.parse_article, cnbeta.article_id),
    "oschina": (oschina.parse_article, oschina.article_id),
}
GENERIC = "generic"
MIN_TEXT = 20  # characters of text (whitespace collapsed) a generic body needs
# A body shorter than this on a page with an anti-bot marker (parsers/blocked.py) is the stub,
# not an article (a long article *about* captchas is not blocked).
SHORT_TEXT = 200


@dataclass(frozen=True)
class Source:
    """Who reads a link: `step` (portal | config | generic), the site key (a portal's
    or config portal's name; "" for generic) and the article id it gives the link."""

    step: str
    key: str
    article_id: str
    rules: PortalRules | None = None
    domains: tuple[str, ...] = ()


def url_id(url: str) -> str:
    """A page without a portal: the first 16 hex digits of sha1(URL)."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]


def resolve(url: str, portals: Sequence[PortalRules] = (), site: str = "") -> Source:
    """The step that reads `url`: `site` when it names a portal (the URL may then be on a
    mirror: the id is the one of the canonical URL, so resolve that), else the portal or
    config portal whose hosts hold the URL, else generic."""
    host = urlsplit(url).hostname
    for key, (_, ident) in PORTAL_PARSERS.items():
        if site == key or (not site and on_domains(host, SITES[key].domains)):
            return Source("portal", key, ident(url) or url_id(url), domains=SITES[key].domains)
    for rules in portals:
        if site == rules.name or (not site and on_domains(host, rules.hosts)):
            aid = configportal.article_id(rules, url) or url_id(url)
            return Source("config", rules.name, aid, rules=rules, domains=rules.hosts)
    return Source(GENERIC, "", url_id(url))


def extract(source: Source, text: str, url: str, *, further: bool = False) -> ArticlePage:
    """The article on `url`'s page by `source`'s step (`further`: a later page of a
    multi-page article). Raises LayoutError (`no-body`, `no-date` …; generic: `no-body`)."""
    if source.step == "portal":
        return PORTAL_PARSERS[source.key][0](text, url)  # type: ignore[no-any-return]
    if source.step == "config" and source.rules is not None:
        return configportal.parse_article(source.rules, text, url, further=further)
    return generic(text, url)


# --- the generic extractor -----------------------------------------------------------
_WRAPPER = re.compile(r"^\s*<html>\s*<body>\s*|\s*</body>\s*</html>\s*$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
DATE_META = (
    'meta[property="article:published_time"]::attr(content)',
    'meta[itemprop="datePublished"]::attr(content)',
    'meta[name="pubdate"]::attr(content)',
    '[itemprop="datePublished"]::attr(datetime)',
    "article time[datetime]::attr(datetime)",
    "time[datetime]::attr(datetime)",
)


def page_date(sel: Selector) -> datetime | None:
    """The page's own publication time (Open Graph / schema.org / <time>), ISO 8601;
    a time without an offset is taken as UTC."""
    for query in DATE_META:
        value = (sel.css(query).get() or "").strip()
        if value and _ISO.match(value):
            try:
                when = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            return when if when.tzinfo else when.replace(tzinfo=UTC)
    return None


def generic(text: str, url: str) -> ArticlePage:
    """trafilatura's main content as HTML (images, links), title and date from the page."""
    import trafilatura  # imported on first use: it is slow to import

    body = trafilatura.extract(
        text,
        url=url,
        output_format="html",
        include_images=True,
        include_links=True,
        include_comments=False,
        favor_precision=True,
    )
    body = _WRAPPER.sub("", body or "")
    sel = Selector(text=text)
    words = " ".join(Selector(text=f"<div>{body}</div>").css("div ::text").getall()).split()
    length = len(" ".join(words))
    if length < SHORT_TEXT and (seen := blocked_page(text)):  # a challenge, a captcha, a login wall
        raise Blocked(seen)
    if length < MIN_TEXT:  # a menu is no article
        raise LayoutError(
            "no-body", f"{url}: {GENERIC}: no main content (under {MIN_TEXT} characters of text)"
        )
    meta = trafilatura.extract_metadata(text, default_url=url)
    title = (meta.title if meta and meta.title else "") or " ".join(sel.css("title::text").get("").split())
    published: datetime | None = page_date(sel)
    if published is None and meta is not None and meta.date:
        try:
            published = datetime.fromisoformat(meta.date).replace(tzinfo=UTC)
        except ValueError:
            published = None
    body = rawhtml.add_referrerpolicy(body)
    article = Article(
        title=title,
        url=url,
        article_id=url_id(url),
        published=published,
        body=body,
        byline=(meta.author or "") if meta else "",
        image_urls=rawhtml.img_srcs(body, url),
    )
    return ArticlePage(article, layout=GENERIC)
