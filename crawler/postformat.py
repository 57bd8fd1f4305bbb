"""The seed format: the one module that knows how a post is written and read.

A post is a Hexo Markdown file with YAML front matter, byte for byte as the seed
document (see seeds/ and FORMAT.md):

    \\n---\\ntitle: '…'\\ncategories: \\n - …\\nheadimg: '…'\\nauthor: …\\ncomments: false\\n
    date: Sun, 28 Nov 2021 02:38:00 GMT\\nthumbnail: '…'\\n---\\n\\n<div>   \\n<body>  \\n</div>\\n
    followed by twelve spaces and no final newline.

`render(article)` gives those bytes (as str); `read(text)` gives the Article back, so
that `render(read(text)) == text` for every canonical post. `write_atomic` puts a
post on disk without ever exposing a partial file.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import yaml
from frontmatter.default_handlers import YAMLHandler

from crawler.items import Article

OPEN = "\n---\n"
CLOSE = "---\n\n"
WRAP_OPEN = "<div>   \n"
WRAP_CLOSE = "  \n</div>\n" + " " * 12
TEMP_SUFFIX = ".tmp"  # temp files in _posts/ never end in .md, so Hexo ignores them
TEMP_PREFIX = ".newsarchive-"


class FormatError(ValueError):
    """A text that is not a post in the seed format (with what is wrong)."""


# --- YAML scalars -----------------------------------------------------------


def _is_literal_char(ch: str) -> bool:
    """Characters both PyYAML and js-yaml take verbatim inside a one-line quoted scalar."""
    o = ord(ch)
    return (
        0x20 <= o <= 0x7E
        or (0xA0 <= o <= 0xD7FF and o not in (0x2028, 0x2029))  # YAML line breaks
        or (0xE000 <= o <= 0xFFFD and o != 0xFEFF)
        or 0x10000 <= o <= 0x10FFFF
    )


def _double_quoted(s: str) -> str:
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif _is_literal_char(ch):
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02X}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(f"\\U{ord(ch):08X}")
    return '"' + "".join(out) + '"'


def quoted(s: str) -> str:
    """A quoted YAML scalar, in the generator's style.

    Single quotes when the string has no `'`; double quotes without escapes when it has
    `'` but no `"` or `\\` (the corpus writes such titles so); escaped double quotes
    for anything else, including control characters and line breaks.
    """
    if all(_is_literal_char(ch) for ch in s):
        if "'" not in s:
            return f"'{s}'"
        if '"' not in s and "\\" not in s:
            return f'"{s}"'
    return _double_quoted(s)


_RESOLVER = yaml.resolver.Resolver()
# YAML 1.2 core schema as js-yaml (Hexo's reader) resolves plain scalars, plus its
# timestamp and merge types; PyYAML's YAML 1.1 resolver is asked separately.
_YAML12_IMPLICIT = re.compile(
    r"""^(?:
        ~|null|Null|NULL
      | true|True|TRUE|false|False|FALSE
      | [-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0o[0-7_]+|[0-9][0-9_]*)
      | [-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?
      | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)
      | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*
      | <<
    )$""",
    re.VERBOSE | re.DOTALL,
)
_PLAIN_FIRST_FORBIDDEN = set("-?:,[]{}#&*!|>'\"%@`=~<")


def plain_is_safe(s: str) -> bool:
    """True when `s` can be written unquoted and every YAML reader gives `s` back."""
    if not s or s != s.strip(" ") or s[0] in _PLAIN_FIRST_FORBIDDEN:
        return False
    if not all(_is_literal_char(ch) for ch in s):  # also rules out tabs and line breaks
        return False
    if ": " in s or " #" in s or s.endswith(":") or any(c in s for c in "[]{}"):
        return False
    if _YAML12_IMPLICIT.match(s):
        return False
    return _RESOLVER.resolve(yaml.ScalarNode, s, (True, False)) == "tag:yaml.org,2002:str"


def scalar(s: str) -> str:
    """Plain where safe (authors, categories such as `Hi, DIYgod`), quoted otherwise."""
    return s if plain_is_safe(s) else quoted(s)


# --- dates ------------------------------------------------------------------

_VERBATIM_DATE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z ,:+\-./]*$")


def format_date(published: datetime | str | None) -> str:
    """RFC 822 in GMT for datetimes; a source's date string is kept verbatim."""
    if isinstance(published, datetime):
        if published.tzinfo is None:
            raise FormatError("naive datetime: the date's timezone is unknown")
        return format_datetime(published.astimezone(UTC), usegmt=True)
    if not published:
        raise FormatError("no date")
    if _VERBATIM_DATE.match(published) and ": " not in published and " #" not in published:
        return published
    return quoted(published)


# --- render -----------------------------------------------------------------


def escape_braces(body: str) -> str:
    """`{`/`}` as `&#123;`/`&#125;`, so Hexo's template engine never sees `{{`/`{%`."""
    return body.replace("{", "&#123;").replace("}", "&#125;")


