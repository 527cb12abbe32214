"""The monthly press briefing, computed through the query API so both stores give the same report."""

from __future__ import annotations

import calendar
import html
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from classifiers.taxonomy import TONES, TOPICS
from duluan.settings import Settings
from index import Query, Store, open_store


@dataclass
class MonthFigures:
    month: str
    total: int
    by_topic: list[tuple[str, int]]
    by_tone: list[tuple[str, int]]
    by_source: list[tuple[str, int]]
    query: Query


def month_range(month: str) -> tuple[date, date]:
    year, mon = (int(x) for x in month.split("-"))
    return date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1])


def month_figures(store: Store, month: str) -> MonthFigures:
    start, end = month_range(month)
    query = Query(date_from=start, date_to=end, size=0, facets=["topic", "tone", "source"])
    result = store.search(query)
    return MonthFigures(month, result.total, result.facets["topic"], result.facets["tone"],
                        result.facets["source"], query)


def render_html(figures: MonthFigures, settings: Settings) -> str:
    def table(title: str, rows: list[tuple[str, int]], names: dict[str, str]) -> str:
        body = "".join(
            f"<tr><td>{html.escape(names.get(k, k))}</td><td>{n}</td></tr>" for k, n in rows
        )
        return f"<h2>{title}</h2><table><tr><th>Nhóm</th><th>Số bài</th></tr>{body}</table>"

    start, end = month_range(figures.month)
    period = f"từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"
    if figures.total == 0:
        content = f"<p>Không có bài viết nào trong kỳ ({period}).</p>"
    else:
        content = (
            f"<h2>1. Tổng quan</h2><p>Tổng số bài viết: <strong>{figures.total}</strong>, "
            f"từ {len(figures.by_source)} cơ quan báo chí ({period}).</p>"
            + table("2. Theo chủ đề", figures.by_topic, TOPICS)
            + table("3. Theo sắc thái", figures.by_tone, TONES)
            + table("4. Theo cơ quan báo chí", figures.by_source, {})
        )
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Báo cáo tháng {figures.month}</title>
<style>body{{font-family:"Times New Roman",serif;font-size:14pt;max-width:800px;margin:2em auto}}
table{{border-collapse:collapse}}td,th{{border:1px solid #444;padding:4px 10px}}</style></head>
<body><p><strong>{html.escape(settings.issuing_body)}</strong></p>
<h1>BÁO CÁO TÌNH HÌNH BÁO CHÍ THÁNG {start:%m/%Y}</h1>{content}</body></html>"""


def write_briefing(settings: Settings, month: str, formats: list[str], output: Path) -> list[Path]:
    unsupported = set(formats) - {"html"}
    if unsupported:
        raise SystemExit(f"format(s) not available yet: {', '.join(sorted(unsupported))}")
    store = open_store(settings)
    try:
        figures = month_figures(store, month)
    finally:
        store.close()
    output.mkdir(parents=True, exist_ok=True)
    path = output / f"bao-cao-{month}.html"
    path.write_text(render_html(figures, settings), "utf-8")
    return [path]
