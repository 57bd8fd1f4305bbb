"""The seed format: byte-exact render/read, YAML safety, safe file names and writes."""
from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from crawler import postformat as pf
from crawler.items import Article
from tests.helpers import SEED_POST, corpus_params, corpus_posts, nonstandard_posts

BEIJING = timezone(timedelta(hours=8))


def safe_ids(values: list[str]) -> list[str]:
    """Test ids made of plain characters: mutmut selects tests by id on a command line, where
    ids holding quotes, backslashes or brackets are not found."""
    return [f"{i}-" + "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in v)[:40]
            for i, v in enumerate(values)]


def text_of(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def test_seed_reads_with_the_values_written_in_it() -> None:
    a = pf.read(text_of(SEED_POST))
    assert a.title == "小米汽车正式落户北京经开区，将建设年产量30万辆的整车工厂，2024年首车下线"
    assert a.categories == ["新媒体", "高科技行业门户", "新闻"]
    assert a.author == "高科技行业门户"
    assert a.published == "Sun, 28 Nov 2021 02:38:00 GMT"
    assert a.headimg == a.thumbnail == (
        "https://mp.ofweek.com/Upload/News/Img/member2589/202111/27152452720903.png")
    assert a.comments is False
    assert a.body.startswith('<p style="text-align:center"><img alt=')
    assert a.body.endswith("文章摘自 电车汇 20211127 发自北京</p> \n")


def test_render_from_fields_gives_the_seed_bytes() -> None:
    raw = text_of(SEED_POST)
    body = raw[raw.index("<div>   \n") + 9:raw.rindex("  \n</div>\n")]
    article = Article(
        title="小米汽车正式落户北京经开区，将建设年产量30万辆的整车工厂，2024年首车下线",
        categories=["新媒体", "高科技行业门户", "新闻"],
        author="高科技行业门户",
        published=datetime(2021, 11, 28, 10, 38, tzinfo=BEIJING),
        headimg="https://mp.ofweek.com/Upload/News/Img/member2589/202111/27152452720903.png",
        thumbnail="https://mp.ofweek.com/Upload/News/Img/member2589/202111/27152452720903.png",
        body=body,
    )
    assert pf.encode(pf.render(article)) == SEED_POST.read_bytes()


def test_wrapper_bytes() -> None:
    out = pf.render(Article(title="t", author="a", published="2021-01-01 00:00:00", body="B"))
    assert out.startswith("\n---\ntitle: 't'\ncategories: \nheadimg: ''\nauthor: a\n")
    assert out.endswith("---\n\n<div>   \nB  \n</div>\n" + " " * 12)
    assert not out.endswith("\n")


@pytest.mark.parametrize("path", corpus_params(corpus_posts()))
def test_corpus_post_round_trips_byte_for_byte(path: Path) -> None:
    raw = path.read_bytes()
    assert pf.encode(pf.render(pf.read(raw.decode("utf-8")))) == raw


@pytest.mark.parametrize("path", corpus_params(nonstandard_posts()))
def test_nonstandard_post_reads(path: Path) -> None:
    a = pf.read(text_of(path))
    assert a.title and a.author and a.published
    assert all(isinstance(c, str) and c for c in a.categories)


def test_double_quotes_for_titles_with_apostrophes() -> None:
    out = pf.render(Article(title="Vivy -Fluorite Eye's Song-", author="x", published="d"))
    assert "\ntitle: \"Vivy -Fluorite Eye's Song-\"\n" in out


def test_dates() -> None:
    utc = datetime(2022, 2, 9, 6, 53, 38, tzinfo=timezone.utc)
    assert pf.format_date(utc) == "Wed, 09 Feb 2022 06:53:38 GMT"
    assert pf.format_date(datetime(2021, 11, 28, 10, 38, tzinfo=BEIJING)) == "Sun, 28 Nov 2021 02:38:00 GMT"
    assert pf.format_date("2021-10-28 14:08:07") == "2021-10-28 14:08:07"
    assert pf.format_date("x: y") == "'x: y'"
    with pytest.raises(pf.FormatError):
        pf.format_date(datetime(2021, 1, 1))           # naive: timezone unknown
    with pytest.raises(pf.FormatError):
        pf.format_date(None)


def test_braces_are_escaped_in_bodies() -> None:
    out = pf.render(Article(title="t", author="a", published="d", body="<p>{{ x }} {% y %}</p>"))
    assert "<p>&#123;&#123; x &#125;&#125; &#123;% y %&#125;</p>" in out
    assert "{" not in out and "}" not in out


# Each of these must come back as the same string from PyYAML and from Hexo.
TRAPS = ["1e3", "+1e3", "2E10", "0o17", "0x1F", "1_000", "1:20", "no", "No", "yes", "on", "off",
         "y", "n", "null", "Null", "~", "true", "FALSE", ".inf", "-.inf", ".nan", "2021-11-28",
         "2021-11-28 10:38", "a: b", "a #b", "@home", "`x`", "&a", "*a", "!!python/object",
         "|", ">", "- x", "-", "?", "? x", "%x", "'q'", '"q"', "it's", "a\tb", "a\nb", "\r",
         "=", "<<", " lead", "trail ", "", "\x00\x07\x1b", "\u2028", "\ufeff", "\x85", "---",
         "...", "# c", "{a: 1}", "[1, 2]", "Hi, DIYgod", "IT 之家", "199IT", "a\\b", "'\"\\",
         "😀 emoji", "\U0010ffff", "\x7f", "\x9f"]


@pytest.mark.parametrize("s", TRAPS, ids=safe_ids(TRAPS))
def test_pyyaml_reads_back_every_trap(s: str) -> None:
    out = pf.render(Article(title=s or "t", author=s, categories=[s], published="d"))
    fm, _ = pf.split(out)
    data = yaml.safe_load(fm)
    assert data["title"] == (s or "t")
    assert data["author"] == s
    assert data["categories"] == [s]
    assert pf.read(out).author == s


def test_plain_scalars_only_where_safe() -> None:
    assert pf.scalar("Hi, DIYgod") == "Hi, DIYgod"
    assert pf.scalar("IT 之家") == "IT 之家"
    assert pf.scalar("199IT") == "199IT"
    for s in ["1e3", "no", "null", "~", "2021-11-28", "a: b", "a #b", "@x", "-x", "", " x"]:
        assert pf.scalar(s) != s


# --- file names and writes -----------------------------------------------------

BAD_IDS = ["../x", "..", "%2e%2e/x", "/etc/passwd", "a\x00b", "a/b", "C:\\x", "." * 300, "-rf"]


@pytest.mark.parametrize("bad", BAD_IDS, ids=safe_ids(BAD_IDS))
def test_post_paths_never_leave_posts_folder(tmp_path: Path, bad: str) -> None:
    path = pf.post_path(tmp_path, "ofweek", bad)
    assert path.parent == tmp_path / "_posts"
    assert path.name.startswith("ofweek-") and path.name.endswith(".md")
    assert "/" not in path.name and "\x00" not in path.name


def test_post_paths_keep_plain_ids(tmp_path: Path) -> None:
    assert pf.post_path(tmp_path, "ofweek", "a256714604647").name == "ofweek-a256714604647.md"
    with pytest.raises(pf.FormatError):
        pf.post_path(tmp_path, "../x", "1")
    with pytest.raises(pf.FormatError):
        pf.post_path(tmp_path, "ofweek", "")


def test_write_atomic(tmp_path: Path) -> None:
    path = tmp_path / "_posts" / "s-1.md"
    assert pf.write_atomic(path, b"one") is True
    assert pf.write_atomic(path, b"one") is False            # same bytes: untouched
    assert pf.write_atomic(path, b"two") is True
    assert path.read_bytes() == b"two"
    assert os.listdir(path.parent) == ["s-1.md"]


def test_post_file_names_are_stable_and_named_errors(tmp_path: Path) -> None:
    # A name once written must stay the same across versions (the index and a rerun find the
    # post by it): 16 hex digits of sha1 for ids that are not plain tokens, lone surrogates too.
    assert pf.post_filename("ofweek", "../x") == "ofweek-72e4d01dd8ef43d8.md"
    assert pf.post_filename("ofweek", "a\ud800b") == "ofweek-71a9f34d7be85d85.md"
    with pytest.raises(pf.FormatError, match="bad site name ''"):
        pf.post_filename("", "1")
    with pytest.raises(pf.FormatError, match="bad site name '../x'"):
        pf.post_filename("../x", "1")
    with pytest.raises(pf.FormatError) as exc:
        pf.post_filename("ofweek", "")
    assert str(exc.value) == "no article id"


def test_post_path_never_follows_a_link_out_of_posts(tmp_path: Path) -> None:
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "ofweek-1.md").symlink_to(tmp_path / "elsewhere.md")
    pf.check_inside(pf.post_path(tmp_path, "ofweek", "2"))  # no post yet: nothing to follow
    with pytest.raises(pf.FormatError, match="leaves"):
        pf.check_inside(pf.post_path(tmp_path, "ofweek", "1"))


