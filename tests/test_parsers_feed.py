"""Feed parser (crawler/parsers/feed.py): RSS 2.0, RSS 1.0, Atom; charsets; hostile XML."""
from __future__ import annotations

import codecs
import time
from datetime import datetime, timedelta, timezone

import pytest

from crawler.parsers.feed import FeedError, parse_date, parse_feed

RSS = """<?xml version="1.0" encoding="{enc}"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>IT 之家 - IT 资讯</title><link>https://www.ithome.com/</link>
<item><title>镕铭 &amp; “㈱”</title><link>https://www.ithome.com/0/632/123.htm</link>
<guid isPermaLink="false">ithome-632123</guid>
<pubDate>Wed, 27 Jul 2022 07:31:24 GMT</pubDate><dc:creator>远洋</dc:creator>
<category>手机</category>
<description><![CDATA[<p>摘要</p>]]></description>
<content:encoded><![CDATA[
<p data-vmark="adbf">正文 <img src="https://img.ithome.com/a.png"></p>
        ]]></content:encoded></item>
<item><title>二</title><guid>https://www.ithome.com/0/632/124.htm</guid>
<pubDate>2021-10-28 14:08:07</pubDate><description>&lt;p&gt;a &amp;amp; b&lt;/p&gt;</description></item>
</channel></rss>"""


def test_rss2_fields_and_exact_bodies() -> None:
    feed = parse_feed(RSS.format(enc="UTF-8").encode("utf-8"), "https://rsshub.app/ithome/it")
    assert (feed.title, feed.link) == ("IT 之家 - IT 资讯", "https://www.ithome.com/")
    first, second = feed.entries
    assert first.title == "镕铭 & “㈱”"
    assert (first.link, first.id, first.author, first.categories) == (
        "https://www.ithome.com/0/632/123.htm", "ithome-632123", "远洋", ["手机"])
    assert first.published == datetime(2022, 7, 27, 7, 31, 24, tzinfo=timezone.utc)
    # content:encoded wins over description, whitespace included
    assert first.body == '\n<p data-vmark="adbf">正文 <img src="https://img.ithome.com/a.png"></p>\n        '
    assert second.link == second.id == "https://www.ithome.com/0/632/124.htm"   # permalink guid
    assert second.published == "2021-10-28 14:08:07"                           # verbatim
    assert second.body == "<p>a &amp; b</p>"


@pytest.mark.parametrize("declared", ["gb2312", "GBK", "gb18030"])
def test_gb_family_feeds_decode_as_gb18030(declared: str) -> None:
    data = RSS.format(enc=declared).encode("gb18030")
    assert parse_feed(data, "https://x.test/").entries[0].title == "镕铭 & “㈱”"


def test_mislabelled_utf8_and_undecodable_feeds() -> None:
    assert parse_feed(RSS.format(enc="gb2312").encode("utf-8"), "https://x.test/").entries[0].title == "镕铭 & “㈱”"
    with pytest.raises(FeedError) as exc:
        parse_feed(b'<?xml version="1.0" encoding="gbk"?><rss>\x81\x20\xff</rss>', "https://x.test/")
    assert str(exc.value) == "undecodable: neither UTF-8 nor GB18030 (at byte 41: illegal multibyte sequence)"


def test_atom_and_rss1() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Hi, DIYgod</title>
<link rel="self" href="https://diygod.me/atom.xml"/><link href="https://diygod.me/"/>
<entry><title type="html">A &amp;lt;b&amp;gt;</title><id>tag:diygod.me,2021:1</id>
<link rel="alternate" href="/posts/1/"/><published>2021-06-30T09:55:27+08:00</published>
<author><name>DIYgod</name></author>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>x<br/>y</p></div></content></entry>
<entry><title>t</title><id>2</id><updated>2021-06-30T01:55:27Z</updated>
<summary type="text">1 &lt; 2</summary></entry></feed>"""
    feed = parse_feed(atom, "https://diygod.me/atom.xml")
    a, b = feed.entries
    assert (feed.title, feed.link) == ("Hi, DIYgod", "https://diygod.me/")
    assert (a.title, a.link, a.id, a.author) == ("A <b>", "https://diygod.me/posts/1/", "tag:diygod.me,2021:1", "DIYgod")
    assert a.published == datetime(2021, 6, 30, 1, 55, 27, tzinfo=timezone.utc)
    assert a.body == "<p>x<br/>y</p>"   # the inner XHTML as written, no leaked xmlns
    assert b.body == "1 &lt; 2" and b.published == datetime(2021, 6, 30, 1, 55, 27, tzinfo=timezone.utc)
    rdf = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://x.test/"><title>R</title><link>https://x.test/</link></channel>
<item rdf:about="https://x.test/1"><title>one</title><link>https://x.test/1</link>
<dc:date>2022-01-02T03:04:05+00:00</dc:date><description>d</description></item></rdf:RDF>"""
    feed = parse_feed(rdf, "https://x.test/rss")
    assert feed.title == "R" and [(e.title, e.link, e.body) for e in feed.entries] == [("one", "https://x.test/1", "d")]


