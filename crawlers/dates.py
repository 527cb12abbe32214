"""Publication times as Vietnamese sites write them, always returned timezone-aware."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from duluan.core.record import VN_TZ

_DATE = r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})"
_TIME = r"(?P<H>\d{1,2})[:hg](?P<M>\d{2})(?::(?P<S>\d{2}))?"
_ZONE = r"(?:\s*\(?\s*GMT\s*(?P<z>[+-]\d{1,2})(?::?(?P<zm>\d{2}))?\s*\)?)?"
_DATE_THEN_TIME = re.compile(_DATE + r"(?:\s*[,|-]?\s*" + _TIME + ")?" + _ZONE)
_TIME_THEN_DATE = re.compile(_TIME + r"\s*(?:ngày\s*)?[,|-]?\s*(?:[^\d\s]+,?\s*)?" + _DATE + _ZONE)
_RELATIVE = re.compile(r"(?P<n>\d+)\s*(?P<unit>giây|phút|giờ|tiếng|ngày|tuần)\s*trước", re.I)
_UNITS = {"giây": "seconds", "phút": "minutes", "giờ": "hours", "tiếng": "hours", "ngày": "days",
          "tuần": "weeks"}


def parse_iso(value: str) -> datetime | None:
    """ISO 8601 from JSON-LD or meta tags; a missing zone means Vietnam time."""
    # Some outlets put a space before the zone ("08:52:11.000 +07:00").
    value = re.sub(r"\s+([+-]\d\d:?\d\d)$", r"\1", value.strip())
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VN_TZ)


def _build(g: dict[str, str | None]) -> datetime | None:
    try:
        tz = VN_TZ
        if g.get("z"):
            sign = -1 if g["z"].startswith("-") else 1
            tz = timezone(sign * timedelta(hours=abs(int(g["z"])), minutes=int(g.get("zm") or 0)))
        return datetime(
            int(g["y"]), int(g["m"]), int(g["d"]),
            int(g.get("H") or 0), int(g.get("M") or 0), int(g.get("S") or 0), tzinfo=tz,
        )
    except (ValueError, TypeError):
        return None


def parse_vietnamese(text: str, now: datetime | None = None) -> datetime | None:
    """"Thứ năm, 15/7/2021, 10:18 (GMT+7)", "15/07/2021 10:18", "10:18 15/7/2021", "2 giờ trước"."""
    text = " ".join(text.split())
    match = _TIME_THEN_DATE.search(text)
    if match:
        return _build(match.groupdict())
    match = _DATE_THEN_TIME.search(text)
    if match:
        return _build(match.groupdict())
    match = _RELATIVE.search(text)
    if match:
        now = now or datetime.now(VN_TZ)
        return now - timedelta(**{_UNITS[match["unit"].lower()]: int(match["n"])})
    return parse_iso(text)


def parse_compact(digits: str) -> datetime | None:
    """A YYYYMMDDhhmm[ss] stamp, as some outlets put in article URLs."""
    try:
        fmt = "%Y%m%d%H%M%S" if len(digits) >= 14 else "%Y%m%d%H%M"
        return datetime.strptime(digits[: 14 if len(digits) >= 14 else 12], fmt).replace(tzinfo=VN_TZ)
    except ValueError:
        return None
