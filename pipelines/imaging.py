"""Pillow work for the local images pipeline: probe, check, resize, encode.

Everything here is pure (bytes in, bytes out) and thread-safe, so the pipeline runs
it in a thread pool, off the reactor thread.

Rules:
- Accepted formats: JPEG (MPO counts as JPEG), PNG, GIF, WebP. Each is stored in its
  own format; an image that needs no resizing is stored as the original bytes (after
  a full decode that proves it is not truncated or corrupt), so a JPEG is re-encoded
  only when it is resized and an animated GIF/WebP keeps every frame.
- The header is checked before any pixel is decoded: more than `max_pixels` pixels
  in a frame (or an animation decoding to far more in total) is a decompression bomb.
- JPEGs are decoded with `draft()`: libjpeg scales by 1/2, 1/4 or 1/8 while decoding,
  so a 24 Mpx photo meant for 1600 px is never held at full size.
- Images are only scaled down, never up.
- A resized PNG (or APNG) is encoded at zlib level 1, run-length strategy (`PNG_LEVEL`);
  when that is not smaller than the original file, again at level 9, and the smaller of the
  two is kept (an image that fits `max_size` is stored as its original bytes).
  Format, mode (so transparency) and every frame are kept either way.
- The thumbnail `process` makes from the decoded pixels is used only when it has the
  bytes `thumbnail_of` would make from the stored file (`Processed.thumb_exact`: the
  stored file is the original, or a lossless re-encode of the same pixels: PNG), so a
  run killed between the two writes ends with the same bytes.
"""

from __future__ import annotations

import io
import logging
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

# Our own pixel limit (checked from the header) replaces Pillow's global one; its
# warning would otherwise be logged for every image between the two limits.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
# Pillow's plugins log what they cannot decode (an unsupported TIFF …) at ERROR: the pipeline
# counts and logs every image it does not store, so these would only count twice, as errors.
logging.getLogger("PIL").setLevel(logging.CRITICAL)

EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
ALIASES = {"MPO": "JPEG"}
ANIMATION_PIXEL_FACTOR = 4  # an animation may decode at most 4 × max_pixels in all frames
JPEG_QUALITY = 85
# zlib level of a re-encoded PNG: level 1 with the run-length strategy (Z_RLE suits PNG's
# filtered rows) is ~5x faster than Pillow's default (level 6) for about the same bytes (a
# photo: +2 %; line art: smaller). When that is not smaller than the original file, the PNG
# is encoded again at level 9 (`_no_larger`), and the smaller of the two is kept.
PNG_LEVEL = 1
PNG_LEVEL_MAX = 9
WEBP_QUALITY = 85
_ORIENTATION = 0x0112


class ImageRejected(Exception):
    """An image that is not stored. `kind` is "refused" (by policy) or "failed"."""

    def __init__(self, kind: str, reason: str, detail: str = ""):
        super().__init__(f"{kind}/{reason}" + (f": {detail}" if detail else ""))
        self.kind = kind
        self.reason = reason
        self.detail = detail


@dataclass
class Encoded:
    data: bytes
    format: str  # JPEG, PNG, GIF or WEBP
    width: int
    height: int


@dataclass
class Processed:
    full: Encoded
    resized: bool
    thumb: Encoded | None
    thumb_exact: bool = False  # thumb == thumbnail_of(full.data): see the rules above


def fit(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """`size` scaled down (never up) to fit in `box`, keeping the aspect ratio."""
    w, h = size
    scale = min(box[0] / w, box[1] / h, 1.0)
    if scale >= 1.0:
        return w, h
    return max(1, round(w * scale)), max(1, round(h * scale))


def looks_like_svg(data: bytes, content_type: str = "") -> bool:
    if "svg" in content_type.lower():
        return True
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<svg") or (
        head.startswith((b"<?xml", b"<!doctype svg", b"<!--")) and b"<svg" in head
    )


