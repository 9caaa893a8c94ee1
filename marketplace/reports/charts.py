"""Each table's chart, drawn twice from the same `Table.chart_data()`: as reportlab graphics in the PDF and as a
PNG (Pillow, which reportlab already depends on) in the DOCX — renderPM would need rlPyCairo, not installable here."""

import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from marketplace.reports.document import Table
from marketplace.reports.fonts import image_font_file, pdf_font

PALETTE = ("#2f6fb0", "#e07b39", "#3a9a5b", "#b03a48", "#7a5ab0", "#8c8c8c")
PIE_LABEL_SHARE = 0.03
LABEL_CHARS = 8  # category labels longer than this are cut with "…" (the table beside has them whole)


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def drawing(table: Table, width: float = 440, height: float = 210) -> Drawing:
    """The chart as a reportlab Drawing for the PDF."""
    categories, series, unit = table.chart_data()
    font = pdf_font()
    d = Drawing(width, height)
    if table.chart.kind == "pie":
        pie = Pie()
        pie.x, pie.y, pie.width, pie.height = 40, 15, height - 40, height - 40
        pie.data = series[0][1] if any(series[0][1]) else [1]
        total = sum(series[0][1]) or 1
        # Slices under PIE_LABEL_SHARE get no label: their labels would pile up; the table below names them all.
        pie.labels = [f"{_short(c)} {v:g}" if v / total >= PIE_LABEL_SHARE else ""
                      for c, v in zip(categories, series[0][1], strict=True)]  # fmt: skip
        pie.slices.fontName = font
        for i in range(len(pie.data)):
            pie.slices[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
        d.add(pie)
        return d
    chart = HorizontalLineChart() if table.chart.kind == "line" else VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 45, 55, width - 60, height - 80
    chart.data = [values for _, values in series]
    chart.categoryAxis.categoryNames = [_short(c) for c in categories]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30 if len(categories) > 5 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(categories) > 5 else "n"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%g" + unit.replace("%", "%%")
    for i in range(len(series)):
        colour = colors.HexColor(PALETTE[i % len(PALETTE)])
        if table.chart.kind == "line":
            chart.lines[i].strokeColor, chart.lines[i].strokeWidth = colour, 2
        else:
            chart.bars[i].fillColor = colour
    d.add(chart)
    for i, (name, _) in enumerate(series):  # the legend: one line per series
        d.add(String(50 + i * 140, height - 12, f"■ {name}", fontName=font, fontSize=8,
                     fillColor=colors.HexColor(PALETTE[i % len(PALETTE)])))  # fmt: skip
    return d


@cache
def _font(size: int):
    found = image_font_file()
    if found is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(found[0], size, index=found[1])


def png(table: Table, width: int = 1200, height: int = 600) -> bytes:
    """The same chart as a PNG for the DOCX."""
    categories, series, unit = table.chart_data()
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    small, label = _font(22), _font(24)
    for i, (name, _) in enumerate(series):
        draw.rectangle((100 + i * 320, 20, 124 + i * 320, 44), fill=PALETTE[i % len(PALETTE)])
        draw.text((134 + i * 320, 18), name, fill="black", font=label)
    if table.chart.kind == "pie":
        values = series[0][1]
        total = sum(values) or 1
        start, box = -90.0, (80, 80, 80 + height - 120, height - 40)
        for i, (c, v) in enumerate(zip(categories, values, strict=True)):
            end = start + 360 * v / total
            draw.pieslice(box, start, end, fill=PALETTE[i % len(PALETTE)])
            draw.rectangle((height + 20, 100 + i * 40, height + 44, 124 + i * 40), fill=PALETTE[i % len(PALETTE)])
            draw.text((height + 54, 98 + i * 40), f"{c}  {v:g}", fill="black", font=label)
            start = end
        return _save(image)
    left, right, top, bottom = 110, width - 30, 70, height - 150
    top_value = max([v for _, values in series for v in values] + [0]) or 1
    for k in range(5):  # gridlines and value labels
        y = bottom - (bottom - top) * k / 4
        draw.line((left, y, right, y), fill="#dddddd", width=1)
        draw.text((10, y - 12), f"{top_value * k / 4:.4g}{unit}", fill="#444444", font=small)
    draw.line((left, bottom, right, bottom), fill="black", width=2)
    n = max(len(categories), 1)
    slot = (right - left) / n

    def y_of(v):
        return bottom - (bottom - top) * v / top_value

    for s, (_, values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        if table.chart.kind == "line":
            points = [(left + slot * (i + 0.5), y_of(v)) for i, v in enumerate(values)]
            if len(points) > 1:
                draw.line(points, fill=colour, width=4)
            for x, y in points:
                draw.ellipse((x - 6, y - 6, x + 6, y + 6), fill=colour)
        else:
            bar = slot * 0.7 / len(series)
            for i, v in enumerate(values):
                x = left + slot * i + slot * 0.15 + bar * s
                draw.rectangle((x, y_of(v), x + bar, bottom), fill=colour)
    for i, c in enumerate(categories):  # category labels, turned when they would collide
        text = _short(c)
        tile = Image.new("RGBA", (int(draw.textlength(text, font=small)) + 4, 30), (255, 255, 255, 0))
        ImageDraw.Draw(tile).text((2, 0), text, fill="black", font=small)
        if n > 5:
            tile = tile.rotate(35, expand=True)
            x = int(left + slot * (i + 0.5) - tile.width)
        else:
            x = int(left + slot * (i + 0.5) - tile.width / 2)
        image.paste(tile, (max(x, 0), bottom + 8), tile)
    return _save(image)


def _save(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
