"""`scrapy validate [FILE …]`: check that posts are canonical seed-format posts.

Each FILE must read and render back to identical bytes; on a mismatch a unified diff
(invisible characters made visible) is printed and the exit code is 1.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand

from crawler import postformat
from crawler.textdiff import visible_diff


def check_post(data: bytes, name: str) -> str | None:
    """None when `data` is a canonical post, else a report of what is wrong."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"{name}: not UTF-8 ({exc})"
    try:
        rendered = postformat.render(postformat.read(text))
    except postformat.FormatError as exc:
        return f"{name}: {exc}"
    if rendered == text:
        return None
    return f"{name}: not canonical, rendering it back gives:\n" + visible_diff(text, rendered, name)


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[FILE ...]"

    def short_desc(self) -> str:
        return "Check posts (or, with no FILE, the seed cases) byte for byte"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-q", "--quiet", action="store_true", help="print failures only")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            self.exitcode = self._validate_cases(opts)
            return
        failed = 0
        for name in args:
            try:
                data = Path(name).read_bytes()
            except OSError as exc:
                report: str | None = f"{name}: cannot read ({exc.strerror})"
            else:
                report = check_post(data, name)
            if report:
                failed += 1
                print(report, file=sys.stderr)
            elif not opts.quiet:
                print(f"{name}: ok")
        if not opts.quiet or failed:
            print(f"{len(args) - failed} ok, {failed} failed", file=sys.stderr if failed else sys.stdout)
        self.exitcode = 1 if failed else 0

    def _validate_cases(self, opts: argparse.Namespace) -> int:
        try:
            from crawler.seedcases import validate_all
        except ImportError:
            print("no seed cases to validate yet; name post files to check", file=sys.stderr)
            return 2
        return validate_all(quiet=opts.quiet)
