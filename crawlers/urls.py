"""URL canonicalisation: one form per article, whatever tracking the link carried."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PREFIXES = ("utm_", "fbclid", "gclid", "zarsrc", "mc_", "_ga", "igshid", "vn_source",
                     "vn_medium", "vn_campaign", "vn_content", "vn_term")


def canonicalize(url: str) -> str:
    """Lower-case host, no fragment, no tracking parameters, no default port."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port and not ((parts.scheme == "http" and parts.port == 80) or
                           (parts.scheme == "https" and parts.port == 443)):
        host = f"{host}:{parts.port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(TRACKING_PREFIXES)]
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", urlencode(query), ""))
