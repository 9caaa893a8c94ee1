"""The national rule on teachers' enterprise practice as plain arithmetic (no Flask, no database).

职业学校教师企业实践规定 (教师〔2016〕3号) art. 4: a vocational teacher must do, cumulatively, at least six months of
enterprise practice in every five years. How the product reads it:

- Six months is counted as **180 days** (6 × 30). The days are the days served that the host enterprise records on
  a completed practice, not the calendar length of the period.
- The five years are the window that **ends on a given date** (inclusive) and starts the day after the same date five
  years earlier: on 2026-06-30 the window is 2021-07-01 … 2026-06-30 (on 29 February the start is 1 March).
- Only **completed** practice records count. A record whose period crosses an edge of the window counts in
  proportion to the share of its calendar days inside the window, rounded down to whole days (each record on its
  own), so that a record never counts for more than it was worth.

`marketplace.practice.queries` does the same sums in SQL for whole schools; a test holds the two to each other.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

__all__ = [
    "REQUIRED_DAYS",
    "WINDOW_YEARS",
    "ServedPractice",
    "credited_days",
    "days_in_window",
    "practice_shortfall",
    "practice_window",
]

REQUIRED_DAYS = 180
WINDOW_YEARS = 5


@dataclass(frozen=True)
class ServedPractice:
    """A completed practice record: its period (both ends included) and the days served in it."""

    start: date
    end: date
    days_served: int

    @property
    def period_days(self) -> int:
        return (self.end - self.start).days + 1


def practice_window(on: date, years: int = WINDOW_YEARS) -> tuple[date, date]:
    """The first and last day of the `years`-year window ending on `on`."""
    return on - relativedelta(years=years) + timedelta(days=1), on


def credited_days(record: ServedPractice, window: tuple[date, date]) -> int:
    """The days of `record` that count in `window`: all of them inside, a prorated share across an edge."""
    first, last = window
    overlap = (min(record.end, last) - max(record.start, first)).days + 1
    if overlap <= 0:
        return 0
    return record.days_served * overlap // record.period_days


def days_in_window(served: Iterable[ServedPractice], on: date, years: int = WINDOW_YEARS) -> int:
    window = practice_window(on, years)
    return sum(credited_days(record, window) for record in served)


def practice_shortfall(
    served: Iterable[ServedPractice], on: date, *, required_days: int = REQUIRED_DAYS, years: int = WINDOW_YEARS
) -> int:
    """Days still missing from the required practice in the window ending on `on` (0 when the rule is met)."""
    return max(0, required_days - days_in_window(served, on, years))
