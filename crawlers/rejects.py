"""Why a fetched URL did not become an article: the one list every part of the crawler counts
by. Stored as the value (`not-an-article`), so reports and the store read the same words."""

from __future__ import annotations

from enum import StrEnum


class RejectReason(StrEnum):
    NOT_ARTICLE_URL = "not-article-url"  # a listing link that matches no article pattern
    ROBOTS_DISALLOWED = "robots-disallowed"
    BLOCKED_ADDRESS = "blocked-address"  # private, loopback or link-local: never fetched
    TIMEOUT = "timeout"
    TOO_LARGE = "too-large"
    REDIRECT_LOOP = "redirect-loop"
    DNS_FAILURE = "dns-failure"
    CONNECTION_REFUSED = "connection-refused"
    FETCH_ERROR = "fetch-error"  # any other download failure; the detail names it
    EMPTY_PAGE = "empty-page"
    EMPTY_BODY = "empty-body"
    NOT_AN_ARTICLE = "not-an-article"
    LISTING_PAGE = "listing-page"  # a section or home page: many article links, no article
    NOT_VIETNAMESE = "not-vietnamese"
    LEGACY_ENCODING = "legacy-encoding"  # TCVN3 or VNI text that could not be converted
    DUPLICATE_CONTENT = "duplicate-content"  # the outlet's same text under a second URL
    PARSE_FAILURE = "parse-failure"
    BAD_SITEMAP = "bad-sitemap"
    INVALID_RECORD = "invalid-record"


class GoneReason(StrEnum):
    """Why a rechecked article counts as taken down."""

    NOT_FOUND = "http-404"
    REMOVED = "http-410"
    REDIRECT_HOME = "redirect-home"


def http_reason(status: int) -> str:
    """An HTTP error status as a reason (`http-404`): the one family of reasons that is open."""
    return f"http-{status}"