def test_write_atomic_goes_through_a_named_temp_file_beside_the_post(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Same folder (the rename is atomic), a name the stale-temp cleanup knows (kill -9 leftovers),
    # the folders made as needed and the mode open() would give.
    path = tmp_path / "archive" / "_posts" / "s-1.md"
    replaced: list[Path] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        replaced.append(Path(src))
        real_replace(src, dst)

    monkeypatch.setattr(pf.os, "replace", spy)
    assert pf.write_atomic(path, b"one") is True
    [tmp] = replaced
    assert tmp.parent == path.parent
    assert tmp.name.startswith(".newsarchive-") and tmp.name.endswith(".tmp")
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_failed_write_keeps_the_old_post(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "_posts" / "s-1.md"
    pf.write_atomic(path, b"good")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pf.os, "replace", boom)
    with pytest.raises(OSError):
        pf.write_atomic(path, b"broken")
    assert path.read_bytes() == b"good"
    assert os.listdir(path.parent) == ["s-1.md"]            # no temp file left behind


BAD_POSTS = [
    ("no front matter here", "no front matter"),
    ("\n---\ntitle: 'x'\n", "not closed"),
    ("\n---\ntitle: 'x\nauthor: a\n---\n\nbody", "not valid YAML"),
    ("\n---\ntitle: 'x'\nauthor: a\n---\n\nbody", "missing field(s): date"),
    ("\n---\n- a\n- b\n---\n\nbody", "not a mapping"),
    ("\n---\ntitle: x\nauthor: a\ndate: d\ncomments: maybe\n---\n", "comments must be"),
]


@pytest.mark.parametrize("text, what", BAD_POSTS, ids=safe_ids([w for _, w in BAD_POSTS]))
def test_bad_posts_are_named_errors(text: str, what: str) -> None:
    with pytest.raises(pf.FormatError) as exc:
        pf.read(text)
    assert what in str(exc.value)


TITLE_LINES = [
    ("it's a\\b", 'title: "it\'s a\\\\b"'),              # `'` and `\`: escaped double quotes
    ("it's \\n", 'title: "it\'s \\\\n"'),
    ('it\'s "q"', 'title: "it\'s \\"q\\""'),
    ("it's plain", 'title: "it\'s plain"'),              # `'` alone: unescaped double quotes
]


@pytest.mark.parametrize("title, line", TITLE_LINES, ids=safe_ids([t for t, _ in TITLE_LINES]))
def test_titles_with_apostrophe_and_backslash_read_back_exactly(title: str, line: str) -> None:
    out = pf.render(Article(title=title, author="x", published="d"))
    assert f"\n{line}\n" in out
    assert pf.read(out).title == title
    assert yaml.safe_load(line)["title"] == title        # and any YAML reader agrees


# --- exact escapes, names and messages (cases found by mutation testing, tests/README.md) -----

@pytest.mark.parametrize("ch, written", [
    ("\xa0", "\xa0"), ("\ud7ff", "\ud7ff"), ("\ue000", "\ue000"), ("\ufffd", "\ufffd"),
    ("\uff00", "\uff00"), ("\u202a", "\u202a"), ("\U00010000", "\U00010000"), ("\U0010ffff", "\U0010ffff"),
    ("\x9f", "\\x9F"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"), ("\ufeff", "\\uFEFF"),
    ("\ufffe", "\\uFFFE"), ("\uffff", "\\uFFFF"), ("\ud800", "\\uD800"),
], ids=lambda v: f"U+{ord(v[0]):04X}" if len(v) == 1 else "")
def test_escaped_double_quotes_keep_printable_characters_and_escape_the_rest(ch: str, written: str) -> None:
    # YAML 1.1/1.2 printable set, minus the line breaks U+2028/9 and the BOM
    assert pf.quoted("it's \\" + ch) == f'"it\'s \\\\{written}"'


def test_plain_scalars_refuse_a_trailing_colon_and_brackets_only() -> None:
    assert pf.scalar("a:") != "a:"
    assert pf.scalar("a[b") != "a[b" and pf.scalar("a}") != "a}"
    assert pf.scalar("Xbox") == "Xbox"


def test_dates_are_written_in_utc_whatever_the_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    import time
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert pf.format_date(datetime(2021, 11, 28, 10, 38, tzinfo=BEIJING)) == "Sun, 28 Nov 2021 02:38:00 GMT"
    finally:
        monkeypatch.undo()
        time.tzset()


def message(call: object, *args: object) -> str:
    with pytest.raises(pf.FormatError) as exc:
        call(*args)  # type: ignore[operator]
    return str(exc.value)


FM = "\n---\ntitle: t\nauthor: a\ndate: d\n{}---\n"


def test_exact_format_errors() -> None:
    assert message(pf.format_date, datetime(2021, 1, 1)) == "naive datetime: the date's timezone is unknown"
    assert message(pf.format_date, None) == "no date"
    assert message(pf.render, Article(author="a", published="d")) == "no title"
    assert message(pf.read, "x") == "no front matter: the post must start with '---' (after one newline)"
    assert message(pf.read, "\n---\ntitle: t\n") == "front matter is not closed by a '---' line"
    assert message(pf.read, "\n---\n---\n") == "front matter is not a mapping of keys to values"
    assert message(pf.read, "\n---\nauthor: a\n---\n") == "missing field(s): title, date"
    assert message(pf.read, "\n---\ntitle: ''\nauthor: a\ndate: d\n---\n") == "empty title"
    assert message(pf.read, FM.format("headimg: [x]\n")) == "'headimg' is not a string (got list)"
    assert message(pf.read, FM.format("thumbnail: {a: b}\n")) == "'thumbnail' is not a string (got dict)"
    assert message(pf.read, FM.format("comments: [x]\n")) == "'comments' is not a string (got list)"
    assert message(pf.read, "\n---\ntitle: [t]\nauthor: a\ndate: d\n---\n") == "'title' is not a string (got list)"
    assert message(pf.read, "\n---\ntitle: t\nauthor: [a]\ndate: d\n---\n") == "'author' is not a string (got list)"
    assert message(pf.read, "\n---\ntitle: t\nauthor: a\ndate: [d]\n---\n") == "'date' is not a string (got list)"
    assert message(pf.read, FM.format("categories: {a: b}\n")) == "categories: unexpected dict"
    assert message(pf.read, FM.format("categories: [a, {b: c}]\n")) == "categories: unexpected dict"


def test_reading_keeps_comments_unknown_keys_and_a_body_holding_dashes() -> None:
    post = pf.read_post(FM.format("comments: true\nheadimg: h\nextra: 1\nmore: 2\n") + "\nbody\n---\nmore\n")
    assert post.article.comments is True
    assert post.unknown_keys == ["extra", "more"]
    assert post.article.body == "\nbody\n---\nmore\n"
    bare = pf.read_post("---\ntitle: t\nauthor: a\ndate: d\n---\n")   # no leading newline: read too
    assert (bare.article.title, bare.article.headimg, bare.article.thumbnail, bare.unknown_keys) == ("t", "", "", [])
    assert bare.article.comments is False
    assert pf.render(Article(title="t", author="a", published="d", comments=True)).count("\ncomments: true\n") == 1


def test_full_width_and_no_break_spaces_stay_plain() -> None:
    # YAML trims only spaces and tabs around a plain scalar: U+3000 / U+00A0 are content
    for s in ["作者\u3000", "\u3000作者", "a\xa0"]:
        assert pf.scalar(s) == s
        assert yaml.safe_load(f"k: {s}\n")["k"] == s


def test_a_body_ending_like_the_wrapper_is_not_unwrapped() -> None:
    text = FM.format("") + "\nbody" + pf.WRAP_CLOSE
    assert pf.read(text).body == "\nbody" + pf.WRAP_CLOSE
