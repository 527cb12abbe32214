"""Scrapy items. ArticleItem's fields are the article record's, derived, never listed here."""

from __future__ import annotations

import scrapy

from duluan.core.record import Article

ArticleItem = type(
    "ArticleItem",
    (scrapy.Item,),
    {name: scrapy.Field() for name in Article.model_fields} | {"__doc__": "One crawled article."},
)


class RejectItem(scrapy.Item):
    """A page that did not become an article, kept with the reason so nothing vanishes."""

    url = scrapy.Field()
    source = scrapy.Field()
    reason = scrapy.Field()
    detail = scrapy.Field()


class DiscoveryItem(scrapy.Item):
    """A feed, sitemap or listing page read: its article links, (canonical URL, source, section),
    and its validators (ETag, Last-Modified) for a conditional GET next time."""

    url = scrapy.Field()
    source = scrapy.Field()
    etag = scrapy.Field()
    last_modified = scrapy.Field()
    links = scrapy.Field()
    not_modified = scrapy.Field()  # answered 304: read, nothing new, validators unchanged


class GoneItem(scrapy.Item):
    """A stored article the outlet has taken down (404, 410, or a redirect to its home page)."""

    article_id = scrapy.Field()
    url = scrapy.Field()
    source = scrapy.Field()
    reason = scrapy.Field()
