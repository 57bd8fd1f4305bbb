"""Inputs no one here wrote (issue 14), through real `scrapy archive` runs against 127.0.0.1:
feeds shaped like feedparser's ill-formed test feeds, Pillow-style hostile images, a feed
that made the entity pass quadratic, a full disk under images/.

One run archives three feeds beside a failing one (telnet console off; each site counts
its own errors), with umask 022 and a temp file left in images/ by a killed run; then a
second run after an image's thumbnail and post were lost (a kill between the two writes).
"""
from __future__ import annotations

import io
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from PIL import Image

from crawler.fixtureserver import FixtureServer
from tests.helpers import ROOT

DATE = "Wed, 27 Jul 2022 07:31:24 GMT"


def _jpeg() -> bytes:
    out = io.BytesIO()
    im = Image.new("RGB", (200, 100))
    for x in range(200):
        for y in range(0, 100, 7):
            im.putpixel((x, y), (x, 255 - x, (x * y) % 256))
    im.save(out, "JPEG", quality=90)
    return out.getvalue()


def _apng() -> bytes:
    frames = [Image.new("RGBA", (200, 100), (i * 80, 40, 200, 255)) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:], duration=[50, 60, 70], loop=0)
    return out.getvalue()


def _bomb_gif() -> bytes:
    """Two frames; the second's extents (65535 x 65535) past Pillow's limit, found only
    when the frames are walked (as Pillow's decompression_bomb_extents.gif)."""
    out = io.BytesIO()
    Image.new("P", (4, 4), 0).save(out, "GIF")
    data = out.getvalue()
    d = data.index(b"\x2c\x00\x00\x00\x00\x04\x00\x04\x00")
    frame = data[d:-1]
    return data[:d] + frame + b"\x2c\x00\x00\x00\x00\xff\xff\xff\xff" + frame[9:] + b";"


def _bad_tiff() -> bytes:
    """A TIFF with 100 samples per pixel: Pillow logs an ERROR line while probing it."""
    out = io.BytesIO()
    Image.new("L", (4, 4)).save(out, "TIFF")
    return out.getvalue().replace(b"\x1c\x01\x03\x00\x01\x00\x00\x00\x01\x00",
                                  b"\x15\x01\x03\x00\x01\x00\x00\x00\x64\x00")


def _item(guid: str, title: str, body: str, extra: str = "") -> str:
    return (f"<item><title>{title}</title><link>/{guid}</link><guid>{guid}</guid>"
            f"<pubDate>{DATE}</pubDate>{extra}<description>{body}</description></item>")


IMGS = ('&lt;p&gt;图&lt;/p&gt;&lt;img src="/img/photo.jpg"&gt;&lt;img src="/img/anim.png"&gt;'
        '&lt;img src="/img/bomb.gif"&gt;&lt;img src="/img/bad.tif"&gt;')
DEEP = "<div>" * 300 + "x" + "</div>" * 300
# Each entry as feedparser's ill-formed feeds (and the issue) write them; all but `deep`
# are archived, and the good ones after each broken one too.
ENTRIES = [
    _item("images", "标题", IMGS),                                              # mislabelled UTF-8
    _item("undeclared", "无前缀", "&lt;p&gt;a&lt;/p&gt;", "<dc:creator>Bob</dc:creator>"),   # case 1
    _item("surrogate", "笑", "smile &#xD83D;&#xDE00;"),                        # case 2
    _item("bang", "括号", "&lt;p&gt;a&lt;/p&gt;&lt;![ x ]&gt;&lt;img src=&quot;/img/photo.jpg&quot;&gt;"),  # 3
    f'<item><title>深</title><guid>deep</guid><pubDate>{DATE}</pubDate>'
    f'<description>{DEEP}</description></item>',                              # case 4: counted
    _item("after-deep", "之后", "&lt;p&gt;after&lt;/p&gt;"),
]
GOOD = {"images", "undeclared", "surrogate", "bang", "after-deep"}


def _feed(items: list[str], head: str = "<title>第三方</title>", encoding: str = "iso-8859-1") -> bytes:
    return (f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0" '
            f'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>{head}'
            f'{"".join(items)}</channel></rss>').encode("utf-8")


