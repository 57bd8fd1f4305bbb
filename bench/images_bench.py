"""Time and peak RSS to turn a large JPEG into the stored image + thumbnail,
with and without Pillow's draft() (DCT-domain downscaling while decoding).

    /work/venv/bin/python bench/images_bench.py [--size 6000x4000] [--repeat 3]

Each mode runs in its own fresh process, so its peak RSS (VmHWM) is its own;
"peak over baseline" subtracts the RSS the process had before decoding (interpreter,
Pillow, the JPEG bytes).
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MAX_SIZE, THUMB = 1600, (400, 300)


def make_jpeg(size: tuple[int, int]) -> bytes:
    from tests.imageserver import photo

    out = io.BytesIO()
    photo(size, seed=7).save(out, "JPEG", quality=90)
    return out.getvalue()


def peak_rss_kb() -> int:
    """This process's own peak RSS (VmHWM). ru_maxrss is no good here: on Linux a child
    inherits its parent's high-water mark at fork, and keeps it across exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_mode(mode: str, path: str, repeat: int) -> dict:
    from PIL import Image

    from pipelines import imaging

    data = Path(path).read_bytes()
    max_pixels = max(imaging_max_pixels(), Image.open(path).size[0] * Image.open(path).size[1])
    baseline = peak_rss_kb()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        if mode == "draft":  # what the pipeline does
            p = imaging.process(data, MAX_SIZE, max_pixels, THUMB)
            full, thumb = p.full, p.thumb
        else:  # the same work, full-size decode first
            im = Image.open(io.BytesIO(data))
            im.load()
            small = im.resize(
                imaging.fit(im.size, (MAX_SIZE, MAX_SIZE)), Image.Resampling.LANCZOS, reducing_gap=3.0
            )
            out = io.BytesIO()
            small.save(out, "JPEG", quality=imaging.JPEG_QUALITY)
            t = small.resize(imaging.fit(small.size, THUMB), Image.Resampling.LANCZOS)
            tout = io.BytesIO()
            t.save(tout, "JPEG", quality=imaging.JPEG_QUALITY)
            full = imaging.Encoded(out.getvalue(), "JPEG", *small.size)
            thumb = imaging.Encoded(tout.getvalue(), "JPEG", *t.size)
            del im
        times.append(time.perf_counter() - t0)
    peak = peak_rss_kb()
    assert full is not None and thumb is not None  # a photo: both are made
    return {
        "mode": mode,
        "best_s": min(times),
        "mean_s": sum(times) / len(times),
        "peak_rss_mb": peak / 1024,
        "over_baseline_mb": (peak - baseline) / 1024,
        "full": [full.width, full.height, len(full.data)],
        "thumb": [thumb.width, thumb.height, len(thumb.data)],
    }


def imaging_max_pixels() -> int:
    from pipelines.images import IMAGES_MAX_PIXELS

    return IMAGES_MAX_PIXELS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="6000x4000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", nargs=2, metavar=("MODE", "JPEG"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_mode(args.child[0], args.child[1], args.repeat)))
        return

    w, h = (int(v) for v in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        jpeg = Path(tmp) / "big.jpg"
        jpeg.write_bytes(make_jpeg((w, h)))
        print(
            f"JPEG {w}x{h} ({w * h / 1e6:.1f} Mpx, {jpeg.stat().st_size / 1e6:.1f} MB) -> "
            f"fit {MAX_SIZE}px + thumbnail {THUMB[0]}x{THUMB[1]}, best of {args.repeat}"
        )
        print(f"{'mode':<10}{'best s':>9}{'mean s':>9}{'peak RSS MB':>13}{'over base MB':>14}  full / thumb")
        for mode in ("nodraft", "draft"):
            out = subprocess.run(
                [sys.executable, __file__, "--repeat", str(args.repeat), "--child", mode, str(jpeg)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            r = json.loads(out.stdout)
            print(
                f"{mode:<10}{r['best_s']:>9.3f}{r['mean_s']:>9.3f}{r['peak_rss_mb']:>13.1f}"
                f"{r['over_baseline_mb']:>14.1f}  {r['full'][0]}x{r['full'][1]} / "
                f"{r['thumb'][0]}x{r['thumb'][1]}"
            )


if __name__ == "__main__":
    main()
