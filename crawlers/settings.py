"""Scrapy settings. Values that users tune come from the one duluan settings object."""

from duluan.core.settings import get_settings

_s = get_settings()

BOT_NAME = "duluan"
SPIDER_MODULES = ["duluan.crawlers.spiders"]
NEWSPIDER_MODULE = "duluan.crawlers.spiders"

USER_AGENT = _s.user_agent_header
ROBOTSTXT_OBEY = True

# Politeness: AutoThrottle adapts to each site's latency; the registry sets per-outlet delays.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_DELAY = 0.5
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Scrapy starts this many asyncio tasks for every response's output; an article page yields one
# item and the pipelines are synchronous, so the default 100 only costs event-loop time.
CONCURRENT_ITEMS = 8

DOWNLOAD_TIMEOUT = _s.download_timeout
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
COMPRESSION_ENABLED = True
# A news crawler needs no session: cookies would only personalise what outlets serve it.
COOKIES_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "duluan.crawlers.middlewares.BackoffRetryMiddleware": 550,
    "duluan.crawlers.middlewares.SeenUrlsMiddleware": 120,
    # Closest to the downloader: it checks every request, redirects included.
    "duluan.crawlers.middlewares.PublicAddressesOnlyMiddleware": 960,
}
EXTENSIONS = {
    "duluan.crawlers.extensions.CrawlProgress": 500,
    "scrapy.extensions.throttle.AutoThrottle": None,
    "duluan.crawlers.extensions.RegistryAutoThrottle": 0,
}
DULUAN_PROGRESS = False  # `duluan crawl` turns it on

ITEM_PIPELINES = {
    "duluan.crawlers.pipelines.ValidationPipeline": 100,
    "duluan.crawlers.pipelines.StorePipeline": 800,
}

DULUAN_CRAWL_DB = str(_s.crawl_db)
DULUAN_SOURCE_OVERRIDES = str(_s.source_overrides)
DULUAN_MIRROR_URL = _s.mirror_url
DULUAN_ALLOW_LOOPBACK = _s.allow_loopback
DULUAN_RETRY_BACKOFF = _s.retry_backoff
DULUAN_EXTRACT_WORKERS = _s.extract_workers
DULUAN_SITEMAP_MAX_AGE_DAYS = _s.sitemap_max_age_days

LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening port on a crawler host
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
