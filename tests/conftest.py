import os
import re
import sys
from pathlib import Path

from hypothesis import settings

# CI (CI=true) runs the property tests on a fixed sequence of examples, so a run's verdict does
# not depend on the draw; a developer's run keeps drawing new ones (and its .hypothesis/ database
# replays what failed before).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    """One line on ../shared/: what the run read from it, or how many tests it cost."""
    from tests.helpers import SHARED_ABSENT, corpus_posts, realpages

    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if SHARED_ABSENT in str(getattr(r, "longrepr", ""))]
    posts, pages = len(corpus_posts()), len(realpages())
    parts = [f"shared corpus: {posts} posts" if posts else "shared corpus absent",
             f"realpages: {pages} files" if pages else "realpages absent"]
    line = "; ".join(parts)
    if skipped:
        line += f": {len(skipped)} tests skipped"
    terminalreporter.write_line(line, yellow=bool(skipped), bold=bool(skipped))


def pytest_make_parametrize_id(config, val: object, argname: str) -> str | None:  # noqa: ANN001
    """Plain ids ([A-Za-z0-9_.-]) for text and function parameters: mutmut selects each test by its
    id on a command line, where an id holding quotes, backslashes (escaped non-ASCII, `\\n`),
    spaces or brackets is not found, and a test it cannot select counts as a kill (tests/README.md).
    Explicit `ids=` bypass this hook; they are kept plain by hand. Other values keep pytest's ids."""
    if isinstance(val, bytes):
        val = val.decode("latin-1")
    if callable(val) and not isinstance(val, type):
        val = getattr(val, "__name__", "")
    if not isinstance(val, str):
        return None
    plain = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9._-]", "_", val)).strip("_")[:40]
    return plain or argname
