"""Local images (IMAGES_MODE=local): pipelines/images.py and pipelines/imaging.py.

Unit tests for the body scanner, the rewriting and the Pillow work, then real crawls
in subprocesses (fresh reactor) against a local image server (tests/imageserver.py).
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler import postformat
from crawler.items import Article
from pipelines import imaging
from pipelines.images import LocalImagesPipeline, parse_srcset, plan, rewrite
from tests.imageserver import ImageServer, animated_gif, encode, photo, png_bomb, standard_resources

ROOT = Path(__file__).resolve().parents[1]
resources = functools.lru_cache(maxsize=None)(standard_resources)   # noise differs per call
CDN = "http://img.portal.test"          # canonical image host, mapped onto the server
PAGE = "http://www.portal.test"          # canonical article host (relative srcs)
PLACEHOLDER = "https://picsum.photos/400/300?random=1588"


def sha(url: str) -> str:
    return hashlib.sha1(url.encode()).hexdigest()


def local(url: str, ext: str, thumb: bool = False) -> str:
    h = sha(url)
    return f"/images/{'thumbs/' if thumb else ''}{h[:2]}/{h}.{ext}"


# --- unit: scanning and rewriting the body ----------------------------------------

def test_srcset_parsing_keeps_spans_and_commas_in_urls():
    raw = "a.jpg 1x,b,c.jpg 2x ,  d.jpg 640w, e.jpg,, f.jpg"
    got = parse_srcset(raw)      # as the HTML spec splits it: a URL is a run of non-space
    assert [(u, d) for u, _, d in got] == [("a.jpg", ["1x"]), ("b,c.jpg", ["2x"]),
                                           ("d.jpg", ["640w"]), ("e.jpg", []), ("f.jpg", [])]
    for url, (s, e), _ in got:
        assert raw[s:e] == url
    assert [u for u, _, _ in parse_srcset("x.jpg?w=1,2 100w")] == ["x.jpg?w=1,2"]


def test_plan_and_rewrite_touch_only_url_bytes():
    body = ('<p>&reg;<img alt="a" src="/a.jpg?x=1&amp;y=2" referrerpolicy="no-referrer"></p>'
            "<!-- <img src='/commented.jpg'> -->"
            "<IMG SRC=/b.png srcset='/b.png 300w, /b-big.png 900w' referrerpolicy=\"no-referrer\">"
            '<picture><source type="image/webp" srcset="/c.webp 2x, data:x 3x">'
            '<img src="/c.jpg" referrerpolicy="no-referrer"></picture>'
            '<img src="data:image/gif;base64,R0lGOD" referrerpolicy="no-referrer">'
            '<img src=" javascript:alert(1)" referrerpolicy="no-referrer">'
            '<img src="/d.svg" referrerpolicy="no-referrer">')
    p = plan(body, "https://s.test/n/1.html", [], "https://s.test/a.jpg?x=1&y=2")
    assert p.fetch == ["https://s.test/a.jpg?x=1&y=2", "https://s.test/b-big.png",
                       "https://s.test/c.webp"]
    assert p.thumb_url == "https://s.test/a.jpg?x=1&y=2"
    assert sum(g.refused_scheme for g in p.groups) == 3      # data: ×2, javascript:
    assert [g.svg for g in p.groups].count(True) == 1
    out, n = rewrite(body, p.groups, {"https://s.test/a.jpg?x=1&y=2": "/images/A.jpg",
                                      "https://s.test/c.webp": "/images/C.webp"})
    assert n == 2
    assert out == body.replace("/a.jpg?x=1&amp;y=2", "/images/A.jpg").replace(
        "/c.webp 2x", "/images/C.webp 2x").replace('"/c.jpg"', '"/images/C.webp"')
    out, _ = rewrite(body, p.groups, {"https://s.test/b-big.png": "/images/B.png"})
    assert "<IMG SRC=/images/B.png srcset='/images/B.png 300w, /images/B.png 900w'" in out


def test_plan_prefers_the_spiders_image_urls():
    body = '<img src="x.jpg"><img src="  y.jpg ">'
    p = plan(body, "https://s.test/a/", ["https://cdn.test/x.jpg", "https://cdn.test/y.jpg"])
    assert p.fetch == ["https://cdn.test/x.jpg", "https://cdn.test/y.jpg"]
    p = plan(body, "https://s.test/a/", ["https://cdn.test/x.jpg"])          # count mismatch
    assert p.fetch == ["https://s.test/a/x.jpg", "https://s.test/a/y.jpg"]


# --- unit: Pillow work ---------------------------------------------------------------

def test_jpeg_draft_decodes_at_reduced_scale():
    data = encode(photo((3000, 2000)), "JPEG")
    im, fmt = imaging.open_checked(data, 40_000_000)
    imaging._draft(im, (400, 300))
    im.load()
    assert fmt == "JPEG" and im.size == (750, 500)        # libjpeg's 1/4 scale, not 3000×2000
    t = imaging.thumbnail_of(data, 40_000_000, (400, 300))
    assert (t.format, t.width, t.height) == ("JPEG", 400, 267)


def test_process_keeps_small_images_byte_exact_and_never_upscales():
    data = encode(photo((800, 600)), "JPEG")
    p = imaging.process(data, 1600, 40_000_000, (400, 300))
    assert p.full.data == data and not p.resized and (p.full.width, p.full.height) == (800, 600)
    assert Image.open(io.BytesIO(p.thumb.data)).size == (400, 300)
    tiny = encode(Image.new("RGB", (50, 40)), "PNG")
    p = imaging.process(tiny, 1600, 40_000_000, (400, 300))
    assert p.full.data == tiny and Image.open(io.BytesIO(p.thumb.data)).size == (50, 40)


def test_animations_keep_their_frames():
    gif = animated_gif((300, 200), frames=4)
    p = imaging.process(gif, 1600, 40_000_000, (400, 300))
    assert p.full.data == gif and not p.resized                    # kept byte for byte
    frames = [photo((2000, 1000), i) for i in range(3)]
    webp = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100)
    p = imaging.process(webp, 1600, 40_000_000, (400, 300))
    im = Image.open(io.BytesIO(p.full.data))
    assert (im.format, im.size, im.n_frames, p.resized) == ("WEBP", (1600, 800), 3, True)
    assert Image.open(io.BytesIO(p.thumb.data)).size == (400, 200)
    with pytest.raises(imaging.ImageRejected) as exc:              # truncated animation
        imaging.process(gif[: len(gif) * 2 // 3], 1600, 40_000_000)
    assert exc.value.reason == "corrupt"


def _zlib_level(png: bytes) -> int:
    """FLEVEL of the first IDAT/fdAT stream's zlib header: 0 fastest (level 1) … 3 (7-9)."""
    pos = 8
    while pos < len(png):
        n, kind = int.from_bytes(png[pos:pos + 4], "big"), png[pos + 4:pos + 8]
        if kind in (b"IDAT", b"fdAT"):
            return png[pos + 8 + (4 if kind == b"fdAT" else 0) + 1] >> 6
        pos += 12 + n
    raise AssertionError("no image data")


