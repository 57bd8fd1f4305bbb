"""Scrapy settings for newsarchive: polite, safe defaults.

Per-run choices are spider arguments (-a); everything here can be overridden with
-s NAME=value. See README.md ("Configuration").
"""
BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# Where posts (_posts/) and images (images/) go: a Hexo site's source/ folder.
ARCHIVE_DIR = "./archive"

# Politeness
ROBOTSTXT_OBEY = True
USER_AGENT = "newsarchive/0.1 (+https://github.com/newsarchive/newsarchive)"
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