def test_external_entities_and_entity_bombs_are_inert() -> None:
    xxe = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss><channel><title>t&x;</title><item><title>a&x;</title><description>b&x;</description></item></channel></rss>"""
    feed = parse_feed(xxe, "https://x.test/")
    assert "root:" not in feed.title + feed.entries[0].title + feed.entries[0].body
    lol = ['<!ENTITY l0 "lollollollollollollollollollol">'] + [
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    bomb = (f'<?xml version="1.0"?><!DOCTYPE r [{"".join(lol)}]>'
            '<rss><channel><title>t</title><item><title>&l9;</title></item></channel></rss>').encode()
    start = time.perf_counter()
    feed = parse_feed(bomb, "https://x.test/")
    assert len(feed.entries[0].title) < 1000 and time.perf_counter() - start < 5


@pytest.mark.parametrize("data", [b"", b"<html><body>not a feed</body></html>", b"\x00\x01garbage"],
                         ids=["empty", "html", "binary"])   # plain ids: mutmut passes them on a command line
def test_not_a_feed(data: bytes) -> None:
    with pytest.raises(FeedError):
        parse_feed(data, "https://x.test/")


@pytest.mark.parametrize("text, expected", [
    ("Sun, 28 Nov 2021 02:38:00 GMT", datetime(2021, 11, 28, 2, 38, tzinfo=timezone.utc)),
    ("Sun, 28 Nov 2021 10:38:00 +0800", datetime(2021, 11, 28, 2, 38, tzinfo=timezone.utc)),
    ("2021-11-28T10:38:00+08:00", datetime(2021, 11, 28, 2, 38, tzinfo=timezone.utc)),
    ("2021-10-28 14:08:07", "2021-10-28 14:08:07"),
    ("2021-11-28T10:38:00", "2021-11-28T10:38:00"), ("昨天 10:38", None), ("", None),
    ("2021-11-28T10:38:00.123", None),
    # HH:MM without seconds is a local time too (README: `YYYY-MM-DD HH:MM[:SS]`), verbatim
    ("2021-10-28 14:08", "2021-10-28 14:08"), ("2021-10-28T14:08", "2021-10-28T14:08"),
    # whitespace runs count as one space; `-0000` (RFC 2822: offset unknown) is no offset
    ("  2021-10-28   14:08:07 ", "2021-10-28 14:08:07"),
    ("Sun,\n 28 Nov 2021 02:38:00\tGMT", datetime(2021, 11, 28, 2, 38, tzinfo=timezone.utc)),
    ("Sun, 28 Nov 2021 02:38:00 -0000", None), ("2021-11-28", None), ("10:38", None),
    ("2021-11-28 10:38:00+0800", datetime(2021, 11, 28, 2, 38, tzinfo=timezone.utc)),
    ("2021-11-28t10:38:00z", datetime(2021, 11, 28, 10, 38, tzinfo=timezone.utc)),   # RFC 3339: any case
    ("2021-11-28T10:38:00X", None),
], ids=lambda v: "".join(c if c.isascii() and (c.isalnum() or c in "-+:.") else "_" for c in str(v)))
def test_dates(text: str, expected: object) -> None:
    assert parse_date(text) == expected


def test_html_entity_names_outside_cdata_become_characters_inside_they_stay() -> None:
    data = ('<?xml version="1.0"?><rss><channel><title>a&nbsp;b &mdash; &copy;</title>'
            '<item><title>x &bogus; y</title><description><![CDATA[<p>&nbsp;&reg;</p>]]></description>'
            '</item></channel></rss>').encode()
    feed = parse_feed(data, "https://x.test/")
    assert feed.title == "a\xa0b — ©"
    assert feed.entries[0].title == "x &bogus; y"
    assert feed.entries[0].body == "<p>&nbsp;&reg;</p>"                  # CDATA: byte for byte


def test_atom_xhtml_body_is_the_inner_markup_without_namespaces() -> None:
    """Atom `type="xhtml"`: the wrapper div's content exactly, whichever prefix the feed
    used; only foreign namespaces (inline SVG) keep their declaration."""
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><title>a</title><id>1</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">\
lead <p class="c">x<br/>y &amp; z</p> tail <svg xmlns="http://www.w3.org/2000/svg"><g/></svg></div></content></entry>
<entry><title>b</title><id>2</id><content type="xhtml"><xh:div xmlns:xh="http://www.w3.org/1999/xhtml"><xh:p>q</xh:p></xh:div></content></entry>
<entry><title>c</title><id>3</id><content><p>in the Atom namespace</p></content></entry>
<entry><title>d</title><id>4</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><!-- a comment --><p>after</p><?pi x?></div></content></entry>
</feed>"""
    bodies = [e.body for e in parse_feed(atom, "https://x.test/atom.xml").entries]
    assert bodies == [
        'lead <p class="c">x<br/>y &amp; z</p> tail <svg xmlns="http://www.w3.org/2000/svg"><g/></svg>',
        "<p>q</p>",
        "<p>in the Atom namespace</p>",
        "<!-- a comment --><p>after</p>",          # a comment kept as written (the parser drops PIs)
    ]


