"""Fuzz every route of `app.url_map` with hostile URL values, query strings and form bodies: no answer is a 500.

A small world (alliance, schools, an enterprise, a plan with an opening, a cohort with students, practice) gives real
ids, so the hostile bodies reach each form's validation and not just the 404 of a missing object. The field names
of each form are read from the pages the world renders (`<form action=…>`), so a new form is fuzzed without a row
here. Run on both databases (`--db=sqlite`, `--db=postgresql`): PostgreSQL refuses NUL bytes and numbers past its
integer ranges where SQLite does not.
"""

import re
from datetime import date
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import request
from werkzeug.routing import AnyConverter, IntegerConverter

from marketplace.auth.models import Role
from marketplace.extensions import db, limiter
from marketplace.input_guard import db_int
from marketplace.orgs.models import OrgKind
from marketplace.pipeline.models import Placement
from marketplace.plans.models import OpeningKind
from marketplace.practice.models import PracticeDecline
from marketplace.students.models import Journal
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    PracticeBaseFactory,
    PracticeRequestFactory,
    SchoolFactory,
    StudentUserFactory,
    TeacherFactory,
    UserFactory,
)
from tests.governance_world import council
from tests.pipeline_factories import CohortFactory, NominationFactory, OpeningFactory, PlanFactory, StudentFactory

ROLES = ("anonymous", "school_admin", "enterprise_admin", "secretariat", "platform_admin", "student")
SKIPPED_ENDPOINTS = {"static", "bootstrap.static"}

HUGE = (str(2**31), "-" + str(2**63), "9" * 40)
# Query parameters the views read, plus the filter forms' fields found on the pages.
QUERY_NAMES = {"page", "major", "city", "student_id", "specialty", "q", "consent", "status", "priority", "short",
               "table", "teacher", "next", "kind", "half_year", "alliance", "occupation", "sort", "year"}  # fmt: skip
QUERY_VALUES = ("\x00", str(2**31), "9" * 40, "x" * 5000, "数控\u202e😀\ufffd" * 50)
TEXT_BODIES = [
    "",
    "a\x00b",
    "x" * 10_000,
    *HUGE,
    "9999-12-31",
    " =1+1",
    "数控\u202e😀\t\r\n" * 40,
]

FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
ACTION_RE = re.compile(r'action="([^"]*)"')
FIELD_RE = re.compile(r"<(?:input|select|textarea|button)\b[^>]*\bname=\"([^\"]+)\"", re.I)
FILE_RE = re.compile(r"<input\b[^>]*type=\"file\"[^>]*\bname=\"([^\"]+)\"|<input\b[^>]*\bname=\"([^\"]+)\"[^>]*"
                     r"type=\"file\"", re.I)  # fmt: skip


@pytest.fixture
def no_rate_limits():
    limiter.enabled = False
    yield
    limiter.enabled = True


def build_world() -> tuple[dict, dict]:
    """Users of each kind and the ids of one object per URL argument."""
    alliance, clerk, members = council("hs", 3)
    enterprise = members[0].organization
    school = SchoolFactory()
    school_membership = MembershipFactory(alliance=alliance, organization=school)
    school_admin = UserFactory(organization=school)
    staff = UserFactory(organization=school, role=Role.ORG_STAFF)
    platform = OrganizationFactory(kind=OrgKind.INSTITUTE, staff_count=None)
    users = {
        "school_admin": school_admin,
        "enterprise_admin": UserFactory(organization=enterprise),
        "secretariat": clerk,
        "platform_admin": UserFactory(organization=platform, role=Role.PLATFORM_ADMIN),
    }
    opening = OpeningFactory(plan=PlanFactory(enterprise=enterprise))
    cohort = CohortFactory(school=school)
    student = StudentFactory(cohort=cohort)
    StudentFactory(cohort=cohort)
    nomination = NominationFactory(opening=opening, student=student, created_by_id=school_admin.id)
    # The nominated student's own account, with an internship on another opening and a journal of it.
    users["student"] = StudentUserFactory(student=student)
    second = OpeningFactory(plan=opening.plan, kind=OpeningKind.POST_INTERNSHIP)
    placement = Placement(opening=second, student=student, kind=second.kind, start_date=date(2026, 9, 1),
                          end_date=date(2027, 1, 31), pay=4000)  # fmt: skip
    db.session.add(placement)
    db.session.flush()
    journal = Journal(placement_id=placement.id, week_start=date(2026, 9, 7), content="第二周的周志。")
    db.session.add(journal)
    db.session.commit()
    teacher = TeacherFactory(school=school)
    practice_request = PracticeRequestFactory(teacher=teacher)
    base = PracticeBaseFactory(enterprise=enterprise)
    ids = {
        "alliance_id": alliance.id,
        "plan_id": opening.plan_id,
        "opening_id": opening.id,
        "cohort_id": cohort.id,
        "school_id": school.id,
        "student_id": student.id,
        "nomination_id": nomination.id,
        "teacher_id": teacher.id,
        "request_id": practice_request.id,
        "base_id": base.id,
        "membership_id": school_membership.id,
        "user_id": staff.id,
        "org_id": school.id,
        "year": 2025,
        "placement_id": placement.id,
        "journal_id": journal.id,
    }
    return users, ids


