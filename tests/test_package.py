"""The `newsarchive` command (pyproject's console script, installed by install.sh) runs the
project's commands from any working directory."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.sites import SITES
from tests.helpers import SEED_POST

SCRIPT = Path(sys.executable).with_name("newsarchive")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    if not SCRIPT.exists():
        pytest.skip("the newsarchive command is not installed (./install.sh)")
    return subprocess.run([str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_validate_and_sites_from_elsewhere(tmp_path: Path) -> None:
    post = tmp_path / SEED_POST.name
    post.write_bytes(SEED_POST.read_bytes())
    res = run("validate", post.name, cwd=tmp_path)
    assert (res.returncode, res.stdout) == (0, f"{post.name}: ok\n1 ok, 0 failed\n"), res.stderr
    post.write_bytes(SEED_POST.read_bytes() + b"\n")
    res = run("validate", post.name, cwd=tmp_path)
    assert res.returncode == 1 and "a final newline was added" in res.stderr
    res = run("sites", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert [line.split("  ")[0] for line in res.stdout.splitlines()] == sorted(SITES)


def test_unknown_command_is_scrapys_usage(tmp_path: Path) -> None:
    res = run("nosuchcommand", cwd=tmp_path)
    assert res.returncode == 2 and "Unknown command: nosuchcommand" in res.stdout
