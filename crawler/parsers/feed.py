"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds (RSSHub's included). Pure: bytes and URL in.

- Decoding: a BOM, else the XML declaration's encoding; gb2312/gbk/gb18030 are read as
  GB18030 (their superset) and mislabelled UTF-8 is read as UTF-8 (charset.decode_gb).
- Parsing: the DOCTYPE is dropped before lxml sees the feed (no network, no huge
  trees, entities never resolved), so an external entity (XXE) or an entity bomb is
  inert text; HTML entity names (`&nbsp;`) outside CDATA become characters, surrogate
  pairs written as two references become one character, forbidden code points U+FFFD.
  Every pass is linear in the feed's size.
- Recovery: when lxml reports errors, each entry is parsed again on its own (found by a
  forgiving linear scan), so one broken entry never costs the others; an entry nested
  past lxml's depth limit is listed in `Feed.skipped`, never returned cut short.
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
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from html.entities import name2codepoint
from urllib.parse import urljoin

from lxml import etree

from crawler.parsers.charset import DecodeError, decode_gb

GB = {"gb2312", "gbk", "gb18030", "gb_2312-80", "x-gbk", "cp936", "euc-cn"}
_DECL = re.compile(r"""^\s*<\?xml\b[^>]*?\?>""")
_DECL_ENC = re.compile(rb"""^\s*<\?xml\b[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_LOCAL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


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
    # Entries that could not be read whole: (reason, what names them: link, title or
    # offset). Reasons: `too-deep` (markup nested deeper than the parser's limit, 256).
    skipped: list[tuple[str, str]] = field(default_factory=list)


def decode(data: bytes) -> str:
    """The feed's text, without its XML declaration. Bytes that are valid UTF-8 (plain
    ASCII included) are read as UTF-8 whatever the declaration says: a feed labelled
    iso-8859-1, gbk or utf-16 but written in UTF-8 is common, while real text in a legacy
    charset is practically never valid multi-byte UTF-8 (and real UTF-16 has a BOM or no
    ASCII declaration for the label to be read from)."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return _DECL.sub("", data[len(bom) :].decode(enc), count=1)
            except UnicodeDecodeError as exc:
                raise FeedError("undecodable", str(exc)) from None
    m = _DECL_ENC.match(data)
    declared = m.group(1).decode("ascii").lower() if m else "utf-8"
    try:
        if declared in GB:
            text = decode_gb(data)
        else:
            try:  # ASCII is UTF-8 too: a label such as utf-16 on ASCII bytes is wrong
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                try:
                    text = data.decode(declared)
                except (LookupError, UnicodeDecodeError):
                    text = decode_gb(data)  # neither UTF-8 nor as declared: GB18030
    except DecodeError as exc:
        raise FeedError("undecodable", str(exc)) from None
    return _DECL.sub("", text, count=1)


_DOCTYPE = re.compile(r"<!DOCTYPE\b", re.I)
# What the entity pass looks at: CDATA and comments (skipped whole), entity and character
# references. One forward scan, so the pass is linear whatever the text holds.
_REF_OR_SKIP = re.compile(
    r"<!\[CDATA\[|<!--|&(?:#[xX]([0-9A-Fa-f]{1,8})|#([0-9]{1,10})|([A-Za-z][A-Za-z0-9._:-]*));"
)
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9A-Fa-f]{1,8})|([0-9]{1,10}));")
_PREDEFINED = {"amp", "lt", "gt", "quot", "apos"}
# Characters XML forbids even in CDATA (a stray control character derails the parser's
# recovery there): dropped, as the parser would drop them elsewhere.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _without_doctype(text: str) -> str:
    """`text` without its first DOCTYPE (internal subset included). Linear: one search."""
    m = _DOCTYPE.search(text)
    if m is None:
        return text
    gt = text.find(">", m.end())
    if gt < 0:
        return text
    bracket = text.find("[", m.end(), gt)
    if bracket >= 0:  # an internal subset: `[ … ]` then `>`
        close = _subset_end(text, bracket + 1)
        after = text.find(">", close) if close >= 0 else -1
        if after >= 0:
            gt = after
    return text[: m.start()] + text[gt + 1 :]