def fuzz_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED_ENDPOINTS),
        key=lambda rule: rule.rule,
    )


def _argument(rule, name: str, ids: dict, hostile: int | None):
    converter = rule._converters[name]
    if isinstance(converter, AnyConverter):
        return next(iter(converter.items))
    if isinstance(converter, IntegerConverter):
        return ids.get(name, 1) if hostile is None else hostile
    return "x" if hostile is None else "ü\u202e" * 300


def urls_for(rule, ids: dict, past_range: tuple[int, ...] = (2**31,)) -> tuple[str, list[str]]:
    """The URL with real ids, and its variants with hostile ones (0, the largest id, past it, -1, odd strings)."""
    int_args = [name for name in rule.arguments if isinstance(rule._converters[name], IntegerConverter)]

    def build(hostile, **fixed):
        values = {name: _argument(rule, name, ids, hostile) for name in rule.arguments} | fixed
        return rule.build(values, append_unknown=False)[1]

    real = build(None)
    if not rule.arguments:
        return real, []
    hostile = [build(value) for value in ((0, 2**31 - 1) if int_args else (1,))]
    if int_args:  # past the column's range and negative: the converter must not match (a routing 404)
        hostile += [build(None, **{int_args[0]: value}) for value in past_range]
    hostile.append(real.rstrip("/") + "/%00")
    return real, [url for url in hostile if url != real]


def collect_forms(html: str, page: str, forms: dict, files: dict) -> None:
    for attrs, body in FORM_RE.findall(html):
        action = ACTION_RE.search(attrs)
        path = urlsplit(action.group(1) if action and action.group(1) else page).path
        forms.setdefault(path, set()).update(FIELD_RE.findall(body))
        files.setdefault(path, set()).update(a or b for a, b in FILE_RE.findall(body))


class Fuzzer:
    def __init__(self, client, login_as, user):
        self.client, self.login_as, self.user = client, login_as, user
        self.cases, self.failures, self.logged_in = 0, [], False

    def send(self, method: str, url: str, **kwargs):
        if self.user is not None and not self.logged_in:
            self.login_as(self.user)
        # A fuzzed POST may end the session (logout, password change): log in again before the next request.
        self.logged_in = method == "GET"
        self.cases += 1
        sample = next(iter((kwargs.get("data") or kwargs.get("query_string") or {"": None}).values()))
        case = (method, url, repr(sample)[:24])
        try:
            response = self.client.open(url, method=method, **kwargs)
        except Exception as exc:  # noqa: BLE001  (TESTING propagates what would be a 500)
            self.failures.append((*case, repr(exc)[:200]))
            return None
        if response.status_code >= 500:
            self.failures.append((*case, response.status_code))
        return response


