"""Templates and the filters that make untrusted crawled text safe to show.

Crawled text is untrusted: it is cleaned with nh3 and escaped before it reaches a page."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any

import nh3
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from duluan.annotations import FLAGS
from duluan.classifiers.taxonomy import TONES, TOPICS
from duluan.core.record import VN_TZ, Status
from duluan.index.highlight import snippet_html
from duluan.review.accounts import ROLE_NAMES, Role, Session

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
STATUS_NAMES = {Status.LIVE: "Đang hiển thị", Status.EDITED: "Đã bị sửa", Status.GONE: "Đã bị gỡ"}
STATES = {"new": "Chưa xử lý", "reviewed": "Đã xử lý", "all": "Tất cả"}


def local_time(value: datetime | None) -> str:
    return value.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y") if value else ""


def clean(text: str | None) -> Markup:
    """Untrusted text as safe HTML: every tag dropped (script and style with their content)."""
    return Markup(nh3.clean(text or "", tags=set()))


def plain(text: str) -> str:
    """Untrusted text with any markup removed, as plain text to highlight and escape."""
    return html.unescape(nh3.clean(text, tags=set()))


def safe_url(url: str | None) -> str:
    """Only web links leave the app: a crawled javascript: or data: URL becomes a dead link."""
    return url if url and url.lower().startswith(("http://", "https://")) else "#"


def marked(snippet: str) -> Markup:
    """A snippet with highlight markers: escaped, <mark> added, then cleaned to <mark> only."""
    return Markup(nh3.clean(snippet_html(plain(snippet)), tags={"mark"}, attributes={}))


def highlighted(text: str, found: list[tuple[int, int]]) -> Markup:
    """Plain text, escaped, with <mark> around the given spans (overlaps skipped)."""
    out, pos = [], 0
    for start, end in sorted(found):
        if start < pos:
            continue
        out += [str(escape(text[pos:start])), "<mark>", str(escape(text[start:end])), "</mark>"]
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup(nh3.clean("".join(out), tags={"mark"}, attributes={}))


_BARS = "▁▂▃▄▅▆▇█"


def sparkline(counts: list[int]) -> str:
    """Daily counts as a row of bars, the tallest at the busiest day; a day with none is a dot."""
    top = max(counts, default=0)
    return "".join("·" if not n else _BARS[min(len(_BARS) - 1, n * len(_BARS) // (top + 1))]
                   for n in counts)


TEMPLATES.env.filters.update(local_time=local_time, marked=marked, clean=clean, safe_url=safe_url,
                             sparkline=sparkline)
TEMPLATES.env.globals.update(TOPICS=TOPICS, TONES=TONES, FLAGS=FLAGS, STATUS_NAMES=STATUS_NAMES,
                             ROLE_NAMES=ROLE_NAMES, STATES=STATES, Role=Role)


def page(request: Request, name: str, session: Session | None, status_code: int = 200,
         **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, name, {"session": session, **context},
                                      status_code=status_code)
