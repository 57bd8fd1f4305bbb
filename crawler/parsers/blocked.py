"""Blocked is not broken: anti-bot stubs, WAF challenges and login walls. Pure functions.

A site that takes us for a robot answers 200 with a stub or a challenge page instead of the
page, or 403/412/418/451. That is its own outcome (`blocked`, exit 5), not a layout change
(exit 4): waiting, a slower DOWNLOAD_DELAY, a CONTACT in the User-Agent may help; a parser
fix will not. The markers are checked only on a page that did not read as the portal's page
(a parser error or a list without links), so an article *about* captchas is never "blocked".
"""

from __future__ import annotations

import re

from crawler.parsers.common import LayoutError

# HTTP answers that mean "not for you" rather than "not there" or "try later".
BLOCKED_STATUSES = {
    403: "forbidden",
    412: "precondition failed (an anti-bot check)",
    418: "I'm a teapot (an anti-bot answer)",
    451: "unavailable for legal reasons",
}

# (what it is, pattern) over the page's text; case-insensitive.
MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (what, re.compile(p, re.I))
    for what, p in (
        ('an anti-bot stub ({"isSpider":true})', r'"isSpider"\s*:\s*true'),
        ("a WAF challenge (_wafchallengeid)", r"_wafchallengeid"),
        ("a WAF challenge (acw_sc__v2)", r"\bacw_sc__v2\b"),
        (
            "a Cloudflare challenge",
            r"cf-chl-|/cdn-cgi/challenge-platform/|<title>\s*Just a moment\.\.\.\s*</title>"
            r"|Attention Required! \| Cloudflare",
        ),
        ("an access-denied page", r"<title>\s*(?:Access Denied|403 Forbidden|Forbidden)\s*</title>"),
        ("a captcha", r"geetest|TCaptcha|\bcaptcha\b|验证码|人机验证|安全验证|访问验证|滑动验证"),
        (
            "a login wall",
            r"请(?:先)?登录后(?:查看|阅读|访问)|登录后(?:查看|阅读)全文|<title>[^<]{0,40}登录[^<]{0,40}</title>",
        ),
    )
)

_LOGIN_PATH = re.compile(r"/(?:login|signin|sign_in|passport)\b", re.I)


def blocked_status(status: int) -> str | None:
    """What an HTTP status that means "blocked" says (None for any other status)."""
    meaning = BLOCKED_STATUSES.get(status)
    return f"HTTP {status} {meaning}" if meaning else None


def blocked_page(text: str, url: str = "") -> str | None:
    """What blocked us, when `text` (a page that did not read as the portal's) is an anti-bot
    stub, a challenge, a captcha or a login wall, or `url` (where redirects ended) is a login
    page; None otherwise."""
    for what, pattern in MARKERS:
        if pattern.search(text):
            return what
    if url and _LOGIN_PATH.search(url.split("?", 1)[0]):
        return f"a login wall ({url})"
    return None


def blocked_by(exc: LayoutError, text: str, url: str = "") -> str | None:
    """What blocked us, for a page that failed to parse with `exc`: the parser's own
    `Blocked` detail, else what `blocked_page` sees; None when it is a parser failure."""
    return exc.detail if exc.reason == "blocked" else blocked_page(text, url)


HINT = (
    "the site is refusing this crawler, which no parser change fixes: try again later, with "
    "a slower -s DOWNLOAD_DELAY=10 (and AUTOTHROTTLE), your -s CONTACT=mailto:… in the "
    "User-Agent, or another -s USER_AGENT"
)
