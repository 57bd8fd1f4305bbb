"""`scrapy archive [SITE ...]`: the cron entry point.

Runs every site and every feed of ARCHIVE_FEEDS (or the named ones) in one process
under the archive's lock (a crawler per portal, one crawl of the feed spider for all the
feeds), prints nothing when all is well (a summary line per site and per feed with -v)
and a short report on stderr otherwise.

Exit codes: 0 all well; 1 some articles failed (or a post could not be written); 2 usage or
configuration error (an unwritable ARCHIVE_DIR too); 3 another run holds the lock; 4 layout
alarm (a portal changed its pages); 5 blocked (a portal answered with an anti-bot stub, a
challenge, a login wall or 403-like statuses); 130 interrupted (Ctrl-C). `scrapy crawl`
runs through the same checks and codes (`Runner`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

from crawler import config, sources
from crawler.archive import ArchiveLock, ArchiveLocked, ArchiveUnwritable, check_writable
from crawler.checks import setting_errors, unknown_arguments
from crawler.parsers.blocked import HINT
from crawler.sites import SITES
from crawler.spiders.base import check_settings

OK, FAILED, USAGE, LOCKED, LAYOUT, BLOCKED, INTERRUPTED = 0, 1, 2, 3, 4, 5, 130
SEVERITY = (OK, FAILED, BLOCKED, LAYOUT)  # a run's code: its sites' most severe


def outcome(name: str, stats: dict[str, Any]) -> tuple[int, list[str], str]:
    """A run's exit code (OK, FAILED, LAYOUT or BLOCKED), its problems, and its summary line.
    A layout alarm outranks blocked (a parser to fix), which outranks failed articles."""
    line, problems = summarize(name, stats)
    blocked = stats.get("newsarchive/skipped/blocked", 0)
    if stats.get("newsarchive/layout_alarm"):
        return LAYOUT, [f"{name}: layout alarm (see the log above)", *problems], line
    if blocked:
        return (
            BLOCKED,
            [
                f"{name}: blocked: {blocked} page(s) refused by the site (anti-bot stub, "
                f"challenge, login wall or HTTP 403/412/418/451); {HINT}",
                *problems,
            ],
            line,
        )
    return (FAILED if problems else OK), problems, line


# Skips that are no article's failure: a list's links to other sites (gitee.com …).
NOT_FAILURES = ("not-an-article",)


def summarize(name: str, stats: dict[str, Any]) -> tuple[str, list[str]]:
    """One summary line for a site, and the problems worth reporting."""
    written = stats.get("newsarchive/posts/written", 0)
    unchanged = stats.get("newsarchive/posts/unchanged", 0)
    known = stats.get("newsarchive/already_archived", 0)
    skipped = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("newsarchive/skipped/")}
    requests = stats.get("downloader/request_count", 0)
    line = (
        f"{name}: {written} new, {unchanged} unchanged, {known} already archived, "
        f"{sum(skipped.values())} skipped, {requests} requests"
    )
    problems = [
        f"{name}: skipped {n} ({reason})"
        for reason, n in sorted(skipped.items())
        if reason not in NOT_FAILURES
    ]
    if stats.get("newsarchive/storage_error"):  # full disk, I/O error …: say which
        problems.append(f"{name}: cannot write the archive: {stats['newsarchive/storage_error']}")
    errors = stats.get("log_count/ERROR", 0)
    if errors and not problems:
        problems.append(f"{name}: {errors} error(s) logged")
    # (a page already archived asks for nothing: `scrapy crawl page` run again)
    if not stats.get("downloader/response_count") and not known and stats.get("finish_reason") == "finished":
        problems.append(f"{name}: nothing could be fetched")
    return line, problems


def outcomes(name: str, crawler: Crawler) -> list[tuple[int, list[str], str]]:
    """`outcome` of a crawler, or of each of its sources (a many-feed crawl: one line per
    feed, then what no feed accounts for, such as an error logged outside any feed)."""
    stats = crawler.stats.get_stats() if crawler.stats else {}
    keys = getattr(crawler.spider, "report_sources", None)
    if not keys:
        return [outcome(name, stats)]
    shared = getattr(crawler.spider, "claims", None) is not None
    results: list[tuple[int, list[str], str]] = []
    views: list[dict[str, Any]] = []
    every = sources.source_stats(stats, keys)
    for key in keys:
        view = every[key]
        views.append(view)
        if shared and not view.get("downloader/request_count"):  # REDIS_URL: another worker's
            results.append((OK, [], f"{key}: read by another worker"))
        else:
            results.append(outcome(key, view))
    left = [
        f"{name}: skipped {n} ({k.rsplit('/', 1)[1]})"
        for k, v in sorted(stats.items())
        if k.startswith("newsarchive/skipped/") and k.rsplit("/", 1)[1] not in NOT_FAILURES
        for n in [v - sum(view.get(k, 0) for view in views)]
        if n > 0
    ]
    if stats.get("newsarchive/storage_error") and not any(v.get("newsarchive/storage_error") for v in views):
        left.append(f"{name}: cannot write the archive: {stats['newsarchive/storage_error']}")
    errors = stats.get("log_count/ERROR", 0) - sum(v.get("log_count/ERROR", 0) for v in views)
    if errors > 0 and not left and not any(problems for _, problems, _ in results):
        left.append(f"{name}: {errors} error(s) logged")
    if left:
        results.append((FAILED, left, ""))
    return results


FEED_KEYS = {"url", "site", "categories", "author", "fulltext"}


def load_feeds(value: Any) -> list[dict[str, str]]:
    """ARCHIVE_FEEDS: a list of {"url", "site", "categories", "author", "fulltext"}, given as such in
    settings.py, as JSON text, or as the path of a JSON file (-s ARCHIVE_FEEDS=feeds.json)."""
    if not value:
        return []
    if isinstance(value, str):
        text = value
        if not value.lstrip().startswith("["):
            try:
                text = Path(value).read_text(encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"ARCHIVE_FEEDS: cannot read {value}: {exc.strerror}") from None
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise UsageError(f"ARCHIVE_FEEDS: not JSON: {exc}") from None
    if not isinstance(value, list):
        raise UsageError("ARCHIVE_FEEDS: expected a list of feeds")
    feeds = []
    for n, feed in enumerate(value, 1):
        if not isinstance(feed, dict) or not feed.get("url") or not feed.get("site") or set(feed) - FEED_KEYS:
            raise UsageError(
                f'ARCHIVE_FEEDS: feed {n} needs "url" and "site" '
                f"(and may have {', '.join(sorted(FEED_KEYS - {'url', 'site'}))})"
            )
        cats = feed.get("categories", "")
        feeds.append(
            {
                **{k: str(v) for k, v in feed.items() if k != "categories"},
                **(
                    {
                        "categories": json.dumps(cats, ensure_ascii=False)
                        if isinstance(cats, list)
                        else str(cats)
                    }
                    if cats
                    else {}
                ),
            }
        )
    return feeds


class Runner:
    """Runs spiders the way `scrapy archive` does, for it and for `scrapy crawl`: settings,
    `-a` names and the archive folder checked first (exit 2), under the lock (exit 3), then
    a summary line per site (on stdout when `verbose`), a report on stderr, the exit code."""

    prog = "archive"
    settings: Any
    crawler_process: Any

    def run_jobs(
        self, jobs: list[tuple[str, str, dict[str, Any]]], verbose: bool, spargs: dict[str, str]
    ) -> int:
        errors = setting_errors(self.settings)
        try:
            check_settings(self.settings)
        except ValueError as exc:
            errors.append(str(exc))
        unknown, known = unknown_arguments(
            (self.crawler_process.spider_loader.load(spider) for _, spider, _ in jobs), spargs
        )
        if unknown:
            errors.append(
                f"unknown argument(s): {', '.join(f'-a {n}' for n in unknown)} (known: {', '.join(known)})"
            )
        if errors:
            print("\n".join(f"{self.prog}: {e}" for e in errors), file=sys.stderr)
            return USAGE
        if verbose or sys.stderr.isatty():  # under cron: silent unless wrong
            self.settings.set("PROGRESS", True, priority="cmdline")
        try:
            check_writable(self.settings.get("ARCHIVE_DIR"))
            lock = ArchiveLock(self.settings.get("ARCHIVE_DIR"))
            lock.acquire()
        except ArchiveUnwritable as exc:
            print(f"{self.prog}: {exc}", file=sys.stderr)
            return USAGE
        except ArchiveLocked as exc:
            print(f"{self.prog}: {exc}; not running", file=sys.stderr)
            return LOCKED
        try:
            return self._crawl(jobs, verbose, spargs)
        finally:
            lock.release()

    @staticmethod
    def watch_start(done: Any, name: str, errors: list[str]) -> None:
        """Collect the error of a crawl that could not start (a bad -a value …) in `errors`."""
        if hasattr(done, "addErrback"):  # Twisted reactor: a Deferred
            done.addErrback(lambda f: errors.append(f"{name}: {f.getErrorMessage()}"))
        else:  # asyncio: a Task

            def failed(task: Any) -> None:
                if not task.cancelled() and task.exception() is not None:
                    errors.append(f"{name}: {task.exception()}")

            done.add_done_callback(failed)

    def _crawl(
        self, jobs: list[tuple[str, str, dict[str, Any]]], verbose: bool, spargs: dict[str, str]
    ) -> int:
        assert self.crawler_process is not None
        crawlers: list[tuple[str, Crawler]] = []
        startup_errors: list[str] = []
        for name, spider, own_args in jobs:
            crawler = self.crawler_process.create_crawler(spider)
            crawlers.append((name, crawler))
            self.watch_start(
                self.crawler_process.crawl(crawler, **{**spargs, **own_args}), name, startup_errors
            )
        self.crawler_process.start()
        if startup_errors:
            print(f"{self.prog}: could not start:\n  " + "\n  ".join(startup_errors), file=sys.stderr)
            return USAGE
        codes, report, summary = [OK], [], []
        for name, crawler in crawlers:
            for code, problems, line in outcomes(name, crawler):
                codes.append(code)
                summary.append(line)
                report += problems
        if verbose:
            print("\n".join(line for line in summary if line))
        # Ctrl-C (or SIGTERM): Scrapy closed the spiders with reason "shutdown".
        if any(c.stats and c.stats.get_value("finish_reason") == "shutdown" for _, c in crawlers):
            print(f"{self.prog}: interrupted; the next run completes the archive", file=sys.stderr)
            return INTERRUPTED
        if report:
            print(f"{self.prog}: " + "\n  ".join(report), file=sys.stderr)
        return max(codes, key=SEVERITY.index)


class Command(Runner, ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[SITE ...]"

    def short_desc(self) -> str:
        return "Archive new articles of every site (cron entry point; see README for exit codes)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-v", "--verbose", action="store_true", help="print a summary")
        parser.add_argument(
            "-a",
            dest="spargs",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="spider argument for every site run (e.g. -a start_url=URL)",
        )

    def process_spargs(self, opts: argparse.Namespace) -> dict[str, str]:
        try:
            return dict(x.split("=", 1) for x in opts.spargs)
        except ValueError:
            raise UsageError("-a takes NAME=VALUE", print_help=False) from None

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        config.apply_for_command(self.settings)  # newsarchive.toml, below -s
        # Quiet unless something is wrong (the project's INFO log is for `scrapy crawl`).
        if self.settings.getpriority("LOG_LEVEL") < SETTINGS_PRIORITIES["cmdline"]:
            self.settings.set("LOG_LEVEL", "ERROR", priority="spider")

    def jobs(self, args: list[str]) -> list[tuple[str, str, dict[str, str]]]:
        """(name, spider, spider arguments) of every run asked for: the sites (spiders
        named after them) and the feeds of ARCHIVE_FEEDS, or those named in `args`."""
        assert self.crawler_process is not None
        loader = self.crawler_process.spider_loader
        available = set(loader.list())
        jobs: list[tuple[str, str, dict[str, str]]] = [
            (n, n, {}) for n in [*sorted(SITES), *getattr(loader, "config_portals", ())] if n in available
        ]  # built-in portals, then newsarchive.toml's
        names = {name for name, _, _ in jobs}
        for feed in load_feeds(self.settings.get("ARCHIVE_FEEDS")):
            if feed["site"] in names:
                raise UsageError(f"ARCHIVE_FEEDS: site {feed['site']!r} is used twice")
            names.add(feed["site"])
            jobs.append((feed["site"], "feed", feed))
        args = args or self.settings.getlist("ARCHIVE_SITES")  # newsarchive.toml: archive.sites
        if args:
            known = {name for name, _, _ in jobs}
            unknown = [n for n in args if n not in known]
            if unknown:
                raise UsageError(f"unknown site(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
            asked = set(args)
            jobs = [j for j in jobs if j[0] in asked]
        return jobs

    @staticmethod
    def one_feed_crawl(jobs: list[tuple[str, str, dict[str, Any]]]) -> list[tuple[str, str, dict[str, Any]]]:
        """The feeds' jobs as one crawl of the feed spider (each feed a request of it);
        the portals keep a crawler each."""
        feeds = [args for _, spider, args in jobs if spider == "feed"]
        portals = [job for job in jobs if job[1] != "feed"]
        return [*portals, ("feeds", "feed", {"feeds": feeds})] if feeds else portals

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            jobs = self.jobs(args)
            spargs = self.process_spargs(opts)
            if "start_url" in spargs and len(args) != 1:
                raise UsageError(
                    "-a start_url needs exactly one site named (e.g. scrapy archive ofweek -a start_url=URL)"
                )
        except UsageError as exc:
            print(f"archive: {exc}", file=sys.stderr)
            self.exitcode = USAGE
            return
        self.exitcode = self.run_jobs(self.one_feed_crawl(jobs), opts.verbose, spargs)
