"""`newsarchive.toml`: one file for a user's archive (settings, feeds, portals).

Found at `-s CONFIG=PATH`, else `$NEWSARCHIVE_CONFIG`, else `./newsarchive.toml`; none is
fine. Read with the standard library's `tomllib`, checked whole before anything runs: a
bad file is a ConfigError naming the file, the portal and the key (the commands exit 2).
`apply` puts its settings at "project" priority, so `-s` on the command line still wins.
README: "The config file" and "Add a portal" describe every key.
"""

from __future__ import annotations

import codecs
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cssselect import SelectorError
from parsel.csstranslator import HTMLTranslator

ENV = "NEWSARCHIVE_CONFIG"
DEFAULT_NAME = "newsarchive.toml"
DEFAULT_MAX_PAGES = 5
DEFAULT_TIMEZONE = "Asia/Shanghai"
# Names no config portal may take: the built-in spiders that are not portals of SITES.
RESERVED = ("feed", "page")

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_SETTING = re.compile(r"^[A-Z][A-Z0-9_]*$")


class ConfigError(ValueError):
    """A config file that cannot be used: the message names the file, the portal and the key."""


@dataclass(frozen=True)
class PortalRules:
    """One `[[portals]]` entry, checked: what its spider and parser need."""

    name: str
    start_url: str
    hosts: tuple[str, ...]
    categories: tuple[str, ...]
    author: str
    tz: tzinfo
    links: str  # [portals.list]
    title: str  # [portals.article] …
    date: str
    body: str
    charset: str | None = None
    max_pages: int = DEFAULT_MAX_PAGES
    next: str | None = None
    id: re.Pattern[str] | None = None
    date_format: str | None = None
    remove: tuple[str, ...] = ()
    next_page: str | None = None
    images: bool = True  # whether its articles are expected to carry images
    source: str = DEFAULT_NAME  # the file it came from, for messages

    def where(self, key: str) -> str:
        """`portals.article.title in newsarchive.toml`: for the layout alarm and `sites`."""
        return f"{key} in {Path(self.source).name}"


@dataclass
class Config:
    path: Path | None = None
    settings: dict[str, Any] = field(default_factory=dict)  # setting name -> value
    feeds: list[dict[str, Any]] = field(default_factory=list)
    portals: list[PortalRules] = field(default_factory=list)


def find(settings: Any = None) -> Path | None:
    """The config file: CONFIG, else $NEWSARCHIVE_CONFIG, else ./newsarchive.toml if present.
    A file named by CONFIG or the environment must exist."""
    named = (settings.get("CONFIG") if settings is not None else "") or os.environ.get(ENV, "")
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise ConfigError(f"{named}: no such config file")
        return path
    default = Path(DEFAULT_NAME)
    return default if default.is_file() else None