_SUBSET_TOKEN = re.compile(r"""["'\]]|<!--""")


def _subset_end(text: str, i: int) -> int:
    """Where the `]` closing an internal subset is (-1: nowhere): a `]` in a quoted value
    (`<!ENTITY y "]">`) or a comment is not it. Linear: every step moves past what it read."""
    while (t := _SUBSET_TOKEN.search(text, i)) is not None:
        if t.group() == "]":
            return t.start()
        closer = "-->" if t.group() == "<!--" else t.group()
        end = text.find(closer, t.end())
        if end < 0:
            return -1
        i = end + len(closer)
    return -1


def _xml_char(cp: int) -> bool:
    return (
        cp in (0x9, 0xA, 0xD) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or 0x10000 <= cp <= 0x10FFFF
    )


def _code(m: re.Match[str], hex_group: int = 1) -> int:
    return int(m.group(hex_group), 16) if m.group(hex_group) else int(m.group(hex_group + 1))


def _entities(text: str) -> str:
    """The DOCTYPE (the only place entities are declared: XXE, entity bombs) removed, and
    every other reference made harmless: HTML names (`&nbsp;`, sloppy but common) become
    character references, unknown ones literal text; a character reference to a UTF-16
    surrogate pair (`&#xD83D;&#xDE00;`, as JavaScript escapes write them) becomes the
    character, one to a code point XML forbids (a lone surrogate, `&#0;`) U+FFFD; the
    characters XML forbids (C0 controls …) dropped. CDATA and comments otherwise untouched."""
    text = _NOT_XML.sub("", _without_doctype(text))
    out: list[str] = []
    pos = i = 0
    while (m := _REF_OR_SKIP.search(text, i)) is not None:
        token = m.group(0)
        if token in ("<![CDATA[", "<!--"):
            end = text.find("]]>" if token == "<![CDATA[" else "-->", m.end())
            i = len(text) if end < 0 else end + 3
            continue
        i = m.end()
        if m.group(3) is not None:  # a named reference
            if m.group(3) in _PREDEFINED:
                continue
            cp = name2codepoint.get(m.group(3))
            repl = f"&#{cp};" if cp is not None else f"&amp;{m.group(3)};"
        else:
            cp = _code(m)
            if _xml_char(cp):
                continue
            repl = "&#xFFFD;"
            low = _CHAR_REF.match(text, i) if 0xD800 <= cp <= 0xDBFF else None
            if low is not None and 0xDC00 <= _code(low) <= 0xDFFF:
                repl = f"&#x{0x10000 + ((cp - 0xD800) << 10) + (_code(low) - 0xDC00):X};"
                i = low.end()
        out += [text[pos : m.start()], repl]
        pos = i
    out.append(text[pos:])
    return "".join(out)


def _local(el: etree._Element) -> str:
    """The element's local name, lower-cased: `{ns}creator`, and `dc:creator` with its
    prefix never declared (as many feeds write it; lxml then keeps the prefix in the tag)."""
    tag = el.tag
    return tag.rpartition("}")[2].rpartition(":")[2].lower() if isinstance(tag, str) else ""


def _children(el: etree._Element, *names: str) -> list[etree._Element]:
    return [c for c in el if _local(c) in names]


# Namespaces a body's markup sits in only by inheritance (Atom's `type="xhtml"` wrapper
# div, or the feed's default namespace: Atom, RSS 1.0 …): written as plain HTML tags, no `xmlns`.
_HTML_NAMESPACES = ("http://www.w3.org/1999/xhtml", "http://www.w3.org/2005/Atom")


def _inner_xml(el: etree._Element) -> str:
    """Text and children of `el` serialized (for XHTML carried inline), as the feed wrote
    them minus the XHTML/Atom namespace and the default namespace in scope (the feed's:
    RSS 1.0 …); other namespaces (inline SVG declaring its own) are kept."""
    inherited = {*_HTML_NAMESPACES, el.nsmap.get(None) or _HTML_NAMESPACES[0]}
    parts = [html.escape(el.text or "", quote=False)]
    for child in el:
        copy = deepcopy(child)
        if isinstance(copy.tag, str):  # an element (a comment or PI has no namespace to drop)
            for node in copy.iter(etree.Element):
                # `{ns}name` read as text: etree.QName raises on an undeclared `dc:creator`;
                # split at the last `}` (a namespace URI may hold one, a name never does)
                if node.tag.startswith("{"):
                    ns, _, local = node.tag[1:].rpartition("}")
                    if ns in inherited:
                        node.tag = local
            etree.cleanup_namespaces(copy)
        parts.append(etree.tostring(copy, encoding="unicode", with_tail=True))
    return "".join(parts)