def test_resized_png_is_encoded_fast_smaller_than_its_source_and_keeps_alpha():
    rgba = photo((2000, 1200), 5).convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize((2000, 1200)))
    src = encode(rgba, "PNG")                                          # Pillow's default level 6
    p = imaging.process(src, 1600, 40_000_000)
    im = Image.open(io.BytesIO(p.full.data))
    assert (im.format, im.mode, im.size) == ("PNG", "RGBA", (1600, 960))
    assert im.getchannel("A").getextrema() == (0, 255)                 # transparency kept
    assert _zlib_level(p.full.data) == 0 and len(p.full.data) < len(src)
    frames = [photo((1800, 900), i) for i in range(3)]                 # APNG stays animated
    apng = encode(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100)
    p = imaging.process(apng, 1600, 40_000_000)
    im = Image.open(io.BytesIO(p.full.data))
    assert (im.format, im.n_frames, im.size) == ("PNG", 3, (1600, 800)) and len(p.full.data) < len(apng)
    assert _zlib_level(p.full.data) == 0


def test_resized_png_larger_at_the_fast_level_than_its_source_is_encoded_again_tighter():
    from PIL import ImageDraw
    art = Image.new("RGBA", (1700, 1000), (255, 255, 255, 0))         # line art: tiny at level 9
    draw = ImageDraw.Draw(art)
    for y in range(0, 1000, 14):
        draw.text((10, y), "newsarchive " * 30, fill=(0, 0, 0, 255))
    src = encode(art, "PNG", compress_level=9)
    p = imaging.process(src, 1600, 40_000_000)
    assert _zlib_level(p.full.data) == 3                                # the tighter encoding kept
    assert Image.open(io.BytesIO(p.full.data)).mode == "RGBA"


