"""Decoding OFweek's pages, which declare gb2312 or gbk."""
from __future__ import annotations


class DecodeError(ValueError):
    """Bytes that are not valid GB18030 (the page is skipped, not guessed at)."""


def decode_gb(body: bytes) -> str:
    """Decode as GB18030 whatever the page declares.

    GB2312 and GBK are subsets of GB18030, and pages labelled gb2312 often carry GBK or
    GB18030 characters (镕, ㈱, •, Extension A ideographs …) that a strict gb2312 or gbk
    decoder would reject or replace.
    """
    try:
        return body.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DecodeError(f"not GB18030 at byte {exc.start}: {exc.reason}") from None