def _content(el: etree._Element) -> str:
    """An element's HTML: its text (escaped HTML or CDATA) or, for XHTML or markup written
    inline (child elements, even after text: `Intro <img …/>`), its markup."""
    kind = (el.get("type") or "").lower()
    if kind == "xhtml" or len(el):
        inner = el[0] if kind == "xhtml" and len(el) == 1 and _local(el[0]) == "div" else el
        return _inner_xml(inner)
    text = el.text or ""
    return html.escape(text, quote=False) if kind in ("text", "text/plain") else text


def _texts(el: etree._Element) -> Iterator[str]:
    """The element's text pieces (lxml gives str for a parsed document)."""
    return (t if isinstance(t, str) else t.decode("utf-8", "replace") for t in el.itertext())


def _first_text(el: etree._Element, *names: str) -> str:
    for c in _children(el, *names):
        text = "".join(_texts(c)).strip()
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
        return text  # local time without offset: verbatim
    try:
        d = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "zZ" else text)  # RFC 3339: Z or z
    except ValueError:
        return None
    return d if d.tzinfo is not None else None


def _join(base: str, href: str) -> str:
    """`href` resolved against `base`; "" when it is not a usable URL (`http://[::1/`)."""
    try:
        return urljoin(base, href.strip())
    except ValueError:
        return ""


def _link(el: etree._Element, base: str) -> str:
    """The entry's link: the first usable of its Atom alternate link, RSS `<link>`,
    permalink `<guid>` and `rdf:about`."""
    candidates: list[str] = []
    for c in _children(el, "link"):
        href = c.get("href")
        if href is not None:  # Atom
            if (c.get("rel") or "alternate") == "alternate":
                candidates.append(href)
        elif c.text and c.text.strip():
            candidates.append(c.text)
    for g in _children(el, "guid"):
        if (g.get("isPermaLink") or "true").lower() == "true" and (g.text or "").strip():
            candidates.append(g.text or "")
    about = el.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    if about:
        candidates.append(about)
    return next((url for url in (_join(base, c) for c in candidates) if url), "")


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
        (_first_text(a, "name") or "".join(_texts(a)).strip() for a in _children(el, "author")), ""
    )
    categories = [c.get("term") or "".join(_texts(c)).strip() for c in _children(el, "category")]
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


_ENTRIES = ("item", "entry")
_END_NAME = re.compile(r"[^\s/>]*")
_TAG_BODY = re.compile(r"[^\"'>]*")


def _matched(pattern: re.Pattern[str], text: str, at: int) -> re.Match[str]:
    """`pattern.match` of a pattern that matches the empty string (so never None)."""
    m = pattern.match(text, at)
    assert m is not None
    return m


def _tag_end(text: str, i: int) -> int:
    """Just after the `>` of the tag starting at `i` (quoted values may hold `>`)."""
    n = len(text)
    while True:
        i = _matched(_TAG_BODY, text, i).end()
        if i >= n:
            return n
        if text[i] == ">":
            return i + 1
        close = text.find(text[i], i + 1)
        if close < 0:
            return n
        i = close + 1


