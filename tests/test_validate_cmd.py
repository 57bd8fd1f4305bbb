"""`scrapy validate FILE…`: exit codes, diffs and clear errors (a real subprocess)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crawler import fixturecrawl
from tests.helpers import ROOT, SEED_POST, corpus_posts, need_corpus, nonstandard_posts


def validate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "validate", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_seed_and_corpus_validate() -> None:
    need_corpus()       # never silently the seed post alone
    res = validate(str(SEED_POST), *map(str, corpus_posts()))
    assert res.returncode == 0, res.stderr
    assert f"{1 + len(corpus_posts())} ok, 0 failed" in res.stdout


def test_without_files_every_fixture_portal_is_crawled_and_matches() -> None:
    portals = fixturecrawl.portals()
    assert {"ofweek", "ithome"} <= {p.site for p in portals}
    res = validate()
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    for portal in portals:
        for case in portal.cases:
            assert f"{portal.site}/{case['name']}: ok" in lines
    assert lines[-1] == f"{sum(len(p.cases) for p in portals)} ok, 0 failed"


def test_nonstandard_posts_are_reported_with_a_diff() -> None:
    need_corpus()
    res = validate(*map(str, nonstandard_posts()))
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert "-⎵⎵⎵⎵-⎵AcFun↵" in res.stderr and "+⎵-⎵AcFun↵" in res.stderr      # indentation
    assert "-⎵-⎵⎵-⎵news↵" in res.stderr and "+⎵-⎵news↵" in res.stderr       # nested category
    assert f"0 ok, {len(nonstandard_posts())} failed" in res.stderr


def test_a_changed_byte_is_shown(tmp_path: Path) -> None:
    bad = tmp_path / "post.md"
    bad.write_bytes(SEED_POST.read_bytes().rstrip(b" "))            # trailing spaces lost
    res = validate(str(bad))
    assert res.returncode == 1
    assert "+⎵⎵⎵⎵⎵⎵⎵⎵⎵⎵⎵⎵∅" in res.stderr


def test_broken_posts_are_named_without_traceback(tmp_path: Path) -> None:
    cases = {
        "nofm.md": b"just text\n",
        "yaml.md": b"\n---\ntitle: 'x\n---\n\n",
        "missing.md": b"\n---\ntitle: 'x'\nauthor: a\n---\n\n",
        "latin1.md": b"\n---\ntitle: '\xe9'\n---\n",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    res = validate(*(str(tmp_path / n) for n in cases), str(tmp_path / "absent.md"))
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    for needle in ["nofm.md: no front matter", "yaml.md: front matter is not valid YAML",
                   "missing.md: missing field(s): date", "latin1.md: not UTF-8",
                   "absent.md: cannot read"]:
        assert needle in res.stderr


def test_an_editors_final_newline_is_named(tmp_path: Path) -> None:
    """Issue 13, case 9: the change is named and the diff is the change, not a re-wrapping."""
    post = tmp_path / "post.md"
    post.write_bytes(SEED_POST.read_bytes() + b"\n")
    crlf = tmp_path / "crlf.md"
    crlf.write_bytes(SEED_POST.read_bytes().replace(b"\n", b"\r\n") + b"\r\n")
    res = validate(str(post), str(crlf))
    assert res.returncode == 1
    assert f"{post}: not canonical: a final newline was added" in res.stderr
    assert (f"{crlf}: not canonical: line ends were changed to CRLF and a final newline was added"
            in res.stderr)
    first = res.stderr.split(str(crlf))[0]           # post.md's report: the change alone
    assert "-⎵⎵⎵⎵⎵⎵⎵⎵⎵⎵⎵⎵↵\n+⎵⎵⎵⎵⎵⎵⎵⎵⎵⎵⎵⎵∅" in first
    assert "<div>" not in first                       # no second wrapper in the diff


def test_a_folder_validates_every_post_under_it(tmp_path: Path) -> None:
    """Issue 13, case 10."""
    (tmp_path / "_posts" / "sub").mkdir(parents=True)
    (tmp_path / "_posts" / "a.md").write_bytes(SEED_POST.read_bytes())
    (tmp_path / "_posts" / "sub" / "b.md").write_bytes(SEED_POST.read_bytes() + b"x")
    (tmp_path / "_posts" / "notes.txt").write_text("not a post")
    (tmp_path / "empty").mkdir()
    res = validate(str(tmp_path / "_posts"), str(tmp_path / "empty"))
    assert res.returncode == 1
    assert f"{tmp_path / '_posts' / 'a.md'}: ok" in res.stdout
    assert f"{tmp_path / '_posts' / 'sub' / 'b.md'}: not canonical" in res.stderr
    assert f"{tmp_path / 'empty'}: no post (*.md) in this folder" in res.stderr
    assert "Is a directory" not in res.stderr
    assert res.stderr.rstrip().endswith("1 ok, 2 failed")
