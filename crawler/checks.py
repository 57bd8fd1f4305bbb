"""Checks every command runs before crawling: typed settings, and spider argument names.

- A setting given as text (`-s NAME=value`) whose default is a number, a flag, a dict or a
  list must read as one: a bad value is refused naming the setting, instead of failing deep
  inside Scrapy with `could not convert string to float: 'abc'`.
- `-a NAME=value` names a spider does not take are refused with the names it does take
  (`-a maxpages=2` would otherwise be ignored and every page walked).
"""

from __future__ import annotations

import inspect
import json
import warnings
from collections.abc import Iterable
from typing import Any

from scrapy.settings import default_settings

from crawler import settings as project_settings

# Settings with a whole-number default that Scrapy or the project reads as a float.
FLOAT_SETTINGS = frozenset(
    {
        "DOWNLOAD_DELAY",
        "DOWNLOAD_TIMEOUT",
        "DATE_MAX_FUTURE",
        "IMAGES_TIMEOUT",
        "AUTOTHROTTLE_START_DELAY",
        "AUTOTHROTTLE_MAX_DELAY",
        "AUTOTHROTTLE_TARGET_CONCURRENCY",
        "CLOSESPIDER_TIMEOUT",
        "PROGRESS_INTERVAL",
    }
)


def defaults() -> dict[str, Any]:
    """Every known setting's default: Scrapy's, overridden by the project's settings.py."""
    known = {k: v for k, v in vars(default_settings).items() if k.isupper()}
    known.update({k: v for k, v in vars(project_settings).items() if k.isupper()})
    return known


def setting_errors(settings: Any) -> list[str]:
    """One message per setting whose text value does not read as its default's type."""
    errors = []
    for name, default in defaults().items():
        with warnings.catch_warnings():  # deprecated names warn when read
            warnings.simplefilter("ignore")
            value = settings.get(name)
        if not isinstance(value, str) or isinstance(default, str) or default is None:
            continue
        try:
            if isinstance(default, bool):
                settings.getbool(name)
                continue
            if isinstance(default, float) or (isinstance(default, int) and name in FLOAT_SETTINGS):
                settings.getfloat(name)
                continue
            if isinstance(default, int):
                try:
                    settings.getint(name)
                except ValueError:
                    if default not in (0, 1):  # Scrapy's flags default to 0/1
                        raise
                    settings.getbool(name)
                continue
            if isinstance(default, dict):
                settings.getdict(name)
            continue
        except (ValueError, TypeError):
            pass
        want = (
            "true or false"
            if isinstance(default, bool)
            else "a number"
            if isinstance(default, float) or name in FLOAT_SETTINGS
            else "a whole number"
            if isinstance(default, int)
            else f"a JSON object, such as {json.dumps(default) or '{}'}"
        )
        errors.append(f"setting {name} must be {want}, not {value!r}")
    return errors


def spider_arguments(spidercls: type) -> set[str]:
    """The keyword arguments a spider class takes (its `__init__`s along the MRO)."""
    names: set[str] = set()
    for cls in spidercls.__mro__:
        init = vars(cls).get("__init__")
        if init is None:
            continue
        for p in inspect.signature(init).parameters.values():
            if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
                names.add(p.name)
    names.discard("name")  # Scrapy's own: the spider's name is not an argument
    return names


def unknown_arguments(spiderclasses: Iterable[type], given: Iterable[str]) -> tuple[list[str], list[str]]:
    """(names no spider of the run takes, every name some spider takes). Names starting
    with `_` (scrapyd's `_job`) are left alone."""
    known: set[str] = set()
    for cls in spiderclasses:
        known |= spider_arguments(cls)
    return sorted(n for n in given if n not in known and not n.startswith("_")), sorted(known)
