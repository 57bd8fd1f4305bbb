"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds (RSSHub's included). Pure: bytes and URL in.

- Decoding: a BOM, else the XML declaration's encoding; gb2312/gbk/gb18030 are read as
  GB18030 (their superset) and mislabelled UTF-8 is read as UTF-8 (charset.decode_gb).
- Parsing: the DOCTYPE is dropped before lxml sees the feed (no network, no huge
  trees, entities never resolved), so an external entity (XXE) or an entity bomb is
  inert text; HTML entity names (`&nbsp;`) outside CDATA become characters.
- Per entry: title, link (RSS `<link>`, Atom `<link rel="alternate" href>`, else a
  permalink `<guid>`), id (`<guid>`/`<id>`, else the link), date (`pubDate`, `dc:date`,
  `published`, `updated`), body (`content:encoded`, else `description`, Atom
  `content`, else `summary`; exactly as the feed carries it, whitespace included),
  author (`dc:creator`, `author`) and categories.
- Dates: RFC 822 and ISO 8601 with an offset become aware datetimes; a plain local
  `YYYY-MM-DD HH:MM[:SS]` is kept verbatim (as the generator of the corpus did);
  anything else is None.
"""
from __future__ import annotations

import codecs
import html
import re
from html.entities import name2codepoint
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from lxml import etree

from crawler.parsers.charset import DecodeError, decode_gb

GB = {"gb2312", "gbk", "gb18030", "gb_2312-80", "x-gbk", "cp936", "euc-cn"}
_DECL = re.compile(r"""^\s*<\?xml\b[^>]*?\?>""")
_DECL_ENC = re.compile(rb"""^\s*<\?xml\b[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_LOCAL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))


class FeedError(ValueError):
    """Not a feed this parser can read; `reason` is a short slug for stats."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass
class Entry:
    title: str
    link: str
    id: str
    published: datetime | str | None
    body: str
    author: str = ""
    categories: list[str] = field(default_factory=list)


@dataclass
class Feed:
    title: str
    link: str
    entries: list[Entry]


def decode(data: bytes) -> str:
    """The feed's text, without its XML declaration."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return _DECL.sub("", data[len(bom):].decode(enc), count=1)
            except UnicodeDecodeError as exc:
                raise FeedError("undecodable", str(exc)) from None
    m = _DECL_ENC.match(data)
    declared = m.group(1).decode("ascii").lower() if m else "utf-8"
    try:
        if declared in GB:
            text = decode_gb(data)
        else:
            try:
                text = data.decode(declared)
            except (LookupError, UnicodeDecodeError):
                text = decode_gb(data)          # strict UTF-8 first, then GB18030
    except DecodeError as exc:
        raise FeedError("undecodable", str(exc)) from None
    return _DECL.sub("", text, count=1)


_DOCTYPE = re.compile(r"<!DOCTYPE\b(?:[^\[>]*\[.*?\])?[^>]*>", re.S | re.I)
_ENTITY_OR_SKIP = re.compile(r"(<!\[CDATA\[.*?\]\]>|<!--.*?-->)|&([A-Za-z][A-Za-z0-9._:-]*);", re.S)
_PREDEFINED = {"amp", "lt", "gt", "quot", "apos"}


def _entities(text: str) -> str:
    """The DOCTYPE (the only place entities are declared: XXE, entity bombs) removed, and
    every other named reference made harmless: HTML names (`&nbsp;`, sloppy but common)
    become character references, unknown ones literal text. CDATA and comments untouched."""
    def repl(m: re.Match[str]) -> str:
        if m.group(1) or m.group(2) in _PREDEFINED:
            return m.group(0)
        cp = name2codepoint.get(m.group(2))
        return f"&#{cp};" if cp is not None else f"&amp;{m.group(2)};"

    return _ENTITY_OR_SKIP.sub(repl, _DOCTYPE.sub("", text, count=1))


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname.lower() if isinstance(el.tag, str) else ""


