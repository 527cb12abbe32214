"""Our settings as Scrapy settings: the one place the crawler is configured. `duluan crawl`
builds its crawler from `crawler_settings`; crawlers/settings.py (for `scrapy crawl news` from
the repository root) is the same dict."""

from __future__ import annotations

from typing import Any

from duluan.core.settings import Settings

_P = "duluan.crawlers"
BASE: dict[str, Any] = {
    "BOT_NAME": "duluan",
    "SPIDER_MODULES": [f"{_P}.spiders"],
    "NEWSPIDER_MODULE": f"{_P}.spiders",
    "ROBOTSTXT_OBEY": True,
    # Politeness: AutoThrottle adapts to each site's latency; the registry sets per-outlet delays.
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0,
    "DOWNLOAD_DELAY": 0.5,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
    # Scrapy starts this many asyncio tasks for every response's output; an article page yields one
    # item and the pipelines are synchronous, so the default 100 only costs event-loop time.
    "CONCURRENT_ITEMS": 8,
    "DOWNLOAD_MAXSIZE": 8 * 1024 * 1024,
    "DOWNLOAD_WARNSIZE": 2 * 1024 * 1024,
    "RETRY_ENABLED": True,
    "RETRY_TIMES": 2,
    "REDIRECT_MAX_TIMES": 5,
    "COMPRESSION_ENABLED": True,
    # A news crawler needs no session: cookies would only personalise what outlets serve it.
    "COOKIES_ENABLED": False,
    "DOWNLOADER_MIDDLEWARES": {
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        f"{_P}.middlewares.BackoffRetryMiddleware": 550,
        f"{_P}.middlewares.SeenUrlsMiddleware": 120,
        # Closest to the downloader: it checks every request, redirects included.
        f"{_P}.middlewares.PublicAddressesOnlyMiddleware": 960,
    },
    "EXTENSIONS": {
        f"{_P}.extensions.CrawlProgress": 500,
        "scrapy.extensions.throttle.AutoThrottle": None,
        f"{_P}.extensions.RegistryAutoThrottle": 0,
    },
    "ITEM_PIPELINES": {
        f"{_P}.pipelines.ValidationPipeline": 100,
        f"{_P}.pipelines.StorePipeline": 800,
    },
    "LOG_LEVEL": "INFO",
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,  # no listening port on a crawler host
    "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    "FEED_EXPORT_ENCODING": "utf-8",
}

# The mirror is our own loopback server: no politeness delay or concurrency cap is owed to it.
_MIRROR_HANDLER = f"{_P}.mirror.handler.MirrorDownloadHandler"
MIRROR: dict[str, Any] = {
    "DOWNLOAD_HANDLERS": {"http": _MIRROR_HANDLER, "https": _MIRROR_HANDLER},
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_SLOTS": {},  # nor the outlets' own delays
}


def crawler_settings(settings: Settings, log_level: str = "INFO", progress: bool = False) -> dict[str, Any]:
    """The Scrapy settings for a crawl configured by `settings`."""
    out = BASE | {
        "USER_AGENT": settings.user_agent_header,
        "DOWNLOAD_TIMEOUT": settings.download_timeout,
        "LOG_LEVEL": log_level,
        "DULUAN_PROGRESS": progress,
        "DULUAN_CRAWL_DB": str(settings.crawl_db),
        "DULUAN_SOURCE_OVERRIDES": str(settings.source_overrides),
        "DULUAN_MIRROR_URL": settings.mirror_url,
        "DULUAN_ALLOW_LOOPBACK": settings.allow_loopback,
        "DULUAN_RETRY_BACKOFF": settings.retry_backoff,
        "DULUAN_EXTRACT_WORKERS": settings.extract_workers,
        "DULUAN_SITEMAP_MAX_AGE_DAYS": settings.sitemap_max_age_days,
    }
    return out | MIRROR if settings.mirror_url else out
