"""Property-based tests over every parser entry point (feed, tags, rawhtml, each portal's
parse_list/parse_article, and the pure passes of the pipelines over bodies):

- random and adversarial text, alone or spliced into a real page of the portal, never raises
  anything but LayoutError/FeedError;
- the time of each pass is linear in its input (4x the input costs at most 6x the time) for
  the patterns that made passes quadratic before (unterminated comments and CDATA, repeated
  comments, stray quotes, deep nesting …);
- a feed entry that parses alone parses the same beside a broken one, before or after it.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from crawler.parsers import cnbeta, feed, ithome, kr36, ofweek, oschina, rawhtml, tags
from crawler.parsers.charset import decode_gb
from crawler.parsers.common import LayoutError
from pipelines import images, sanitize
from tests.helpers import ROOT

NOW = datetime(2026, 9, 18, 12, 0, tzinfo=timezone.utc)
SEEDS = ROOT / "seeds"


def _page(path: str) -> str:
    return decode_gb((SEEDS / path).read_bytes())


# name -> (function of (text, url), a real page it reads, that page's canonical URL)
Parser = Callable[[str, str], Any]
PORTALS: dict[str, tuple[Parser, str, str]] = {
    "ofweek.list": (ofweek.parse_list, "ofweek-2026/site/ai/CATList-201700-8100-ai.html",
                    "https://www.ofweek.com/ai/CATList-201700-8100-ai.html"),
    "ofweek.article": (ofweek.parse_article, "ofweek-2026/site/ai/2026-06/ART-201700-8120-30690212.html",
                       "https://www.ofweek.com/ai/2026-06/ART-201700-8120-30690212.html"),
    "ithome.list": (ithome.parse_list, "ithome-2026/site/list/index.html", "https://www.ithome.com/list/"),
    "ithome.article": (ithome.parse_article, "ithome-2026/site/0/968/032.htm",
                       "https://www.ithome.com/0/968/032.htm"),
    "cnbeta.list": (cnbeta.parse_list, "cnbeta-2026/site/backend.php", "https://www.cnbeta.com.tw/backend.php"),
    "cnbeta.article": (cnbeta.parse_article, "cnbeta-2026/site/articles/tech/1578712.htm",
                       "https://www.cnbeta.com.tw/articles/tech/1578712.htm"),
    "oschina.list": (lambda t, u: oschina.parse_list(t, u, NOW),
                     "oschina-2026/site/news/widgets/_news_index_all_list?p=1&type=ajax",
                     "https://www.oschina.net/news/widgets/_news_index_all_list?p=1&type=ajax"),
    "oschina.article": (oschina.parse_article, "oschina-2026/site/news/401233/rust-1-94-released",
                        "https://www.oschina.net/news/401233/rust-1-94-released"),
    "kr36.list": (kr36.parse_list, "36kr-2026/site/newsflashes", "https://www.36kr.com/newsflashes"),
}

# Bits of markup that broke a parser once, or could: the cases and their cousins.
FRAGMENTS = [
    "<!--", "-->", "--!>", "<!-->", "<![CDATA[", "]]>", "<![ x ]>", "<!", "<?", "?>", "<!DOCTYPE x [",
    "]>", "<", ">", "</", "/>", "&", "&#", "&#xD83D;", "&#xDE00;", "&#0;", "&#99999999999;",
    "&nbsp;", "&bogus;", '"', "'", "=", "<img src=", '<img src="http://[::1/a.jpg">',
    '<a href="http://[::1/">', "<img srcset='a.jpg 2x, http://[::1/ 3w'>", "<script>", "</script>",
    "<style>", "<textarea>", "<plaintext>", "<div>", "</div>", '<div id="x">', "<p>", "</p>",
    "<picture>", "<source srcset=b.png>", "<dc:creator>", "</dc:creator>", "<item>", "</item>",
    "<entry>", "</entry>", "<title>", "</title>", "<link>http://[::1/</link>", "<description>",
    "</description>", "\x00", "\x01", "\ufeff", "\u2028", "标题", "\r\n", " ",
    'class="article-content"', 'id="content"', "http://", "javascript:", "</body>", "</html>",
]
# Text as a decoder gives it (a page's bytes decoded: never a lone surrogate).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
MARKUP = st.lists(st.sampled_from(FRAGMENTS) | TEXT, max_size=40).map("".join)
SETTINGS = settings(max_examples=int(os.environ.get("NEWSARCHIVE_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _spliced(page: str, cuts: list[tuple[int, str]]) -> str:
    """`page` with each (relative position, markup) inserted."""
    for at, markup in sorted(cuts, reverse=True):
        i = int(at * len(page))
        page = page[:i] + markup + page[i:]
    return page


def _allowed(call: Callable[[], Any]) -> None:
    try:
        call()
    except (LayoutError, feed.FeedError):
        pass


CUTS = st.lists(st.tuples(st.floats(0, 1), MARKUP), min_size=1, max_size=4)


@pytest.mark.parametrize("name", sorted(PORTALS))
@SETTINGS
@given(cuts=CUTS, alone=MARKUP)
# found by this test: `{` inside an attribute name of OFweek's list (`.attrib` raised ValueError)
@example(cuts=[(0.5803456588062793, "{")], alone="")
# and an undeclared `dc:` element inside a body of markup (etree.QName raised ValueError)
@example(cuts=[(1.0, "<!--<!--<!--<!--<!--<!--<!--<!--<!--<picture><link>http://[::1/</link>"),
               (0.78515625, "<description><dc:creator>")], alone="")
def test_portal_parsers_raise_only_layout_errors(name: str, cuts: list[tuple[float, str]], alone: str):
    parse, path, url = PORTALS[name]
    page = _page(path)
    _allowed(lambda: parse(_spliced(page, cuts), url))
    _allowed(lambda: parse(alone, url))


@SETTINGS
@given(text=MARKUP)
@example(text='<p>a</p><![ x ]><img src="http://[::1/a.jpg"><!--a--!>')
def test_body_passes_never_raise(text: str):
    list(tags.tags(text))
    list(tags.tags(text, raw_text=("script",)))
    rawhtml.inner_html(text, id="x")
    rawhtml.add_referrerpolicy(text)
    rawhtml.img_srcs(text, "https://example.com/a/b.html")
    sanitize.strip_active(text)
    p = images.plan(text, "https://example.com/a/", rawhtml.img_srcs(text, "https://example.com/a/"))
    images.rewrite(text, p.groups, {u: "/images/x.png" for u in p.fetch})


def _rss(items: str, head: str = "<title>T</title>") -> bytes:
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{head}{items}</channel></rss>'.encode()


@SETTINGS
@given(items=MARKUP, head=MARKUP, atom=st.booleans())
def test_feed_parser_raises_only_feed_errors(items: str, head: str, atom: bool):
    data = (f'<feed xmlns="http://www.w3.org/2005/Atom">{head}{items}</feed>'.encode("utf-8", "replace")
            if atom else _rss(items, head).decode().encode("utf-8", "replace"))
    _allowed(lambda: feed.parse_feed(data, "https://example.com/feed"))
    _allowed(lambda: feed.parse_feed(items.encode("utf-8", "replace"), "https://example.com/feed"))


# --- an entry beside a broken one ------------------------------------------------------

SAFE = st.text(st.characters(blacklist_characters="<>&\"'\r", blacklist_categories=("Cs", "Cc")),
               min_size=1, max_size=20).map(str.strip).filter(bool)
BROKEN = [
    "<dc:creator>Bob</dc:creator><title>undeclared prefix</title>",              # case 1
    "<title>surrogates</title><description>smile &#xD83D;&#xDE00; &#xDE00;</description>",  # 2
    "<title>html</title><description>&lt;p&gt;a&lt;/p&gt;&lt;![ x ]&gt;</description>",   # 3
    "<title>deep</title><description>" + "<div>" * 300 + "</div>" * 300 + "</description>",  # 4
    "<title>mismatch</title><description><b>x</description>",
    "<title>bad link</title><link>http://[::1/</link>",
    "<title>junk</title><description>&#0; \x01 &bogus; </p></description><pubDate>昨天</pubDate>",
    "<title><b>unclosed</title>",
]


def _item(title: str, link: str, body: str) -> str:
    return (f"<item><title>{title}</title><link>{link}</link>"
            f"<description>&lt;p&gt;{body}&lt;/p&gt;&lt;img src=&quot;/i.png&quot;&gt;</description>"
            f"<pubDate>Wed, 27 Jul 2022 07:31:24 GMT</pubDate></item>")


# found by this test: a broken ancestor's attribute (`<div id=x>`) spoilt the entry's re-read
@example(title="0", body="0", path="0", broken="</item><div id=x>")
@SETTINGS
@given(title=SAFE, body=SAFE, path=st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True),
       broken=st.sampled_from(BROKEN) | MARKUP.map(lambda m: m.replace("<item", "").replace("<!", "")
                                                   .replace("<?", "").replace('"', "").replace("'", "")))
def test_an_entry_parses_alike_beside_a_broken_one(title: str, body: str, path: str, broken: str):
    good = _item(title, f"https://example.com/{path}", body)
    url = "https://example.com/feed"
    alone = feed.parse_feed(_rss(good), url).entries
    assert len(alone) == 1
    for items in (f"<item>{broken}</item>{good}", f"{good}<item>{broken}</item>"):
        got = feed.parse_feed(_rss(items).decode().encode("utf-8", "replace"), url)
        assert alone[0] in got.entries, items


# --- linear time -------------------------------------------------------------------------

# Patterns repeated to make an input: each made some pass quadratic, or could.
PATTERNS = {
    "open-comment": "x<!--", "open-cdata": "x<![CDATA[", "comments": "<!--a-->", "bang": "<!--a--!>",
    "open-doctype": "<!DOCTYPE [", "quote": '<a "', "open-tag": "<a", "end-tags": "</x>",
    "divs": "<div>", "refs": "&#xD83D;&nbsp;&x;", "imgs": '<img src="/a.png" srcset="b 2x">',
    "lt": "<", "bogus": "<![ x ]>", "script": "<script>", "ids": '<div id="x">',
}


def _best(call: Callable[[], Any], runs: int = 3) -> float:
    """The least CPU time of a few runs (CPU time: other processes on the machine do not
    count; the least: a garbage collection in one run does not either)."""
    times = []
    for _ in range(runs):
        t = time.process_time()
        call()
        times.append(time.process_time() - t)
    return min(times)


def _linear(run: Callable[[str], Any], pattern: str, size: int = 8_000) -> tuple[float, float]:
    small = pattern * max(1, size // len(pattern))
    big = small * 4
    ratio = (0.0, 0.0)
    for _ in range(3):                      # a noisy run gets another chance
        t1, t4 = _best(lambda: _allowed(lambda: run(small))), _best(lambda: _allowed(lambda: run(big)))
        ratio = (t1, t4)
        if t4 <= 6 * t1 + 0.005:
            break
    return ratio


def _feed_run(pattern_text: str) -> Any:
    return feed.parse_feed(_rss(f"<item><title>t</title><description>{pattern_text}</description></item>"
                                f"<item><title>{pattern_text}</title></item>").decode()
                           .encode("utf-8", "replace"), "https://example.com/feed")


PASSES: dict[str, Callable[[str], Any]] = {
    "feed": _feed_run,
    "tags": lambda t: list(tags.tags(t)),
    "inner_html": lambda t: rawhtml.inner_html(t, id="y"),
    "img_srcs": lambda t: rawhtml.img_srcs(t, "https://example.com/"),
    "add_referrerpolicy": rawhtml.add_referrerpolicy,
    "strip_active": sanitize.strip_active,
    "images.plan": lambda t: images.plan(t, "https://example.com/", []),
    **{name: (lambda p: lambda t: _spliced_run(p, t))(name) for name in PORTALS},
}


def _spliced_run(name: str, text: str) -> Any:
    parse, path, url = PORTALS[name]
    page = _PAGES.setdefault(name, _page(path))
    return parse(_spliced(page, [(0.5, text)]), url)


_PAGES: dict[str, str] = {}


@pytest.mark.parametrize("entry", sorted(PASSES))
def test_time_is_linear_in_the_input(entry: str):
    slow = {}
    for name, pattern in PATTERNS.items():
        t1, t4 = _linear(PASSES[entry], pattern)
        if t4 > 6 * t1 + 0.005:
            slow[name] = f"{t1 * 1000:.1f} ms -> {t4 * 1000:.1f} ms"
    assert not slow, f"{entry}: 4x the input, more than 6x the time: {slow}"


def _inner_html_reference(text: str, id: str) -> str | None:
    """inner_html as one loop over every tag (before the page head was skipped in C)."""
    name, start, depth = None, 0, 0
    for tag in tags.tags(text):
        if name is None:
            if not tag.closing and any(a.name == "id" and a.decoded == id for a in tag.attrs):
                name, start, depth = tag.name, tag.span[1], 1
                if text.endswith("/>", 0, tag.span[1]):
                    return ""
                if tag.content_end is not None:
                    return text[start: tag.content_end] if tag.content_end < len(text) else None
        elif tag.name == name:
            if not tag.closing and not text.endswith("/>", 0, tag.span[1]):
                depth += 1
            elif tag.closing:
                depth -= 1
                if depth == 0:
                    return text[start: tag.span[0]]
    return None


@SETTINGS
@given(text=MARKUP)
@example(text='<noscript id="x"><img src=a></noscript>')
@example(text='<p class=id><div id="x"><img src=a/><IMG SRC= ><img referrerpolicy=a src=b></div>')
@example(text='<div id="x"><!-- </div> --><script></div></script><img src="q">')
def test_the_one_pass_body_reads_as_the_separate_passes(text: str):
    """rawhtml.body_with_images (page head skipped by one regex, body tokenised once, image
    sources in the same pass) == add_referrerpolicy(inner_html) + img_srcs, and every tag's
    end found by the fast path is where the attribute reader ends it."""
    base = "https://example.com/a/"
    inner = _inner_html_reference(text, "x")
    assert rawhtml.inner_html(text, id="x") == inner
    body = None if inner is None else rawhtml.add_referrerpolicy(inner)
    expected = None if body is None else (body, rawhtml.img_srcs(body, base))
    assert rawhtml.body_with_images(text, id="x", base_url=base) == expected
    raw_end = False                                       # the end tag of a raw-text element
    for tag in tags.tags(text):
        if not raw_end:
            name_end = tags._NAME_END.search(text, tag.span[0] + 1)
            at = name_end.start() if name_end else len(text)
            assert tags._attributes(text, at)[1] == tag.span[1]
        raw_end = tag.content_end is not None


def _strip_once_reference(body: str, raw_text: tuple[str, ...], counts: dict[str, int]) -> str:
    """The sanitizer's pass as it was before plain tags were skipped by a regex: every tag
    read (the oracle of the test below)."""
    cuts: list[tuple[int, int]] = []
    skip_until = -1
    for tag in tags.tags(body, raw_text):
        if tag.span[0] < skip_until:
            continue
        if tag.name == "script":
            if not tag.closing:
                end = sanitize._element_end(body, tag)
                cuts.append((tag.span[0], end))
                skip_until = end
                counts["script"] = counts.get("script", 0) + 1
            else:
                cuts.append(tag.span)
            continue
        if tag.name in sanitize.DROP_TAGS:
            cuts.append(tag.span)
            if not tag.closing:
                counts["element"] = counts.get("element", 0) + 1
            continue
        for attr in tag.attrs:
            kind = sanitize._bad_attr(attr)
            if kind:
                cuts.append(sanitize._attr_removal(body, attr))
                counts[kind] = counts.get(kind, 0) + 1
    out, pos = [], 0
    for start, end in sorted(cuts):
        out.append(body[pos: max(start, pos)])
        pos = max(pos, end)
    out.append(body[pos:])
    return "".join(out)


ACTIVE = FRAGMENTS + [
    "<img", "<a", "<svg>", "</svg>", "<noscript>", "</noscript>", "<object>", "</object>", "<META",
    "<embed", "<base", " ", "/", "=", " onclick=", " ONERROR=", " on=", " srcdoc=", " SRCDOC",
    ' href="', " src=", ' style="', "expression(", "&#106;avascript:", "java\tscript:", "data:text/html,",
    "data:image/png,", " xlink:href=", " id=x", "alert(1)", '"', "'", ">", "<script src=x>",
]


@SETTINGS
@given(text=st.lists(st.sampled_from(ACTIVE) | TEXT, max_size=40).map("".join))
@example(text='<p class="on">a</p><img src="https://x/a.jpg" onerror=alert(1)><noscript><p onclick=x></noscript>')
@example(text="<svg><style><img src=x onerror=y></style></svg><a href=&#106;avascript:x>")
@example(text='<a href="data:text/html,x">a</a><a href=" Mocha:x">b</a><p style="a:expression(b)">c')
@example(text='<img src="https://x/a.jpg"><a href="/on.html" class=content>d</a><x y=&#0; z=srcdoc>')
def test_the_sanitizer_reads_as_when_every_tag_was_read(text: str):
    """strip_active (plain, inert tags skipped by one regex) removes exactly what reading
    every tag removed, with the same counts."""
    def reference(body: str) -> tuple[str, dict[str, int]]:
        counts: dict[str, int] = {}
        for _ in range(10):
            before = body
            for raw_text in (("script",), tags.RAW_TEXT):
                body = _strip_once_reference(body, raw_text, counts)
            if body == before:
                break
        return body, counts

    assert sanitize.strip_active(text) == reference(text)


@SETTINGS
@given(text=st.lists(st.sampled_from(ACTIVE) | TEXT, max_size=40).map("".join))
@example(text="<À<img src=a><noscript><img src=b></noscript><p title='<img src=c>'>")
def test_tags_of_note_are_the_full_reading_less_plain_tags(text: str):
    """tags_of_note yields tags as tags() reads them (same spans, in order), every tag named
    in `stop` among them, and (inert) every tag with an attribute the sanitizer removes."""
    def key(t: tags.Tag) -> tuple[Any, ...]:
        return t.name, t.span, t.closing, t.content_end

    for stop, inert in ((("img",), False), (sanitize._STOP, True)):
        for raw_text in (tags.RAW_TEXT, ("script",)):
            full = list(tags.tags(text, raw_text))
            noted = [key(t) for t in tags.tags_of_note(text, stop, raw_text, inert)]
            at = {key(t): i for i, t in enumerate(full)}
            assert all(k in at for k in noted) and [at[k] for k in noted] == sorted(at[k] for k in noted)
            must = [key(t) for t in full if t.name in stop
                    or (inert and any(sanitize._bad_attr(a) for a in t.attrs))]
            assert set(must) <= set(noted)