def open_checked(data: bytes, max_pixels: int) -> tuple[Image.Image, str]:
    """Open `data` lazily (header only) and apply the format and pixel checks."""
    try:
        im = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ImageRejected("refused", "bomb", str(exc)) from None
    except UnidentifiedImageError:
        raise ImageRejected("failed", "not_image") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRejected("failed", "corrupt", str(exc)) from None
    fmt = ALIASES.get(im.format or "", im.format or "")
    if fmt not in EXTENSIONS:
        raise ImageRejected("failed", "format", str(im.format))
    w, h = im.size
    if w <= 0 or h <= 0:
        raise ImageRejected("failed", "corrupt", f"size {w}x{h}")
    if w * h > max_pixels:
        raise ImageRejected("refused", "bomb", f"{w}x{h} > {max_pixels} pixels")
    if fmt != "JPEG" and getattr(im, "is_animated", False):
        try:
            frames = getattr(im, "n_frames", 1)  # walks the frame headers, decodes no pixels
        except Image.DecompressionBombError as exc:  # a frame's extents past Pillow's limit
            raise ImageRejected("refused", "bomb", str(exc)) from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ImageRejected("failed", "corrupt", str(exc)) from None
        if frames * w * h > ANIMATION_PIXEL_FACTOR * max_pixels:
            raise ImageRejected("refused", "bomb", f"{frames} frames of {w}x{h}")
    return im, fmt


def _oriented_box(im: Image.Image, box: tuple[int, int]) -> tuple[int, int]:
    """The box in the file's own (untransposed) orientation."""
    try:
        orientation = im.getexif().get(_ORIENTATION, 1)
    except Exception:
        orientation = 1
    return (box[1], box[0]) if orientation in (5, 6, 7, 8) else box


def _draft(im: Image.Image, box: tuple[int, int]) -> None:
    """Let libjpeg decode at the smallest 1/2^n scale still at least the target size."""
    target = fit(im.size, _oriented_box(im, box))
    if target != im.size:
        im.draft("RGB" if im.mode in ("RGB", "CMYK", "YCbCr") else None, target)


def _resizable(im: Image.Image) -> Image.Image:
    if im.mode in ("L", "LA", "RGB", "RGBA"):
        return im
    if im.mode == "1":
        return im.convert("L")
    if im.mode == "CMYK":
        return im.convert("RGB")
    return im.convert("RGBA")


def _resize(im: Image.Image, box: tuple[int, int]) -> Image.Image:
    target = fit(im.size, box)
    im = _resizable(im)
    if target == im.size:
        return im
    return im.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _png_options(level: int) -> dict[str, int]:
    strategy = zlib.Z_RLE if level == PNG_LEVEL else zlib.Z_DEFAULT_STRATEGY
    return {"compress_level": level, "compress_type": strategy}


def _no_larger(encoded: bytes, original: bytes, again: Callable[[], bytes]) -> bytes:
    """`encoded` when smaller than the original file, else the smaller of it and `again()`."""
    if len(encoded) < len(original):
        return encoded
    return min(encoded, again(), key=len)


def _encode_still(im: Image.Image, fmt: str, info: dict, png_level: int = PNG_LEVEL) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        if im.mode not in ("L", "RGB"):
            im = im.convert("RGB")
        im.save(out, "JPEG", quality=JPEG_QUALITY, icc_profile=info.get("icc_profile"))
    elif fmt == "PNG":
        im.save(out, "PNG", icc_profile=info.get("icc_profile"), **_png_options(png_level))
    elif fmt == "GIF":
        im.save(out, "GIF")
    else:
        im.save(out, "WEBP", quality=WEBP_QUALITY, icc_profile=info.get("icc_profile"))
    return out.getvalue()


def _encode_frames(
    frames: list[Image.Image], durations: list[int], fmt: str, loop: int, png_level: int = PNG_LEVEL
) -> bytes:
    out = io.BytesIO()
    kwargs = {"save_all": True, "append_images": frames[1:], "duration": durations, "loop": loop}
    if fmt == "GIF":
        frames[0].save(out, "GIF", disposal=2, optimize=False, **kwargs)
    elif fmt == "PNG":  # APNG: the name says .png
        frames[0].save(out, "PNG", disposal=1, **_png_options(png_level), **kwargs)
    else:
        frames[0].save(out, "WEBP", quality=WEBP_QUALITY, **kwargs)
    return out.getvalue()


def _load(im: Image.Image) -> None:
    try:
        im.load()
    except Image.DecompressionBombError as exc:
        raise ImageRejected("refused", "bomb", str(exc)) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRejected("failed", "corrupt", str(exc)) from None