def render(article: Article) -> str:
    """The post for `article`, byte for byte in the seed format."""
    if not article.title:
        raise FormatError("no title")
    lines = [
        OPEN,
        f"title: {quoted(article.title)}\n",
        "categories: \n",
        *(f" - {scalar(c)}\n" for c in article.categories),
        f"headimg: {quoted(article.headimg)}\n",
        f"author: {scalar(article.author)}\n",
        f"comments: {'true' if article.comments else 'false'}\n",
        f"date: {format_date(article.published)}\n",
        f"thumbnail: {quoted(article.thumbnail)}\n",
        CLOSE,
        WRAP_OPEN,
        escape_braces(article.body),
        WRAP_CLOSE,
    ]
    return "".join(lines)


# --- read -------------------------------------------------------------------

_FIELDS = ("title", "categories", "headimg", "author", "comments", "date", "thumbnail")
_REQUIRED = ("title", "author", "date")


@dataclass
class ReadPost:
    article: Article
    unknown_keys: list[str]


def _as_text(value: object, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    raise FormatError(f"{key!r} is not a string (got {type(value).__name__})")


def _flatten(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _flatten(v)]
    raise FormatError(f"categories: unexpected {type(value).__name__}")


def split(text: str) -> tuple[str, str]:
    """Front matter and content of a post (content starts after the closing `---` line)."""
    start = text[1:] if text.startswith("\n") else text
    if not start.startswith("---\n"):
        raise FormatError("no front matter: the post must start with '---' (after one newline)")
    end = start.find("\n---\n", 3)
    if end < 0:
        raise FormatError("front matter is not closed by a '---' line")
    return start[4 : end + 1], start[end + 5 :]


def read(text: str) -> Article:
    """Read a post back into an Article (strings as written, dates verbatim)."""
    return read_post(text).article


def read_post(text: str) -> ReadPost:
    fm, content = split(text)
    try:
        # BaseLoader: every scalar stays a string (dates verbatim, no 1e3 → float).
        meta = YAMLHandler().load(fm, Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        raise FormatError(f"front matter is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise FormatError("front matter is not a mapping of keys to values")
    missing = [k for k in _REQUIRED if meta.get(k) is None]
    if missing:
        raise FormatError(f"missing field(s): {', '.join(missing)}")
    for key in ("title", "date"):
        if not meta[key]:
            raise FormatError(f"empty {key}")
    comments = _as_text(meta.get("comments"), "comments") or "false"
    if comments not in ("true", "false"):
        raise FormatError(f"comments must be true or false, not {comments!r}")
    if content.startswith("\n" + WRAP_OPEN) and content.endswith(WRAP_CLOSE):
        body = content[len(WRAP_OPEN) + 1 : len(content) - len(WRAP_CLOSE)]
    else:
        body = content
    article = Article(
        title=_as_text(meta["title"], "title"),
        categories=_flatten(meta.get("categories")),
        headimg=_as_text(meta.get("headimg"), "headimg"),
        author=_as_text(meta["author"], "author"),
        comments=comments == "true",
        published=_as_text(meta["date"], "date"),
        thumbnail=_as_text(meta.get("thumbnail"), "thumbnail"),
        body=body,
    )
    return ReadPost(article, [k for k in meta if k not in _FIELDS])


# --- files ------------------------------------------------------------------

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")


def post_filename(site: str, article_id: str) -> str:
    """`<site>-<id>.md`; ids that are not plain tokens are replaced by a hash of them."""
    import hashlib

    if not _SAFE_ID.match(site or ""):
        raise FormatError(f"bad site name {site!r}")
    if not article_id:
        raise FormatError("no article id")
    if not _SAFE_ID.match(article_id):
        article_id = hashlib.sha1(article_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{site}-{article_id}.md"


def post_path(archive_dir: str | os.PathLike[str], site: str, article_id: str) -> Path:
    return Path(archive_dir) / "_posts" / post_filename(site, article_id)


def check_inside(path: Path) -> None:
    """Belt and braces, before a post is written: its name is one safe component, so the
    path leaves its folder only when the post is a symlink (resolved then; one lstat
    otherwise, made in the writer's thread, not the reactor's)."""
    if os.path.islink(path) and path.resolve().parent != path.parent.resolve():
        raise FormatError(f"post path {path} leaves {path.parent}")


# The process's umask, read once at import (os.umask can only be read by setting it, which
# is not thread-safe; images are written from worker threads).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def write_atomic(path: Path, data: bytes, sync_dir: Callable[[Path], None] | None = None) -> bool:
    """Write `data` to `path` via a temp file in the same folder, fsync, rename and fsync
    the folder (with `sync_dir` when given: `crawler.durable.DirSync` groups those syncs).

    Returns False (and leaves the file alone) when `path` already holds these bytes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # as open() would (mkstemp makes it 0600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if sync_dir is not None:
        sync_dir(path.parent)
        return True
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return True


def encode(text: str) -> bytes:
    return text.encode("utf-8")
