"""What a report is made of: tables of numbers, each with the chart drawn from it, and their export.

A chart never has numbers of its own: `Table.chart_spec` reads them from the table's rows, so the chart and the
table below it cannot disagree, and the export carries the same rows.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from marketplace.exports import sheet_titles, write_csv, write_xlsx_book

FORMATS = ("text", "int", "num", "pct", "money", "date", "flag")


@dataclass(frozen=True)
class Column:
    label: str
    fmt: str = "int"

    def export_label(self) -> str:
        return f"{self.label} (%)" if self.fmt == "pct" else str(self.label)

    def export_value(self, value):
        """Rates are fractions in the rows; the spreadsheet gets percentages, rounded as shown on the page."""
        if value is None:
            return None
        if not isinstance(value, int | float | str | date):
            return str(value)  # a lazily translated label
        if self.fmt == "pct":
            return round(value * 100, 1)
        if self.fmt in ("num", "money"):
            return round(value, 1)
        return str(value) if self.fmt == "flag" else value


@dataclass(frozen=True)
class Chart:
    kind: str  # bar, stacked, line, pie
    values: Sequence[int]  # indexes of the columns drawn as series
    category: int = 0  # index of the column that names each row
    highlight: Sequence[int] = ()  # row indexes drawn in red (shortages, breaches)
    limit: int = 30  # the first rows only: a chart of 400 schools reads as noise; the table has them all


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[tuple]
    chart: Chart | None = None
    note: str = ""
    footer: tuple | None = None  # a totals row, shown and exported after the rows
    page_limit: int | None = None  # rows shown on the page (all are exported)

    def chart_spec(self) -> dict | None:
        if self.chart is None or not self.rows:
            return None
        c = self.chart
        rows = self.rows[: c.limit]
        pct = all(self.columns[i].fmt == "pct" for i in c.values)
        scale = 100 if pct else 1
        return {
            "type": c.kind,
            "title": str(self.title),
            "categories": [str(r[c.category]) for r in rows],
            "series": [
                {
                    "name": str(self.columns[i].label),
                    "data": [None if r[i] is None else round(r[i] * scale, 1) for r in rows],
                }
                for i in c.values
            ],  # fmt: skip
            "unit": "%" if pct else "",
            "highlight": [i for i in c.highlight if i < len(rows)],
        }

    def export_rows(self) -> list[list]:
        rows = list(self.rows) + ([self.footer] if self.footer else [])
        return [[col.export_value(v) for col, v in zip(self.columns, row, strict=True)] for row in rows]


@dataclass
class Report:
    name: str
    title: str
    definitions: list[str] = field(default_factory=list)  # how each figure is counted, shown on the page
    tables: list[Table] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def xlsx(self, filters_line: str) -> bytes:
        """The workbook: a first sheet with the filters and definitions, then one sheet per table, each named by its
        title in the reader's language."""
        titles = sheet_titles([_l("Filters and definitions"), *(t.title for t in self.tables)])
        sheets = [(titles[0], [str(self.title)], [[filters_line]] + [[str(d)] for d in self.definitions])]
        sheets += [(title, [c.export_label() for c in t.columns], t.export_rows())
                   for title, t in zip(titles[1:], self.tables, strict=True)]  # fmt: skip
        return write_xlsx_book(sheets)

    def csv(self, key: str) -> bytes:
        table = self.table(key)
        return write_csv([c.export_label() for c in table.columns], table.export_rows())
