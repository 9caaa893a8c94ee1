"""Alliance placement reports at scale: each report page's latency and one XLSX export, printed as `figure:` lines;
then graduate destinations: each snapshot's time (`destination_snapshot_s`) and the destination pages, counted in
`report_page_max_s`. BENCH_SCALE=0.05 runs a twentieth of the rows for a quick check.

Drops and recreates a PostgreSQL database (BENCH_REPORTS_DATABASE_URL, default xqt_bench_reports on 127.0.0.1),
migrates it with Alembic, loads the reference data, seeds five years of one alliance's history with COPY, logs in
as the alliance's secretariat and times each report page REPEAT times, under three typical filters, through the
WSGI app (in-process, so the figure is server time without network); a report's figure is the slowest of its
filtered pages' medians. BENCH_KEEP=1 keeps the database afterwards.

The history (half-years 2021-1 … 2026-2, nothing starts after AS_OF):

- alliance 1, the one reported on: 150 member schools and 1,500 member enterprises, in force since a day of 2021;
  5 schools and 30 enterprises withdrew in 2024–25, 10 enterprises withdrew in 2022 and rejoined in 2023, 5 other
  schools were refused and 5 other enterprises are still applying. Alliance 2, a neighbour: the 50 other schools,
  the 100 other enterprises and 300 of alliance 1's enterprises. One user per organisation (user id = organisation
  id): the secretariats' users have the secretariat role, and alliance 1's is the one logged in;
- 200,000 graduates, one cohort per school per graduation year 2021–2026, enrolled three years before graduating,
  in majors of the school's level; 90% consent to share;
- one hiring plan per enterprise per half-year (10% of the 2026-2 plans still drafts), published to the alliances
  the enterprise belonged to when the half-year began; 60,000 openings of 1–10 places, each asking for 1–2 majors
  and mostly for an occupation its first major prepares for;
- ~1,000,000 placements, 3–7 per graduate: 认识实习 in the first year, 工学交替/订单班/学徒制 in the second, 岗位实习
  in the last half-year, then jobs from graduation on (92% find one), each ending when the next begins; the latest
  job is ongoing. Two in three go to an opening that asked for the graduate's major. `filled` counts an opening's
  placements up to its headcount: the history places more graduates than the plans had places;
- ~300,000 nominations: an accepted one for 15% of placements, the others declined, rejected, withdrawn, or still
  open in 2026-2;
- 20,000 teachers, 3,000 practice bases, 60,000 practice requests in every status; six allocation runs with 50,000
  seats (~3% decided by priority), the confirmed runs' seats pointing at nominations; ~135,000 audit events, most
  members active in the last two months, some silent since 2021–25, a few never active.
"""

import hashlib
import json
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import seeding  # noqa: E402  (benchmarks/seeding.py, beside this script)

from marketplace import create_app  # noqa: E402
from marketplace.auth.models import User  # noqa: E402
from marketplace.auth.passwords import hash_password  # noqa: E402
from marketplace.config import TestConfig  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.orgs.credit_code import check_character  # noqa: E402

DATABASE_URL = os.environ.get(
    "BENCH_REPORTS_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/xqt_bench_reports"
)
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
KEEP = os.environ.get("BENCH_KEEP") == "1"
REPORT_NAMES = ("outcomes", "supply", "plans", "practice", "activity", "priority")
FILTERS = ("", "?period=2025-2", "?period=2025-2&kind=employment")

MEMBER_SCHOOLS, OTHER_SCHOOLS, MEMBER_ENTERPRISES, OTHER_ENTERPRISES = 150, 50, 1_500, 100
# BENCH_SCALE=0.05 runs a twentieth of the rows (the organisations stay): a quick check, not the figure.
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
GRADUATES, OPENINGS, TEACHERS, BASES, PRACTICE_REQUESTS, SEATS = (
    max(1_000, int(n * SCALE)) for n in (200_000, 60_000, 20_000, 3_000, 60_000, 50_000)
)
FIRST_YEAR, YEARS = 2021, 6
HALVES = 2 * YEARS  # half-year index h: 0 = 2021-1 … 11 = 2026-2
AS_OF = date(2026, 10, 31)
HOME_PROVINCE = "13"  # 河北: 85% of the organisations are in its cities
# Organisation ids, which are also their users' ids: the two alliances' secretariats, then schools, then enterprises.
SCHOOLS = range(3, 3 + MEMBER_SCHOOLS + OTHER_SCHOOLS)
ENTERPRISES = range(SCHOOLS.stop, SCHOOLS.stop + MEMBER_ENTERPRISES + OTHER_ENTERPRISES)
KIND_WEIGHTS = {"employment": 40, "post_internship": 25, "cognitive_internship": 10, "work_study": 10,
                "order_class": 8, "apprenticeship": 7}  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ("建华", "志刚", "丽萍", "秀梅", "国强", "海燕", "子涵", "浩然")
