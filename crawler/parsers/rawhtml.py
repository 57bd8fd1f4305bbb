"""Raw-slice HTML helpers: read markup without re-serializing it.

Everything here returns exact substrings of (or minimal insertions into) the page's own
text, so entities (`&reg;`, `&#123;`), attribute order and quoting, `<br>` and unclosed
`<img>` survive byte for byte. Pure functions, no Scrapy.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from crawler.parsers.tags import tags

NO_REFERRER = ' referrerpolicy="no-referrer"'


def inner_html(text: str, *, id: str) -> str | None:
    """The inner HTML of the first element with this id, as an exact slice of `text`.

    Tags are read as a browser reads them (tags.py); only start/end tags with the
    element's own name are counted to find its end tag (a nested `<div/>` is not).
    An element written `<div id=x/>` is empty. None when no element has the id, or when
    it is never closed: a page cut short would otherwise give a truncated body that
    looks whole.
    """
    name: str | None = None
    start = depth = 0
    for tag in tags(text):
        if name is None:
            if not tag.closing and any(a.name == "id" and a.decoded == id for a in tag.attrs):
                name, start, depth = tag.name, tag.span[1], 1
                if text.endswith("/>", 0, tag.span[1]):
                    return ""
                if tag.content_end is not None:  # a raw-text element
                    return text[start : tag.content_end] if tag.content_end < len(text) else None
        elif tag.name == name:
            if not tag.closing and not text.endswith("/>", 0, tag.span[1]):
                depth += 1
            elif tag.closing:
                depth -= 1
                if depth == 0:
                    return text[start : tag.span[0]]
    return None


def _with_no_referrer(tag: str) -> str:
    """`<img …>` with NO_REFERRER as its last attribute (before a self-closing `/`)."""
    head = tag[:-1].rstrip()  # without `>` and trailing space
    if head.endswith("/"):  # self-closing: insert before `/>`
        head = head[:-1].rstrip()
    if head.endswith("="):  # `a= >`: close the empty value first,
        return head + '""' + NO_REFERRER + tag[len(head) :]  # or ours would become a's value
    return head + NO_REFERRER + tag[len(head) :]


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
        if (
            tag.name != "img"
            or tag.closing
            or tag.get("referrerpolicy") is not None
            or not html.endswith(">", 0, end)
        ):
            continue
        out += [html[pos:start], _with_no_referrer(html[start:end])]
        pos = end
    out.append(html[pos:])
    return "".join(out)


def img_srcs(html: str, base_url: str) -> list[str]:
    """Absolute URLs of the `<img src>`s in document order, entities decoded (tags read
    as a browser reads them, as the images pipeline does: tags.py)."""
    srcs = []
    for tag in tags(html):
        src = tag.get("src") if tag.name == "img" and not tag.closing else None
        if src is not None and src.decoded.strip():
            srcs.append(absolute(base_url, src.decoded.strip()))
    return srcs


def absolute(base_url: str, url: str) -> str:
    """`url` resolved against `base_url`; an absolute URL stays exactly as written
    (urljoin would drop an empty query, `…image?`), and so does one that is not a URL at
    all (`http://[::1/`): whoever fetches it refuses it then."""
    try:
        return url if urlsplit(url).scheme else urljoin(base_url, url)
    except ValueError:
        return url