def _verify_frames(im: Image.Image) -> None:
    """Decode every frame (one at a time) to prove the file is whole."""
    try:
        for frame in ImageSequence.Iterator(im):
            frame.load()
    except Image.DecompressionBombError as exc:  # a frame's extents past the limit
        raise ImageRejected("refused", "bomb", str(exc)) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRejected("failed", "corrupt", str(exc)) from None


def _thumb(im: Image.Image, fmt: str, box: tuple[int, int], info: dict) -> Encoded:
    t = _resize(im, box)
    return Encoded(_encode_still(t, fmt, info), fmt, *t.size)


def process(
    data: bytes,
    max_size: int,
    max_pixels: int,
    thumb_box: tuple[int, int] | None = None,
    exact_thumb_only: bool = False,
) -> Processed:
    """Check, decode, scale down to fit `max_size` and encode `data`.

    With `thumb_box`, also a still thumbnail (first frame) fitting that box, made from
    the already decoded (and, for JPEG, drafted) pixels; with `exact_thumb_only`, only
    when it is `thumb_exact` (else `thumb` is None).
    """
    im, fmt = open_checked(data, max_pixels)
    box = (max_size, max_size)
    info = dict(im.info)
    animated = fmt != "JPEG" and getattr(im, "is_animated", False)
    size = im.size

    if not animated:
        needs_resize = fit(im.size, box) != im.size
        if fmt == "JPEG":
            if needs_resize:
                _draft(im, box)
            elif thumb_box is not None:
                _draft(im, thumb_box)  # only when the original bytes are kept
        _load(im)
        if fmt == "JPEG":
            ImageOps.exif_transpose(im, in_place=True)  # no copy when upright
        if needs_resize:
            small = _resize(im, box)
            encoded = _encode_still(small, fmt, info)
            if fmt == "PNG":
                encoded = _no_larger(encoded, data, lambda: _encode_still(small, fmt, info, PNG_LEVEL_MAX))
            full = Encoded(encoded, fmt, *small.size)
            base = small
        else:
            full = Encoded(data, fmt, *size)
            base = im
        exact = not needs_resize or fmt == "PNG"
        if thumb_box is None or (exact_thumb_only and not exact):
            return Processed(full, needs_resize, None)
        return Processed(full, needs_resize, _thumb(base, fmt, thumb_box, info), exact)

    # Animated GIF / WebP: keep every frame.
    if fit(im.size, box) == im.size:
        _verify_frames(im)
        im.seek(0)
        thumb = None
        if thumb_box is not None and not exact_thumb_only:
            thumb = _thumb(im.convert("RGBA"), fmt, thumb_box, info)
        return Processed(Encoded(data, fmt, *im.size), False, thumb)

    frames: list[Image.Image] = []
    durations: list[int] = []
    loop = int(info.get("loop", 0) or 0)
    try:
        for frame in ImageSequence.Iterator(im):
            durations.append(int(frame.info.get("duration", 100) or 100))
            frames.append(_resize(frame.convert("RGBA"), box))
    except Image.DecompressionBombError as exc:
        raise ImageRejected("refused", "bomb", str(exc)) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRejected("failed", "corrupt", str(exc)) from None
    encoded = _encode_frames(frames, durations, fmt, loop)
    if fmt == "PNG":
        encoded = _no_larger(
            encoded, data, lambda: _encode_frames(frames, durations, fmt, loop, PNG_LEVEL_MAX)
        )
    full = Encoded(encoded, fmt, *frames[0].size)
    thumb = (
        _thumb(frames[0], fmt, thumb_box, info) if thumb_box is not None and not exact_thumb_only else None
    )
    return Processed(full, True, thumb)


def thumbnail_of(data: bytes, max_pixels: int, thumb_box: tuple[int, int]) -> Encoded:
    """A still thumbnail of an already stored image (drafted when it is a JPEG)."""
    im, fmt = open_checked(data, max_pixels)
    info = dict(im.info)
    if fmt == "JPEG":
        _draft(im, thumb_box)
    _load(im)
    if fmt == "JPEG":
        ImageOps.exif_transpose(im, in_place=True)  # no copy when upright
    elif im.mode == "P":
        im = im.convert("RGBA")
    return _thumb(im, fmt, thumb_box, info)