# (members up to this index, tier) in the order of the member lists: 理事长, 副理事长, 常务理事, 理事, 成员单位.
SCHOOL_TIERS = ((1, "chair"), (5, "vice_chair"), (20, "standing"), (60, "director"), (MEMBER_SCHOOLS, "member"))
ENTERPRISE_TIERS = ((5, "vice_chair"), (50, "standing"), (200, "director"), (MEMBER_ENTERPRISES, "member"))
# What each kind of organisation's users do, as (audit action, object type).
ACTIONS = {
    "school": (
        ("login", "users"),
        ("student_updated", "students"),
        ("nomination_created", "nominations"),
        ("practice_requested", "practice_requests"),
        ("export", "none"),
    ),
    "enterprise": (
        ("login", "users"),
        ("plan_published", "hiring_plans"),
        ("opening_saved", "openings"),
        ("offer_accepted", "nominations"),
        ("practice_base_updated", "practice_bases"),
    ),
    "association": (("login", "users"), ("allocation_run", "allocation_runs"), ("export", "none")),
}
SPECIALTIES = ("数控技术", "焊接技术", "电气自动化", "汽车维修", "模具制造", "工业机器人", "电子商务", "护理")


def figure(name: str, value: float, unit: str) -> None:
    print(f"figure: {name} = {value:.3f} {unit}", flush=True)


def half_start(h: int) -> date:
    return date(FIRST_YEAR + h // 2, 1 if h % 2 == 0 else 7, 1)


def half_end(h: int) -> date:
    return half_start(h + 1) - timedelta(days=1)


def at(day: date, seconds: int = 32_400) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)