def _children(el: etree._Element, *names: str) -> list[etree._Element]:
    return [c for c in el if _local(c) in names]


def _inner_xml(el: etree._Element) -> str:
    """Text and children of `el` serialized (for XHTML carried inline)."""
    parts = [html.escape(el.text or "", quote=False)]
    for child in el:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


def _content(el: etree._Element) -> str:
    """An element's HTML: its text (escaped HTML or CDATA) or, for XHTML, its markup."""
    kind = (el.get("type") or "").lower()
    if kind == "xhtml" or (len(el) and not (el.text or "").strip()):
        inner = el[0] if kind == "xhtml" and len(el) == 1 and _local(el[0]) == "div" else el
        return _inner_xml(inner)
    text = "".join(el.itertext())
    return html.escape(text, quote=False) if kind in ("text", "text/plain") else text


def _first_text(el: etree._Element, *names: str) -> str:
    for c in _children(el, *names):
        text = "".join(c.itertext()).strip()
        if text:
            return text
    return ""


def parse_date(text: str) -> datetime | str | None:
    text = " ".join(text.split())
    if not text:
        return None
    try:
        d = parsedate_to_datetime(text)
        if d.tzinfo is not None:
            return d
    except (TypeError, ValueError, IndexError):
        pass
    if _LOCAL_DATE.match(text):
        return text                               # local time without offset: verbatim
    try:
        d = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return d if d.tzinfo is not None else None


def _link(el: etree._Element, base: str) -> str:
    for c in _children(el, "link"):
        href = c.get("href")
        if href is not None:                                   # Atom
            if (c.get("rel") or "alternate") == "alternate":
                return urljoin(base, href.strip())
        elif (c.text or "").strip():
            return urljoin(base, c.text.strip())
    for g in _children(el, "guid"):
        if (g.get("isPermaLink") or "true").lower() == "true" and (g.text or "").strip():
            return urljoin(base, g.text.strip())
    about = el.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    return urljoin(base, about) if about else ""


def _entry(el: etree._Element, base: str) -> Entry:
    body = ""
    for names in (("encoded",), ("description",), ("content",), ("summary",)):
        found = _children(el, *names)
        if found:
            body = _content(found[0])
            if body.strip():
                break
    link = _link(el, base)
    author = _first_text(el, "creator") or next(
        (_first_text(a, "name") or "".join(a.itertext()).strip() for a in _children(el, "author")), "")
    categories = [c.get("term") or "".join(c.itertext()).strip() for c in _children(el, "category")]
    return Entry(
        title=html.unescape(_first_text(el, "title")) if _is_html_title(el) else _first_text(el, "title"),
        link=link,
        id=_first_text(el, "guid", "id") or link,
        published=parse_date(_first_text(el, "pubdate", "date", "published", "updated", "issued")),
        body=body,
        author=author,
        categories=[c for c in categories if c],
    )


def _is_html_title(el: etree._Element) -> bool:
    t = _children(el, "title")
    return bool(t) and (t[0].get("type") or "").lower() == "html"


def parse_feed(data: bytes, url: str) -> Feed:
    """The feed's title, link and entries, in feed order."""
    text = decode(data)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             recover=True, load_dtd=False, remove_pis=True)
    try:
        root = etree.fromstring(_entities(text).encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError("not-a-feed", str(exc)) from None
    if root is None:
        raise FeedError("not-a-feed", "empty document")
    kind = _local(root)
    if kind == "rss":
        channel = next(iter(_children(root, "channel")), None)
        if channel is None:
            raise FeedError("not-a-feed", "<rss> without <channel>")
        items, head = _children(channel, "item"), channel
    elif kind == "feed":
        items, head = _children(root, "entry"), root
    elif kind == "rdf":
        items, head = _children(root, "item"), next(iter(_children(root, "channel")), root)
    else:
        raise FeedError("not-a-feed", f"root element <{kind}>")
    return Feed(_first_text(head, "title"), _link(head, url), [_entry(i, url) for i in items])
