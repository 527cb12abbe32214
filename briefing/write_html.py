"""The briefing as one self-contained HTML file (charts inline), also the source of the PDF."""

from __future__ import annotations

import base64
from html import escape

from duluan.briefing.blocks import Block, Document, Heading, Paragraph, Table

CSS = """
@page { size: A4; margin: 20mm 15mm 20mm 30mm;
        @bottom-center { content: counter(page); font-size: 11pt;
                         font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif", serif; } }
body { font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif", serif; font-size: 13pt;
       line-height: 1.35; color: #000; max-width: 170mm; margin: 0 auto; }
.head { display: table; width: 100%; margin-bottom: 10pt; }
.head > div { display: table-cell; text-align: center; vertical-align: top; width: 50%; }
.head .motto { font-weight: bold; text-decoration: underline; }
.head .issuer { font-weight: bold; }
.date { text-align: right; font-style: italic; margin: 4pt 0 14pt; }
h1 { text-align: center; font-size: 15pt; margin: 6pt 0 0; }
.subtitle { text-align: center; font-weight: bold; margin: 0 0 14pt; }
h2 { font-size: 13pt; margin: 14pt 0 6pt; }
h3 { font-size: 13pt; font-style: italic; font-weight: normal; margin: 8pt 0 4pt; }
p { text-align: justify; margin: 4pt 0; text-indent: 1cm; }
table { border-collapse: collapse; width: 100%; font-size: 11pt; margin: 6pt 0 10pt; }
th, td { border: 0.5pt solid #000; padding: 2pt 4pt; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eee; }
tr { page-break-inside: avoid; }
figure { margin: 6pt 0 10pt; text-align: center; page-break-inside: avoid; }
figure img { max-width: 100%; }
figcaption { font-style: italic; font-size: 11pt; }
"""


def _block_html(block: Block) -> str:
    if isinstance(block, Heading):
        tag = "h2" if block.level == 1 else "h3"
        return f"<{tag}>{escape(block.text)}</{tag}>"
    if isinstance(block, Paragraph):
        style = ' style="font-style:italic"' if block.italic else ""
        text = f"<strong>{escape(block.text)}</strong>" if block.bold else escape(block.text)
        return f"<p{style}>{text}</p>"
    if isinstance(block, Table):
        head = "".join(f"<th>{escape(h)}</th>" for h in block.headers)
        rows = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in block.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    data = base64.b64encode(block.png).decode("ascii")  # an Image: the last kind of block
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{escape(block.caption)}">'
            f"<figcaption>{escape(block.caption)}</figcaption></figure>")


def render_html(doc: Document) -> str:
    parts = [_block_html(block) for block in doc.blocks]
    parent = f"<div>{escape(doc.parent)}</div>" if doc.parent else ""
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{escape(doc.title)} {escape(doc.subtitle)}</title>
<style>{CSS}</style></head>
<body>
<div class="head"><div>{parent}<div class="issuer">{escape(doc.issuer)}</div><div>*</div></div>
<div><div class="motto">{escape(doc.motto)}</div></div></div>
<div class="date">{escape(doc.date_line)}</div>
<h1>{escape(doc.title)}</h1><div class="subtitle">{escape(doc.subtitle)}</div>
{"".join(parts)}
</body></html>
"""
