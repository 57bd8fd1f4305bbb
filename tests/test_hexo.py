"""Real Hexo loads posts in the seed format with the values the Article carries."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

from crawler import postformat as pf
from crawler.items import Article
from tests.helpers import SEED_POST, corpus_posts, hexo_load, need_corpus, need_hexo


def expected_iso(date: str) -> str:
    """What Hexo (timezone UTC) makes of a date field: RFC 822, or a YAML timestamp in UTC."""
    try:
        dt = parsedate_to_datetime(date)
    except (TypeError, ValueError):
        dt = datetime.strptime(date, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def assert_loaded_as(loaded: dict, article: Article) -> None:
    assert loaded["title"] == article.title
    assert loaded["author"] == article.author
    assert loaded["categories"] == article.categories
    assert loaded["headimg"] == article.headimg
    assert loaded["thumbnail"] == article.thumbnail
    assert loaded["comments"] is article.comments
    if isinstance(article.published, datetime):
        want = article.published.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    else:
        want = expected_iso(article.published)
    assert loaded["date"] == want


def test_hexo_loads_seed_and_corpus(tmp_path: Path) -> None:
    need_hexo()
    need_corpus()       # never silently the seed post alone
    posts = tmp_path / "_posts"
    posts.mkdir()
    sources = [SEED_POST, *corpus_posts()]
    for i, src in enumerate(sources):
        shutil.copyfile(src, posts / f"p{i:03d}.md")
    loaded = hexo_load(tmp_path)
    assert len(loaded) == len(sources)
    for i, src in enumerate(sources):
        article = pf.read(src.read_bytes().decode("utf-8"))
        assert_loaded_as(loaded[f"_posts/p{i:03d}.md"], article)


def test_hexo_loads_rendered_posts_with_hostile_values(tmp_path: Path) -> None:
    need_hexo()
    beijing = timezone(timedelta(hours=8))
    articles = [
        Article(title="---\n{{ page }} {% raw %}", author="&a *a !!python/object", categories=[
            "新媒体", "1e3", "no"], published=datetime(2021, 11, 28, 10, 38, tzinfo=beijing),
            headimg="https://x/a.png?a=1&b=2", thumbnail="https://x/t.png", body="<p>{{ x }}</p>"),
        Article(title="It's \"quoted\" \\ here", author="null", categories=["~", "a: b", "#c"],
                published="2021-10-28 14:08:07", headimg="", thumbnail="", comments=True),
    ]
    posts = tmp_path / "_posts"
    for i, a in enumerate(articles):
        pf.write_atomic(posts / f"h{i}.md", pf.encode(pf.render(a)))
    loaded = hexo_load(tmp_path)
    for i, a in enumerate(articles):
        assert_loaded_as(loaded[f"_posts/h{i}.md"], a)
    # the template tags in the body reached Hexo as entities, not as tags
    assert "&#123;&#123; x &#125;&#125;" in loaded["_posts/h0.md"]["content"]