def _site(root: Path) -> None:
    (root / "img").mkdir(parents=True)
    for name, data in {"photo.jpg": _jpeg(), "anim.png": _apng(), "bomb.gif": _bomb_gif(),
                       "bad.tif": _bad_tiff()}.items():
        (root / "img" / name).write_bytes(data)
    (root / "third.xml").write_bytes(_feed(ENTRIES))
    # case 6: unterminated comments and CDATA after a good entry (quadratic before)
    (root / "hostile.xml").write_bytes(_feed(
        [_item("first", "先", "&lt;p&gt;ok&lt;/p&gt;"), f"<item><title>x</title><pubDate>{DATE}</pubDate><description>"
         + "a<!--" * 40_000 + "b<![CDATA[" * 16_000 + "</description></item>"], encoding="utf-8"))
    (root / "untitled.xml").write_bytes(_feed([_item("plain", "无题", "&lt;p&gt;p&lt;/p&gt;")], head=""))
    (root / "broken.xml").write_text("<html><body>not a feed</body></html>", encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _archive(srv: FixtureServer, archive: Path, *extra: str, prefix: tuple[str, ...] = (),
             feeds: tuple[str, ...] = ("third", "hostile", "untitled", "broken")) -> subprocess.CompletedProcess:
    import json
    spec = [{"url": srv.url(f"/{f}.xml"), "site": f,
             **({"categories": "三方,测试", "author": "测试"} if f == "third" else {})} for f in feeds]
    port = _free_port()
    return subprocess.run(
        [*prefix, sys.executable, "-m", "scrapy", "archive", "-v", *feeds,
         "-s", f"ARCHIVE_DIR={archive}", "-s", f"ARCHIVE_FEEDS={json.dumps(spec, ensure_ascii=False)}",
         "-s", "IMAGES_MAX_SIZE=64", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
         "-s", f"TELNETCONSOLE_PORT=[{port},{port}]", *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=300, preexec_fn=lambda: os.umask(0o022))


def _posts(archive: Path, site: str) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((archive / "_posts").glob(f"{site}-*.md"))}


def _front(text: str) -> dict:
    return yaml.safe_load(text.split("\n---\n", 2)[1])


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("third-party")
    _site(tmp / "site")
    archive = tmp / "archive"
    stale = archive / "images" / "ab" / ".newsarchive-killed.tmp"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half an image")
    with FixtureServer(tmp / "site") as srv:
        t = time.monotonic()
        first = _archive(srv, archive, "-s", "LOG_LEVEL=INFO")
        seconds = time.monotonic() - t
        # A kill after the image was stored, before its thumbnail and the post were written.
        post = next(p for p in (archive / "_posts").glob("third-*.md") if "/images/thumbs/" in p.read_text())
        thumb = archive / _front(post.read_text(encoding="utf-8"))["thumbnail"].lstrip("/")
        thumb_bytes = thumb.read_bytes()
        thumb.unlink()
        post.unlink()
        second = _archive(srv, archive, feeds=("third",))
    return {"first": first, "second": second, "archive": archive, "seconds": seconds,
            "stale": stale, "thumb": thumb, "thumb_bytes": thumb_bytes, "post": post}


def test_every_readable_entry_is_archived_beside_broken_ones(runs: dict) -> None:
    archive = runs["archive"]
    posts = {_front(t)["title"]: t for t in _posts(archive, "third").values()}
    assert set(posts) == {"标题", "无前缀", "笑", "括号", "之后"}       # UTF-8 under an iso-8859-1 label
    assert "smile 😀" in posts["笑"]
    assert "skipped 1 (entry-too-deep)" in runs["first"].stderr
    assert "Traceback" not in runs["first"].stderr


def test_a_quadratic_feed_no_longer_stalls_the_run(runs: dict) -> None:
    assert "先" in [_front(t)["title"] for t in _posts(runs["archive"], "hostile").values()]
    assert runs["seconds"] < 60, runs["seconds"]


def test_a_feed_without_title_is_labelled_with_its_site(runs: dict) -> None:
    [post] = _posts(runs["archive"], "untitled").values()
    front = _front(post)
    assert front["categories"] == ["untitled"] and front["author"] == "untitled"


def test_many_crawlers_no_telnet_and_each_counts_its_own_errors(runs: dict) -> None:
    res = runs["first"]
    assert res.returncode == 4, res.stderr[-3000:]          # the broken feed's layout alarm
    report = res.stderr[res.stderr.rfind("archive: "):]
    assert "broken: layout alarm" in report
    assert "error(s) logged" not in report, report
    assert "Traceback" not in res.stderr and "CannotListenError" not in res.stderr


def test_images_stored_in_the_format_their_name_says(runs: dict) -> None:
    images = [p for p in (runs["archive"] / "images").rglob("*.*") if not p.name.startswith(".")]
    assert {p.suffix for p in images} >= {".jpg", ".png"}
    for p in images:
        with Image.open(p) as im:
            assert {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}[im.format] == p.suffix
    [anim] = [p for p in images if p.suffix == ".png" and "thumbs" not in p.parts]
    with Image.open(anim) as im:
        assert im.n_frames == 3 and max(im.size) == 64


def test_hostile_images_are_counted_refusals_not_errors(runs: dict) -> None:
    log = runs["first"].stderr
    assert re.search(r"Image \S+/img/bomb\.gif \(refused/bomb\)", log), log[-3000:]
    assert re.search(r"Image \S+/img/bad\.tif \(failed/not_image\)", log)
    assert "More samples per pixel" not in log                 # Pillow's own ERROR line
    third = next(line for line in runs["first"].stdout.splitlines() if line.startswith("third: "))
    assert third.startswith("third: 5 new"), third


def test_files_honour_the_umask(runs: dict) -> None:
    archive = runs["archive"]
    files = [*(archive / "_posts").glob("*.md"), *(p for p in (archive / "images").rglob("*.*"))]
    assert files
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o644, p


def test_stale_image_temp_files_are_removed_and_thumbnails_are_rebuilt_alike(runs: dict) -> None:
    assert not runs["stale"].exists()
    assert "write-failed" not in runs["second"].stderr, runs["second"].stderr[-3000:]
    assert runs["post"].is_file()
    assert runs["thumb"].read_bytes() == runs["thumb_bytes"]


# --- a full disk under images/ --------------------------------------------------------------

def _can_mount() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True)
    return probe.returncode == 0


