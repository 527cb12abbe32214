"""The briefing as DOCX with python-docx: A4, Times New Roman 13 pt, margins of a Vietnamese
administrative document (top and bottom 20 mm, left 30 mm, right 15 mm)."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document as new_docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from duluan.briefing.blocks import Block, Document, Heading, Image, Paragraph, Table

FONT = "Times New Roman"


def _font(run, size: float = 13, bold: bool = False, italic: bool = False) -> None:  # noqa: ANN001
    run.font.name, run.font.size, run.font.bold, run.font.italic = FONT, Pt(size), bold, italic
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _para(d, text: str, size: float = 13, bold: bool = False, italic: bool = False,  # noqa: ANN001
          align: WD_ALIGN_PARAGRAPH | None = None, style: str | None = None):  # noqa: ANN202
    p = d.add_paragraph(style=style)
    _font(p.add_run(text), size, bold, italic)
    if align is not None:
        p.alignment = align
    return p


def write_docx(doc: Document, path: Path) -> Path:
    d = new_docx()
    _page(d)
    _letterhead(d, doc)
    for block in doc.blocks:
        _block(d, block)
    d.save(str(path))
    return path


def _page(d) -> None:  # noqa: ANN001
    section = d.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = d.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(13)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _letterhead(d, doc: Document) -> None:  # noqa: ANN001
    """Issuer left and motto right, then the date line, the title and the subtitle."""
    head = d.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    left.text = right.text = ""
    lines = [(doc.parent, False)] if doc.parent else []
    for i, (text, bold) in enumerate([*lines, (doc.issuer, True), ("*", False)]):
        p = left.paragraphs[0] if i == 0 else left.add_paragraph()
        _font(p.add_run(text), 13, bold)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = right.paragraphs[0]
    run = p.add_run(doc.motto)
    _font(run, 13, True)
    run.font.underline = True
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _para(d, doc.date_line, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(d, doc.title, 15, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(d, doc.subtitle, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def _block(d, block: Block) -> None:  # noqa: ANN001
    if isinstance(block, Heading):
        h = d.add_heading(level=block.level)
        _font(h.add_run(block.text), 13, bold=block.level == 1, italic=block.level > 1)
    elif isinstance(block, Paragraph):
        p = _para(d, block.text, bold=block.bold, italic=block.italic, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        p.paragraph_format.first_line_indent = Mm(10)
    elif isinstance(block, Table):
        _table(d, block)
    elif isinstance(block, Image):
        d.add_picture(io.BytesIO(block.png), width=Mm(160))
        d.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _para(d, block.caption, 11, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def _table(d, block: Table) -> None:  # noqa: ANN001
    t = d.add_table(rows=1, cols=len(block.headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(t.rows[0].cells, block.headers, strict=True):
        _font(cell.paragraphs[0].add_run(text), 11, bold=True)
    for row in block.rows:
        for cell, text in zip(t.add_row().cells, row, strict=True):
            _font(cell.paragraphs[0].add_run(text), 11)
    d.add_paragraph()