def _rss_bodies(*descriptions: str) -> list[str]:
    items = "".join(f"<item><title>t{i}</title><description>{d}</description></item>"
                    for i, d in enumerate(descriptions))
    data = f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    return [e.body for e in parse_feed(data.encode(), "https://x.test/").entries]


def test_character_references_are_read_as_xml_allows_them() -> None:
    """Every code point XML allows comes through as itself, at both ends of each range;
    one it forbids (C0 control, lone surrogate, U+FFFE, past U+10FFFF, NUL) is U+FFFD; a
    surrogate pair written as two references (hex or decimal) is its one character."""
    refs = ("&#9;|&#xA;|&#13;|&#x1F;|&#32;|&#x41;|&#xD7FF;|&#xD800;|&#xDFFF;|&#xE000;|&#xFFFD;|"
            "&#xFFFE;|&#x10000;|&#x10FFFF;|&#x110000;|&#0;|&#xD83D;&#xDE00;|&#55357;&#56832;")
    assert _rss_bodies(refs) == [
        "\t|\n|\r|\ufffd| |A|\ud7ff|\ufffd|\ufffd|\ue000|\ufffd|\ufffd|\U00010000|\U0010ffff|\ufffd|\ufffd|"
        "\U0001f600|\U0001f600"]


def test_feed_errors_carry_their_reason_and_what_was_found() -> None:
    """The skip a crawl logs is `str(FeedError)`: the reason, then what was found."""
    cases = [(b"<rss><title>no channel</title></rss>", "not-a-feed: <rss> without <channel>"),
             (b"<html><body>x</body></html>", "not-a-feed: root element <html>")]
    for data, message in cases:
        with pytest.raises(FeedError) as exc:
            parse_feed(data, "https://x.test/")
        assert (exc.value.reason, str(exc.value)) == (message.partition(":")[0], message)
    assert str(FeedError("not-a-feed")) == "not-a-feed"      # no detail: the reason alone


