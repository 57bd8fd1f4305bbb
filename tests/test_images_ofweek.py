"""Local images end to end: `scrapy crawl ofweek` with the default IMAGES_MODE (local) on an
unseen OFweek-like portal (tests/ofweeklike.py) whose articles carry large real images, a
`file://` image, a PNG bomb, a 404 and a corrupt file.

Checked from the outside: the files on disk (format, size, count), the rewritten posts
against a remote-mode crawl of the same portal, the thumbnails, the stats, the crawl's
own peak RSS (VmHWM, read in the crawling process at exit) and a rerun that downloads
nothing already stored.
"""
from __future__ import annotations

import functools
import hashlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from crawler.fixtureserver import FixtureServer
from tests.helpers import ROOT, hexo_generate, hexo_load, need_hexo
from tests.imageserver import animated_gif, encode, photo, png_bomb
from tests.ofweeklike import FakeArticle, build

IMG = "https://images.ofweek.com/Upload/News/2026-11/25"
MP = "https://mp.ofweek.com/Upload/News/Img/member42/202611"
BOMB_SIDE = 10000                    # declares 100 Mpx RGBA: 400 MB once decoded
PASSWD = Path("/etc/passwd")


@functools.cache
def images() -> dict[str, tuple[bytes, str, tuple[int, int]]]:
    """URL -> (bytes, format, size) of the real images the portal serves."""
    made = {
        f"{IMG}/big.jpg": (encode(photo((4000, 3000), 1), "JPEG", quality=85), "JPEG"),
        f"{IMG}/small.jpg": (encode(photo((900, 600), 2), "JPEG", quality=85), "JPEG"),
        f"{IMG}/diagram.png": (encode(photo((2400, 1800), 3).quantize(32), "PNG"), "PNG"),
        f"{MP}/anim.gif": (animated_gif((2000, 1000), frames=3), "GIF"),
        f"{MP}/pic-800.webp": (encode(photo((800, 600), 4), "WEBP"), "WEBP"),
        f"{MP}/pic-3200.webp": (encode(photo((3200, 2400), 4), "WEBP"), "WEBP"),
    }
    return {u: (data, fmt, Image.open(io.BytesIO(data)).size)
            for u, (data, fmt) in made.items()}


BAD = {
    f"{MP}/bomb.png": png_bomb(BOMB_SIDE, BOMB_SIDE),
    f"{IMG}/corrupt.jpg": encode(photo((1200, 900), 5), "JPEG")[:5000],
}
MISSING = f"{IMG}/missing.jpg"
FILE_URL = f"file://{PASSWD}"
DATA_URL = "data:image/gif;base64,R0lGODlhAQABAAAAACw="


def p(src: str) -> str:
    return f'<p style="text-align:center"><img src="{src}" title="t" alt="a"></p>'


ARTICLES = [
    FakeArticle("41000001", "大图与本地文件", "<p>一</p>" + p(f"{IMG}/big.jpg") + p(FILE_URL)
                + p(f"{IMG}/diagram.png") + p(f"{IMG}/small.jpg")),
    FakeArticle("41000002", "动图与响应式图片", "<p>二</p>" + p(f"{MP}/anim.gif")
                + f'<picture><source srcset="{MP}/pic-800.webp 800w, {MP}/pic-3200.webp 3200w">'
                  f'<img src="{MP}/pic-800.webp"></picture>', channel="iot"),
    FakeArticle("41000003", "炸弹", "<p>三</p>" + p(f"{MP}/bomb.png") + p(DATA_URL)
                + p(f"{IMG}/big.jpg"), channel="nev"),
    FakeArticle("41000004", "坏图", "<p>四</p>" + p(MISSING) + p(f"{IMG}/corrupt.jpg")),
]

def local(url: str, ext: str, thumb: bool = False) -> str:
    """The documented local path: /images/[thumbs/]<h[:2]>/<h>.<ext>, h = sha1(URL)."""
    h = hashlib.sha1(url.encode()).hexdigest()
    return f"/images/{'thumbs/' if thumb else ''}{h[:2]}/{h}.{ext}"


EXT = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


def stats_of(log: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"'([\w/.-]+)': (\d+)", log)}


