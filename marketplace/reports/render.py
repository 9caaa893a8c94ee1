"""The two renderings of one neutral document: PDF (reportlab) and DOCX (python-docx)."""

import io
from xml.sax.saxutils import escape

from docx import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from marketplace.reports import charts
from marketplace.reports.document import Document, Table, cell_text
from marketplace.reports.fonts import pdf_font

DOCX_EAST_ASIA_FONT = "宋体"  # Word on Chinese Windows and WPS have it; others substitute their Song face


def pdf(document: Document) -> bytes:
    font = pdf_font()
    title = ParagraphStyle("title", fontName=font, fontSize=20, leading=30, alignment=1, spaceBefore=60)
    subtitle = ParagraphStyle("subtitle", fontName=font, fontSize=13, leading=20, alignment=1, spaceAfter=30)
    heading = ParagraphStyle("heading", fontName=font, fontSize=14, leading=22, spaceBefore=10, spaceAfter=6)
    caption = ParagraphStyle("caption", fontName=font, fontSize=10.5, leading=16, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK", firstLineIndent=21)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
    story = [Paragraph(escape(document.title), title), Paragraph(escape(document.subtitle), subtitle)]
    story += [Paragraph(escape(c.title), body) for c in document.chapters]
    for chapter in document.chapters:
        story += [PageBreak(), Paragraph(escape(chapter.title), heading)]
        for block in chapter.blocks:
            if isinstance(block, Table):
                story += _pdf_table(block, caption, cell)
            else:
                story.append(Paragraph(escape(str(block)), body))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=document.title, leftMargin=20 * mm, rightMargin=20 * mm,
                      topMargin=20 * mm, bottomMargin=20 * mm).build(story)  # fmt: skip
    return buffer.getvalue()


def _pdf_table(table: Table, caption: ParagraphStyle, cell: ParagraphStyle) -> list:
    flow = [Paragraph(escape(table.title), caption)]
    if table.chart is not None and table.rows:
        flow.append(charts.drawing(table))
    data = [[Paragraph(escape(h), cell) for h in table.headers]]
    data += [[Paragraph(escape(cell_text(v, f)), cell) for v, f in zip(row, table.formats, strict=True)]
             for row in table.rows]  # fmt: skip
    grid = PdfTable(data, repeatRows=1, hAlign="LEFT")
    grid.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))  # fmt: skip
    flow += [grid, Spacer(1, 8)]
    return [KeepTogether(flow[:2]), *flow[2:]] if len(flow) > 3 else flow


def docx(document: Document) -> bytes:
    doc = DocxDocument()
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Caption"):
        style = doc.styles[name]
        style.font.name = DOCX_EAST_ASIA_FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), DOCX_EAST_ASIA_FONT)
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.core_properties.title = document.title
    doc.add_heading(document.title, level=0)
    sub = doc.add_paragraph(document.subtitle)
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for chapter in document.chapters:
        doc.add_page_break()
        doc.add_heading(chapter.title, level=1)
        for block in chapter.blocks:
            if isinstance(block, Table):
                _docx_table(doc, block)
            else:
                doc.add_paragraph(str(block))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _docx_table(doc, table: Table) -> None:
    doc.add_heading(table.title, level=2)
    if table.chart is not None and table.rows:
        doc.add_picture(io.BytesIO(charts.png(table)), width=Cm(15))
    grid = doc.add_table(rows=1, cols=len(table.headers))
    grid.style = "Table Grid"
    for c, header in zip(grid.rows[0].cells, table.headers, strict=True):
        c.text = header
    for row in table.rows:
        cells = grid.add_row().cells
        for c, value, fmt in zip(cells, row, table.formats, strict=True):
            c.text = cell_text(value, fmt)