@pytest.mark.parametrize("fmt, size, mode", [
    ("PNG", (2000, 1200), "RGBA"), ("PNG", (900, 600), "P"), ("PNG", (2400, 1000), "LA"),
    ("JPEG", (900, 600), "RGB"), ("JPEG", (2400, 1600), "RGB"), ("GIF", (700, 500), "P"),
    ("WEBP", (800, 600), "RGB"), ("WEBP", (2000, 1500), "RGB"),
])
def test_thumbnail_from_decoded_pixels_has_the_bytes_made_from_the_stored_file(fmt, size, mode):
    """A run killed between the image and its thumbnail ends with the same bytes."""
    data = encode(photo(size, 2).convert(mode), fmt)
    p = imaging.process(data, 1600, 40_000_000, (400, 300), True)
    from_file = imaging.thumbnail_of(p.full.data, 40_000_000, (400, 300))
    if p.thumb is None:                                                 # lossy re-encode: from the file
        assert p.resized and fmt in ("JPEG", "WEBP")
    else:
        assert p.thumb_exact and p.thumb.data == from_file.data
    assert fmt != "PNG" or p.thumb is not None                         # PNGs never decode twice


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_bomb_is_refused_from_the_header():
    with pytest.raises(imaging.ImageRejected) as exc:
        imaging.process(png_bomb(), 1600, 40_000_000)
    assert (exc.value.kind, exc.value.reason) == ("refused", "bomb")
    with pytest.raises(imaging.ImageRejected) as exc:        # beyond Pillow's own limit too
        imaging.process(png_bomb(30000, 30000), 1600, 40_000_000)
    assert exc.value.reason == "bomb"


def test_local_is_the_default_and_remote_disables_it(tmp_path):
    with pytest.raises(NotConfigured):
        LocalImagesPipeline.from_crawler(get_crawler(settings_dict={
            "ARCHIVE_DIR": str(tmp_path), "IMAGES_MODE": "remote"}))
    default = LocalImagesPipeline.from_crawler(get_crawler(settings_dict={"ARCHIVE_DIR": str(tmp_path)}))
    assert default.archive == tmp_path
    default.close_spider()
    pipe = LocalImagesPipeline.from_crawler(get_crawler(settings_dict={
        "IMAGES_MODE": "local", "ARCHIVE_DIR": str(tmp_path), "IMAGES_THUMB_SIZE": "200x100"}))
    assert (pipe.max_size, pipe.thumb_box, pipe.max_pixels) == (1600, (200, 100), 40_000_000)
    pipe.close_spider()


