"""Per-site facts: front-matter labels, start URLs, hosts, time zone.

The labels are fixed strings, as the corpus writes them (RSSHub's docs headings of
2021-22: page title / portal heading / route heading), not feed titles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone, tzinfo

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")  # no DST since 1991


@dataclass(frozen=True)
class Site:
    key: str
    categories: tuple[str, ...]
    author: str
    start_url: str
    domains: tuple[str, ...]  # the portal's pages and images: these hosts and their subdomains
    tz: tzinfo = BEIJING


SITES: dict[str, Site] = {
    "ofweek": Site(
        key="ofweek",
        categories=("新媒体", "高科技行业门户", "新闻"),
        author="高科技行业门户",
        start_url="https://www.ofweek.com/CATList-8100-CHANGYIEXINWE.html",
        domains=("ofweek.com",),  # www., mp., images. and channel hosts such as nev.
    ),
    "ithome": Site(
        key="ithome",
        categories=("新媒体", "IT 之家", "分类资讯"),  # the space in `IT 之家` is the corpus's
        author="IT 之家",
        # Today's news list (all channels, IT 资讯 among them); the corpus-era channel page
        # https://it.ithome.com/ still parses (-a start_url=…), see parsers/ithome.py.
        start_url="https://www.ithome.com/list/",
        domains=("ithome.com",),  # www. (list, articles), it. (channel), img. (images)
    ),
    "cnbeta": Site(
        key="cnbeta",
        categories=("新媒体", "cnBeta", "最新"),
        author="cnBeta",
        # today's RSS (www.cnbeta.com.tw/backend.php = rss.cnbeta.com.tw, whose TLS chain public
        # readers report incomplete); the corpus era's was https://rss.cnbeta.com/
        start_url="https://www.cnbeta.com.tw/backend.php",
        # www. (RSS, articles) on cnbeta.com.tw today, rss. and www. on cnbeta.com in the corpus
        # era; the images on static.cnbetacdn.com. domains are both the hosts a mirror serves
        # and the hosts requests may go to: without cnbetacdn.com a mirror crawl in local images
        # mode would fetch the real CDN instead of the mirror (the fixture's site/article/… files).
        domains=("cnbeta.com.tw", "cnbeta.com", "cnbetacdn.com"),
    ),
    "oschina": Site(
        key="oschina",
        categories=("编程", "开源中国", "资讯"),
        author="开源中国",
        start_url="https://www.oschina.net/news/widgets/_news_index_all_list?p=1&type=ajax",
        # www. (list fragment, articles), static. and oscimg. (images: subdomains, covered).
        # my.oschina.net is on the domain too, but only www.oschina.net/news/<id> is fetched.
        domains=("oschina.net",),
    ),
    "36kr": Site(
        key="36kr",
        categories=("新媒体", "36kr", "快讯"),
        author="36kr",
        # today's list page (RSSHub's current route; the corpus era's was https://36kr.com/…,
        # still accepted): its items are read from its JSON state, nothing else is fetched
        start_url="https://www.36kr.com/newsflashes",
        domains=("36kr.com",),  # and www.36kr.com
    ),
}


def on_domains(host: str | None, domains: tuple[str, ...]) -> bool:
    return host is not None and any(host == d or host.endswith("." + d) for d in domains)


def get_site(key: str) -> Site:
    try:
        return SITES[key]
    except KeyError:
        raise ValueError(f"unknown site {key!r} (known: {', '.join(sorted(SITES))})") from None