def test_each_kind_of_content_gives_its_html_exactly() -> None:
    """Atom `type="xhtml"`: markup (its text escaped as HTML needs, quotes as written; no
    wrapper div: every child); `text` and `text/plain` (Atom 0.3): text, escaped; no type
    but child elements: the markup as written, a div included."""
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><id>1</id><content type="xhtml">1 &lt; 2 &amp; "q" it's</content></entry>
<entry><id>2</id><content type="XHTML"><div xmlns="http://www.w3.org/1999/xhtml">say "hi" it's<p>a<!-- c -->b</p></div></content></entry>
<entry><id>3</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">a</div><p xmlns="http://www.w3.org/1999/xhtml">b</p></content></entry>
<entry><id>4</id><content><div class="w">only child</div></content></entry>
<entry><id>5</id><summary type="text">say "hi" it's 1 &lt; 2</summary></entry>
<entry><id>6</id><content type="text/plain">say "hi" 1 &lt; 2</content></entry>
<entry><id>7</id><content type="html">&lt;p title="x"&gt;it's&lt;/p&gt;</content></entry>
</feed>"""
    assert [e.body for e in parse_feed(atom, "https://x.test/atom.xml").entries] == [
        "1 &lt; 2 &amp; \"q\" it's",
        "say \"hi\" it's<p>a<!-- c -->b</p>",
        "<div>a</div><p>b</p>",
        '<div class="w">only child</div>',
        "say \"hi\" it's 1 &lt; 2",
        'say "hi" 1 &lt; 2',
        "<p title=\"x\">it's</p>",
    ]


def test_a_namespace_holding_a_brace_is_kept_not_a_crash() -> None:
    """A namespace URI may hold `}` (a name never does): the element keeps its namespace."""
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><content type="xhtml">\
<div xmlns="http://www.w3.org/1999/xhtml"><p xmlns="http://www.w3.org/1999/xhtml}x">q</p><p>r</p></div></content></entry></feed>"""
    assert [e.body for e in parse_feed(atom, "https://x.test/").entries] == [
        '<p xmlns="http://www.w3.org/1999/xhtml}x">q</p><p>r</p>']


def test_markup_written_inline_in_a_description_is_kept_after_text_too() -> None:
    """Unescaped markup in an RSS description (sloppy but common) is the body as written,
    whether it starts with an element or with text (it once became `Intro x  end`,
    losing the image); escaped HTML and CDATA are the text they hold."""
    assert _rss_bodies('Intro <b>x</b> &amp; <img src="a.jpg"/> end',
                       '\n <p>lead</p> <img src="b.jpg"/>\n',
                       "&lt;p&gt;escaped&lt;/p&gt;", "<![CDATA[<p>cdata &amp; co</p>]]>", "  ", "") == [
        'Intro <b>x</b> &amp; <img src="a.jpg"/> end',
        '\n <p>lead</p> <img src="b.jpg"/>\n',
        "<p>escaped</p>", "<p>cdata &amp; co</p>", "  ", ""]


GHOST = "<item><title>ghost</title></item>"
BROKEN_ITEM = "<item><title>broken</title><description><b>x</description></item>"


def _read(data: str) -> list[tuple[str, str, str, str]]:
    return [(e.title, e.link, e.body, e.author) for e in parse_feed(data.encode(), "https://x.test/feed").entries]


def test_a_broken_feed_is_read_entry_by_entry_as_xml_reads_it() -> None:
    """A feed with an error is read entry by entry: an `<item>` inside a comment (the
    generator's, first thing in the file), a processing instruction, a declaration or
    CDATA or a quoted attribute value (an empty one before it) is text, not an entry,
    whatever `>` it holds (a declaration ends at its first `>`, an apostrophe quoting
    nothing); the broken entry keeps what it has, the others are whole."""
    assert _read(f"""<?xml version="1.0" encoding="utf-8"?><!-- generator: x > y {GHOST} -->
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>
<?pi a > {GHOST} ?><!x it's {GHOST}>
<item><title>one</title><link>https://x.test/1</link><dc:creator>Ann</dc:creator>\
<category domain="" label="a" title="> {GHOST}">c</category><description><![CDATA[<p>a > b</p>{GHOST}]]></description></item>
{BROKEN_ITEM}
<item><title>three</title><link>https://x.test/3</link></item>
</channel></rss>""") == [
        ("one", "https://x.test/1", f"<p>a > b</p>{GHOST}", "Ann"),
        ("broken", "", "<b>x</b>", ""),
        ("three", "https://x.test/3", "", ""),
    ]


