"""The one item schema every source produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Article:
    """An article as parsed from a portal, feed or an existing post.

    Parsers fill what the page gives (title, url, body, published, byline, images);
    the normalize pipeline fills the site's labels (categories, author) and the
    head image; the post pipeline renders it in the seed format.
    """

    title: str = ""
    url: str = ""
    site: str = ""  # key in crawler.sites, e.g. "ofweek"
    article_id: str = ""  # site-local id, used for the file name
    # An aware datetime, or the source's date string kept verbatim
    # (some posts carry `2021-10-28 14:08:07` as their feed gave it).
    published: datetime | str | None = None
    body: str = ""  # inner HTML of the article container, as the page wrote it
    categories: list[str] = field(default_factory=list)
    author: str = ""  # front-matter author: the portal's label, not the byline
    headimg: str = ""
    thumbnail: str = ""
    comments: bool = False
    byline: str = ""  # the article's own source/author line (not written)
    layout: str = ""  # the layout version its page matched (not written)
    source: str = ""  # the feed it came from in a many-feed crawl, for its stats (not written)
    image_urls: list[str] = field(default_factory=list)  # absolute URLs of the body's images
    pages: int = 1  # how many pages were joined into body
    images: list[dict] = field(default_factory=list)  # media pipeline results (local mode)