def test_only_http_urls_are_ever_requested(tmp_path):
    crawler = get_crawler(settings_dict={"IMAGES_MODE": "local", "ARCHIVE_DIR": str(tmp_path)})
    pipe = LocalImagesPipeline.from_crawler(crawler)
    srcs = ["file:///etc/passwd", "data:image/png;base64,iVBORw0KGgo=", "ftp://h.test/a.jpg",
            "javascript:alert(1)", "//cdn.test/ok.jpg", "https://h.test/b.jpg", "http:///x.jpg"]
    item = Article(url="https://h.test/n/1.html", body="".join(IMG.format(u) for u in srcs))
    requests = pipe.get_media_requests(item, None)
    assert [r.url for r in requests] == ["https://cdn.test/ok.jpg", "https://h.test/b.jpg"]
    assert all(r.headers[b"Referer"] == b"https://h.test/n/1.html" for r in requests)
    assert requests[0].meta["download_maxsize"] == 20 * 1024 * 1024

    class Mirror:       # a mirror mapping that leaves http(s) is ignored
        @staticmethod
        def fetch_url(url):
            return url.replace("https://h.test", "file:///srv") if "h.test" in url else url
    crawler.spider = Mirror()
    assert [r.url for r in pipe.get_media_requests(item, None)] == [
        "https://cdn.test/ok.jpg", "https://h.test/b.jpg"]
    pipe.close_spider()


# --- crawls ------------------------------------------------------------------------

IMG = '<img src="{}" referrerpolicy="no-referrer">'


def article(n: int, body: str, image_urls: list[str], title: str = "") -> dict:
    head = image_urls[0] if image_urls else PLACEHOLDER
    return {"title": title or f"Article {n}", "url": f"{PAGE}/news/{n}.html", "site": "t",
            "article_id": str(n), "published": "2021-11-28 10:38:00", "body": body,
            "categories": ["新媒体", "高科技行业门户", "新闻"], "author": "高科技行业门户",
            "headimg": head, "thumbnail": head, "image_urls": image_urls}


