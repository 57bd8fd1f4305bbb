"""Write stand-in images at the image paths a fixture portal's posts use (site/<path>).

The real images are unknown (not mirrored); these generated pictures (flat shapes and
gradients, format by extension: PNG, GIF, WebP, else JPEG; a few over 1600 px wide) let a
local-mode crawl of the fixture portal (`scrapy demo`, tests) download, resize and
rewrite something real. Run once from the project root: `python seeds/make_images.py SITE`.
"""
from __future__ import annotations

import hashlib
import random
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, ImageDraw

SEEDS = Path(__file__).resolve().parent
SIZES = [(1920, 1080), (1080, 720), (640, 480), (2400, 1600)]


def picture(seed: int, size: tuple[int, int]) -> Image.Image:
    rnd = random.Random(seed)
    im = Image.merge("RGB", (Image.linear_gradient("L").resize(size),
                             Image.linear_gradient("L").rotate(90).resize(size),
                             Image.new("L", size, rnd.randrange(256))))
    draw = ImageDraw.Draw(im)
    w, h = size
    for _ in range(8):
        x, y = rnd.randrange(w), rnd.randrange(h)
        draw.rectangle([x, y, x + w // 6, y + h // 6],
                       fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    return im


def main() -> None:
    here = SEEDS / sys.argv[1]
    urls = sorted({u for post in (here / "expected" / "_posts").glob("*.md")
                   for u in re.findall(r'<img [^>]*src="([^"]+)"', post.read_text("utf-8"))})
    for url in urls:
        path = urlsplit(url).path
        seed = int(hashlib.sha1(path.encode()).hexdigest(), 16)
        im = picture(seed, SIZES[seed % len(SIZES)])
        target = here / "site" / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.lower().endswith(".png"):
            im.quantize(64).save(target, "PNG", optimize=True)
        elif path.lower().endswith(".webp"):
            im.save(target, "WEBP", quality=70)
        elif path.lower().endswith(".gif"):
            frames = [im.quantize(32), im.rotate(180).quantize(32)]
            frames[0].save(target, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
        else:
            im.save(target, "JPEG", quality=70)
        print(f"{target.relative_to(SEEDS)} {im.size[0]}x{im.size[1]} {target.stat().st_size} bytes")


if __name__ == "__main__":
    main()
