"""Raw-slice HTML helpers: read markup without re-serializing it.

Everything here returns exact substrings of (or minimal insertions into) the page's own
text, so entities (`&reg;`, `&#123;`), attribute order and quoting, `<br>` and unclosed
`<img>` survive byte for byte. Pure functions, no Scrapy.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from crawler.parsers.tags import tags

NO_REFERRER = ' referrerpolicy="no-referrer"'


class _Locator(HTMLParser):
    """Finds the element with a given id and the offsets of its inner HTML.

    Only start/end tags with the element's own tag name are counted to find the
    matching end tag (comments, scripts and other tags cannot confuse it).
    """

    def __init__(self, text: str, element_id: str) -> None:
        super().__init__(convert_charrefs=False)
        self._id = element_id
        # offset of the first character of each line (getpos() gives line, column)
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.tag: str | None = None
        self.start: int | None = None      # just after the element's start tag
        self.end: int | None = None        # at the `<` of the matching end tag
        self._depth = 0

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.end is not None:
            return
        if self.tag is None:
            if any(k == "id" and v == self._id for k, v in attrs):
                self.tag = tag
                self.start = self._offset() + len(self.get_starttag_text() or "")
                self._depth = 1
        elif tag == self.tag:
            self._depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # `<div id=x/>`: an empty element (XHTML style); nested `<div/>` do not count
        if self.tag is None and any(k == "id" and v == self._id for k, v in attrs):
            self.tag = tag
            self.start = self.end = self._offset() + len(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if self.tag is None or self.end is not None or tag != self.tag:
            return
        self._depth -= 1
        if self._depth == 0:
            self.end = self._offset()


def inner_html(text: str, *, id: str) -> str | None:  # noqa: A002 (mirrors the HTML attribute)
    """The inner HTML of the first element with this id, as an exact slice of `text`.

    None when no element has the id, or when it is never closed: a page cut short
    would otherwise give a truncated body that looks whole.
    """
    loc = _Locator(text, id)
    loc.feed(text)
    loc.close()
    if loc.start is None or loc.end is None:
        return None
    return text[loc.start:loc.end]


def _with_no_referrer(tag: str) -> str:
    """`<img …>` with NO_REFERRER as its last attribute (before a self-closing `/`)."""
    head = tag[:-1].rstrip()                          # without `>` and trailing space
    if head.endswith("/"):                           # self-closing: insert before `/>`
        head = head[:-1].rstrip()
    if head.endswith("="):                           # `a= >`: close the empty value first,
        return head + '""' + NO_REFERRER + tag[len(head):]   # or ours would become a's value
    return head + NO_REFERRER + tag[len(head):]


def add_referrerpolicy(html: str) -> str:
    """Append ` referrerpolicy="no-referrer"` as the last attribute of every `<img>`.

    Every other byte stays; tags that already carry a referrerpolicy are left alone,
    so the function is idempotent. Tags are read as a browser reads them (tags.py):
    `<img>` inside comments and scripts is not touched, and a stray quote in an
    attribute does not hide the tag's end.
    """
    out: list[str] = []
    pos = 0
    for tag in tags(html):
        start, end = tag.span
        if (tag.name != "img" or tag.closing or tag.get("referrerpolicy") is not None
                or not html.endswith(">", 0, end)):
            continue
        out += [html[pos:start], _with_no_referrer(html[start:end])]
        pos = end
    out.append(html[pos:])
    return "".join(out)


class _ImgSrcs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.srcs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            src = dict(attrs).get("src")            # HTMLParser decodes entities here
            if src and src.strip():
                self.srcs.append(src.strip())

    handle_startendtag = handle_starttag


def img_srcs(html: str, base_url: str) -> list[str]:
    """Absolute URLs of the `<img src>`s in document order, entities decoded."""
    p = _ImgSrcs()
    p.feed(html)
    p.close()
    return [absolute(base_url, s) for s in p.srcs]


def absolute(base_url: str, url: str) -> str:
    """`url` resolved against `base_url`; an absolute URL stays exactly as written
    (urljoin would drop an empty query, `…image?`)."""
    return url if urlsplit(url).scheme else urljoin(base_url, url)
