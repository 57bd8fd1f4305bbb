"""Strip active content from article bodies before they are written.

A post is served from the blog's own origin, so script in a body would run there.
Removed (each a surgical edit: a body without any of them stays byte for byte):
- `<script>` elements with their content (also inside SVG/MathML),
- event-handler attributes (`on*=`) on any element, and `srcdoc`,
- URL attributes (`href`, `src`, `action`, `xlink:href` …) whose value is a
  `javascript:`, `vbscript:` or `data:text/html`-like URL (entities, whitespace and
  control characters are decoded first, as browsers do), and `style` attributes
  carrying `expression(` or `javascript:`,
- `<object>`, `<embed>`, `<applet>`, `<base>` and `<meta>` tags (their fallback content stays).

`KEEP_ACTIVE_CONTENT = True` keeps bodies raw, as the page sent them.
Stats: newsarchive/sanitized/{posts,script,handler,url,element}.
"""

from __future__ import annotations

import logging
import re

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.parsers.tags import RAW_TEXT, Attr, Tag, tags_of_note

logger = logging.getLogger(__name__)

URL_ATTRS = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "data",
        "poster",
        "background",
        "lowsrc",
        "dynsrc",
        "cite",
        "longdesc",
        "usemap",
        "ping",
        "codebase",
        "manifest",
        "icon",
        "profile",
        "classid",
        "archive",
        "srcset",
        "imagesrcset",
        "to",
        "values",
        "from",
        "by",
    }
)
DROP_TAGS = frozenset({"object", "embed", "applet", "base", "meta"})
_STOP = ("script", *sorted(DROP_TAGS))  # tags the skipping regex never passes over
_SCHEME = re.compile(r"^(?:javascript|vbscript|livescript|mocha):|^data:(?!image/(?:png|gif|jpe?g|webp)[;,])")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")
# `on…`/`srcdoc` where an attribute name may begin (not inside a word: `content`, `button`).
_HANDLER_AT = re.compile(r"(?<![a-zA-Z0-9])(?:[oO][nN]|[sS][rR][cC][dD][oO][cC])")


def dangerous_url(value: str) -> bool:
    """Whether a (decoded) URL attribute value would run script when followed."""
    return bool(_SCHEME.match(_INVISIBLE.sub("", value).lower()))


def _bad_attr(attr: Attr) -> str | None:
    if attr.name.startswith("on"):
        return "handler"
    if attr.name == "srcdoc":
        return "handler"
    decoded = attr.decoded
    if attr.name in URL_ATTRS and dangerous_url(decoded):
        return "url"
    if attr.name == "style":
        compact = _INVISIBLE.sub("", decoded).lower()
        if "expression(" in compact or "javascript:" in compact:
            return "url"
    return None


def _maybe_bad(tag: str) -> bool:
    """Whether _bad_attr may find anything in this tag's text: a handler name, an entity
    (which may decode to anything), or, with invisible characters dropped and lower-cased
    as _bad_attr reads a value, a scheme it refuses or `expression(`."""
    if "&" in tag or _HANDLER_AT.search(tag):
        return True
    compact = _INVISIBLE.sub("", tag).lower()
    return any(s in compact for s in ("script:", "mocha:", "data:", "expression("))


def _attr_removal(text: str, attr: Attr) -> tuple[int, int]:
    """The attribute's span widened to the whitespace before it."""
    start = attr.span[0]
    while start > 0 and text[start - 1] in " \t\n\r\f":
        start -= 1
    return start, attr.span[1]


def strip_active(body: str) -> tuple[str, dict[str, int]]:
    """`body` without active content, and what was removed (kind -> count).

    The body is read both ways a browser may read it (raw-text elements such as
    `<noscript>`/`<textarea>` as text, as HTML does; or as markup, as inside SVG),
    until neither reading finds anything more: an attribute value cannot hide a tag.
    """
    counts: dict[str, int] = {}
    for _ in range(10):
        before = body
        for raw_text in (("script",), RAW_TEXT):
            body = _strip_once(body, raw_text, counts)
        if body == before:
            break
    return body, counts


def _strip_once(body: str, raw_text: tuple[str, ...], counts: dict[str, int]) -> str:
    cuts: list[tuple[int, int]] = []
    skip_until = -1
    for tag in tags_of_note(body, _STOP, raw_text, inert=True):  # inert tags skipped by a regex
        if tag.span[0] < skip_until:
            continue
        if tag.name == "script":
            if not tag.closing:
                end = _element_end(body, tag)
                cuts.append((tag.span[0], end))
                skip_until = end
                counts["script"] = counts.get("script", 0) + 1
            else:
                cuts.append(tag.span)  # a stray </script>
            continue
        if tag.name in DROP_TAGS:
            cuts.append(tag.span)
            if not tag.closing:
                counts["element"] = counts.get("element", 0) + 1
            continue
        if not _maybe_bad(body[tag.span[0] + 1 : tag.span[1]]):
            continue  # most tags, `<img src="https://…">` too: no attribute to read
        for attr in tag.attrs:
            kind = _bad_attr(attr)
            if kind:
                cuts.append(_attr_removal(body, attr))
                counts[kind] = counts.get(kind, 0) + 1
    if not cuts:
        return body
    out, pos = [], 0
    for start, end in sorted(cuts):
        out.append(body[pos : max(start, pos)])
        pos = max(pos, end)
    out.append(body[pos:])
    return "".join(out)


def _element_end(body: str, tag: Tag) -> int:
    """End of a `<script>` element: its end tag's `>` (or the end of the body)."""
    if tag.content_end is None or tag.content_end >= len(body):
        return len(body)
    gt = body.find(">", tag.content_end)
    return len(body) if gt < 0 else gt + 1


class ActiveContentPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ActiveContentPipeline:
        if crawler.settings.getbool("KEEP_ACTIVE_CONTENT"):
            raise NotConfigured  # raw bodies wanted; disabled without a warning
        return cls(crawler)

    def process_item(self, item: object, spider: object = None) -> object:
        a = ItemAdapter(item)
        body, counts = strip_active(a.get("body") or "")
        if counts:
            a["body"] = body
            self.stats.inc_value("newsarchive/sanitized/posts")
            for kind, n in counts.items():
                self.stats.inc_value(f"newsarchive/sanitized/{kind}", n)
            logger.info(
                "removed active content from %s: %s",
                a.get("url"),
                ", ".join(f"{n} {k}" for k, n in sorted(counts.items())),
            )
        return item
