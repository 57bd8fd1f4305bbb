"""Build unseen OFweek-like portals in a temp folder, for end-to-end and hostile tests.

The markup is the fixture portal's (seeds/ofweek/site/, modeled on the real pages, see
seeds/ofweek/README.md): a list page and a "artical"-layout article page are used as
templates and only their list entries, pager, title, time, source and `#articleC`
content are replaced. Pages are encoded in GB18030 and declare gb2312, as OFweek's do.
Paths are the real URL patterns (`/CATList-8100-CHANGYIEXINWE[-N].html`,
`/<channel>/<yyyy-mm>/ART-<a>-<b>-<id>.html`), so the spider's mirror mapping of
`*.ofweek.com` onto 127.0.0.1 serves them.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

SITE = Path(__file__).resolve().parents[1] / "seeds" / "ofweek" / "site"
LIST_TEMPLATE = SITE / "CATList-8100-CHANGYIEXINWE.html"
ARTICLE_TEMPLATE = SITE / "libattery" / "2022-09" / "ART-36001-8120-30571906.html"
LIST_NAME = "CATList-8100-CHANGYIEXINWE"
START_PATH = f"/{LIST_NAME}.html"
ORIGIN = "https://www.ofweek.com"


@dataclass
class FakeArticle:
    article_id: str
    title: str
    body: str                        # inner HTML of #articleC, written as is
    time: str = "2023-05-06 10:00"
    source: str = "维科网锂电"
    channel: str = "libattery"
    month: str = "2023-05"
    list_title: str | None = None    # text of the list link (default: title)
    summary: str = "摘要"

    @property
    def path(self) -> str:
        return f"/{self.channel}/{self.month}/ART-36001-8120-{self.article_id}.html"

    @property
    def url(self) -> str:
        return ORIGIN + self.path


def _read(path: Path) -> str:
    return path.read_bytes().decode("gb18030")


def list_path(page: int) -> str:
    return START_PATH if page == 1 else f"/{LIST_NAME}-{page}.html"


def _entry(a: FakeArticle, href: str | None = None) -> str:
    href = html.escape(href or a.url)
    text = html.escape(a.title if a.list_title is None else a.list_title)
    return f"""      <div class="con-details clearfix">
        <div class="con-img fl"><a href="{href}" target="_blank"><img src="https://www.ofweek.com/images/list-default.jpg" alt="{text}" width="200" height="130" /></a></div>
        <div class="con-right">
          <h3>
            <a href="{href}" target="_blank" title="{text}">{text}</a>
          </h3>
          <p><span>{html.escape(a.summary)}</span></p>
          <div class="con-bottom clearfix"><span class="fb-tl">{html.escape(a.time[:10])}</span></div>
        </div>
      </div>
"""


def _pager(page: int, pages: int) -> str:
    name = lambda n: f"{LIST_NAME}.html" if n == 1 else f"{LIST_NAME}-{n}.html"  # noqa: E731
    links = []
    if page > 1:
        links += [f'<a href="{name(1)}">首页</a>', f'<a href="{name(page - 1)}">上一页</a>']
    for n in range(1, pages + 1):
        links.append(f'<span class="cur">{n}</span>' if n == page else f'<a href="{name(n)}">{n}</a>')
    if page < pages:
        links += [f'<a href="{name(page + 1)}">下一页</a>', f'<a href="{name(pages)}">尾页</a>']
    return "      <div class=\"page\">\n" + "".join(f"        {x}\n" for x in links) + "      </div>\n"


def list_page(entries: list[str], page: int = 1, pages: int = 1) -> str:
    """A list page whose `div.list-con` holds `entries` (from `_entry`)."""
    text = _read(LIST_TEMPLATE)
    start = text.index('    <div class="list-con">\n')
    end = text.index("      </div>\n  </div>\n<div class=\"list-right", start) + len("      </div>\n")
    con = '    <div class="list-con">\n' + "".join(entries) + "    </div>\n"
    return text[:start] + con + _pager(page, pages) + text[end:]


def article_page(a: FakeArticle) -> str:
    text = _read(ARTICLE_TEMPLATE)
    title = html.escape(a.title)
    text = re.sub(r"<title>.*?</title>", lambda m: f"<title>{title} - OFweek锂电网</title>", text, count=1)
    text = re.sub(r"<h1>.*?</h1>", lambda m: f"<h1>{title}</h1>", text, count=1)
    text = re.sub(r'<div class="time fl">.*?</div>',
                  lambda m: f'<div class="time fl">{html.escape(a.time)}</div>', text, count=1)
    text = re.sub(r'<div class="source-name">.*?</div>',
                  lambda m: f'<div class="source-name">{html.escape(a.source)}</div>', text, count=1)
    start = text.index('id="articleC">') + len('id="articleC">')
    end = text.index("\n</div>\n      <div class=\"artical-tag\"", start)
    return text[:start] + a.body + text[end:]


def write(root: Path, path: str, data: str | bytes, encoding: str = "gb18030") -> Path:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return target


def build(root: Path, articles: list[FakeArticle], per_page: int = 10,
          files: dict[str, bytes] | None = None) -> str:
    """Write a portal (list pages, article pages, extra `files` by path) under `root`.

    Returns the path of the first list page.
    """
    chunks = [articles[i:i + per_page] for i in range(0, len(articles), per_page)] or [[]]
    for n, chunk in enumerate(chunks, 1):
        write(root, list_path(n), list_page([_entry(a) for a in chunk], n, len(chunks)))
    for a in articles:
        write(root, a.path, article_page(a))
    for path, data in (files or {}).items():
        write(root, path, data)
    return START_PATH
