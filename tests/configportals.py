"""Pages of the two config portals of newsarchive.example.toml (3DMGame 新闻中心, 199IT
首页更新), modeled on the markup RSSHub's routes read (see seeds/3dmgame/README.md and
seeds/199it/README.md). seeds/3dmgame/site/ and seeds/199it/site/ were written with these
builders; tests/test_config_portals.py builds pages around the real corpus posts with them.
"""
from __future__ import annotations

import html

HEAD = '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>{}</title>\n</head>\n'


def tdm_list(entries: list[tuple[str, str, str]], next_url: str | None = None) -> bytes:
    """A 3DMGame news list page: entries (url, title, `YYYY-MM-DD HH:MM`)."""
    items = "".join(
        f'<li class="selectpost">\n<div class="img"><a href="{u}"><img src="https://img.3dmgame.com/uploads/'
        f'images/thumbnews/t.jpg" alt=""></a></div>\n<div class="text"><a href="{u}" target="_blank">'
        f'{html.escape(t, quote=False)}</a><p class="miaoshu">…</p><p class="time">{d}</p></div>\n</li>\n'
        for u, t, d in entries)
    pager = (f'<div class="pagewrap"><ul class="pagination"><li class="prev"><a href="javascript:;">上一页</a></li>'
             f'<li class="next"><a href="{next_url}">下一页</a></li></ul></div>\n' if next_url else "")
    page = (HEAD.format("新闻中心_3DM单机") + '<body>\n<div class="header"><a href="https://www.3dmgame.com/">3DM</a>'
            '</div>\n<div class="content">\n<ul class="list">\n' + items + "</ul>\n" + pager +
            '</div>\n<div class="side"><ul><li class="next_article"><a href="https://www.3dmgame.com/'
            'news/202601/3900000.html">热门</a></li></ul></div>\n</body>\n</html>\n')
    return page.encode("utf-8")


def tdm_article(title: str, date: str, body: str, next_url: str | None = None,
                author: str = "3DM编辑") -> bytes:
    """A 3DMGame article page whose `.news_warp_center` inner HTML is `body`, exactly."""
    pager = (f'<div class="pagewrap"><ul><li class="next"><a href="{next_url}">下一页</a></li></ul></div>\n'
             if next_url else "")
    page = (HEAD.format(f"{html.escape(title, quote=False)}_3DM单机") + '<body>\n<div class="news_warp">\n'
            f'<div class=" news_warp_top">\n<h1 class="bt">{html.escape(title, quote=False)}</h1>\n'
            f'<ul class="intem"><li class="time"><span>{date}</span></li>'
            f'<li><span class="name">{author}</span></li></ul>\n</div>\n'
            f'<div class="news_warp_center">{body}</div>\n' + pager +
            '<div class="news_warp_bottom"><a href="https://www.3dmgame.com/news/">返回</a></div>\n'
            '</div>\n</body>\n</html>\n')
    return page.encode("utf-8")


def it199_list(entries: list[tuple[str, str, str]], next_url: str | None = None) -> bytes:
    """A 199IT `/newly/` page (WordPress): entries (url, title, ISO 8601 time)."""
    items = "".join(
        f'<article class="entry-list">\n<div class="entry-content">\n<h2 class="entry-title">'
        f'<a href="{u}" title="{html.escape(t)}" rel="bookmark">{html.escape(t, quote=False)}</a></h2>\n'
        f'<div class="post-time"><time datetime="{d}">{d[:10]}</time></div>\n</div>\n</article>\n'
        for u, t, d in entries)
    pager = (f'<nav class="navigation pagination"><a class="next page-numbers" href="{next_url}">下一页</a></nav>\n'
             if next_url else "")
    page = (HEAD.format("199IT互联网数据中心") + '<body>\n<main id="main">\n' + items + pager +
            "</main>\n</body>\n</html>\n")
    return page.encode("utf-8")


def it199_article(title_html: str, iso: str) -> bytes:
    """A 199IT article page: `h1.entry-title` holds `title_html` exactly; the text in
    `div.entry-content` is not what the config portal reads (see newsarchive.example.toml)."""
    page = (HEAD.format("199IT互联网数据中心") + '<body>\n<article class="post">\n<header class="entry-header">\n'
            f'<h1 class="entry-title">{title_html}</h1>\n'
            f'<div class="entry-meta"><time class="entry-date" datetime="{iso}">{iso[:10]}</time></div>\n'
            '</header>\n<div class="entry-content"><p>数据图表见原文。</p></div>\n</article>\n</body>\n</html>\n')
    return page.encode("utf-8")