def _entry_spans(text: str) -> list[tuple[int, int, str]]:
    """Where each entry (`<item>`, `<entry>`) is in the text, and the start tags of its
    first ancestors (they declare the namespaces): (start, end, ancestors' tags).

    A linear scan that reads the markup as a forgiving XML parser does (comments, CDATA,
    PIs skipped; an end tag closes what it names and what is open inside it), except that
    an entry never holds another: a new entry starts where the last one was left open.
    So a broken entry ends where the next one begins, however broken it is."""
    spans: list[tuple[int, int, str]] = []
    stack: list[tuple[str, str]] = []  # (name, start tag) of the open elements
    open_names: dict[str, int] = {}
    entry: tuple[int, int, str] | None = None  # (start, depth, ancestors) of the open entry
    i, n = 0, len(text)

    def local(name: str) -> str:
        return name.rpartition(":")[2].lower()

    while (i := text.find("<", i)) >= 0:
        for opener, closer in (("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>"), ("<!", ">")):
            if text.startswith(opener, i):
                end = text.find(closer, i + len(opener))
                i = n if end < 0 else end + len(closer)
                break
        else:
            end = _tag_end(text, i + 1)
            if text.startswith("</", i):
                name = _matched(_END_NAME, text, i + 2).group()
                while open_names.get(name):
                    closed, _ = stack.pop()
                    open_names[closed] -= 1
                    if entry is not None and len(stack) <= entry[1]:
                        spans.append((entry[0], end, entry[2]))
                        entry = None
                    if closed == name:
                        break
            else:
                name = _matched(_END_NAME, text, i + 1).group()
                if name and local(name) in _ENTRIES:
                    if entry is not None:
                        spans.append((entry[0], i, entry[2]))
                        while len(stack) > entry[1]:
                            closed, _ = stack.pop()
                            open_names[closed] -= 1
                    entry = (i, len(stack), "".join(tag for _, tag in stack[:4]))
                if name and not text.startswith("/>", end - 2):
                    stack.append((name, text[i:end] if len(stack) < 4 else ""))
                    open_names[name] = open_names.get(name, 0) + 1
            i = end
    if entry is not None:
        spans.append((entry[0], n, entry[2]))
    return spans


def _parse(xml: str) -> tuple[etree._Element | None, etree._ListErrorLog]:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        recover=True,
        load_dtd=False,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(xml.encode("utf-8", "replace"), parser)
    except etree.XMLSyntaxError:
        root = None
    return root, parser.error_log


def _too_deep(log: etree._ListErrorLog) -> bool:
    return any(e.type_name == "ERR_RESOURCE_LIMIT" for e in log)


_XMLNS = re.compile(r"""\sxmlns(:[^\s=/>]+)?\s*=\s*("[^"<]*"|'[^'<]*')""")


def _namespaces(ancestors: str) -> str:
    """The namespace declarations of an entry's ancestors' start tags, innermost winning,
    as attributes of one wrapper: only what the entry needs of them (their other
    attributes may be broken, and would break the entry's re-read)."""
    declared = {prefix: value for prefix, value in _XMLNS.findall(ancestors)}
    return "".join(f" xmlns{prefix}={value}" for prefix, value in declared.items())


def _entries_one_by_one(xml: str, url: str) -> tuple[list[Entry], list[tuple[str, str]]]:
    """The entries of a document the parser found errors in, each parsed on its own (in a
    wrapper declaring its ancestors' namespaces): one broken entry cannot take the
    next ones with it, nor be cut short unnoticed."""
    entries: list[Entry] = []
    skipped: list[tuple[str, str]] = []
    for start, end, ancestors in _entry_spans(xml):
        root, log = _parse(f"<feed{_namespaces(ancestors)}>{xml[start:end]}</feed>")
        el = None if root is None else next((e for e in root.iter() if _local(e) in _ENTRIES), None)
        if el is None:
            continue  # not an element after all
        entry = _entry(el, url)
        if _too_deep(log):
            skipped.append(("too-deep", entry.link or entry.title or f"entry at character {start}"))
            continue
        entries.append(entry)
    return entries, skipped


def parse_feed(data: bytes, url: str) -> Feed:
    """The feed's title, link and entries, in feed order.

    When the parser reports errors (a mismatched tag, markup nested too deep …), every
    entry is parsed again on its own, so the others are read whole; an entry that cannot
    be read whole is listed in `skipped`."""
    xml = _entities(decode(data))
    root, log = _parse(xml)
    if root is None:
        raise FeedError("not-a-feed", str(log.last_error) if log.last_error else "empty document")
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
    if len(log):
        entries, skipped = _entries_one_by_one(xml, url)
    else:
        entries, skipped = [_entry(i, url) for i in items], []
    return Feed(_first_text(head, "title"), _link(head, url), entries, skipped)
