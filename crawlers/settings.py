"""Scrapy's settings module (scrapy.cfg), for `scrapy crawl news` from the repository root: the
same settings `duluan crawl` uses, from the one duluan settings object."""

from duluan.core.settings import get_settings
from duluan.crawlers.config import crawler_settings

globals().update(crawler_settings(get_settings()))
