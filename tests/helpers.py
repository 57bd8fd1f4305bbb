"""Shared test helpers: corpus access, real Hexo, Node processes."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_POST = SEEDS / "000_75903fe598d9effb.txt"
# read-only references, not part of the project (NEWSARCHIVE_TEST_SHARED: elsewhere, or a
# missing folder to see what a run without them loses)
SHARED = Path(os.environ.get("NEWSARCHIVE_TEST_SHARED") or ROOT.parent / "shared").resolve()
CORPUS = SHARED / "corpus"
REALPAGES = SHARED / "realpages"
# every skip for a missing ../shared/ file says this (conftest.py counts them in the summary)
SHARED_ABSENT = "../shared/ is absent"
HEXO_DIR = ROOT / "tests" / "hexo"


def corpus_posts() -> list[Path]:
    """Canonical corpus posts (empty when ../shared/corpus is absent)."""
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.glob("*.md") if p.name != "README.md")


def nonstandard_posts() -> list[Path]:
    return sorted((CORPUS / "nonstandard").glob("*.md")) if CORPUS.is_dir() else []


def realpages() -> list[Path]:
    """The saved real pages under ../shared/realpages (empty when absent)."""
    if not REALPAGES.is_dir():
        return []
    return sorted(p for p in REALPAGES.rglob("*") if p.is_file() and p.parent != REALPAGES)


def need_corpus() -> None:
    if not corpus_posts():
        pytest.skip(f"{SHARED_ABSENT}: corpus")


def need_realpage(path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"{SHARED_ABSENT}: {path.relative_to(SHARED)}")


def corpus_params(posts: list[Path]) -> list:
    """Parameters over corpus posts; one visible skip (not an empty set) when absent."""
    if posts:
        return [pytest.param(p, id=p.name) for p in posts]
    return [pytest.param(None, id="corpus", marks=pytest.mark.skip(reason=f"{SHARED_ABSENT}: corpus"))]


def need_hexo() -> None:
    if not shutil.which("node") or not (HEXO_DIR / "node_modules" / "hexo").is_dir():
        pytest.skip("real Hexo is not installed (./install.sh --dev)")


def hexo_load(source_dir: Path) -> dict[str, dict]:
    """Posts of a Hexo `source/` folder as real Hexo loads them, keyed by `_posts/<name>`."""
    need_hexo()
    out = subprocess.run(["node", str(HEXO_DIR / "load_posts.js"), str(source_dir)],
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


def hexo_generate(source_dir: Path) -> dict[str, dict]:
    """`hexo generate` of a site whose `source/` is `source_dir`: public/ files -> {size, text}."""
    need_hexo()
    out = subprocess.run(["node", str(HEXO_DIR / "generate_site.js"), str(source_dir)],
                         capture_output=True, text=True, timeout=180, check=True)
    return json.loads(out.stdout)