def _bodies(names: set[str], file_names: set[str]):
    for value in TEXT_BODIES:
        yield {name: value for name in names}
    yield {name: ["1", "2", str(2**40)] for name in names}  # a field given three times
    for name in file_names:
        for filename, content in (("sheet.xlsx", b"PK\x03\x04 not a zip"), ("a.csv", b"\xff\xfe\x00x"), ("", b"")):
            yield {**{n: "1" for n in names - {name}}, name: (_BytesFile(content), filename)}


class _BytesFile:
    """A fresh stream per request (Werkzeug closes the one it reads)."""

    def __init__(self, content: bytes):
        self.content = content

    def read(self, *args):
        data, self.content = self.content, b""
        return data


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_500_to_hostile_input(app, client, login_as, no_rate_limits, role):
    users, ids = build_world()
    user = users.get(role)
    if user is not None and user.organization_id is not None:
        ids = {**ids, "org_id": user.organization_id}
    fuzz = Fuzzer(client, login_as, user)
    rules = fuzz_rules(app)
    forms, files = {}, {}

    for rule in rules:
        # Past the range and negative ids are refused by routing whoever asks: once, anonymously, is enough.
        real, hostile = urls_for(rule, ids, (2**31, 2**63, -1) if user is None else (2**31,))
        if "GET" in rule.methods:
            response = fuzz.send("GET", real)
            if response is not None and response.mimetype == "text/html":
                collect_forms(response.get_data(as_text=True), real, forms, files)
            for value in QUERY_VALUES:
                fuzz.send("GET", real, query_string=dict.fromkeys(QUERY_NAMES | forms.get(real, set()), value))
        for url in hostile:
            fuzz.send("GET" if "GET" in rule.methods else "POST", url)

    every_name = set().union(*forms.values()) - {"csrf_token"}
    for rule in rules:
        if "POST" not in rule.methods:
            continue
        real, _ = urls_for(rule, ids)
        path = urlsplit(real).path
        names = (forms.get(path) or every_name) - {"csrf_token"}
        for body in _bodies(names, files.get(path, set())):
            fuzz.send("POST", real, data=body)

    print(f"\nfuzz[{role}]: {len(rules)} routes, {fuzz.cases} requests, {len(fuzz.failures)} answers of 500")
    assert not fuzz.failures, "\n".join(map(str, fuzz.failures))
    assert fuzz.cases > 10 * len(rules)


# Named examples of the same holes, each a 500 before the input guard and the error handler.


def test_a_nul_byte_in_the_login_form_is_a_friendly_400(client, no_rate_limits):
    response = client.post("/auth/login", data={"identifier": "admin\x00@example.cn", "password": "x\x00"})
    assert response.status_code == 400
    assert "请求有误" in response.get_data(as_text=True)  # the friendly page, in the default zh


def test_a_nul_byte_in_a_query_or_path_is_a_400(client, login_as):
    login_as(UserFactory())
    assert client.get("/practice/open?specialty=%00").status_code == 400
    assert client.get("/auth/invitation/x%00y").status_code == 400


def test_a_page_number_past_every_integer_range_shows_the_first_page_not_a_500(client, login_as):
    login_as(UserFactory(organization=SchoolFactory()))
    response = client.get("/nominations", query_string={"page": "9" * 40})  # db_int drops it: page 1
    assert response.status_code == 200


def test_tabs_and_line_breaks_in_a_form_body_still_pass(client, login_as, db):
    practice_request = PracticeRequestFactory()
    login_as(UserFactory())
    url = f"/practice/requests/{practice_request.id}/decline"
    assert client.post(url, data={"reason": "时间冲突\r\n\t下学期再议"}).status_code == 302
    decline = db.session.scalar(sa.select(PracticeDecline).where(PracticeDecline.request_id == practice_request.id))
    assert decline.reason.startswith("时间冲突")
    assert "下学期再议" in decline.reason


@pytest.mark.parametrize(
    ("value", "expected"), [("7", 7), ("-3", -3), (str(2**31 - 1), 2**31 - 1), (str(2**31), 1), ("9" * 40, 1), ("x", 1)]
)
def test_db_int_keeps_query_numbers_within_the_integer_column(app, value, expected):
    with app.test_request_context("/", query_string={"page": value}):
        assert request.args.get("page", 1, type=db_int) == expected