def test_broken_feeds_of_each_kind_keep_their_namespaces_and_entries() -> None:
    # Atom with a prefix on every element: still entries
    assert _read('<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>P</a:title>'
                 '<a:entry><a:id>1</a:id><a:title>one</a:title><a:content type="html">&lt;p&gt;1&lt;/p&gt;</a:content>'
                 '</a:entry><a:entry><a:id>2</a:id><a:title>two <b>x</a:title></a:entry>'
                 '<a:entry><a:id>3</a:id><a:title>three</a:title></a:entry></a:feed>') == [
        ("one", "", "<p>1</p>", ""), ("two x", "", "", ""), ("three", "", "", "")]
    # RSS 1.0, the root first in the file: `rdf:about` (declared on the root) is the link
    assert _read('<rdf:RDF xmlns="http://purl.org/rss/1.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                 '<channel rdf:about="https://x.test/"><title>R</title></channel>'
                 '<item rdf:about="https://x.test/1"><title>one</title></item>'
                 '<item rdf:about="https://x.test/2"><title>two <b>x</title></item></rdf:RDF>') == [
        ("one", "https://x.test/1", "", ""), ("two x", "https://x.test/2", "", "")]
    # cut short inside a start tag (a download cut off): the entries before are whole
    assert _read('<rss><channel><title>T</title><item><title>a</title><link>https://x.test/a</link></item>'
                 '<item><title>b</title><link') == [("a", "https://x.test/a", "", ""), ("b", "", "", "")]


def test_byte_order_marks_win_then_utf8_then_the_declared_charset() -> None:
    rss = '<?xml version="1.0" encoding="utf-16"?><rss><channel><title>café 标</title></channel></rss>'
    for data in (codecs.BOM_UTF8 + rss.encode("utf-8"), codecs.BOM_UTF16_LE + rss.encode("utf-16-le"),
                 codecs.BOM_UTF16_BE + rss.encode("utf-16-be")):
        assert parse_feed(data, "https://x.test/").title == "café 标"
    with pytest.raises(FeedError) as exc:
        parse_feed(codecs.BOM_UTF16_LE + "<rss>".encode("utf-16-le") + b"\x00\xd8", "https://x.test/")
    assert str(exc.value).startswith("undecodable: 'utf-16-le' codec can't decode")
    for label, codec, title in [("iso-8859-1", "latin-1", "café"), ("windows-1252", "cp1252", "café €"),
                                ("x-nonesuch", "gb18030", "标题"),    # unknown label, not UTF-8: GB18030
                                ("x-nonesuch", "ascii", "plain"),
                                ("iso-8859-1", "utf-8", "café 标"),     # mislabelled UTF-8
                                ("utf-16", "ascii", "plain"), ("utf-16", "ascii", "plain!"),  # either length
                                ("cp037", "ascii", "plain")]:
        data = f'<?xml version="1.0" encoding="{label}"?><rss><channel><title>{title}</title></channel></rss>'
        assert parse_feed(data.encode(codec), "https://x.test/").title == title


def test_the_doctype_is_dropped_whole_and_its_entities_stay_text() -> None:
    """Only the DOCTYPE goes: not the generator's comment before it (`[`, `]` and `>` in
    it), nor a CDATA section after it (`]]>`)."""
    rss = ('<rss version="2.0"><channel><title>t&x;</title><item><title>a&x;</title><description><![CDATA[<p>b&x;]]]>'
           "</description></item><item><title>c&x;</title><description>d&x;</description></item></channel></rss>")
    for doctype in ['<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
                    '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
                    '"http://my.netscape.com/publish/formats/rss-0.91.dtd">',
                    '<!DOCTYPE r [<!ENTITY x "a>b"><!ENTITY y "c">]>',
                    # a `]` in a quoted value or a comment does not close the subset
                    """<!DOCTYPE r [<!ENTITY x "a]>b"><!ENTITY y '][' ><!-- ] ' > -->]>""",
                    '<!DOCTYPE r [<!ENTITY x "a[]>b">]>', '<!DOCTYPE r SYSTEM "x.dtd"[<!ENTITY x "a">]>',
                    "<!DOCTYPE rss []>"]:
        for before in ("", "<!-- [generated] by x > y -->\n"):
            feed = parse_feed(f'<?xml version="1.0"?>{before}{doctype}\n{rss}'.encode(), "https://x.test/")
            assert [feed.title] + [(e.title, e.body) for e in feed.entries] == [
                "t&x;", ("a&x;", "<p>b&x;]"), ("c&x;", "d&x;")]
    # an internal subset never closed (no `]` in the file, or a quote never closed): dropped
    # up to its first `>`, a comment before it kept
    for subset in (b'[<!ENTITY x "y">', b'[<!ENTITY x "y>'):
        feed = parse_feed(b"<!-- c --><!DOCTYPE r " + subset + b"<rss><channel><title>t&x;</title><item><title>a</title>"
                          b"</item></channel></rss>", "https://x.test/")
        assert [feed.title] + [e.title for e in feed.entries] == ["t&x;", "a"]


