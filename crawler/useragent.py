"""A descriptive User-Agent naming who runs the crawler: `-s CONTACT=mailto:you@example.org`.

`USER_AGENT` may hold `{contact}`: it is replaced by the CONTACT setting (a URL or a
mailto:), or dropped with its `+` and separator when CONTACT is empty. A USER_AGENT
without `{contact}` is used as it is.
"""

from __future__ import annotations

import re
from typing import Any

from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware

_SLOT = re.compile(r"\+?\{contact\}[;,]?\s*")


def user_agent(template: str, contact: str = "") -> str:
    contact = " ".join((contact or "").split())  # no header injection via newlines
    if contact:
        return template.replace("{contact}", contact)
    return _SLOT.sub("", template).replace("()", "").strip()


class ContactUserAgentMiddleware(UserAgentMiddleware):
    @classmethod
    def from_crawler(cls, crawler: Any) -> ContactUserAgentMiddleware:
        mw = super().from_crawler(crawler)
        mw.user_agent = user_agent(
            crawler.settings.get("USER_AGENT") or "", crawler.settings.get("CONTACT") or ""
        )
        return mw
