"""`scrapy validate [FILE …]`: check that posts are canonical seed-format posts.

Each FILE must read and render back to identical bytes; on a mismatch a unified diff
(invisible characters made visible) is printed and the exit code is 1.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand

from crawler import config, fixturecrawl, postformat
from crawler.textdiff import visible_diff


def check_post(data: bytes, name: str) -> str | None:
    """None when `data` is a canonical post, else a report of what is wrong (what an
    editor changed, when undoing it gives a canonical post)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"{name}: not UTF-8 ({exc})"
    report = check_text(text, name)
    if report is None:
        return None
    edits, repaired = undo_editor_changes(text)
    if edits and check_text(repaired, name) is None:
        return (
            f"{name}: not canonical: {' and '.join(edits)} (an editor's doing?); "
            "the diff with the canonical post:\n" + visible_diff(text, repaired, name)
        )
    return report


def check_text(text: str, name: str) -> str | None:
    try:
        rendered = postformat.render(postformat.read(text))
    except postformat.FormatError as exc:
        return f"{name}: {exc}"
    if rendered == text:
        return None
    return f"{name}: not canonical, rendering it back gives:\n" + visible_diff(text, rendered, name)


# What editors do to a file on save, and how to undo it (each tried in this order).
EDITOR_CHANGES = (
    ("a byte order mark was added at the start", lambda t: t[1:] if t.startswith("\ufeff") else t),
    ("line ends were changed to CRLF", lambda t: t.replace("\r\n", "\n")),
    ("a final newline was added", lambda t: t.rstrip("\r\n") if t.rstrip("\r\n").endswith(" ") else t),
)


def undo_editor_changes(text: str) -> tuple[list[str], str]:
    """The editor changes found in `text` (named) and the text with them undone."""
    edits = []
    for what, undo in EDITOR_CHANGES:
        undone = undo(text)
        if undone != text:
            edits.append(what)
            text = undone
    return edits, text


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[FILE ...]"

    def short_desc(self) -> str:
        return "Check posts (or, with no FILE, the seed cases) byte for byte"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-q", "--quiet", action="store_true", help="print failures only")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        config.apply_for_command(self.settings)  # newsarchive.toml, below -s

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            self.exitcode = self._validate_cases(opts)
            return
        failed = empty = 0
        names: list[str] = []
        for name in args:  # a folder: every post (*.md) under it
            found = sorted(map(str, Path(name).rglob("*.md"))) if Path(name).is_dir() else [name]
            if not found:
                failed += 1
                empty += 1
                print(f"{name}: no post (*.md) in this folder", file=sys.stderr)
            names += found
        for name in names:
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
            ok = len(names) - (failed - empty)
            print(f"{ok} ok, {failed} failed", file=sys.stderr if failed else sys.stdout)
        self.exitcode = 1 if failed else 0

    def _validate_cases(self, opts: argparse.Namespace) -> int:
        """Crawl every fixture portal of seeds/ for real and diff the posts with the expected ones."""
        failed = total = 0
        for portal in fixturecrawl.portals():
            with tempfile.TemporaryDirectory(prefix="newsarchive-validate-") as tmp:
                res = fixturecrawl.crawl(
                    portal, Path(tmp), "IMAGES_MODE=remote", spider_args=("-a", "max_pages=100")
                )
                if res.returncode not in (0, 1):  # 1: a deliberately bad item was skipped
                    print(
                        f"{portal.site}: the crawl failed (exit {res.returncode}):\n{res.stderr}",
                        file=sys.stderr,
                    )
                    failed += 1
                    continue
                got = Path(tmp) / "_posts"
                for case in portal.cases:
                    total += 1
                    name = Path(case["expected"]).name
                    expected = (portal.root / case["expected"]).read_bytes()
                    report = compare_case(expected, got / name, f"{portal.site}/{case['name']} ({name})")
                    if report:
                        failed += 1
                        print(report, file=sys.stderr)
                    elif not opts.quiet:
                        print(f"{portal.site}/{case['name']}: ok")
                expected_names = {Path(c["expected"]).name for c in portal.cases}
                for extra in sorted(p.name for p in got.glob("*.md") if p.name not in expected_names):
                    failed += 1
                    print(f"{portal.site}: unexpected post {extra}", file=sys.stderr)
        if not total:
            print(
                f"no seed cases found under {fixturecrawl.SEEDS}/*/cases.json (the fixture portals "
                "come with the source tree: run from a checkout, or name the posts to check)",
                file=sys.stderr,
            )
            return 1
        print(f"{total - min(failed, total)} ok, {failed} failed", file=sys.stderr if failed else sys.stdout)
        return 1 if failed else 0


def compare_case(expected: bytes, produced: Path, name: str) -> str | None:
    if not produced.is_file():
        return f"{name}: not written by the crawl"
    got = produced.read_bytes()
    if got == expected:
        return None
    return f"{name}: differs from the expected post:\n" + visible_diff(
        expected.decode("utf-8", "replace"),
        got.decode("utf-8", "replace"),
        name,
        labels=("expected", "crawled"),
    )
