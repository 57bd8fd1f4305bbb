"""Decoding OFweek's pages, which declare gb2312 or gbk."""

from __future__ import annotations


class DecodeError(ValueError):
    """Bytes that are neither UTF-8 nor GB18030 (the page is skipped, not guessed at)."""


def decode_gb(body: bytes) -> str:
    """Decode as GB18030 whatever the page declares, unless the bytes are really UTF-8.

    GB2312 and GBK are subsets of GB18030, and pages labelled gb2312 often carry GBK or
    GB18030 characters (镕, ㈱, •, Extension A ideographs …) that a strict gb2312 or gbk
    decoder would reject or replace. A page that is valid UTF-8 and not plain ASCII is
    read as UTF-8 (a mislabelled page): Chinese text in GBK is practically never valid
    multi-byte UTF-8, while UTF-8 read as GB18030 gives mojibake or an error.
    """
    if not body.isascii():
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            pass
    try:
        return body.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DecodeError(f"neither UTF-8 nor GB18030 (at byte {exc.start}: {exc.reason})") from None
