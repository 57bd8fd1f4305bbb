"""Property-based: any Unicode title/author/category comes back unchanged from PyYAML
(YAML 1.1, safe loader) and from Hexo's own front-matter parser (js-yaml, YAML 1.2)."""
from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler import postformat as pf
from crawler.items import Article
from tests.helpers import HEXO_DIR, need_hexo

# Pieces that steer YAML readers: mixed into arbitrary text so hypothesis reaches them.
TOKENS = ["1", "0", "e", "E", "3", ".", "+", "-", "_", "o", "x", ":", " ", "#", "'", '"', "\\",
          "\t", "\n", "\r", "~", "&", "*", "!", "|", ">", "?", "%", "@", "`", "{", "}", "[", "]",
          ",", "=", "<<", "null", "no", "yes", "on", "true", "Off", ".inf", ".NaN", "2021-11-28",
          "10:38", "---", "...", "\u2028", "\x85", "\ufeff", "\x00", "\x7f", "之家", "😀"]
strings = st.one_of(st.text(), st.lists(st.sampled_from(TOKENS), max_size=8).map("".join))

SETTINGS = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def post_for(title: str, author: str, category: str) -> str:
    return pf.render(Article(title=title, author=author, categories=[category], published="d"))


@SETTINGS
@given(title=strings.filter(bool), author=strings, category=strings)
def test_pyyaml_reads_back_the_input(title: str, author: str, category: str) -> None:
    out = post_for(title, author, category)
    data = yaml.safe_load(pf.split(out)[0])
    assert (data["title"], data["author"], data["categories"]) == (title, author, [category])
    back = pf.read(out)
    assert (back.title, back.author, back.categories) == (title, author, [category])
    assert pf.render(back) == out


@pytest.fixture(scope="module")
def hexo_parser() -> Iterator[subprocess.Popen]:
    need_hexo()
    proc = subprocess.Popen(["node", str(HEXO_DIR / "parse_front_matter.js")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
    yield proc
    proc.stdin.close()
    proc.wait(timeout=10)


def hexo_parse(proc: subprocess.Popen, text: str) -> dict:
    proc.stdin.write(json.dumps(text) + "\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


@SETTINGS
@given(title=strings.filter(bool), author=strings, category=strings)
def test_hexo_reads_back_the_input(hexo_parser: subprocess.Popen, title: str, author: str,
                                   category: str) -> None:
    data = hexo_parse(hexo_parser, post_for(title, author, category))
    assert "error" not in data, data
    assert (data["title"], data["author"], data["categories"]) == (title, author, [category])


def test_hexo_parser_is_really_checking(hexo_parser: subprocess.Popen) -> None:
    # The unquoted forms the format avoids are read differently by js-yaml.
    naive = "\n---\ntitle: 1e3\nauthor: 2021-11-28\ncategories: \n - null\n---\n"
    data = hexo_parse(hexo_parser, naive)
    assert data["title"] == 1000 and data["author"] != "2021-11-28" and data["categories"] == [None]