def test_references_and_characters_xml_forbids_are_made_harmless_outside_cdata_and_comments() -> None:
    """A surrogate pair is two adjacent references (hex, any case), the high one first;
    C0 controls, U+FFFE and U+FFFF are dropped; HTML names become their characters, XML's
    own stay, unknown ones are text; CDATA (and a comment) is left as written."""
    assert _rss_bodies(
        "&#xD83D;x&#xDE00;|&#xDBFF;&#xDFFF;|&#xD800;&#xDC00;|&#xD83D;&#xD83D;&#xDE00;|&#xDBFF;&#xE000;|&#XD83D;&#XDE00;"
        "|&#0;&#xDE00;|&#xDC00;&#xDC00;",
        "a\x01b\x0bc\x1fd\ufffee\uffff\tf\x00g", "&nbsp;&amp;&lt;&bogus;&copy;&#38;",
        "<![CDATA[&nbsp;&#0;\x01]]>&nbsp;<![CDATA[R&D;]]>&nbsp;<![CDATA[&x;]]>") == [
        "\ufffdx\ufffd|\U0010ffff|\U00010000|\ufffd\U0001f600|\ufffd\ue000|\U0001f600|\ufffd\ufffd|\ufffd\ufffd",
        "abcde\tfg", "\xa0&<&bogus;©&", "&nbsp;&#0;\xa0R&D;\xa0&x;"]
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><content type="xhtml">\
<div xmlns="http://www.w3.org/1999/xhtml"><!-- &nbsp; &#0; --><p>&nbsp;&#0;</p></div></content></entry></feed>"""
    assert parse_feed(atom, "https://x.test/").entries[0].body == "<!-- &nbsp; &#0; --><p>\xa0\ufffd</p>"


def _fields(data: str) -> tuple[tuple[str, str, list[str]], list[tuple]]:
    feed = parse_feed(data.encode(), "https://x.test/dir/feed")
    return ((feed.title, feed.link, feed.skipped),
            [(e.title, e.link, e.id, e.published, e.author, e.categories) for e in feed.entries])


def test_entry_fields_from_each_of_their_elements() -> None:
    """Comments anywhere are ignored; an RSS title is text as written (only Atom
    `type="html"` is unescaped); `dc:date`, Atom 0.3 `issued`; an RSS author is its text,
    an Atom one its name; a category its `term`, else its text, an empty one dropped; a
    guid is the link only as a permalink (`isPermaLink` in any case) and when not empty;
    an unusable link gives way to the next candidate; relative links are resolved."""
    cst = timezone(timedelta(hours=8))
    assert _fields("""<rss xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title><link>/home</link><!-- c -->
<item><!-- c --><title>AT&amp;amp;T</title><author>ann@x.test (Ann)</author><dc:date>2021-06-30T09:55:27+08:00</dc:date>
<category>A<!-- x -->B</category><category> </category><guid isPermaLink="false">g1</guid></item>
<item><title>2</title><guid isPermaLink="TRUE"> /p/2 </guid><author>Ann <em>Lee</em></author></item>
<item><title>3</title><link>http://[::1/</link><guid>https://x.test/p/3</guid></item>
<item><title>4</title><guid/><guid isPermaLink="true">  </guid></item>
</channel></rss>""") == (("T", "https://x.test/home", []), [
        ("AT&amp;T", "", "g1", datetime(2021, 6, 30, 9, 55, 27, tzinfo=cst), "ann@x.test (Ann)", ["AB"]),
        ("2", "https://x.test/p/2", "/p/2", None, "Ann Lee", []),
        ("3", "https://x.test/p/3", "https://x.test/p/3", None, "", []),
        ("4", "", "", None, "", [])])
    assert _fields("""<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><link href="/"/>
<entry><title>e</title><id>i</id><author><name>Ann</name><email>a@x.test</email></author>
<category term="tech" label="Tech"/><category term="">text</category><issued>2021-06-30T09:55:27+08:00</issued></entry>
</feed>""") == (("A", "https://x.test/", []), [("e", "", "i", datetime(2021, 6, 30, 9, 55, 27, tzinfo=cst), "Ann", ["tech", "text"])])
    # RSS 1.0 without a channel: the title is the root's, the items still entries
    assert _fields("""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">\
<title>no channel</title><item rdf:about="https://x.test/1"><title>one</title></item></rdf:RDF>""") == (
        ("no channel", "", []), [("one", "https://x.test/1", "https://x.test/1", None, "", [])])


