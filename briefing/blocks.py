"""A document as a list of blocks, independent of layout: document.py writes the briefing as one,
write_html.py and write_docx.py each lay it out."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Paragraph:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] = field(default_factory=list)  # relative


@dataclass
class Image:
    png: bytes
    caption: str


Block = Heading | Paragraph | Table | Image


@dataclass(kw_only=True)
class Document:
    parent: str  # the body above the issuer, may be empty
    issuer: str
    motto: str
    date_line: str
    title: str
    subtitle: str
    blocks: list[Block]
