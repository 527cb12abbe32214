"""The briefing as PDF: the HTML laid out by WeasyPrint, which embeds the fonts it uses."""

from __future__ import annotations

from pathlib import Path


def write_pdf(html: str, path: Path) -> Path:
    from weasyprint import HTML  # imported late: it loads Pango

    HTML(string=html).write_pdf(str(path))
    return path
