"""Active content in bodies (pipelines/sanitize.py) and the tag tokenizer it uses."""
from __future__ import annotations

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler import postformat
from crawler.items import Article
from crawler.parsers.tags import tags
from pipelines.sanitize import ActiveContentPipeline, dangerous_url, strip_active
from tests.helpers import SEED_POST, SEEDS, corpus_posts, need_corpus


def test_tokenizer_spans_and_attributes() -> None:
    text = '<p a=1 B="x>y" c=\'q"\' d>t</p><!-- <img src=c> --><img/src=z onerror=f()>'
    found = list(tags(text))
    assert [(t.name, t.closing) for t in found] == [("p", False), ("p", True), ("img", False)]
    p = found[0]
    assert [(a.name, a.value) for a in p.attrs] == [("a", "1"), ("b", "x>y"), ("c", 'q"'), ("d", "")]
    assert text[p.span[0]:p.span[1]] == '<p a=1 B="x>y" c=\'q"\' d>'
    img = found[2]
    assert [(a.name, a.value) for a in img.attrs] == [("src", "z"), ("onerror", "f()")]
    assert text[slice(*img.get("onerror").span)] == "onerror=f()"


def test_tokenizer_raw_text_and_comments() -> None:
    text = '<style>a<b onclick=x></style><!--><img onerror=1><textarea><i></textarea>'
    names = [(t.name, t.closing) for t in tags(text)]
    assert names == [("style", False), ("style", True), ("img", False),
                     ("textarea", False), ("textarea", True)]
    # a quote only delimits a value right after `=`: the tag ends at the first `>`
    assert [t.name for t in tags('<a b"c><img onerror=1>')] == ["a", "img"]


@pytest.mark.parametrize("body, expected", [
    ('<p>a</p><script>alert(1)</script><p>b</p>', '<p>a</p><p>b</p>'),
    ('<p>a</p><SCRIPT type="text/javascript">x="</script>"</SCRIPT ><p>b', '<p>a</p>"<p>b'),
    ('<p>a</p><script src="https://evil.test/x.js"></script>', '<p>a</p>'),
    ('<p>a<script>never closed', '<p>a'),
    ('<svg><script>alert(1)</script><rect/></svg>', '<svg><rect/></svg>'),
    ('<img src="a.jpg" onerror="alert(1)" alt=x>', '<img src="a.jpg" alt=x>'),
    ('<img/onerror=alert(1) src=x>', '<img/ src=x>'),
    ('<body onload=x()><div ONMOUSEOVER = \'y()\'>t</div>', '<body><div>t</div>'),
    ('<a href="javascript:alert(1)">t</a>', '<a>t</a>'),
    ('<a href=" JaVa&#x53;cript&colon;alert(1)">t</a>', '<a>t</a>'),
    ('<a href="java\tscript:alert(1)" title=k>t</a>', '<a title=k>t</a>'),
    ('<a href="&#106;&#97;vascript:x">t</a>', '<a>t</a>'),
    ('<a href="vbscript:msgbox(1)">t</a>', '<a>t</a>'),
    ('<a href=" MOCHA:x">t</a><a href=livescript:y>u</a>', '<a>t</a><a>u</a>'),
    ('<iframe src="data:text/html,<script>alert(1)</script>"></iframe>', '<iframe></iframe>'),
    ('<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>', '<iframe></iframe>'),
    ('<form action="javascript:x"><button formaction=javascript:y>b</button></form>',
     '<form><button>b</button></form>'),
    ('<svg><a xlink:href="javascript:x"><text>t</text></a></svg>', '<svg><a><text>t</text></a></svg>'),
    ('<p style="width:expression(alert(1))">t</p>', '<p>t</p>'),
    ('<object data="x.swf"><embed src="y.swf">fallback</object>', 'fallback'),
    ('<base href="https://evil.test/"><meta http-equiv="refresh" content="0;url=x"><p>t',
     '<p>t'),
    # mXSS shapes: a browser running script reads <noscript> as raw text; SVG's <style> as markup
    ('<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
     '<noscript><p title="</noscript><img src=x>">'),
    ('<svg><style><img src=x onerror=alert(1)></style></svg>', '<svg><style><img src=x></style></svg>'),
    ('<!--><img src=x onerror=alert(1)>-->', '<!--><img src=x>-->'),
    # a tag name begins with an ASCII letter: `<À` is text to a browser, so the script is a tag
    # (read as one tag named `à<script` before; found by the sanitizer's property test)
    ('<p>x<À<script>alert(1)</script></p>', '<p>x<À</p>'),
    ('<p>ÿ<ſ<img src=x onerror=alert(1)></p>', '<p>ÿ<ſ<img src=x></p>'),
])
def test_active_content_is_removed(body: str, expected: str) -> None:
    out, counts = strip_active(body)
    assert out == expected
    assert counts


@pytest.mark.parametrize("body", [
    '<p style="text-align:center"><img src="https://x.test/a.jpg" alt="onerror"></p>',
    '<a href="https://x.test/javascript:void">t</a><img src="data:image/png;base64,iVBO">',
    '<p>on=1 onclick written as text, javascript:alert(1) as text</p>',
    '<!-- <script>alert(1)</script> --><p title="a > b">x</p>',
    '<table><tr><td colspan=2>1</td></tr></table><br/><hr>',
    '</ÿ<img src=x onerror=alert(1)>',  # `</` and a non-ASCII letter: a bogus comment to a browser
])
def test_bodies_without_active_content_are_untouched(body: str) -> None:
    assert strip_active(body) == (body, {})


def test_dangerous_urls() -> None:
    assert dangerous_url("javascript:x") and dangerous_url("\x01 JAVASCRIPT:x")
    assert dangerous_url("data:text/html,x") and dangerous_url("data:image/svg+xml,<svg onload=x>")
    assert not dangerous_url("data:image/png;base64,AA") and not dangerous_url("https://a.test/")
    assert not dangerous_url("/javascript:x")


@pytest.mark.parametrize("source", ["seeds", "corpus"])
def test_the_seed_fixture_posts_and_corpus_are_unchanged(source: str) -> None:
    if source == "corpus":
        need_corpus()
        posts = corpus_posts()
    else:
        posts = [SEED_POST, *sorted((SEEDS / "ofweek" / "expected" / "_posts").glob("*.md"))]
    for post in posts:
        body = postformat.read(post.read_text(encoding="utf-8")).body
        assert strip_active(body) == (body, {}), post.name


def test_pipeline_counts_and_the_setting_keeps_raw_bodies() -> None:
    crawler = get_crawler(settings_dict={})
    pipe = ActiveContentPipeline.from_crawler(crawler)
    crawler.stats.open_spider()
    art = Article(title="t", url="https://www.ofweek.com/a.html", site="ofweek", article_id="1",
                  body='<p onclick="x()">a</p><script>y()</script><a href="javascript:z">l</a>')
    pipe.process_item(art)
    assert art.body == "<p>a</p><a>l</a>"
    stats = crawler.stats.get_stats()
    assert stats["newsarchive/sanitized/posts"] == 1
    assert (stats["newsarchive/sanitized/script"], stats["newsarchive/sanitized/handler"],
            stats["newsarchive/sanitized/url"]) == (1, 1, 1)
    with pytest.raises(NotConfigured):
        ActiveContentPipeline.from_crawler(get_crawler(settings_dict={"KEEP_ACTIVE_CONTENT": True}))