def load(path: Path | None, builtin: tuple[str, ...] = ()) -> Config:
    """Read and check a config file (None: the empty config). `builtin`: the names of the
    built-in portals, which config portals may not take."""
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not TOML: {exc}") from None
    return _Reader(path).read(data, builtin)


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> ConfigError:
        return ConfigError(f"{self.path}: {where}: {message}")

    def table(
        self, value: Any, where: str, keys: set[str], required: frozenset[str] | set[str] = frozenset()
    ) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, "expected a table")

        # `portal 'x': key`, `portal 'x': list.key`, `feeds[1].key`, `key`
        def name(key: str) -> str:
            return f"{where}: {key}" if where.endswith("'") else f"{where}.{key}" if where else key

        for key in value:
            if key not in keys:
                raise self.fail(name(key), f"unknown key (known: {', '.join(sorted(keys))})")
        for key in sorted(required - set(value)):
            raise self.fail(name(key), "missing (required)")
        return value

    def string(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"expected a non-empty string, not {value!r}")
        return value.strip()

    def strings(self, value: Any, where: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise self.fail(where, "expected a non-empty list of strings")
        return tuple(self.string(v, where) for v in value)

    def css(self, value: Any, where: str, *, pseudo: bool = False) -> str:
        """A CSS selector parsel can run; `pseudo`: `::text`/`::attr(name)` allowed."""
        sel = self.string(value, where)
        if not pseudo and "::" in sel:
            raise self.fail(where, f"{sel!r}: must select elements (no ::text or ::attr here)")
        try:
            HTMLTranslator().css_to_xpath(sel)
        except SelectorError as exc:
            raise self.fail(where, f"selector {sel!r} does not parse: {exc}") from None
        return sel

    # --- the file ------------------------------------------------------------
    def read(self, data: dict, builtin: tuple[str, ...]) -> Config:
        self.table(data, "", {"archive", "settings", "feeds", "portals"})
        config = Config(path=self.path)
        portals = data.get("portals", [])
        if not isinstance(portals, list):
            raise self.fail("portals", "expected [[portals]] entries")
        seen: set[str] = set()
        for n, entry in enumerate(portals, 1):
            rules = self.portal(entry, n)
            if rules.name in seen:
                raise self.fail(f"portal {rules.name!r}: name", "used by another portal")
            if rules.name in builtin or rules.name in RESERVED:
                raise self.fail(f"portal {rules.name!r}: name", "is a built-in portal or spider")
            seen.add(rules.name)
            config.portals.append(rules)
        feeds = data.get("feeds", [])
        if not isinstance(feeds, list):
            raise self.fail("feeds", "expected [[feeds]] entries")
        config.feeds = [self.feed(f, n) for n, f in enumerate(feeds, 1)]
        for feed in config.feeds:
            if feed["site"] in seen or feed["site"] in builtin:
                raise self.fail(f"feed {feed['site']!r}: site", "is the name of a portal")
        names = {*builtin, *seen, *(f["site"] for f in config.feeds)}
        if len(config.feeds) != len({f["site"] for f in config.feeds}):
            raise self.fail("feeds", "two feeds have the same site")
        config.settings = {
            **self.settings(data.get("settings", {})),
            **self.archive(data.get("archive", {}), names),
        }
        if config.feeds:
            config.settings["ARCHIVE_FEEDS"] = config.feeds
        return config

    def archive(self, value: Any, names: set[str]) -> dict[str, Any]:
        t = self.table(value, "archive", {"dir", "contact", "images", "sites"})
        out: dict[str, Any] = {}
        if "dir" in t:  # relative to the config file's folder
            out["ARCHIVE_DIR"] = str(
                self.path.parent / Path(self.string(t["dir"], "archive.dir")).expanduser()
            )
        if "contact" in t:
            out["CONTACT"] = self.string(t["contact"], "archive.contact")
        if "images" in t:
            mode = self.string(t["images"], "archive.images")
            if mode not in ("local", "remote"):
                raise self.fail("archive.images", f'must be "local" or "remote", not {mode!r}')
            out["IMAGES_MODE"] = mode
        if "sites" in t:
            sites = self.strings(t["sites"], "archive.sites")
            unknown = [s for s in sites if s not in names]
            if unknown:
                raise self.fail(
                    "archive.sites",
                    f"unknown site(s) {', '.join(unknown)} (known: {', '.join(sorted(names))})",
                )
            out["ARCHIVE_SITES"] = list(sites)
        return out

    def settings(self, value: Any) -> dict[str, Any]:
        t = self.table(value, "settings", set(value) if isinstance(value, dict) else set())
        for name in t:
            if not _SETTING.match(name):
                raise self.fail(f"settings.{name}", "a setting name is upper case (DOWNLOAD_DELAY)")
            if name in ("CONFIG", "ARCHIVE_DIR", "CONTACT", "IMAGES_MODE", "ARCHIVE_FEEDS"):
                raise self.fail(f"settings.{name}", "set it in [archive] or [[feeds]] (or with -s)")
        return dict(t)

    def feed(self, value: Any, n: int) -> dict[str, Any]:
        where = f"feeds[{n}]"
        t = self.table(value, where, {"url", "site", "categories", "author", "fulltext"}, {"url", "site"})
        url = self.string(t["url"], f"{where}.url")
        if urlsplit(url).scheme not in ("http", "https"):
            raise self.fail(f"{where}.url", f"must be an http(s) URL, not {url!r}")
        site = self.string(t["site"], f"{where}.site")
        if not _NAME.match(site):
            raise self.fail(f"{where}.site", f"{site!r}: lower-case letters, digits, - and _")
        feed: dict[str, Any] = {"url": url, "site": site}
        if "categories" in t:
            feed["categories"] = list(self.strings(t["categories"], f"{where}.categories"))
        if "author" in t:
            feed["author"] = self.string(t["author"], f"{where}.author")
        if "fulltext" in t:
            if not isinstance(t["fulltext"], bool):
                raise self.fail(f"{where}.fulltext", "expected true or false")
            if t["fulltext"]:
                feed["fulltext"] = "1"
        return feed

    def portal(self, value: Any, n: int) -> PortalRules:
        name = value.get("name") if isinstance(value, dict) else None
        label = f"portal {name!r}" if isinstance(name, str) else f"portals[{n}]"
        t = self.table(
            value,
            label,
            {
                "name",
                "start_url",
                "hosts",
                "charset",
                "timezone",
                "categories",
                "author",
                "max_pages",
                "list",
                "article",
            },
            {"name", "start_url", "categories", "author", "list", "article"},
        )
        name = self.string(t["name"], f"{label}: name")
        if not _NAME.match(name):
            raise self.fail(
                f"{label}: name",
                f"{name!r}: lower-case letters, digits, - and _ (it names the spider and the posts)",
            )
        label = f"portal {name!r}"
        start = self.string(t["start_url"], f"{label}: start_url")
        parts = urlsplit(start)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self.fail(f"{label}: start_url", f"must be an http(s) URL, not {start!r}")
        host = parts.hostname
        hosts = self.strings(t["hosts"], f"{label}: hosts") if "hosts" in t else (host.removeprefix("www."),)
        charset = None
        if "charset" in t:
            charset = self.string(t["charset"], f"{label}: charset")
            try:
                codecs.lookup(charset)
            except LookupError:
                raise self.fail(f"{label}: charset", f"unknown charset {charset!r}") from None
        tz_name = self.string(t.get("timezone", DEFAULT_TIMEZONE), f"{label}: timezone")
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(
                f"{label}: timezone",
                f"unknown time zone {tz_name!r} (an IANA name such as Asia/Shanghai or UTC)",
            ) from None
        max_pages = t.get("max_pages", DEFAULT_MAX_PAGES)
        if not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 1:
            raise self.fail(f"{label}: max_pages", f"a whole number of at least 1, not {max_pages!r}")
        lst = self.table(t["list"], f"{label}: list", {"links", "next"}, {"links"})
        art = self.table(
            t["article"],
            f"{label}: article",
            {"id", "title", "date", "date_format", "body", "remove", "next_page", "images"},
            {"title", "date", "body"},
        )
        key = f"{label}: article"
        id_regex = None
        if "id" in art:
            pattern = self.string(art["id"], f"{key}.id")
            try:
                id_regex = re.compile(pattern)
            except re.error as exc:
                raise self.fail(f"{key}.id", f"regex '{pattern}' does not compile: {exc}") from None
            if id_regex.groups != 1:
                raise self.fail(
                    f"{key}.id", f"regex '{pattern}' must have exactly one group (it has {id_regex.groups})"
                )
        date_format = None
        if "date_format" in art:
            date_format = self.string(art["date_format"], f"{key}.date_format")
            if "%" not in date_format:
                raise self.fail(
                    f"{key}.date_format",
                    f"{date_format!r} has no %-directive (strftime codes: %Y-%m-%d %H:%M)",
                )
        images = art.get("images", True)
        if not isinstance(images, bool):
            raise self.fail(f"{key}.images", f"true or false, not {images!r}")
        return PortalRules(
            name=name,
            start_url=start,
            hosts=tuple(h.lower() for h in hosts),
            categories=self.strings(t["categories"], f"{label}: categories"),
            author=self.string(t["author"], f"{label}: author"),
            tz=tz,
            links=self.css(lst["links"], f"{label}: list.links"),
            next=self.css(lst["next"], f"{label}: list.next") if "next" in lst else None,
            title=self.css(art["title"], f"{key}.title", pseudo=True),
            date=self.css(art["date"], f"{key}.date", pseudo=True),
            body=self.css(art["body"], f"{key}.body"),
            charset=charset,
            max_pages=max_pages,
            id=id_regex,
            date_format=date_format,
            remove=tuple(
                self.css(r, f"{key}.remove")
                for r in (self.strings(art["remove"], f"{key}.remove") if "remove" in art else ())
            ),
            next_page=self.css(art["next_page"], f"{key}.next_page") if "next_page" in art else None,
            images=images,
            source=str(self.path),
        )


def load_for(settings: Any) -> Config:
    """The config these settings point at (CONFIG, $NEWSARCHIVE_CONFIG, ./newsarchive.toml)."""
    from crawler.sites import SITES

    return load(find(settings), tuple(SITES))


def apply(settings: Any) -> Config:
    """Read the config and put its settings in `settings` at "project" priority, so that
    values given with `-s` (command line priority) win. Raises ConfigError."""
    config = load_for(settings)
    for name, value in config.settings.items():
        settings.set(name, value, priority="project")
    if config.path is not None:
        settings.set(
            "CONFIG", str(config.path.resolve()), priority=max(settings.getpriority("CONFIG") or 0, 20)
        )
    return config


def apply_for_command(settings: Any) -> Config:
    """`apply` for a command's process_options: a bad file is a usage error (exit 2, the
    message naming file, portal and key; no traceback)."""
    from scrapy.exceptions import UsageError

    try:
        return apply(settings)
    except ConfigError as exc:
        raise UsageError(str(exc), print_help=False) from None
