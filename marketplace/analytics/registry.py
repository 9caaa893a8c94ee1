"""The reports, in the order the index lists them: name → (title, one-line description, builder)."""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from marketplace.analytics import activity, fulfilment, outcomes, practice, priority, supply


@dataclass(frozen=True)
class ReportKind:
    title: str
    description: str
    build: Callable


REPORTS: dict[str, ReportKind] = {
    "outcomes": ReportKind(
        _l("Outcomes"),
        _l(
            "Destination rate at the latest snapshot; internship placement rate, major-relevant rate, pay, early "
            "leavers and retention, by school and major, member and other schools, over time."
        ),
        outcomes.build,
    ),
    "supply": ReportKind(
        _l("Supply and demand"),
        _l(
            "Openings' headcount against available graduates by major and occupation; shortages, surpluses and why "
            "openings went unfilled."
        ),
        supply.build,
    ),
    "plans": ReportKind(
        _l("Plan fulfilment"),
        _l("Each enterprise's half-year plan against the placements it made."),
        fulfilment.build,
    ),
    "practice": ReportKind(
        _l("Teacher practice"),
        _l("Requests, days served and teachers short of six months in five years, by school and specialty."),
        practice.build,
    ),
    "activity": ReportKind(
        _l("Member activity"),
        _l(
            "Last activity and actions per member, members silent longer than the reporting interval, material for "
            "the annual assessment."
        ),
        activity.build,
    ),
    "priority": ReportKind(
        _l("Priority audit"),
        _l("Ranking places and allocation seats decided by 同等条件下优先, and a check that none broke the tolerance."),
        priority.build,
    ),
}
