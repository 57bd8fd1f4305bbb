"""Raw-slice HTML helpers: read markup without re-serializing it.

Everything here returns exact substrings of (or minimal insertions into) the page's own
text, so entities (`&reg;`, `&#123;`), attribute order and quoting, `<br>` and unclosed
`<img>` survive byte for byte. Pure functions, no Scrapy.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.parsers.tags import Tag, tags, tags_of_note

NO_REFERRER = ' referrerpolicy="no-referrer"'


_ID_NAME = re.compile(r"[iI][dD]")


def _has_id(text: str, tag: Tag, id: str) -> bool:
    """The tag has an `id` attribute whose value is `id` (attributes read only when the
    tag's text holds `id` at all: an attribute name is never written with entities)."""
    return (
        not tag.closing
        and _ID_NAME.search(text, tag.span[0] + 1, tag.span[1]) is not None
        and any(a.name == "id" and a.decoded == id for a in tag.attrs)
    )


def _element(
    text: str, id: str, also: tuple[str, ...] = (), found: list[Tag] | None = None
) -> tuple[int, int, bool] | None:
    """(start, end, raw) of the inner HTML of the first element with this id (`raw`: a
    raw-text element's, not read as tags), in one pass: the plain markup before the element
    and inside it is skipped by one regex, and only the tags that matter are read (those
    with an id, then the element's own name and the names in `also`, which go to `found`).
    Rules: see inner_html."""
    for tag in tags_of_note(text, (), ids=True):
        if _has_id(text, tag, id):
            break
    else:
        return None  # no such element (or a raw-text element never closed holds the rest)
    name, start, depth = tag.name, tag.span[1], 1
    if text.endswith("/>", 0, start):
        return start, start, False
    if tag.content_end is not None:  # a raw-text element
        return (start, tag.content_end, True) if tag.content_end < len(text) else None
    for tag in tags_of_note(text, (name, *also), start=start):
        if tag.name == name:
            if not tag.closing and not text.endswith("/>", 0, tag.span[1]):
                depth += 1
            elif tag.closing:
                depth -= 1
                if depth == 0:
                    return start, tag.span[0], False
        if found is not None and tag.name in also:
            found.append(tag)
    return None


def inner_html(text: str, *, id: str) -> str | None:
    """The inner HTML of the first element with this id, as an exact slice of `text`.

    Tags are read as a browser reads them (tags.py); only start/end tags with the
    element's own name are counted to find its end tag (a nested `<div/>` is not).
    An element written `<div id=x/>` is empty. None when no element has the id, or when
    it is never closed: a page cut short would otherwise give a truncated body that
    looks whole.
    """
    span = _element(text, id)
    return None if span is None else text[span[0] : span[1]]


def body_with_images(text: str, *, id: str, base_url: str) -> tuple[str, list[str]] | None:
    """`add_referrerpolicy(inner_html(text, id=id))` and the `img_srcs` of that, from one
    pass over the page (the body is read where the search for the element left off, and
    its `<img>`s are taken in the same pass). None as inner_html."""
    imgs: list[Tag] = []
    span = _element(text, id, ("img",), imgs)
    if span is None:
        return None
    start, end, raw = span
    if raw:  # a raw-text element's content: read as HTML, as the separate passes do
        body = add_referrerpolicy(text[start:end])
        return body, img_srcs(body, base_url)
    out: list[str] = []
    srcs: list[str] = []
    pos = start
    for tag in imgs:
        if tag.closing:
            continue
        t0, t1 = tag.span
        if t1 > end:  # an `<img` cut short by the body's end tag is never one
            break
        if tag.get("referrerpolicy") is None and text.endswith(">", 0, t1):
            markup = _with_no_referrer(text[t0:t1])
            out += [text[pos:t0], markup]
            pos = t1
            tag = next(tags(markup))  # the src as img_srcs reads it in the rewritten body
        src = tag.get("src")
        if src is not None and src.decoded.strip():
            srcs.append(absolute(base_url, src.decoded.strip()))
    out.append(text[pos:end])
    return "".join(out), srcs


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
    for tag in tags_of_note(html, ("img",)):  # the other plain tags skipped by one regex
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
    for tag in tags_of_note(html, ("img",)):
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
