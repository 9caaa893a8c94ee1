"""At least 6 months (180 days) of enterprise practice in every 5 years: the arithmetic, and the same sums in SQL."""

from datetime import date, timedelta

import pytest

from marketplace.practice import queries
from marketplace.practice.models import PracticeStatus
from marketplace.practice.rules import (
    REQUIRED_DAYS,
    ServedPractice,
    credited_days,
    days_in_window,
    practice_shortfall,
    practice_window,
)
from marketplace.timeutil import local_today
from tests.factories import PracticeRequestFactory, SchoolFactory, TeacherFactory, UserFactory

ON = date(2026, 6, 30)  # the window is 2021-07-01 … 2026-06-30


def served(start: str, end: str, days: int) -> ServedPractice:
    return ServedPractice(date.fromisoformat(start), date.fromisoformat(end), days)


@pytest.mark.parametrize(
    ("on", "window"),
    [
        (date(2026, 6, 30), (date(2021, 7, 1), date(2026, 6, 30))),
        (date(2026, 1, 1), (date(2021, 1, 2), date(2026, 1, 1))),
        (date(2024, 2, 29), (date(2019, 3, 1), date(2024, 2, 29))),  # no 29 February in 2019
        (date(2025, 3, 1), (date(2020, 3, 2), date(2025, 3, 1))),
    ],
)
def test_window_is_five_years_ending_on_the_day(on, window):
    assert practice_window(on) == window


CASES = [
    # name, records, days counted, shortfall
    ("nothing served", [], 0, 180),
    ("exactly 180 days", [served("2023-03-01", "2023-08-31", 180)], 180, 0),
    ("179 days", [served("2023-03-01", "2023-08-31", 179)], 179, 1),
    ("181 days", [served("2023-03-01", "2023-08-31", 181)], 181, 0),
    ("two records add up to 180", [served("2022-07-01", "2022-09-28", 90), served("2025-07-01", "2025-09-28", 90)],
     180, 0),
    ("two records add up to 179", [served("2022-07-01", "2022-09-28", 90), served("2025-07-01", "2025-09-28", 89)],
     179, 1),
    ("starts on the window's first day", [served("2021-07-01", "2021-08-29", 60)], 60, 120),
    ("ends the day before the window", [served("2021-06-01", "2021-06-30", 30)], 0, 180),
    ("crosses the window start: 30 of 60 days inside", [served("2021-06-01", "2021-07-30", 60)], 30, 150),
    ("crosses the start, part-time: 40 served × 30/60", [served("2021-06-01", "2021-07-30", 40)], 20, 160),
    ("crossing share rounds down", [served("2021-06-02", "2021-07-01", 29)], 0, 180),
    ("crossing record completes the 180",
     [served("2021-06-01", "2021-07-30", 60), served("2024-03-01", "2024-07-28", 150)], 180, 0),
    ("crosses the window end", [served("2026-06-01", "2026-07-30", 60)], 30, 150),
    ("ends on the window's last day", [served("2026-05-02", "2026-06-30", 60)], 60, 120),
    ("far more than needed", [served("2022-01-01", "2022-12-31", 300)], 300, 0),
]  # fmt: skip


@pytest.mark.parametrize(("records", "days", "shortfall"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_six_months_in_five_years(records, days, shortfall):
    assert days_in_window(records, ON) == days
    assert practice_shortfall(records, ON) == shortfall


def test_rule_parameters_are_explicit():
    record = served("2019-01-01", "2019-06-29", 180)  # seven years before ON
    assert REQUIRED_DAYS == 180
    assert practice_shortfall([record], ON) == 180
    assert practice_shortfall([record], ON, years=8) == 0
    assert practice_shortfall([record], ON, years=8, required_days=200) == 20
    assert credited_days(record, (date(2019, 1, 1), date(2019, 1, 10))) == 10  # 180 served × 10/180 days inside


# Completed records of three teachers, and what does not count.
SCHOOL_RECORDS = {
    "full": [("2023-03-01", "2023-08-31", 180)],
    "crossing": [("2021-06-01", "2021-07-30", 60), ("2024-03-01", "2024-04-29", 60)],
    "short": [("2021-06-02", "2021-07-01", 29), ("2025-01-01", "2025-12-31", 179)],
    "nothing": [],
}


@pytest.fixture
def school_with_records(db):
    school = SchoolFactory()
    teachers = {}
    for name, records in SCHOOL_RECORDS.items():
        teacher = teachers[name] = TeacherFactory(school=school, name=name)
        for start, end, days in records:
            PracticeRequestFactory(
                teacher=teacher,
                status=PracticeStatus.COMPLETED,
                start_date=date.fromisoformat(start),
                end_date=date.fromisoformat(end),
                days=days,
                days_served=days,
            )
    # Not counted: accepted but not served, withdrawn, and another school's teacher.
    PracticeRequestFactory(teacher=teachers["nothing"], status=PracticeStatus.ACCEPTED, days=60)
    PracticeRequestFactory(teacher=teachers["nothing"], status=PracticeStatus.CANCELLED, days=60)
    PracticeRequestFactory(status=PracticeStatus.COMPLETED, days=60, days_served=60, teacher__name="other school")
    return school, teachers


def test_sql_standing_agrees_with_the_rule(db, school_with_records):
    school, _teachers = school_with_records
    rows = {t.name: (d, s) for t, d, s in db.session.execute(queries.teacher_standing(school.id, ON))}
    expected = {}
    for name, records in SCHOOL_RECORDS.items():
        served_records = [served(*r) for r in records]
        expected[name] = (days_in_window(served_records, ON), practice_shortfall(served_records, ON))
    assert rows == expected
    assert expected == {"full": (180, 0), "crossing": (90, 90), "short": (179, 1), "nothing": (0, 180)}


def test_short_teachers_lists_days_and_shortfall_fewest_days_first(school_with_records):
    school, _teachers = school_with_records
    short = [(t.name, days, shortfall) for t, days, shortfall in queries.short_teachers(school.id, ON)]
    assert short == [("nothing", 0, 180), ("crossing", 90, 90), ("short", 179, 1)]
    assert queries.standing_counts(school.id, ON) == (4, 3)


def test_teachers_page_shows_who_is_short(client, login_as, db):
    school, today = SchoolFactory(), local_today()
    done, short = TeacherFactory(school=school, name="达标老师"), TeacherFactory(school=school, name="不足老师")
    for teacher, days in ((done, 180), (short, 179)):
        PracticeRequestFactory(
            teacher=teacher,
            status=PracticeStatus.COMPLETED,
            start_date=today - timedelta(days=400),
            end_date=today - timedelta(days=200),
            days=days,
            days_served=days,
        )
    login_as(UserFactory(organization=school))
    page = client.get("/practice/teachers?short=1", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "不足老师" in page
    assert "1 days short" in page
    assert "达标老师" not in page
    page = client.get("/practice/teachers").get_data(as_text=True)
    assert "达标老师" in page
    assert "不足老师" in page
