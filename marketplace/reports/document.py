"""The neutral document model both renderers read: chapters of paragraphs and tables, each chart drawn from its
table's own rows (`chart_data`), so the PDF, the DOCX and the numbers in them cannot disagree."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Chart:
    kind: str  # bar, line, pie
    values: tuple[int, ...]  # indexes of the columns drawn as series
    category: int = 0  # index of the column naming each row
    limit: int = 15  # the first rows only: the table below carries them all


@dataclass
class Table:
    title: str
    headers: list[str]
    formats: list[str]  # per column: text, int, num, pct, money
    rows: list[tuple]
    chart: Chart | None = None
    note: str = ""

    def chart_data(self) -> tuple[list[str], list[tuple[str, list[float]]], str]:
        """(categories, [(series name, values)], unit) for the chart, read from the rows."""
        c = self.chart
        rows = self.rows[: c.limit]
        pct = all(self.formats[i] == "pct" for i in c.values)
        scale = 100 if pct else 1
        series = [(self.headers[i], [0.0 if r[i] is None else round(float(r[i]) * scale, 1) for r in rows])
                  for i in c.values]  # fmt: skip
        return [str(r[c.category]) for r in rows], series, "%" if pct else ""


@dataclass
class Chapter:
    title: str
    blocks: list = field(default_factory=list)  # str (a paragraph) or Table


@dataclass
class Document:
    title: str
    subtitle: str
    chapters: list[Chapter] = field(default_factory=list)


def cell_text(value, fmt: str) -> str:
    """A value as both documents print it."""
    if value is None:
        return "—"
    if fmt == "pct":
        return f"{value * 100:.1f}%"
    if fmt == "money":
        return f"{value:,.0f}"
    if fmt == "int":
        return f"{int(value):,}"
    if fmt == "num":
        return f"{value:.2f}"
    return str(value)
