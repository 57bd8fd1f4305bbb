"""The User-Agent: descriptive by default, with the operator's CONTACT when set."""
from __future__ import annotations

from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler import settings as project
from crawler.useragent import ContactUserAgentMiddleware, user_agent


def ua_of(**settings: str) -> bytes:
    crawler = get_crawler(settings_dict={"USER_AGENT": project.USER_AGENT, **settings})
    mw = ContactUserAgentMiddleware.from_crawler(crawler)
    request = Request("https://www.ofweek.com/")
    mw.process_request(request)
    return request.headers[b"User-Agent"]


def test_default_user_agent_is_descriptive_without_a_placeholder() -> None:
    assert ua_of() == b"newsarchive/0.1 (news archiver on Scrapy)"
    assert project.ROBOTSTXT_OBEY and project.AUTOTHROTTLE_ENABLED and project.DOWNLOAD_DELAY > 0


def test_contact_goes_into_the_user_agent() -> None:
    assert ua_of(CONTACT="mailto:ops@example.org") == (
        b"newsarchive/0.1 (+mailto:ops@example.org; news archiver on Scrapy)")
    assert ua_of(CONTACT="https://blog.example.org/about\r\nX-Evil: 1") == (
        b"newsarchive/0.1 (+https://blog.example.org/about X-Evil: 1; news archiver on Scrapy)")


def test_a_user_agent_without_the_slot_is_kept() -> None:
    assert user_agent("MyBot/2.0", "mailto:x@example.org") == "MyBot/2.0"
    assert ua_of(USER_AGENT="MyBot/2.0", CONTACT="x") == b"MyBot/2.0"
    assert project.DOWNLOADER_MIDDLEWARES["crawler.useragent.ContactUserAgentMiddleware"]
