"""Every layout version a portal declares is read from a fixture page by a real crawl (as
Fundus keeps a saved page per parser version): crawl every fixture portal of the spider and
collect `newsarchive/layout/<site>/<version>`; a declared version no fixture page matches is a
version nobody has seen work.

The same crawls show each case exercising every field the format writes: a title, a date, a
body, and a head image (the body's first web image, else the placeholder); each portal with
an image in some body heads a post with it.
A last test reads the README's lists of skip reasons and exit codes and finds each produced
(asserted) by some test."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from crawler import fixturecrawl, postformat
from tests.portalcrawl import crawl

PORTALS = fixturecrawl.portals()
SPIDERS = sorted({p.spider for p in PORTALS})


@pytest.mark.parametrize("spider", SPIDERS)
def test_every_declared_version_is_read_from_a_fixture_page(tmp_path: Path, spider: str) -> None:
    portals = [p for p in PORTALS if p.spider == spider]
    cls = portals[0].spider_class()
    seen: dict[str, int] = {}
    for n, portal in enumerate(portals):
        res, stats = crawl(portal, tmp_path / str(n), args=("-a", "max_pages=100"))
        assert res.returncode in (0, 1), res.stderr[-2000:]        # 1: a case's deliberate skip
        check_fields(portal, tmp_path / str(n) / "_posts")
        prefix = f"newsarchive/layout/{cls.site_key}/"
        for key, count in stats.items():
            if key.startswith(prefix):
                seen[key.removeprefix(prefix)] = seen.get(key.removeprefix(prefix), 0) + count
    declared = {x.name for x in cls.layouts}
    assert declared and set(seen) <= declared, (seen, declared)
    assert declared - set(seen) == set(), f"{spider}: no fixture page reads as {declared - set(seen)}"


# a web image in a body as written (remote image mode), and the seed system's placeholder
FIRST_IMG = re.compile(r"""<img\b[^>]*?\ssrc\s*=\s*["']?((?:https?:)?//[^"'\s>]+)""", re.I)
PLACEHOLDER = re.compile(r"https://picsum\.photos/400/300\?random=\d+")


def check_fields(portal: fixturecrawl.Portal, posts: Path) -> None:
    """Each case's post carries every field; the portal shows the head image rule."""
    heads: set[str] = set()
    for case in portal.cases:
        if not case.get("expected"):
            continue                                 # a deliberate skip (its own tests)
        name = Path(case["expected"]).name
        path = posts / name
        assert path.is_file(), f"{portal.site}/{case['name']}: {name} not written"
        a = postformat.read(path.read_text(encoding="utf-8"))
        where = f"{portal.site}/{case['name']}"
        assert a.title.strip() and a.published and a.body.strip(), where
        first = FIRST_IMG.search(a.body)
        if first:
            assert a.headimg == first.group(1).replace("&amp;", "&"), (where, a.headimg, first.group(1))
            heads.add("image")
        else:
            assert PLACEHOLDER.fullmatch(a.headimg), (where, a.headimg)
            heads.add("placeholder")
        assert a.thumbnail == a.headimg, where
    assert heads, f"{portal.site}: no case writes a post"


# --- every skip reason and exit code the README lists is produced by some test -------------

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_skip_reasons() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index("Skip reasons: ")
    para = text[start: text.index("\n\n", start)]
    return re.findall(r"`([a-z][\w<>-]*)`", para)


def readme_exit_codes() -> list[int]:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("Exit codes ("):]
    table = table[: table.index("\n\n", table.index("| code |"))]
    return [int(c) for c in re.findall(r"^\| (\d+) \|", table, re.M)]


def all_test_sources() -> str:
    root = Path(__file__).resolve().parent
    files = [p for p in root.rglob("*.py") if p.name != Path(__file__).name and "node_modules" not in p.parts]
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def test_the_readme_lists_are_read() -> None:
    reasons, codes = readme_skip_reasons(), readme_exit_codes()
    assert {"no-layout", "write-failed", "http-<status>", "no-labels"} <= set(reasons), reasons
    assert codes == [0, 1, 2, 3, 4, 5, 130]


@pytest.mark.parametrize("reason", readme_skip_reasons())
def test_every_readme_skip_reason_is_produced_by_a_test(reason: str) -> None:
    # a reason is produced where a test counts or expects it: a stats key `skipped/<reason>`,
    # a log's `(<reason>)`, or the reason quoted as a case's expected outcome
    name = re.escape(reason).replace(re.escape("<status>"), r"\d{3}").replace(
        re.escape("<reason>"), r"[a-z][a-z-]*")
    if "<" in reason:   # a template: its instances the README lists are checked each, else
        listed = [r for r in readme_skip_reasons() if "<" not in r and re.fullmatch(name, r)]
        if listed:
            return
        pattern = rf"skipped/{name}\b|\({name}\)"          # only in a skip's context
    else:
        pattern = rf"skipped/{name}\b|\({name}\)|[\"']{name}[\"']"
    assert re.search(pattern, all_test_sources()), f"no test produces the skip reason {reason!r}"


@pytest.mark.parametrize("code", readme_exit_codes())
def test_every_readme_exit_code_is_asserted_by_a_test(code: int) -> None:
    pattern = rf"returncode\s*==\s*{code}\b|returncode,[^\n]*\)\s*==\s*\({code}\b"
    assert re.search(pattern, all_test_sources()), f"no test asserts exit code {code}"
