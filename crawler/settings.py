"""Scrapy settings for newsarchive: polite, safe defaults.

Per-run choices are spider arguments (-a); everything here can be overridden with
-s NAME=value. See README.md ("Configuration").
"""

import os

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# Where posts (_posts/) and images (images/) go: a Hexo site's source/ folder.
ARCHIVE_DIR = "./archive"

# Politeness: robots.txt, a per-domain delay adapted by AutoThrottle, a descriptive UA.
ROBOTSTXT_OBEY = True
USER_AGENT = "newsarchive/0.1 (+{contact}; news archiver on Scrapy)"
CONTACT = ""  # your URL or mailto:, put in the User-Agent (crawler/useragent.py)
ROBOTSTXT_USER_AGENT = "newsarchive"
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# A response yields one article or a list page's links: Scrapy starts this many tasks per
# response to process its output (default 100, ~7 % of a fast crawl's CPU).
CONCURRENT_ITEMS = 16
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024  # pages bigger than this are refused
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True  # a body shorter than its Content-Length is a failure
# Transport failures (timeouts, resets, truncated bodies) and these codes are retried;
# then the page is a counted skip (tests/hostile/test_transport.py).
RETRY_ENABLED = True
RETRY_TIMES = 2  # 3 requests in all
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5  # Scrapy's default (20) only delays the skip of a loop
# Redirects off the portal and its mirror are refused and counted (crawler/downloadsafety.py).
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.downloadsafety.PortalOffsiteMiddleware": 50,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "crawler.useragent.ContactUserAgentMiddleware": 500,
}

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# Images: "local" (default) downloads, resizes and rewrites them (pipelines/images.py)
# so the archive survives link rot and hotlink protection; "remote" keeps the
# source's image URLs (what reproduces the seed byte for byte).
IMAGES_MODE = "local"
IMAGES_MAX_SIZE = 1600  # px on the long side; never upscaled
IMAGES_THUMB_SIZE = (400, 300)  # also accepts "400x300"
IMAGES_MAX_BYTES = 20 * 1024 * 1024
IMAGES_MAX_PIXELS = 40_000_000  # per frame, checked from the header (decompression bombs)
IMAGES_TIMEOUT = 30  # seconds per image download
IMAGES_THREADS = 2  # decode/resize threads; also caps memory
MEDIA_ALLOW_REDIRECTS = True  # safe: file/data/ftp handlers are disabled below
# Head image and thumbnail of a post without images: the seed system's random picsum image
# ({n}: a number derived from the article id), any URL, or "" for none. Never fetched.
PLACEHOLDER_IMAGE = "https://picsum.photos/400/300?random={n}"

ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 300,
    "pipelines.sanitize.ActiveContentPipeline": 400,  # off with KEEP_ACTIVE_CONTENT=True
    "pipelines.images.LocalImagesPipeline": 500,  # only active with IMAGES_MODE=local
    "pipelines.post.PostPipeline": 800,
}

# Feeds archived by `scrapy archive` beside the sites: a list of {"url", "site",
# "categories", "author"}, or JSON text, or the path of a JSON file (README: Feeds).
ARCHIVE_FEEDS: list[dict] = []

# Bodies lose <script>, on*= handlers and javascript: URLs before they are written
# (pipelines/sanitize.py); True keeps them as the page sent them.
KEEP_ACTIVE_CONTENT = False

# Never fetch local files or inline data because a page links them.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}

EXTENSIONS = {
    "crawler.extensions.LayoutAlarm": 500,
    "crawler.progress.Progress": 510,
    # log_count/* per crawler: one `scrapy archive` runs many in one process
    "scrapy.extensions.logcount.LogCount": None,
    "crawler.extensions.OwnLogCount": 0,
}
# No telnet console (a port per crawler, 6023-6073: more sites and feeds than ports failed).
TELNETCONSOLE_ENABLED = False
# Nor Scrapy's remote control (2.19+: per crawler, an HTTP server on localhost that runs the
# Python code posted to it, its token in a job file under ~/.local/state/scrapy): an archiver
# run from cron has no use for it, and it costs each run aiohttp's import.
REMOTE_CONTROL_ENABLED = False
# Progress lines on stderr every PROGRESS_INTERVAL seconds (crawler/progress.py); the
# commands turn PROGRESS on: crawl always, archive with -v or on a terminal.
PROGRESS = False
PROGRESS_INTERVAL = 10
# Layout alarm: fields' minimum share of article pages, checked from this many pages on.
LAYOUT_MIN_ARTICLES = 3
LAYOUT_MIN_COVERAGE = {"title": 0.9, "date": 0.9, "body": 0.9, "image": 0.2}

# Articles dated more than this many seconds ahead of now are skipped (future-date).
DATE_MAX_FUTURE = 86400

# Scale-out: REDIS_URL in the environment switches every worker to scrapy-redis's shared
# queue and request fingerprints (crawler/distributed.py; README: Scale-out).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    SCHEDULER = "scrapy_redis.scheduler.Scheduler"
    DUPEFILTER_CLASS = "crawler.distributed.SharedDupeFilter"
    SCHEDULER_PERSIST = True  # fingerprints outlive a run: each article once ever
    # A worker takes from the shared queue only what it can fetch now (Scrapy's engine
    # otherwise moves up to CONCURRENT_REQUESTS requests into its own downloader).
    CONCURRENT_REQUESTS = CONCURRENT_REQUESTS_PER_DOMAIN
# How long a worker's claim holds: on a feed (read once per run across workers: what "a run"
# is) and on an entry it is archiving (crawler/distributed.py).
REDIS_CLAIM_SECONDS = 600

# newsarchive.toml (crawler/config.py): -s CONFIG=PATH, else $NEWSARCHIVE_CONFIG, else
# ./newsarchive.toml. Its portals are spiders of this loader; its settings apply below -s.
CONFIG = ""
SPIDER_LOADER_CLASS = "crawler.spiderloader.ConfigSpiderLoader"
# What `scrapy archive` runs with no names (portals and feeds; empty: all of them).
ARCHIVE_SITES: list[str] = []
