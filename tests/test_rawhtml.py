"""Raw-slice helpers: exact bytes in, exact bytes out."""
from __future__ import annotations

import pytest

from crawler.parsers.rawhtml import add_referrerpolicy, img_srcs, inner_html
from crawler.postformat import read
from tests.helpers import corpus_posts, need_corpus

RP = ' referrerpolicy="no-referrer"'


# --- inner_html ---------------------------------------------------------------

def test_inner_html_keeps_bytes():
    inner = ('<p style="text-indent: 2em;">A&reg; &#123;x&#125; &amp; &nbsp;<br>'
             "<img alt='a' src=b.png title>tail</P> \n")
    page = f'<html><body><div class="artical-content" id="articleC">{inner}</div></body></html>'
    assert inner_html(page, id="articleC") == inner


def test_inner_html_nested_divs_comments_scripts():
    inner = ('\n  <div class="a"><div>x</div></div>\n'
             "  <!-- commented out: </div></div> -->\n"
             "  <script>document.write('<div class=\"ad\"></div></div>');</script>\n"
             "  <style>div::after { content: \"</div>\" }</style>\n"
             "  <div/>tail\n")
    page = f"<div id=outer><div id=articleC>{inner}</div></div>after</div>"
    assert inner_html(page, id="articleC") == inner
    assert inner_html(page, id="outer") == f"<div id=articleC>{inner}</div>"


def test_inner_html_offsets_across_lines_and_crlf():
    page = "<html>\r\n<body>\r\n  <p>x</p>\r\n  <div\r\n id=\"c\"\r\n>line1\r\nline2 \r\n</div>\r\n</body>"
    assert inner_html(page, id="c") == "line1\r\nline2 \r\n"


def test_inner_html_other_tags_case_and_attribute_traps():
    page = ("<!-- <div id=\"articleC\">not this</div> -->"
            "<a title='id=\"articleC\"'>no</a>"
            "<TD ID=\"articleC\" class=x>cell<td>inner</td></Td>rest")
    assert inner_html(page, id="articleC") == "cell<td>inner</td>"


def test_inner_html_first_match_and_exact_id():
    page = '<div id="articleC2">no</div><div id="articleC">one</div><div id="articleC">two</div>'
    assert inner_html(page, id="articleC") == "one"


def test_inner_html_missing_unclosed_empty():
    assert inner_html("<div id=a>x</div>", id="b") is None
    assert inner_html("<div id=a>never closed <p>…", id="a") is None    # cut-short page
    assert inner_html("<div id=a></div>", id="a") == ""
    assert inner_html('<div id="a"/>x</div>', id="a") == ""    # XHTML-style empty element


# --- add_referrerpolicy -------------------------------------------------------

@pytest.mark.parametrize("src, out", [
    ('<img src="a.png">', f'<img src="a.png"{RP}>'),
    ('<img alt="x" src="a.png" width="700">', f'<img alt="x" src="a.png" width="700"{RP}>'),
    ('<img src="a.png"/>', f'<img src="a.png"{RP}/>'),
    ('<img src="a.png" />', f'<img src="a.png"{RP} />'),
    ("<img src=x/>", f"<img src=x{RP}/>"),
    ("<img>", f"<img{RP}>"),
    ('<IMG SRC="a">', f'<IMG SRC="a"{RP}>'),
    ('<img src="a" >', f'<img src="a"{RP} >'),
    ('<img\nsrc="a"\n>', f'<img\nsrc="a"{RP}\n>'),
    ('<img alt="a > b" title=\'c>d\' src="e">', f'<img alt="a > b" title=\'c>d\' src="e"{RP}>'),
    ('<img src="x" title alt="image.png">', f'<img src="x" title alt="image.png"{RP}>'),
])
def test_add_referrerpolicy_last_attribute(src: str, out: str):
    assert add_referrerpolicy(src) == out


def test_add_referrerpolicy_leaves_everything_else():
    html = ('<p>a &lt; b &gt; c &reg; &#123;</p><br><imgx src=1><image src=2>'
            "<!-- <img src=3> --><script>var s = '<img src=4>';</script>"
            '<p style="text-align:center"><img src="5"></p> 1 < 2 > 0')
    out = add_referrerpolicy(html)
    assert out == html.replace('<img src="5">', f'<img src="5"{RP}>')


@pytest.mark.parametrize("tag", [
    f'<img src="a"{RP}>',
    '<img referrerpolicy="origin" src="a">',
    "<img src=a REFERRERPOLICY=no-referrer>",
])
def test_add_referrerpolicy_not_twice(tag: str):
    assert add_referrerpolicy(tag) == tag
    assert add_referrerpolicy(add_referrerpolicy("<img src=b>")) == f"<img src=b{RP}>"


def _corpus_bodies() -> list[tuple[str, str]]:
    return [(p.name, read(p.read_text(encoding="utf-8")).body) for p in corpus_posts()]


def test_add_referrerpolicy_round_trips_corpus_bodies():
    bodies = _corpus_bodies()
    if not bodies:
        need_corpus()
    with_images = 0
    for name, body in bodies:
        stripped = body.replace(RP, "")
        assert add_referrerpolicy(stripped) == body, name
        assert add_referrerpolicy(body) == body, name
        with_images += RP in body
    assert with_images >= 5


# --- img_srcs -----------------------------------------------------------------

def test_img_srcs_absolute_decoded_in_order():
    html = ('<img src="https://a.example/x.png?a=1&amp;b=2"><p><img alt=y src="/u/y.jpg"/></p>'
            "<!-- <img src=hidden.png> --><img alt=nosrc><img src=''>"
            "<img src=' rel/z.gif '><IMG SRC=\"http://images.ofweek.com/Upload/&#49;.jpg\">")
    assert img_srcs(html, "https://www.ofweek.com/nev/2021-11/ART-1-2-3.html") == [
        "https://a.example/x.png?a=1&b=2",
        "https://www.ofweek.com/u/y.jpg",
        "https://www.ofweek.com/nev/2021-11/rel/z.gif",
        "http://images.ofweek.com/Upload/1.jpg",
    ]


def test_img_srcs_none():
    assert img_srcs("<p>no images</p>", "https://www.ofweek.com/") == []
