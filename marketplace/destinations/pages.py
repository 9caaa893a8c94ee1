"""The rates of a snapshot as the pages and exports show them: tables with the charts drawn from their rows."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.analytics.table import Chart, Column, Table
from marketplace.destinations.models import DestinationGroup
from marketplace.destinations.rates import GROUPINGS, RateRow
from marketplace.exports import write_xlsx_book
from marketplace.i18n import label

TITLES = {
    "overview": _l("Overview"),
    "school": _l("By school"),
    "major": _l("By major"),
    "category": _l("By destination category"),
    "region": _l("Employed graduates by place of work"),
    "industry": _l("Employed graduates by industry"),
    "employer_kind": _l("Employed graduates by kind of employer"),
    "member": _l("Employed graduates: alliance members and other employers"),
}
FIRST = {"overview": _l("Graduates"), "school": _l("School"), "major": _l("Major"), "category": _l("Category"),
         "region": _l("Place of work"), "industry": _l("Industry"),
         "employer_kind": _l("Kind of employer"), "member": _l("Employer")}  # fmt: skip
CHARTS = {
    "school": Chart("bar", (4, 6)),
    "major": Chart("bar", (4, 6)),
    "category": Chart("pie", (1,)),
    "region": Chart("pie", (1,)),
    "industry": Chart("bar", (1,)),
    "employer_kind": Chart("pie", (1,)),
    "member": Chart("bar", (8,)),
}


def columns(first) -> list[Column]:
    return [Column(first, "text"), Column(_l("Graduates")), Column(_l("Share"), "pct"),
            Column(_l("With a destination")), Column(_l("Destination rate"), "pct"), Column(_l("Employed")),
            Column(_l("Employment rate"), "pct"), Column(_l("Major-relevant")),
            Column(_l("Major-relevant rate"), "pct"), Column(_l("Average starting pay (yuan)"), "money")]  # fmt: skip


def row(r: RateRow) -> tuple:
    return (r.label, r.graduates, r.share, r.counted, r.destination_rate, r.employed, r.employment_rate, r.relevant,
            r.relevance_rate, r.average_pay)  # fmt: skip


def tables(figures: dict[str, list[RateRow]]) -> list[Table]:
    return [Table(key, TITLES[key], columns(FIRST[key]), [row(r) for r in figures[key]], CHARTS.get(key))
            for key in GROUPINGS]  # fmt: skip


def xlsx(title: str, definitions: list[str], made: list[Table]) -> bytes:
    """Sheets named in the reader's language: the definitions first, then one per table."""
    sheets = [(_("Definitions"), [title], [[str(d)] for d in definitions])]
    sheets += [(str(t.title)[:31], [c.export_label() for c in t.columns], t.export_rows()) for t in made]
    return write_xlsx_book(sheets)


def definitions(settings: dict) -> list[str]:
    def names(values):
        return "、".join(label(DestinationGroup(v)) for v in values)

    lines = [
        _(
            "Destination rate (毕业去向落实率) = graduates with an approved destination in the counted "
            "categories (%(c)s) ÷ graduates of the cohort.",
            c=names(settings["counted"]),
        ),
        _("Employment rate (就业率) = graduates in %(e)s ÷ graduates of the cohort.", e=names(settings["employed"])),
        _(
            "Major-relevant rate (专业对口率) = employed graduates whose occupation their major prepares "
            "for ÷ employed graduates. Average starting pay over employed graduates who gave one."
        ),
        _(
            "Counted: the latest approved record of each graduate, recorded by the snapshot's date, whose content was "
            "entered by the school's deadline (31 August unless the school set another); later changes are kept but "
            "not counted. Place of work is relative to the school's city and province; an employer counts as a member "
            "when its membership was in force on the start date."
        ),
    ]
    if settings.get("entrepreneur_as_flexible"):
        lines.append(_("This alliance shows self-employment under flexible employment."))
    return lines