def test_a_document_that_is_not_xml_says_what_the_parser_found() -> None:
    with pytest.raises(FeedError) as exc:
        parse_feed(b"", "https://x.test/")
    assert (exc.value.reason, str(exc.value)) == (
        "not-a-feed", "not-a-feed: <string>:1:1:FATAL:PARSER:ERR_DOCUMENT_EMPTY: Document is empty")


def test_a_broken_rss1_feed_keeps_every_readable_entry_and_names_the_skipped_ones() -> None:
    """An entry left open ends where the next begins (its markup without the feed's
    namespace); stray end tags, of elements closed before or left open in the entry
    before, close nothing; an entry's end tag closes what is open in it; a stray `<>` is
    an empty tag; an entry nested past the parser's limit is skipped, named by its link,
    else its title, else its offset; a page of HTML appended to the feed (cut short in a
    comment) costs the entries before it nothing; links are resolved."""
    deep = "<div>" * 300 + "</div>" * 300
    head = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">'
            '<channel rdf:about="https://x.test/"><title>R</title></channel>')
    data = head + "".join([
        '<item rdf:about="https://x.test/1"><title>one</title><description><p>open <p>again\n',
        '<item rdf:about="https://x.test/2"><title>two <b>x</b></title><description>a</description></b></p></item>',
        f'<item rdf:about="https://x.test/deep"><title>deep</title><description>{deep}</description></item>',
        f"<item><title>deep, no link</title><description>{deep}</description></item>",
        f"<item><description>{deep}</description></item>",
        "<item><title>three</title><link>/3</link><>",
        '<item rdf:about="https://x.test/4"><title>four</title><br></item>',
        "<html><body>" + "<div>" * 300 + "<!-- cut short",
    ])
    feed = parse_feed(data.encode(), "https://x.test/feed")
    assert [(e.title, e.link, e.body) for e in feed.entries] == [
        ("one", "https://x.test/1", "<p>open <p>again\n</p></p>"), ("two x", "https://x.test/2", "a"),
        ("three", "https://x.test/3", ""), ("four", "https://x.test/4", "")]
    assert feed.skipped == [("too-deep", "https://x.test/deep"), ("too-deep", "deep, no link"),
                            ("too-deep", f"entry at character {data.index('<item><description>')}")]


def test_inline_markup_in_an_rss1_description_is_written_without_the_feeds_namespace() -> None:
    rdf = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">\
<item rdf:about="https://x.test/1"><title>one</title><description><p>x</p> <svg xmlns="http://www.w3.org/2000/svg"><g/></svg></description>\
</item></rdf:RDF>"""
    assert parse_feed(rdf, "https://x.test/").entries[0].body == '<p>x</p> <svg xmlns="http://www.w3.org/2000/svg"><g/></svg>'


def test_an_undeclared_prefix_is_read_by_its_local_name() -> None:
    """`dc:creator` with its prefix never declared (a namespace error) is the author."""
    assert _read("<rss><channel><title>T</title><item><title>a</title><dc:creator>Bob</dc:creator></item>"
                 "</channel></rss>") == [("a", "", "", "Bob")]


def test_a_stray_end_tag_closes_nothing_the_scan_thinks_open() -> None:
    """A self-closed element (`<link …/>`), a tag inside a comment and an empty `<>` are
    no open elements: a stray end tag of their name inside an entry does not end the
    entry there (lxml's own recovery keeps what follows the stray)."""
    div = '<div xmlns="http://www.w3.org/1999/xhtml">'
    atom = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><link href="https://x.test/" rel="self"/>'
            "<!-- see <b --><>"
            f'<entry><title>a</title><content type="xhtml">{div}<p>x</link>y</p>z</div></content></entry>'
            f'<entry><title>b</title><content type="xhtml">{div}<p>x</b>y</p>z</div></content></entry>'
            f'<entry><title>c</title><content type="xhtml">{div}<p>x</>y</p>z</div></content></entry></feed>')
    assert [(e.title, e.body) for e in parse_feed(atom.encode(), "https://x.test/").entries] == [
        ("a", "<p>x</p>y"), ("b", "<p>x</p>y"), ("c", "<p>x</p>y")]