def test_a_full_disk_keeps_the_run_unfinished_and_the_next_run_stores_the_images(tmp_path: Path) -> None:
    if not _can_mount():
        pytest.skip("cannot mount a tmpfs in a user namespace here")
    _site(tmp_path / "site")
    (tmp_path / "site" / "third.xml").write_bytes(_feed([ENTRIES[0], ENTRIES[5]]))
    archive = tmp_path / "archive"
    images = archive / "images"
    images.mkdir(parents=True)
    full = ("unshare", "-rm", "sh", "-c",
            f'mount -t tmpfs -o size=32k tmpfs "{images}" && '
            f'(dd if=/dev/zero of="{images}/filler" bs=1k count=64 2>/dev/null; true) && exec "$@"', "sh")
    with FixtureServer(tmp_path / "site") as srv:
        res = _archive(srv, archive, prefix=full, feeds=("third",))
        assert res.returncode == 1, res.stderr[-3000:]
        assert "No space left on device" in res.stderr[res.stderr.rfind("archive: "):]
        assert "skipped 1 (write-failed)" in res.stderr
        titles = [_front(t)["title"] for t in _posts(archive, "third").values()]
        assert titles == ["之后"]                    # the post without images is archived
        assert not (archive / ".newsarchive" / "third.finished").exists()
        again = _archive(srv, archive, feeds=("third",))           # space is back
    assert again.returncode == 0, again.stderr[-3000:]
    posts = {_front(t)["title"]: t for t in _posts(archive, "third").values()}
    assert re.search(r'<img src="/images/\w\w/\w+\.jpg"', posts["标题"])
    assert (archive / ".newsarchive" / "third.finished").exists()