def run(srv: FixtureServer, archive: Path, start: str, *extra: str) -> tuple[dict[str, int], int]:
    hwm = archive.parent / f"hwm-{len(list(archive.parent.glob('hwm-*')))}"
    cmd = [sys.executable, "-m", "tests.peakrss", str(hwm),          # the crawl's own VmHWM
           "crawl", "ofweek", "-a", f"start_url={srv.url(start)}",
           "-s", f"ARCHIVE_DIR={archive}", "-s", "DOWNLOAD_DELAY=0",
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO", *extra]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-4000:]
    assert "Traceback" not in res.stderr, res.stderr[-4000:]
    return stats_of(res.stderr), int(hwm.read_text())


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("ofweek-images")
    served = {u: data for u, (data, _, _) in images().items()} | BAD
    files = {u.split(".com", 1)[1]: data for u, data in served.items()}
    start = build(tmp / "site", ARTICLES, files=files)
    with FixtureServer(tmp / "site") as srv:
        stats, rss = run(srv, tmp / "local", start)
        first = list(srv.requests)
        srv.requests.clear()
        rerun_stats, _ = run(srv, tmp / "local", start, "-a", "refresh=1")
        rerun = list(srv.requests)
        remote_stats, _ = run(srv, tmp / "remote", start, "-s", "IMAGES_MODE=remote")
    # The bomb alone, so that its own cost is not hidden by the real images' decoding.
    only_bomb = FakeArticle("41000009", "只有炸弹", p(f"{MP}/bomb.png"))
    build(tmp / "bomb-site", [only_bomb], files={"/Upload/News/Img/member42/202611/bomb.png":
                                                 BAD[f"{MP}/bomb.png"]})
    with FixtureServer(tmp / "bomb-site") as srv:
        bomb_stats, bomb_rss = run(srv, tmp / "bomb", start)
    assert bomb_stats["newsarchive/images/refused/bomb"] == 1
    return {"tmp": tmp, "archive": tmp / "local", "stats": stats, "rss_kb": rss, "bomb_rss_kb": bomb_rss,
            "requests": first, "rerun": rerun, "rerun_stats": rerun_stats,
            "remote": tmp / "remote", "remote_stats": remote_stats}


def test_every_article_is_archived(crawled: dict) -> None:
    names = sorted(p.name for p in (crawled["archive"] / "_posts").iterdir())
    assert names == [f"ofweek-{a.article_id}.md" for a in ARTICLES]
    assert crawled["stats"]["newsarchive/posts/written"] == len(ARTICLES)


def test_every_real_image_is_stored_once_in_its_format_capped_at_1600(crawled: dict) -> None:
    archive = crawled["archive"]
    stored = sorted(p.relative_to(archive).as_posix() for p in (archive / "images").rglob("*")
                    if p.is_file() and "thumbs" not in p.parts)
    wanted = {u: v for u, v in images().items() if u != f"{MP}/pic-800.webp"}   # srcset: largest
    assert stored == sorted(local(u, EXT[fmt])[1:] for u, (_, fmt, _) in wanted.items())
    for url, (data, fmt, (w, h)) in wanted.items():
        path = archive / local(url, EXT[fmt])[1:]
        with Image.open(path) as im:
            assert im.format == fmt
            scale = min(1600 / max(w, h), 1.0)
            assert im.size == (round(w * scale), round(h * scale)), url
            if fmt == "GIF":
                assert im.n_frames == 3                              # still animated
        if max(w, h) <= 1600:
            assert path.read_bytes() == data, url                    # not re-encoded
    assert [r for r in crawled["requests"] if r.endswith("big.jpg")] == ["/Upload/News/2026-11/25/big.jpg"]
    assert not [r for r in crawled["requests"] if r.endswith("pic-800.webp")]


def test_posts_use_local_images_and_keep_everything_else(crawled: dict) -> None:
    archive, remote = crawled["archive"], crawled["remote"]
    fmt = {u: EXT[f] for u, (_, f, _) in images().items()}
    stored = {u: local(u, e) for u, e in fmt.items() if u != f"{MP}/pic-800.webp"}
    for a in ARTICLES:
        mine = (archive / "_posts" / f"ofweek-{a.article_id}.md").read_text(encoding="utf-8")
        theirs = (remote / "_posts" / f"ofweek-{a.article_id}.md").read_text(encoding="utf-8")
        head = re.search(r"^headimg: '(.*)'$", mine, re.M).group(1)
        thumb = re.search(r"^thumbnail: '(.*)'$", mine, re.M).group(1)
        expected = theirs
        for url, path in stored.items():
            expected = expected.replace(f'"{url}"', f'"{path}"').replace(f"{url} ", f"{path} ")
        # the srcset's small candidate is rewritten to the stored large one
        expected = expected.replace(f"{MP}/pic-800.webp", stored[f"{MP}/pic-3200.webp"])
        old_head = re.search(r"^headimg: '(.*)'$", theirs, re.M).group(1)
        expected = expected.replace(f"headimg: '{old_head}'", f"headimg: '{head}'")
        expected = expected.replace(f"thumbnail: '{old_head}'", f"thumbnail: '{thumb}'")
        assert mine == expected, a.article_id
    post = (archive / "_posts" / "ofweek-41000001.md").read_text(encoding="utf-8")
    assert f'src="{FILE_URL}"' in post                              # left as it is
    bomb = (archive / "_posts" / "ofweek-41000003.md").read_text(encoding="utf-8")
    assert f'src="{MP}/bomb.png"' in bomb and f'src="{DATA_URL}"' in bomb
    bad = (archive / "_posts" / "ofweek-41000004.md").read_text(encoding="utf-8")
    assert f'src="{MISSING}"' in bad and f'src="{IMG}/corrupt.jpg"' in bad
    assert "/images/" not in bad


def test_head_image_and_thumbnail(crawled: dict) -> None:
    archive = crawled["archive"]
    big = local(f"{IMG}/big.jpg", "jpg")

    def front(article_id: str) -> dict[str, str]:
        text = (archive / "_posts" / f"ofweek-{article_id}.md").read_text(encoding="utf-8")
        return dict(re.findall(r"^(headimg|thumbnail): '(.*)'$", text, re.M))

    assert front("41000001") == {"headimg": big, "thumbnail": local(f"{IMG}/big.jpg", "jpg", True)}
    gif = f"{MP}/anim.gif"
    assert front("41000002") == {"headimg": local(gif, "gif"), "thumbnail": local(gif, "gif", True)}
    # The first image is the refused bomb: the first stored image stands in for it.
    assert front("41000003") == {"headimg": big, "thumbnail": local(f"{IMG}/big.jpg", "jpg", True)}
    # Nothing stored: the remote first image stays.
    assert front("41000004") == {"headimg": MISSING, "thumbnail": MISSING}
    thumbs = [p for p in (archive / "images" / "thumbs").rglob("*") if p.is_file()]
    assert len(thumbs) == 2
    for t in thumbs:
        with Image.open(t) as im:
            assert im.width <= 400 and im.height <= 300
            assert max(im.width / 400, im.height / 300) == pytest.approx(1, abs=0.01)


def test_file_url_leaves_no_trace_and_the_bomb_is_refused(crawled: dict) -> None:
    archive, stats = crawled["archive"], crawled["stats"]
    secret = PASSWD.read_bytes() if PASSWD.is_file() else None
    for f in crawled["tmp"].rglob("*"):
        if f.is_file() and secret and f.stat().st_size >= len(secret) > 0:
            assert secret not in f.read_bytes(), f
    assert not [r for r in crawled["requests"] if "passwd" in r]
    assert stats["newsarchive/images/refused/scheme"] == 2          # file: and data:
    assert stats["newsarchive/images/refused/bomb"] == 1
    assert stats["newsarchive/images/failed/http_404"] == 1
    assert stats["newsarchive/images/failed/corrupt"] == 1
    assert stats["newsarchive/images/stored"] == 5                  # pic-800.webp: not the largest
    assert stats["newsarchive/images/resized"] == 4                 # big, diagram, gif, webp
    assert stats["newsarchive/images/thumbnails"] == 2
    assert not [p for p in archive.rglob("*") if "bomb" in p.name or p.name.endswith(".tmp")]


def test_peak_memory_stays_far_below_decoding_the_bomb(crawled: dict) -> None:
    decoded_bomb_kb = BOMB_SIDE * BOMB_SIDE * 4 // 1024            # 400 MB as RGBA
    assert crawled["bomb_rss_kb"] < decoded_bomb_kb * 3 // 8, crawled["bomb_rss_kb"]
    # The whole crawl, real 12-Mpx photos included, stays below it too.
    assert crawled["rss_kb"] < decoded_bomb_kb, crawled["rss_kb"]


def test_rerun_downloads_nothing_already_stored(crawled: dict) -> None:
    image_requests = [r for r in crawled["rerun"] if r.startswith("/Upload/")]
    # Only what was never stored is asked for again.
    assert sorted(image_requests) == sorted(u.split(".com", 1)[1] for u in [*BAD, MISSING])
    assert crawled["rerun_stats"]["newsarchive/images/reused"] == 5
    assert "newsarchive/images/stored" not in crawled["rerun_stats"]


def test_hexo_serves_the_local_paths(crawled: dict) -> None:
    need_hexo()
    posts = hexo_load(crawled["archive"])
    post = posts["_posts/ofweek-41000001.md"]
    assert post["headimg"] == local(f"{IMG}/big.jpg", "jpg")
    assert (crawled["archive"] / post["thumbnail"].lstrip("/")).is_file()


def test_a_hexo_site_on_the_archive_publishes_every_local_image(crawled: dict) -> None:
    need_hexo()
    public = hexo_generate(crawled["archive"])
    used = {m for p in (crawled["archive"] / "_posts").iterdir()
            for m in re.findall(r"(/images/[0-9a-f/]+\.\w+|/images/thumbs/[0-9a-f/]+\.\w+)",
                                p.read_text(encoding="utf-8"))}
    assert len(used) == 5 + 2                        # full images + thumbnails
    for path in used:
        assert public[path.lstrip("/")]["size"] == (crawled["archive"] / path.lstrip("/")).stat().st_size
    assert sum(1 for k in public if k.endswith("/index.html") and "ofweek-" in k) == len(ARTICLES)
