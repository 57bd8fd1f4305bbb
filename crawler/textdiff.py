"""Unified diffs that show invisible characters (spaces, tabs, line ends)."""

from __future__ import annotations

import difflib

_VISIBLE = {" ": "⎵", "\t": "→", "\r": "␍", "\u00a0": "⍽", "\ufeff": "␣"}


def _show(line: str) -> str:
    shown = "".join(
        _VISIBLE.get(ch, ch if ch.isprintable() or ch == "\n" else f"\\u{ord(ch):04x}") for ch in line
    )
    return shown[:-1] + "↵\n" if shown.endswith("\n") else shown + "∅\n"  # ∅: no final newline


def visible_diff(
    expected: str, actual: str, name: str = "post", labels: tuple[str, str] = ("as found", "canonical")
) -> str:
    """A unified diff of two texts; `⎵` marks spaces, `↵` line ends, `∅` a missing final newline."""
    a = [_show(line) for line in expected.splitlines(keepends=True)]
    b = [_show(line) for line in actual.splitlines(keepends=True)]
    return "".join(difflib.unified_diff(a, b, f"{name} ({labels[0]})", f"{name} ({labels[1]})", n=1))