class History:
    """Every table's rows, built in memory in foreign-key order with ids assigned here (COPY gives none back)."""

    def __init__(self, rng: random.Random, cities, majors, occupations, occupations_of_major, password_hash: str):
        self.rng = rng
        self.cities, self.majors, self.occupations = cities, majors, occupations
        self.occupations_of_major, self.password_hash = occupations_of_major, password_hash
        self.tables: dict[str, tuple[tuple[str, ...], list]] = {}

    def add(self, table: str, columns: str, rows: list) -> None:
        self.tables[table] = (tuple(columns.split()), rows)

    def build(self) -> None:
        for step in (self.organizations, self.memberships, self.students, self.plans, self.placements,
                     self.destinations, self.practice, self.allocations, self.audit_events):  # fmt: skip
            step()

    def organizations(self) -> None:
        rng, home = self.rng, [c for c in self.cities if c.code.startswith(HOME_PROVINCE)]
        levels = sorted(self.majors)
        self.city, self.name, self.school_level, self.school_majors = {}, {}, {}, {}
        rows = []
        for org in range(1, ENTERPRISES.stop):
            city = rng.choice(home) if rng.random() < 0.85 else rng.choice(self.cities)
            if org in SCHOOLS:
                kind, prefix, staff, level = "school", "12", None, rng.choice(levels)
                name = f"{city.name}第{org}职业技术学校"
                self.school_level[org] = level
                self.school_majors[org] = rng.sample(self.majors[level], min(6, len(self.majors[level])))
            elif org in ENTERPRISES:
                kind, prefix, staff, level = "enterprise", "91", rng.randint(50, 5_000), None
                name = f"{city.name}基准制造有限公司{org}"
            else:
                kind, prefix, staff, level = "association", "51", None, None
                name = f"{city.name}职业教育集团秘书处{org}"
            first17 = f"{prefix}{city.code}{org:09d}"
            self.city[org], self.name[org] = city, name
            code = first17 + check_character(first17)
            rows.append((org, name, kind, code, city.parent_id, city.id, staff, level, "联系人", "0311-80000000",
                         f"office{org}@bench.example.cn", "", at(date(2020, 12, 1))))  # fmt: skip
        self.add("organizations", "id name kind credit_code province_id city_id staff_count school_level "
                 "contact_name contact_phone contact_email address created_at", rows)  # fmt: skip
        grades = json.dumps(["优秀", "较好", "合格", "不合格"], ensure_ascii=False)
        self.add("alliances", "id name short_name description secretariat_org_id admission_vote_num "
                 "admission_vote_den admission_vote_strict quorum_num quorum_den withdrawal_notice_months "
                 "officer_term_years assessment_grades priority_tolerance created_at", [
                     (1, "冀中职业教育联盟（基准）", "冀中职教联盟", "", 1, 2, 3, False, 2, 3, 3, 5, grades, 0.02,
                      at(date(2020, 12, 1))),
                     (2, "京津冀产教融合共同体（基准）", "京津冀共同体", "", 2, 2, 3, False, 2, 3, 3, 5, grades, 0.02,
                      at(date(2020, 12, 1))),
                 ])  # fmt: skip
        self.add("users", "id email name password_hash organization_id role active session_version created_at", [
            (org, f"admin{org}@bench.example.cn", f"管理员{org}", self.password_hash, org,
             "org_admin" if org in SCHOOLS or org in ENTERPRISES else "secretariat", True, 1, at(date(2020, 12, 1)))
            for org in range(1, ENTERPRISES.stop)
        ])  # fmt: skip

    def memberships(self) -> None:
        rng, rows = self.rng, []
        self.periods = defaultdict(list)  # org → [(alliance, from, until or None)] while in force

        def join(org, alliance, tier, since, until=None, status=None):
            status = status or ("withdrawn" if until else "active")
            decided = since or date(2021, 3, 1)
            # decided by the alliance's secretariat, whose user id is its organisation id, which is the alliance id
            rows.append((len(rows) + 1, org, alliance, tier, status, "", at(decided - timedelta(days=30)), since,
                         until, until - timedelta(days=92) if until else None,
                         alliance if status != "applied" else None, at(decided) if status != "applied" else None,
                         ""))  # fmt: skip
            if since is not None:
                self.periods[org].append((alliance, since, until))

        def some_day(year):
            return date(year, 1, 1) + timedelta(days=rng.randrange(365))

        schools, enterprises = SCHOOLS[:MEMBER_SCHOOLS], ENTERPRISES[:MEMBER_ENTERPRISES]
        for i, org in enumerate(schools):
            tier = next(t for limit, t in SCHOOL_TIERS if i < limit)
            join(org, 1, tier, some_day(2021), some_day(2024) if i >= MEMBER_SCHOOLS - 5 else None)
        for i, org in enumerate(enterprises):
            tier = next(t for limit, t in ENTERPRISE_TIERS if i < limit)
            if MEMBER_ENTERPRISES - 40 <= i < MEMBER_ENTERPRISES - 30:
                join(org, 1, tier, some_day(2021), date(2022, 6, 30))
                join(org, 1, tier, date(2023, 3, 1))
            else:
                join(org, 1, tier, some_day(2021), some_day(rng.choice((2024, 2025))) if i >= MEMBER_ENTERPRISES - 30
                     else None)  # fmt: skip
            if i < 300:
                join(org, 2, "member", some_day(2021))
        for i, org in enumerate(SCHOOLS[MEMBER_SCHOOLS:]):
            join(org, 2, "member", some_day(2021))
            if i < 5:
                join(org, 1, "member", None, status="rejected")
        for i, org in enumerate(ENTERPRISES[MEMBER_ENTERPRISES:]):
            join(org, 2, "member", some_day(2021))
            if i < 5:
                join(org, 1, "member", None, status="applied")
        self.add("memberships", "id organization_id alliance_id tier status application_note applied_at "
                 "effective_from effective_until withdrawal_requested_on decided_by_id decided_at decision_reason",
                 rows)  # fmt: skip

    def in_force(self, org: int, alliance: int, day: date) -> bool:
        return any(a == alliance and since <= day and (until is None or day < until)
                   for a, since, until in self.periods[org])  # fmt: skip

    def students(self) -> None:
        rng = self.rng
        cohorts, rows = [], []
        self.student_school, self.student_year, self.student_major = [None], [None], [None]  # index = student id
        n_cohorts = len(SCHOOLS) * YEARS
        for c in range(n_cohorts):
            school, year = SCHOOLS[c // YEARS], FIRST_YEAR + c % YEARS
            cohorts.append((c + 1, school, year, at(date(year - 3, 9, 1))))
            level, majors = self.school_level[school], self.school_majors[school]
            enrolled = date(year - 3, 9, 1)
            for n in range(GRADUATES * c // n_cohorts, GRADUATES * (c + 1) // n_cohorts):
                major = rng.choice(majors)
                birth = date(year - 19, 1, 1) + timedelta(days=rng.randrange(365))
                rows.append((n + 1, school, c + 1, f"{year}{n:06d}", rng.choice(SURNAMES) + rng.choice(GIVEN),
                             rng.choice(("male", "female")), birth, enrolled, major, level, "",
                             round(rng.uniform(55, 98), 1) if rng.random() < 0.9 else None, "[]",
                             f"139{n:08d}", "", rng.random() < 0.9, at(enrolled), at(enrolled)))  # fmt: skip
                self.student_school.append(school)
                self.student_year.append(year)
                self.student_major.append(major)
        self.add("cohorts", "id school_id graduation_year created_at", cohorts)
        self.add("students", "id school_id cohort_id student_no name gender birth_date enrolled_on major_id "
                 "level skills grade_score wanted_kinds phone id_number consent_to_share created_at updated_at",
                 rows)  # fmt: skip

    def plans(self) -> None:
        rng, all_majors = self.rng, [m for ms in self.majors.values() for m in ms]
        plans, published, openings, asked = [], [], [], []
        self.pool = defaultdict(list)  # (half, kind) → opening ids, repeated by headcount
        self.pool_for_major = defaultdict(list)  # (half, kind, major) → opening ids that asked for the major
        self.opening = [None]  # id → (half, kind, start, end, pay_min, pay_max, enterprise, in alliance 1)
        for e in ENTERPRISES:
            for h in range(HALVES):
                draft = h == HALVES - 1 and rng.random() < 0.1
                begins = half_start(h)
                published_at = None if draft else at(begins - timedelta(days=30))
                plans.append((len(plans) + 1, e, FIRST_YEAR + h // 2, h % 2 + 1, "", "draft" if draft else "published",
                              published_at, at(begins - timedelta(days=45))))  # fmt: skip
                published.extend((len(plans), a) for a in (1, 2) if not draft and self.in_force(e, a, begins))
        in_alliance_1 = {plan for plan, alliance in published if alliance == 1}
        kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
        for i in range(OPENINGS):
            plan_id = i * len(plans) // OPENINGS + 1
            _, enterprise, year, half, _, status, _, created = plans[plan_id - 1]
            h, kind = (year - FIRST_YEAR) * 2 + half - 1, rng.choices(kinds, weights)[0]
            majors = [rng.choice(all_majors)]
            if rng.random() < 0.3:
                majors.append(rng.choice([m for m in all_majors if m != majors[0]]))
            related = self.occupations_of_major.get(majors[0])
            occupation, title = rng.choice(related if related and rng.random() < 0.8 else self.occupations)
            start = half_start(h) + timedelta(days=rng.randrange(61))
            end = min(half_end(h), start + timedelta(days=rng.randint(30, 120)))
            if kind == "employment":
                pay_min, post_wage = rng.randrange(3_500, 7_000, 100), None
            else:
                pay_min = 0 if kind == "cognitive_internship" else rng.randrange(1_500, 3_500, 100)
                post_wage = rng.randrange(4_000, 7_000, 100) if kind == "post_internship" else None
            pay_max, headcount = pay_min + rng.randrange(0, 2_100, 100), rng.randint(1, 10)
            city = self.city[enterprise] if rng.random() < 0.8 else rng.choice(self.cities)
            openings.append([i + 1, plan_id, kind, title[:120], occupation, "", "", city.id, headcount, 0, pay_min,
                             pay_max, post_wage, start, end, rng.choice(("day", "two_shifts", "night", "flexible")),
                             rng.random() < 0.2, rng.randint(5, 200), False, False, False, False, False, False,
                             False, False, created])  # fmt: skip
            asked.extend((i + 1, m) for m in majors)
            self.opening.append((h, kind, start, end, pay_min, pay_max, enterprise, plan_id in in_alliance_1))
            if status == "published":
                self.pool[h, kind].extend([i + 1] * headcount)
                for m in majors:
                    self.pool_for_major[h, kind, m].extend([i + 1] * headcount)
        self.add("hiring_plans", "id enterprise_id year half labour_standards status published_at created_at", plans)
        self.add("plan_alliances", "plan_id alliance_id", published)
        self.add("openings", "id plan_id kind title occupation_id skills description city_id headcount filled "
                 "pay_min pay_max post_wage start_date end_date shift_pattern requires_overtime staff_in_post "
                 "restricted_venue via_paid_agent labour_dispatch heavy_labour high_risk holiday_work "
                 "minors_forbidden_work women_forbidden_work created_at", openings)  # fmt: skip
        self.add("opening_majors", "opening_id major_id", asked)

    def _pick(self, h: int, kind: str, major: int, used: set) -> int:
        """An opening of the half-year and kind this graduate has not been placed at or nominated for."""
        pools = [self.pool_for_major.get((h, kind, major)), self.pool[h, kind]]
        pool = pools[0] if pools[0] and self.rng.random() < 0.65 else pools[1]
        for attempt in range(50):
            opening = pool[int(self.rng.random() * len(pool))]
            if opening not in used:
                used.add(opening)
                return opening
            if attempt == 4:
                pool = pools[1]
        raise RuntimeError(f"no free opening of {kind} in half-year {h}")

    def placements(self) -> None:
        """Each graduate's path through school and work (see the module docstring), with its nominations."""
        rng, placements, nominations = self.rng, [], []
        self.first_job = {}  # student → (placement, opening, start, pay) of the first job
        self.nominations_by_half = defaultdict(list)  # half → [(nomination, student, opening)]
        placed = Counter()
        for student in range(1, len(self.student_year)):
            year, school, major = self.student_year[student], self.student_school[student], self.student_major[student]
            g = (year - FIRST_YEAR) * 2  # the graduation half-year, when 岗位实习 ends
            middle = rng.choice(("work_study", "order_class", "apprenticeship"))
            school_years = ((g - 4, "cognitive_internship"), (g - 3, "cognitive_internship"), (g - 2, middle),
                            (g - 1, middle), (g, "post_internship"))  # fmt: skip
            events = [(h, kind) for h, kind in school_years if h >= 0]
            if rng.random() < 0.92 or len(events) < 3:
                events += [(h, "employment") for h in range(g + 1, HALVES)]
            required = [e for e in events if e[0] in (g, g + 1)]
            others = [e for e in events if e[0] not in (g, g + 1)]
            chosen = sorted(required + rng.sample(others, min(rng.randint(3, 7), len(events)) - len(required)))
            used, rows = set(), []
            for h, kind in chosen:
                opening = self._pick(h, kind, major, used)
                _, _, o_start, o_end, pay_min, pay_max, enterprise, _ = self.opening[opening]
                start = min(o_end, o_start + timedelta(days=rng.randrange(15)))
                nomination = None
                if rng.random() < 0.15:
                    nomination = len(nominations) + 1
                    nominations.append((nomination, opening, student, "accepted", "", school,
                                        at(start - timedelta(days=20)), at(start - timedelta(days=10))))  # fmt: skip
                    self.nominations_by_half[h].append((nomination, student, opening))
                if rng.random() < 0.15:
                    other = self._pick(h, kind, major, used)
                    if h == HALVES - 1:
                        status = rng.choice(("nominated", "invited", "shortlisted", "offered", "rejected", "declined"))
                    else:
                        status = rng.choices(("declined", "rejected", "withdrawn"), (40, 35, 25))[0]
                    reason = {"declined": "另有去向", "rejected": "岗位已满"}.get(status, "")
                    by = self.opening[other][6] if status == "invited" else school
                    nominations.append((len(nominations) + 1, other, student, status, reason, by,
                                        at(start - timedelta(days=25)), at(start - timedelta(days=5))))  # fmt: skip
                    self.nominations_by_half[h].append((len(nominations), student, other))
                pay = rng.randint(pay_min, pay_max)
                rows.append([None, opening, student, nomination, kind, start, o_end, "completed", pay, "", "",
                             at(start)])  # fmt: skip
                placed[opening] += 1
            jobs = [row for row in rows if row[4] == "employment"]
            for row in rows:
                if row[4] != "employment" and rng.random() < 0.12:
                    row[6], row[7] = row[5] + timedelta(days=rng.randrange((row[6] - row[5]).days + 1)), "left_early"
            for row, following in zip(jobs, jobs[1:], strict=False):
                row[6], row[7] = following[5] - timedelta(days=1), rng.choice(("completed", "left_early"))
            if jobs:
                last, r = jobs[-1], rng.random()
                if r < 0.85:
                    last[6], last[7] = None, "ongoing"
                else:
                    last[6] = min(AS_OF, last[5] + timedelta(days=rng.randint(30, 400)))
                    last[7] = "left_early" if r < 0.95 else "completed"
            for row in rows:
                row[0] = len(placements) + 1
                placements.append(row)
                if row[4] == "employment" and student not in self.first_job:
                    self.first_job[student] = (row[0], row[1], row[5], row[8])
        for row in self.tables["openings"][1]:
            row[9] = min(row[8], placed[row[0]])  # filled
        self.add("nominations", "id opening_id student_id status reason created_by_id created_at updated_at",
                 nominations)  # fmt: skip
        self.add("placements", "id opening_id student_id nomination_id kind start_date end_date status pay "
                 "enterprise_feedback school_feedback created_at", placements)  # fmt: skip

    def destinations(self) -> None:
        """Destination records (毕业去向) of the cohorts 2021–2026: a job proposes 签劳动合同, the others register any
        category; 95% approved by the deadline, 3% changed after it, 5% a second record later."""
        rng, rows, codes = self.rng, [], self.codes
        others = [("75", 10), ("76", 4), ("81", 10), ("86", 1), ("46", 2), ("70", 9), ("72", 3), ("10", 14)]
        other_codes = [c for c, w in others for _ in range(w)]

        def add(student, sequence, version, status, day, content_on, late, code, employer, city, pay, start, job):
            rows.append((len(rows) + 1, student, sequence, version, status, codes[code], self.name.get(employer, ""),
                         "", employer, "制造业", rng.choice(("state", "private", "foreign", "public", None)), None,
                         city.parent_id if city else None, city.id if city else None, "", None, start, pay,
                         bool(job) and rng.random() < 0.66, code not in ("70", "72"), "", "", job, content_on, day,
                         late, None, at(day)))  # fmt: skip

        for student in range(1, len(self.student_year)):
            year = self.student_year[student]
            job = self.first_job.get(student)
            if job is not None and job[2] <= date(year, 8, 31) + timedelta(days=120):
                placement, opening, start, pay = job
                employer = self.opening[opening][6]
                record = ("11", employer, self.city[employer], pay, start, placement)
            else:
                code = rng.choice(other_codes)
                paid = code in ("75", "76", "10")
                record = (code, None, rng.choice(self.cities) if paid else None,
                          rng.randrange(2_500, 8_000, 100) if paid else None, date(year, 7, 1) if paid else None,
                          None)  # fmt: skip
            entered = date(year, rng.randint(4, 8), rng.randint(1, 28))
            add(student, 1, 1, "submitted", entered, entered, False, *record)
            if rng.random() < 0.05:
                continue
            add(student, 1, 2, "approved", entered + timedelta(days=rng.randint(1, 20)), entered, False, *record)
            r = rng.random()
            if r < 0.03:
                later = date(year, 9, rng.randint(2, 28))
                add(student, 1, 3, "submitted", later, later, True, "75", None, None, 3_000, None, None)
                add(student, 1, 4, "approved", later + timedelta(days=1), later, True, "75", None, None, 3_000, None,
                    None)  # fmt: skip
            elif r < 0.08:
                moved = date(year, 8, rng.randint(1, 20))
                employer = rng.choice(ENTERPRISES)
                again = ("11", employer, self.city[employer], rng.randrange(4_000, 8_000, 100), moved, None)
                add(student, 2, 1, "submitted", moved, moved, False, *again)
                add(student, 2, 2, "approved", moved + timedelta(days=3), moved, False, *again)
        self.add("destination_records", "id student_id sequence version status code_id employer_name "
                 "employer_credit_code employer_org_id industry ownership size province_id city_id job_title "
                 "occupation_id start_date monthly_pay major_relevant proof_on_file no_proof_reason review_reason "
                 "placement_id content_on recorded_on late created_by_id created_at", rows)  # fmt: skip

    def practice(self) -> None:
        rng = self.rng
        per_school = TEACHERS // len(SCHOOLS)
        teachers = [(t, SCHOOLS[(t - 1) // per_school], f"T{t:05d}", rng.choice(SURNAMES) + rng.choice(GIVEN),
                     rng.choice(SPECIALTIES)) for t in range(1, per_school * len(SCHOOLS) + 1)]  # fmt: skip
        bases = []
        for b in range(1, BASES + 1):
            enterprise = ENTERPRISES[(b - 1) % MEMBER_ENTERPRISES]
            bases.append((b, enterprise, f"{self.name[enterprise]}教师实践基地{b}", rng.choice(SPECIALTIES),
                          self.city[enterprise].id, rng.randint(2, 6), date(2021, 1, 1), date(2027, 12, 31),
                          rng.choice(SURNAMES) + "工程师", "高级工程师"))  # fmt: skip
        requests = []
        for r in range(1, PRACTICE_REQUESTS + 1):
            _, school, _, _, specialty = teacher = rng.choice(teachers)
            start = half_start(rng.randrange(HALVES)) + timedelta(days=rng.randrange(150))
            days = rng.choice((10, 15, 20, 30, 45, 60))
            end = start + timedelta(days=days - 1)
            if end < AS_OF:
                status = rng.choices(("completed", "declined", "cancelled", "accepted"), (72, 10, 10, 8))[0]
            else:
                status = rng.choices(("requested", "accepted", "declined", "cancelled"), (45, 35, 10, 10))[0]
            served = (days if rng.random() < 0.8 else rng.randint(days // 2, days)) if status == "completed" else None
            requests.append((r, teacher[0], specialty, start, end, days,
                             self.city[school].id if rng.random() < 0.6 else None, status,
                             rng.randint(1, BASES) if status in ("accepted", "completed") else None, served,
                             at(start - timedelta(days=rng.randint(20, 90)))))  # fmt: skip
        self.add("teachers", "id school_id staff_no name specialty", teachers)
        self.add("practice_bases", "id enterprise_id name specialty city_id capacity available_from available_until "
                 "mentor_name mentor_title", bases)  # fmt: skip
        self.add("practice_requests", "id teacher_id specialty start_date end_date days wanted_city_id status "
                 "base_id days_served created_at", requests)  # fmt: skip

    def allocations(self) -> None:
        """Six runs of alliance 1: confirmed ones seat nominated graduates, the others propose fresh pairs."""
        rng, runs, seats = self.rng, [], []
        members = set(SCHOOLS[:MEMBER_SCHOOLS])
        member_students = [s for s in range(1, len(self.student_school)) if self.student_school[s] in members]
        for r, (h, status) in enumerate(((7, "confirmed"), (8, "confirmed"), (9, "discarded"), (9, "confirmed"),
                                          (10, "confirmed"), (11, "proposed"))):  # fmt: skip
            wanted, taken, first = SEATS * (r + 1) // 6 - SEATS * r // 6, set(), len(seats)
            if status == "confirmed":
                candidates = [c for c in self.nominations_by_half[h]
                              if self.opening[c[2]][7] and self.student_school[c[1]] in members]  # fmt: skip
            else:
                openings = [o for o in set(self.pool[h, "employment"]) if self.opening[o][7]]
                candidates = [(None, rng.choice(member_students), rng.choice(openings)) for _ in range(2 * wanted)]
            rng.shuffle(candidates)
            for nomination, student, opening in candidates:
                if len(taken) == wanted:
                    break
                if student in taken:
                    continue
                taken.add(student)
                priority = rng.random() < 0.15
                decided = priority and rng.random() < 0.2
                fit = round(rng.uniform(0.35, 0.98), 4)
                choice = min(15, 1 + int(rng.expovariate(0.5)))
                passed_fit = round(fit + 0.01, 4) if decided else None
                seats.append((len(seats) + 1, r + 1, student, opening, fit, choice, priority, decided, nomination,
                              passed_fit, 0.02))  # fmt: skip
            mine = seats[first:]
            by_school = Counter(self.name[self.student_school[s[2]]] for s in mine)
            summary = {"students": 3 * len(mine), "openings": len({s[3] for s in mine}), "placed": len(mine),
                       "placed_share": round(len(mine) / (3 * len(mine)), 4),
                       "first_choice": sum(s[5] == 1 for s in mine), "priority_seats": sum(s[6] for s in mine),
                       "decided_by_priority": sum(s[7] for s in mine), "blocking_pairs": 0, "rounds": 14,
                       "by_school": {name: [n, 3 * n] for name, n in sorted(by_school.items())}}  # fmt: skip
            snapshot = at(half_start(h) + timedelta(days=10))
            decided_at = at(half_start(h) + timedelta(days=12)) if status != "proposed" else None
            runs.append((r + 1, 1, status, json.dumps({"choices": 15, "scope": "members"}), snapshot,
                         hashlib.sha256(f"run{r}".encode()).hexdigest(),
                         json.dumps({"read_and_build_s": 4.1, "rank_s": 9.7, "allocate_s": 1.2}),
                         json.dumps(summary, ensure_ascii=False), 1, snapshot + timedelta(seconds=15),
                         1 if decided_at else None, decided_at))  # fmt: skip
        self.add("allocation_runs", "id alliance_id status parameters snapshot_at inputs_digest timings summary "
                 "created_by_id created_at decided_by_id decided_at", runs)  # fmt: skip
        self.add("allocation_seats", "id run_id student_id opening_id fit choice priority decided_by_priority "
                 "nomination_id passed_fit tolerance", seats)  # fmt: skip

    def audit_events(self) -> None:
        """Most members active in the last two months; some silent since 2021–25; 3% never active."""
        rng, rows = self.rng, []
        first_day = date(2021, 1, 1).toordinal()
        for org in range(1, ENTERPRISES.stop):
            r = 0.5 if org < SCHOOLS.start else rng.random()
            if r < 0.03:
                continue
            if r < 0.80:
                last = AS_OF - timedelta(days=rng.randrange(60))
            else:
                last = date(2021, 6, 1) + timedelta(days=rng.randrange((date(2025, 6, 30) - date(2021, 6, 1)).days))
            member = self.in_force(org, 1, last) or org < SCHOOLS.start
            kind = "school" if org in SCHOOLS else "enterprise" if org in ENTERPRISES else "association"
            count = rng.randint(40, 120 if member else 60)
            days = sorted(rng.randrange(first_day, last.toordinal()) for _ in range(count - 1))
            for day in [*days, last.toordinal()]:
                action, object_type = rng.choice(ACTIONS[kind])
                rows.append((len(rows) + 1, at(date.fromordinal(day), rng.randrange(86_400)), org, org, action,
                             object_type, org if object_type == "users" else None, f"10.0.{org % 250}.{org // 250 + 1}",
                             "{}"))  # fmt: skip
        for _ in range(2_000):  # failed logins: no actor, no organisation
            day = date.fromordinal(rng.randrange(first_day, AS_OF.toordinal()))
            rows.append((len(rows) + 1, at(day, rng.randrange(86_400)), None, None, "login_failed", "none", None,
                         "203.0.113.7", "{}"))  # fmt: skip
        self.add("audit_events", "id at actor_id organization_id action object_type object_id ip details", rows)


def _scalar_defaults(table: str, given: set[str]) -> dict:
    """NOT NULL columns of `table` the seeded rows leave out, with the model's scalar default (a flag, a kind)."""
    model = db.metadata.tables.get(table)
    if model is None:
        return {}
    result = {}
    for column in model.columns:
        default = column.default
        if column.name in given or column.nullable or default is None or not default.is_scalar:
            continue
        value = default.arg
        result[column.name] = getattr(value, "value", value)
    return result


def copy_history(history: History) -> None:
    """COPY every table through the app engine's psycopg connection, reset the id sequences, ANALYZE."""
    raw = db.engine.raw_connection()
    try:
        pg = raw.driver_connection
        with pg.cursor() as cur:
            cur.execute("SET synchronous_commit = off")
            for table, (columns, rows) in history.tables.items():
                present = {r[0] for r in cur.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,))}  # fmt: skip
                keep = [i for i, c in enumerate(columns) if c in present]  # columns a newer migration has not added
                # Columns a newer migration added that the rows do not carry: the model's scalar default.
                filled = _scalar_defaults(table, set(columns))
                names = ", ".join([*(columns[i] for i in keep), *filled])
                tail = list(filled.values())
                with cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([*(row if len(keep) == len(columns) else [row[i] for i in keep]), *tail])
                if "id" in columns:
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")  # noqa: S608
            pg.commit()
            # What autovacuum would have done by the time anyone reads a report: without it, autovacuum wakes on
            # the million fresh rows during the timed requests, and the first scans write every page's hint bits.
            pg.autocommit = True  # outside a transaction
            cur.execute("VACUUM ANALYZE")
            pg.autocommit = False
    finally:
        raw.close()


def reference_rows():
    """Cities, majors by level, level-4 occupations and the occupations each major prepares for (if linked)."""
    conn = db.session.connection()
    cities = conn.execute(sa.text("SELECT id, parent_id, code, name FROM regions WHERE level = 'city' ORDER BY code"))
    majors = defaultdict(list)
    for major_id, level in conn.execute(sa.text("SELECT id, level FROM majors ORDER BY id")):
        majors[level].append(major_id)
    occupations = conn.execute(sa.text("SELECT id, name FROM occupations WHERE level = 4 ORDER BY id")).all()
    of_major = defaultdict(list)
    if sa.inspect(conn).has_table("major_occupations"):
        names = dict(occupations)
        for major_id, occupation in conn.execute(sa.text("SELECT major_id, occupation_id FROM major_occupations")):
            if occupation in names:
                of_major[major_id].append((occupation, names[occupation]))
    return list(cities), dict(majors), [tuple(o) for o in occupations], dict(of_major)


def fresh_database(url: sa.URL) -> sa.Engine:
    """Drop and recreate the benchmark database from an autocommit connection to `postgres`; exit 1 if unreachable."""
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
    except sa.exc.OperationalError as exc:
        print(f"bench_reports: PostgreSQL is unreachable at {url.render_as_string(hide_password=True)}: {exc.orig}\n"
              "Start PostgreSQL or set BENCH_REPORTS_DATABASE_URL.", file=sys.stderr)  # fmt: skip
        sys.exit(1)
    return admin


def get_ok(client, url: str) -> float:
    """Seconds for one GET; anything but 200 stops the benchmark with the status and the start of the body."""
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        body = response.get_data(as_text=True)[:500]
        print(f"bench_reports: GET {url} answered {response.status_code}:\n{body}", file=sys.stderr)
        raise SystemExit(1)
    return elapsed


def report_names() -> list[str]:
    """The registered reports, or the planned ones while `marketplace.analytics` does not exist yet."""
    try:
        from marketplace.analytics.registry import REPORTS
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("marketplace.analytics"):
            raise
        return list(REPORT_NAMES)
    missing = [name for name in REPORT_NAMES if name not in REPORTS]
    if missing:
        print(f"not registered yet, not timed: {', '.join(missing)}")
    return list(REPORTS)


def take_snapshots(app) -> list[int]:
    """The secretariat's snapshots of alliance 1, each timed (one INSERT … SELECT … GROUP BY and its commit)."""
    from marketplace.destinations.snapshots import take

    taken, times = [], []
    with app.app_context():
        for year, day in ((2024, date(2024, 9, 1)), (2025, date(2025, 9, 1)), (2025, date(2025, 12, 31)),
                          (2026, date(2026, 9, 1))):  # fmt: skip
            started = time.perf_counter()
            snapshot = take(1, year, day, actor=None)
            db.session.commit()
            times.append(time.perf_counter() - started)
            print(f"snapshot {year} as of {day}: {snapshot.graduates:,} graduates in {times[-1]:.3f} s")
            taken.append(snapshot.id)
        db.session.remove()
    figure("destination_snapshot_s", max(times), "s")
    return taken


def _client(app, session_id: str):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    return client


def _median(client, urls: list[str]) -> float:
    """The slowest of the pages' medians: each filter's page is a page a user waits for."""
    for url in urls:
        get_ok(client, url)  # warm caches, templates and the database's buffers
    samples = {url: [get_ok(client, url) for _ in range(REPEAT)] for url in urls}
    for url, times in samples.items():
        print(f"{url}: median {statistics.median(times):.3f} s, max {max(times):.3f} s")
    return max(statistics.median(times) for times in samples.values())


def time_destination_pages(app, alliance_id: int, session_id: str, school_session_id: str, taken: list[int]) -> dict:
    """The destination pages of the secretariat and of a school, on the latest snapshot."""
    secretariat, school = _client(app, session_id), _client(app, school_session_id)
    medians = {
        "destinations_home": _median(secretariat, [f"/alliances/{alliance_id}/destinations"]),
        "destinations_rates": _median(secretariat, [f"/alliances/{alliance_id}/destinations/snapshots/{taken[-1]}"]),
        "destinations_school": _median(
            school, [f"/destinations/rates?snapshot={taken[-1]}", "/destinations/?year=2026"]
        ),
    }
    for name, value in medians.items():
        figure(f"report_{name}_s", value, "s")
    url = f"/alliances/{alliance_id}/destinations/snapshots/{taken[-1]}.xlsx"
    figure("destination_export_s", get_ok(secretariat, url), "s")
    return medians


def time_reports(app, alliance_id: int, session_id: str, extra: dict | None = None) -> None:
    client = _client(app, session_id)
    medians = dict(extra or {})
    for name in report_names():
        medians[name] = _median(client, [f"/alliances/{alliance_id}/reports/{name}{query}" for query in FILTERS])
        figure(f"report_{name}_s", medians[name], "s")
    figure("report_page_max_s", max(medians.values()), "s")
    figure("report_export_s", export_xlsx(client, alliance_id), "s")


def export_xlsx(client, alliance_id: int) -> float:
    """The outcomes workbook: POST (queued; TestConfig's immediate queue runs the job in the request, so its time is
    the job's), then the download of the file the job wrote."""
    started = time.perf_counter()
    response = client.post(f"/alliances/{alliance_id}/reports/outcomes/export", data={"period": "2026-2"})
    if response.status_code != 302:
        print(f"bench_reports: the export answered {response.status_code}", file=sys.stderr)
        raise SystemExit(1)
    state = client.get(response.headers["Location"] + "/progress").get_json()
    if state["status"] != "done" or not state["result_url"]:
        print(f"bench_reports: the export's job ended {state['status']}: {state['reason']}", file=sys.stderr)
        raise SystemExit(1)
    get_ok(client, state["result_url"])
    return time.perf_counter() - started


def time_annual_report(app, alliance_id: int, session_id: str) -> None:
    """The alliance's annual quality report of the 2026 graduates, generated as a queued job (run in the request by
    TestConfig's immediate queue, so the POST's time is the job's): collect, render the PDF and the DOCX, store."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    started = time.perf_counter()
    response = client.post(f"/alliances/{alliance_id}/annual-reports", data={"year": 2026})
    elapsed = time.perf_counter() - started
    if response.status_code != 302:
        print(f"bench_reports: the annual report answered {response.status_code}", file=sys.stderr)
        raise SystemExit(1)
    state = client.get(response.headers["Location"] + "/progress").get_json()
    if state["status"] != "done":
        print(f"bench_reports: the annual report's job ended {state['status']}: {state['reason']}", file=sys.stderr)
        raise SystemExit(1)
    figure("annual_report_s", elapsed, "s")


def main() -> None:
    url = sa.make_url(DATABASE_URL)
    admin = fresh_database(url)
    try:
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False))
        with app.app_context():
            seeding.migrate_with_reference()
            started = time.perf_counter()
            history = History(random.Random(2026), *reference_rows(), hash_password("bench-secretariat"))  # noqa: S311
            history.codes = dict(db.session.execute(sa.text(
                "SELECT code, id FROM destination_codes WHERE alliance_id IS NULL")).all())  # fmt: skip
            history.build()
            built = time.perf_counter() - started
            db.session.commit()
            copy_history(history)
            print(f"seeded in {time.perf_counter() - started:.1f} s ({built:.1f} s building rows, the rest COPY and "
                  "VACUUM ANALYZE)")  # fmt: skip
            print("rows: " + ", ".join(f"{table} {len(rows):,}" for table, (_, rows) in history.tables.items()))
            del history
            secretariat = db.session.get(User, 1)  # the secretariat of alliance 1 (user id = organisation id)
            session_id = secretariat.get_id()
            school_session_id = db.session.get(User, SCHOOLS.start).get_id()  # a member school's admin
            db.session.remove()
        taken = take_snapshots(app)
        extra = time_destination_pages(app, 1, session_id, school_session_id, taken)
        time_reports(app, 1, session_id, extra)
        time_annual_report(app, 1, session_id)
        with app.app_context():
            db.engine.dispose()
    finally:
        if not KEEP:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main()