def crawl(tmp_path: Path, server: ImageServer, articles: list[dict], name: str,
          **settings) -> dict:
    out = tmp_path / f"{name}.json"
    config = {
        "articles": articles,
        "mirror": [[CDN, server.base], [PAGE, server.base]],
        "out": str(out),
        "settings": {"IMAGES_MODE": "local", "ARCHIVE_DIR": str(tmp_path / "archive"),
                     "IMAGES_MAX_BYTES": 2 * 1024 * 1024, "IMAGES_TIMEOUT": 1.0,
                     **settings},
    }
    cfg = tmp_path / f"{name}.config.json"
    cfg.write_text(json.dumps(config), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "tests.imageserver", str(cfg)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    result["log"] = proc.stderr
    result["items"] = {it["article_id"]: it for it in result["items"]}
    result["all_stats"] = result["stats"]
    result["stats"] = {k.removeprefix("newsarchive/images/"): v
                       for k, v in result["stats"].items() if k.startswith("newsarchive/images/")}
    return result


GOOD = {  # canonical URL -> (format, stored size or None when stored byte-exact)
    f"{CDN}/img/photo.jpg": ("JPEG", (1600, 1067)),
    f"{PAGE}/img/logo.png": ("PNG", (1600, 800)),
    f"{CDN}/img/anim.gif": ("GIF", (1600, 800)),
    f"{CDN}/img/pic.webp": ("WEBP", None),
    f"{CDN}/img/q.png?a=1&b=2": ("PNG", None),
    f"{CDN}/img/s-large.jpg": ("JPEG", None),
    f"{CDN}/img/p.webp": ("WEBP", None),
    f"{CDN}/img/small.jpg": ("JPEG", None),
}
EXT = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


def L(url: str, thumb: bool = False) -> str:
    return local(url, EXT[GOOD[url][0]], thumb)


BODY1 = (
    '<p style="text-align:center">{photo}</p><p>文字 &reg; &#123;x&#125;</p>\n'
    "<p><img alt='logo' src='{logo}' referrerpolicy=\"no-referrer\"></p>"
    "<!-- <img src=\"" + CDN + "/img/commented.jpg\"> -->"
    '{anim}{pic}<img src="{q}" referrerpolicy="no-referrer">'
    '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" referrerpolicy="no-referrer">'
    '<img src="file:///etc/passwd" referrerpolicy="no-referrer">'
    '<img src="javascript:alert(1)" referrerpolicy="no-referrer">'
    '<img src="ftp://img.portal.test/x.jpg" referrerpolicy="no-referrer">'
    '<img src="{ss}" srcset="{ss} 400w, {sl} 1200w" referrerpolicy="no-referrer">'
    '<picture><source type="image/webp" srcset="{pw} 2x"><img src="{pj}" '
    'referrerpolicy="no-referrer"></picture> \n'
)


def body1(local_mode: bool) -> str:
    def u(url: str, stored: str | None = None) -> str:
        return (stored or L(url)) if local_mode else url
    pw = L(f"{CDN}/img/p.webp")
    sl = L(f"{CDN}/img/s-large.jpg")
    return BODY1.format(
        photo=IMG.format(u(f"{CDN}/img/photo.jpg")), logo=u("/img/logo.png", L(f"{PAGE}/img/logo.png")),
        anim=IMG.format(u(f"{CDN}/img/anim.gif")), pic=IMG.format(u(f"{CDN}/img/pic.webp")),
        q=u(f"{CDN}/img/q.png?a=1&amp;b=2", L(f"{CDN}/img/q.png?a=1&b=2")),
        ss=u(f"{CDN}/img/s-small.jpg", sl), sl=u(f"{CDN}/img/s-large.jpg", sl),
        pw=u(f"{CDN}/img/p.webp", pw), pj=u(f"{CDN}/img/p.jpg", pw))


BAD = ["bomb.png", "corrupt.jpg", "garbage.png", "missing.jpg", "slow.jpg", "page.jpg",
       "huge.jpg", "stream.jpg", "vector", "vector.svg"]


def articles_run1() -> list[dict]:
    urls1 = [f"{CDN}/img/photo.jpg", f"{PAGE}/img/logo.png", f"{CDN}/img/anim.gif",
             f"{CDN}/img/pic.webp", f"{CDN}/img/q.png?a=1&b=2",
             "data:image/gif;base64,R0lGODlhAQABAAAAACw=", "file:///etc/passwd",
             "javascript:alert(1)", "ftp://img.portal.test/x.jpg",
             f"{CDN}/img/s-small.jpg", f"{CDN}/img/p.jpg"]
    bad = [f"{CDN}/img/{b}" for b in BAD] + [f"{CDN}/img/small.jpg", f"{CDN}/img/photo.jpg"]
    body2 = "".join(IMG.format(u) for u in bad) + "<p>end</p>"
    body4 = "<p>" + IMG.format(f"{CDN}/img/small.jpg") + "</p>"
    return [article(1, body1(False), urls1), article(2, body2, bad),
            article(3, "<p>No pictures.</p>", []), article(4, body4, [f"{CDN}/img/small.jpg"])]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run 1 (every case), then run 2 on the same archive (reuse, lazy thumbnail)."""
    tmp = tmp_path_factory.mktemp("images")
    with ImageServer(resources()) as server:
        first = crawl(tmp, server, articles_run1(), "run1")
        first["hits"] = list(server.hits)
        server.hits.clear()
        a1, _, _, a4 = articles_run1()[0], None, None, articles_run1()[3]
        a5 = article(5, IMG.format(f"{CDN}/img/pic.webp"), [f"{CDN}/img/pic.webp"])
        second = crawl(tmp, server, [a1, a4, a5], "run2")
        second["hits"] = list(server.hits)
    return tmp / "archive", first, second


def test_local_crawl_stores_every_good_image_once(runs):
    archive, first, _ = runs
    fetched = [h.path for h in first["hits"]]
    assert len(fetched) == len(set(fetched))                      # each image fetched once
    assert "/img/photo.jpg" in fetched and "/img/s-small.jpg" not in fetched
    assert "/img/p.jpg" not in fetched and "/img/vector.svg" not in fetched
    assert "/img/commented.jpg" not in fetched
    for hit in first["hits"]:
        assert hit.headers["Referer"] in (f"{PAGE}/news/1.html", f"{PAGE}/news/2.html")
        assert hit.headers["Accept"].startswith("image/")
    ref = {h.path: h.headers["Referer"] for h in first["hits"]}
    assert ref["/img/anim.gif"] == f"{PAGE}/news/1.html"
    assert ref["/img/bomb.png"] == f"{PAGE}/news/2.html"

    full = sorted(p for p in (archive / "images").rglob("*") if p.is_file() and "thumbs" not in p.parts)
    assert [p.relative_to(archive).as_posix() for p in full] == sorted(
        L(u)[1:] for u in GOOD)
    for url, (fmt, size) in GOOD.items():
        path = archive / L(url)[1:]
        im = Image.open(path)
        assert im.format == fmt, url
        path_on_server = url.split(".test", 1)[1]
        if size is None:
            assert path.read_bytes() == resources()[path_on_server].body, url
        else:
            assert im.size == size, url
        assert max(im.size) <= 1600
    gif = Image.open(archive / L(f"{CDN}/img/anim.gif")[1:])
    assert gif.is_animated and gif.n_frames == 3
    assert not list((archive / "images").rglob(".newsarchive-*"))  # no temp files left


def test_local_crawl_rewrites_posts(runs):
    _, first, _ = runs
    items = first["items"]
    assert sorted(items) == ["1", "2", "3", "4"]                   # nothing dropped
    a1 = items["1"]
    assert a1["body"] == body1(True)
    assert a1["headimg"] == L(f"{CDN}/img/photo.jpg")
    assert a1["thumbnail"] == L(f"{CDN}/img/photo.jpg", thumb=True)
    # Everything but the URLs is as in remote mode.
    remote = Article(**{**articles_run1()[0], "published": "2021-11-28 10:38:00"})
    mine = Article(**{k: v for k, v in a1.items() if k in Article.__dataclass_fields__})
    assert postformat.render(mine).replace(a1["body"], "BODY").replace(
        mine.headimg, "H").replace(mine.thumbnail, "T") == postformat.render(remote).replace(
        remote.body, "BODY").replace(remote.headimg, "H", 1).replace(remote.thumbnail, "T", 1)
    assert {i["url"] for i in a1["images"]} == {u for u in GOOD if "small.jpg" not in u}

    a2 = items["2"]
    bad = [f"{CDN}/img/{b}" for b in BAD]
    assert a2["body"] == "".join(IMG.format(u) for u in bad) + "".join(
        IMG.format(L(f"{CDN}/img/{n}")) for n in ("small.jpg", "photo.jpg")) + "<p>end</p>"
    # The first image (the bomb) was refused: the first stored image stands in for it.
    assert a2["headimg"] == L(f"{CDN}/img/small.jpg")
    assert a2["thumbnail"] == L(f"{CDN}/img/small.jpg", thumb=True)
    assert items["3"]["headimg"] == items["3"]["thumbnail"] == PLACEHOLDER
    a4 = items["4"]
    assert a4["headimg"] == L(f"{CDN}/img/small.jpg")
    assert a4["thumbnail"] == L(f"{CDN}/img/small.jpg", thumb=True)


def test_thumbnails(runs):
    archive, first, _ = runs
    thumbs = sorted(p for p in (archive / "images" / "thumbs").rglob("*") if p.is_file())
    photo_t = Image.open(archive / L(f"{CDN}/img/photo.jpg", thumb=True)[1:])
    assert (photo_t.format, photo_t.size) == ("JPEG", (400, 267))
    small_t = Image.open(archive / L(f"{CDN}/img/small.jpg", thumb=True)[1:])
    assert (small_t.format, small_t.size) == ("JPEG", (400, 300))
    pic_t = Image.open(archive / L(f"{CDN}/img/pic.webp", thumb=True)[1:])   # made in run 2
    assert (pic_t.format, pic_t.size) == ("WEBP", (375, 300))
    assert len(thumbs) == 3


def test_local_crawl_stats(runs):
    _, first, _ = runs
    s = first["stats"]
    assert s["stored"] == 8 and s["resized"] == 3 and s["thumbnails"] == 2
    assert s["downloaded"] == 13 and "reused" not in s
    assert s["rewritten"] == 7 + 2 + 1
    assert s["refused/scheme"] == 4
    # too_big: huge.jpg (Content-Length) and stream.jpg, whose endless body only the
    # download_maxsize cut-off ends (else it would be a timeout)
    assert s["refused/bomb"] == 1 and s["refused/svg"] == 2 and s["refused/too_big"] == 2
    assert s["failed/http_404"] == 1 and s["failed/timeout"] == 1
    assert s["failed/corrupt"] == 1                 # truncated JPEG
    assert s["failed/not_image"] == 2               # an HTML page, garbage after a PNG signature
    assert first["all_stats"]["item_scraped_count"] == 4
    assert "Traceback" not in first["log"] and "log_count/ERROR" not in first["all_stats"]
    assert first["maxrss_kb"] < 400 * 1024


def test_rerun_downloads_nothing_already_stored(runs):
    _, first, second = runs
    assert second["hits"] == []
    s = second["stats"]
    assert "downloaded" not in s and "stored" not in s
    assert s["reused"] == 8 and s["thumbnails"] == 1               # pic.webp: lazy thumbnail
    for key in ("body", "headimg", "thumbnail"):
        assert second["items"]["1"][key] == first["items"]["1"][key]
    assert {**second["items"]["4"], "images": []} == {**first["items"]["4"], "images": []}
    assert second["items"]["4"]["images"][0]["status"] == "uptodate"
    a5 = second["items"]["5"]
    assert a5["body"] == IMG.format(L(f"{CDN}/img/pic.webp"))
    assert a5["thumbnail"] == L(f"{CDN}/img/pic.webp", thumb=True)


def test_bomb_keeps_memory_bounded(tmp_path):
    with ImageServer({"/img/bomb.png": resources()["/img/bomb.png"]}) as server:
        bomb = f"{CDN}/img/bomb.png"
        result = crawl(tmp_path, server, [article(9, IMG.format(bomb), [bomb])], "bomb",
                       IMAGES_MAX_PIXELS=40_000_000)
    assert result["stats"]["refused/bomb"] == 1
    assert result["items"]["9"]["body"] == IMG.format(bomb)
    assert not [p for p in (tmp_path / "archive" / "images").rglob("*") if p.is_file()]
    # Decoding the declared 10000×10000 RGBA would take 400 MB.
    assert result["maxrss_kb"] < 200 * 1024, result["maxrss_kb"]


def test_image_downloads_wait_for_a_free_slot_of_images_active(tmp_path):
    """Back-pressure: with IMAGES_ACTIVE=2 no more than 2 images are downloading or waiting
    for the resize pool at once, though the downloader would fetch 8 at a time."""
    from tests.imageserver import Resource
    jpeg = encode(photo((1800, 1200), 3), "JPEG")
    res = {f"/img/bp{i}.jpg": Resource(jpeg, "image/jpeg", delay=0.2) for i in range(8)}
    urls = [f"{CDN}/img/bp{i}.jpg" for i in range(8)]
    arts = [article(n, "".join(IMG.format(u) for u in urls[n * 4:(n + 1) * 4]), urls[n * 4:(n + 1) * 4])
            for n in range(2)]
    with ImageServer(res) as server:
        r = crawl(tmp_path, server, arts, "bp", IMAGES_ACTIVE=2, CONCURRENT_REQUESTS_PER_DOMAIN=8)
    assert r["stats"]["stored"] == 8
    assert server.max_active <= 2, server.max_active

