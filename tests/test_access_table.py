"""One access table for every route in app.url_map: who may use it on the "own" side's records, and who is refused.

Each row requests a route as one of eight users (anonymous, the own/other school, enterprise and secretariat, the
platform admin) with an empty or minimal form, and checks the class of the answer: OK, LOGIN (302 to the login page)
or DENIED (403/404; the product answers a record one may not see as missing). A POST that is refused must leave every
table as it was. The world is built once per module and rebuilt only after a request changed it.

A hole (a refusal missing, or a 500) keeps its correct expectation and is marked `hole(...)`: a strict xfail, so the
row fails as soon as the hole is closed and the mark has to go.
"""

from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from flask import url_for

from marketplace.extensions import db as _db
from marketplace.extensions import limiter
from marketplace.practice.models import PracticeDecline, PracticeRequest, PracticeStatus
from tests.access_world import World, build_world, fingerprint
from tests.conftest import REFERENCE_TABLES, _clean

OK, LOGIN, DENIED = "ok", "login", "denied"
ANONYMOUS = "anonymous"
SCHOOL, SCHOOL_OTHER = "school_own", "school_other"
ENTERPRISE, ENTERPRISE_OTHER = "enterprise_own", "enterprise_other"
SECRETARIAT, SECRETARIAT_OTHER = "secretariat_own", "secretariat_other"
ADMIN = "platform_admin"
# A student's own account (学生本人): the placed student of each side, no organisation's staff.
STUDENT, STUDENT_OTHER = "student_own", "student_other"
STAFF = (SCHOOL, SCHOOL_OTHER, ENTERPRISE, ENTERPRISE_OTHER, SECRETARIAT, SECRETARIAT_OTHER, ADMIN)
STUDENTS = (STUDENT, STUDENT_OTHER)
USERS = (*STAFF, *STUDENTS)
WHO = (ANONYMOUS, *USERS)
SCHOOLS, ENTERPRISES, SECRETARIATS = (
    (SCHOOL, SCHOOL_OTHER),
    (ENTERPRISE, ENTERPRISE_OTHER),
    (SECRETARIAT, SECRETARIAT_OTHER),
)

# Routes that serve files from a package, not records: no access decision to test.
NOT_IN_TABLE = {"static", "bootstrap.static"}


@dataclass(frozen=True)
class Rule:
    """Who gets OK; every other user is DENIED; anonymous gets `anonymous`. `holes` names who today gets it wrong."""

    ok: tuple[str, ...]
    anonymous: str = LOGIN
    holes: dict[str, str] = field(default_factory=dict)
    users: str | None = None  # the class every user gets, when it is not OK/DENIED (logout sends users to login)

    def expect(self, who: str) -> str:
        if who == ANONYMOUS:
            return self.anonymous
        return self.users or (OK if who in self.ok else DENIED)


def allow(*ok: str, anonymous: str = LOGIN, holes: dict[str, str] | None = None) -> Rule:
    return Rule(ok=ok, anonymous=anonymous, holes=holes or {})


EVERYONE = allow(*USERS, anonymous=OK)
# Staff pages: a student account is refused every one of them, whatever the page's own rule.
EVERY_STAFF = allow(*STAFF, anonymous=OK)
LOGGED_IN = allow(*STAFF)
NOBODY = allow()
MEMBERS = allow(SCHOOL, ENTERPRISE, SECRETARIAT, ADMIN)  # units of the own alliance, and the platform admin
SECRETARIAT_ONLY = allow(SECRETARIAT, ADMIN)

# Path parameters name a record of the world; an entry's "args" overrides them, "form" is the minimal form it posts.
PARAMS = {
    "alliance_id": "alliance_own", "membership_id": "membership_own", "plan_id": "plan_own",
    "opening_id": "opening_own", "cohort_id": "cohort_own", "student_id": "student_own",
    "nomination_id": "nomination_own", "placement_id": "placement_own", "teacher_id": "teacher_own",
    "base_id": "base_own", "request_id": "request_own", "meeting_id": "meeting_own", "motion_id": "motion_own",
    "term_id": "term_own", "report_id": "report_own", "assessment_id": "assessment_own", "expert_id": "expert_own",
    "group_id": "group_own", "run_id": "run_own", "job_id": "job_own", "school_id": "school_own",
    "org_id": "school_own", "user_id": "staff_own", "token": "invitation_own", "year": "year",
    "journal_id": "journal_own", "record_id": "destination_own", "snapshot_id": "snapshot_own",
}  # fmt: skip

# The table, keyed by endpoint: a rename of a blueprint is a search-and-replace here.
ACCESS: dict[str, dict] = {
    # alliances
    "alliances.apply": {"GET": LOGGED_IN, "POST": LOGGED_IN},  # members are sent to their membership instead
    "alliances.charter": {"GET": allow(ADMIN), "POST": allow(ADMIN)},
    "alliances.create": {"GET": allow(ADMIN), "POST": allow(ADMIN)},
    "alliances.detail": {"GET": LOGGED_IN},
    "alliances.directory": {"GET": LOGGED_IN},
    "alliances.membership": {"GET": allow(SCHOOL, SECRETARIAT, ADMIN), "POST": allow(SCHOOL, SECRETARIAT, ADMIN)},
    "alliances.review": {"GET": SECRETARIAT_ONLY},
    "alliances.withdraw": {"POST": allow(SCHOOL)},
    "assets.echarts": {"GET": EVERYONE},
    # auth
    "auth.accept_invitation": {"GET": EVERY_STAFF, "POST": EVERY_STAFF},
    "auth.change_password": {"GET": allow(*USERS), "POST": allow(*USERS)},
    "auth.login": {"GET": EVERYONE, "POST": EVERYONE},  # a logged-in user is sent home
    "auth.logout": {"POST": Rule(ok=(), users=LOGIN)},
    "auth.register": {"GET": EVERY_STAFF, "POST": EVERY_STAFF},
    "auth.set_active": {"POST": allow(SCHOOL)},  # the staff member's own org admin
    "auth.staff": {"GET": LOGGED_IN, "POST": LOGGED_IN},  # each sees the staff of their own organisation
    # cohorts: a school's students are its own business (the platform admin may read, not unmask)
    "cohorts.cohort": {"GET": allow(SCHOOL, ADMIN)},
    "cohorts.consent": {"POST": allow(SCHOOL, ADMIN)},
    "cohorts.edit": {"GET": allow(SCHOOL, ADMIN), "POST": allow(SCHOOL, ADMIN)},
    "cohorts.export": {"POST": allow(SCHOOL, ADMIN)},
    "cohorts.index": {"GET": allow(*SCHOOLS, *SECRETARIATS, ADMIN)},  # the secretariats here are schools
    # The token is bound to the uploader's session: with none, everyone is answered 404.
    "cohorts.preview": {"args": {"token": "no-such-upload"}, "GET": NOBODY, "POST": NOBODY},
    "cohorts.school": {"GET": allow(SCHOOL, ADMIN)},
    "cohorts.student": {"GET": allow(SCHOOL, ADMIN)},
    "cohorts.template": {"GET": allow(*SCHOOLS, *SECRETARIATS, ADMIN)},
    "cohorts.unmask": {"POST": allow(SCHOOL)},
    "cohorts.upload": {"GET": allow(SCHOOL, ADMIN), "POST": allow(SCHOOL, ADMIN)},
    # governance: the alliance's secretariat decides
    "governance.appoint": {"POST": SECRETARIAT_ONLY},
    "governance.attendance": {"POST": SECRETARIAT_ONLY},
    "governance.call_meeting": {"POST": SECRETARIAT_ONLY},
    "governance.certificate": {"GET": allow(SCHOOL, SECRETARIAT, ADMIN)},
    "governance.change_tier": {"POST": SECRETARIAT_ONLY},
    "governance.dashboard": {"GET": SECRETARIAT_ONLY},
    "governance.end_term": {"POST": SECRETARIAT_ONLY},
    "governance.meeting": {"GET": MEMBERS},  # the roster's units and the secretariat
    "governance.propose_expulsion": {"POST": SECRETARIAT_ONLY},
    "governance.qualification": {
        "args": {"membership_id": "applicant_own"},
        # No condition ticked: refused with the conditions missing (it was a 500, `item not in None`).
        "POST": SECRETARIAT_ONLY,
    },
    "governance.retable": {"POST": SECRETARIAT_ONLY},
    "governance.run_checks": {"POST": SECRETARIAT_ONLY},
    "governance.schedule": {"POST": SECRETARIAT_ONLY},
    "governance.table_motion": {"POST": SECRETARIAT_ONLY},
    "governance.vote": {"POST": SECRETARIAT_ONLY},
    # background jobs: an alliance's job is its secretariat's
    "jobs.download": {"args": {"file_id": "job_file_own"}, "GET": SECRETARIAT_ONLY},
    "jobs.job": {"GET": SECRETARIAT_ONLY},
    "jobs.progress": {"GET": SECRETARIAT_ONLY},
    # main
    "main.index": {"GET": EVERYONE},  # a student is sent to their own home
    "main.set_language": {"args": {"code": "zh"}, "POST": EVERYONE},
    # me: the student's own pages; the records are the placed student's (their placement, their offer)
    "me.agreement": {"GET": allow(STUDENT)},
    "me.agreement_file": {"GET": allow(STUDENT)},
    "me.sign_agreement": {"POST": allow(STUDENT)},  # an unticked box is refused with a message
    "me.ask_correction": {"POST": allow(*STUDENTS)},  # an empty form is refused with a message
    "me.consent": {"POST": allow(*STUDENTS)},
    "me.data": {"GET": allow(*STUDENTS)},
    "me.evaluate": {"POST": allow(STUDENT)},
    "me.export": {"POST": allow(*STUDENTS)},  # each downloads their own
    "me.home": {"GET": allow(*STUDENTS)},
    # The sign-up link is the credential: whoever holds it sees the form (an empty one changes nothing).
    "me.join": {"args": {"token": "student_invitation_own"}, "GET": EVERYONE, "POST": EVERYONE},
    "me.offer": {"args": {"nomination_id": "my_nomination_own"}, "GET": allow(STUDENT), "POST": allow(STUDENT)},
    "me.placement": {"GET": allow(STUDENT)},
    "me.submit_report": {"POST": allow(STUDENT)},
    "me.write_journal": {"POST": allow(STUDENT)},
    # students: the school's side (the world's secretariats are schools), enterprises' aggregates, analysts
    "students.alliance_evaluations": {"GET": SECRETARIAT_ONLY},
    "students.enterprise_evaluations": {"GET": allow(*ENTERPRISES)},
    "students.invite": {"POST": allow(SCHOOL)},
    "students.invite_cohort": {"POST": allow(SCHOOL)},
    "students.placement": {"GET": allow(SCHOOL)},
    "students.resolve": {"args": {"request_id": "correction_own"}, "POST": allow(SCHOOL)},
    "students.review_journal": {"POST": allow(SCHOOL)},
    "students.review_report": {"args": {"report_id": "final_report_own"}, "POST": allow(SCHOOL)},
    "students.school_home": {"GET": allow(*SCHOOLS, *SECRETARIATS)},
    "students.set_minimum": {"POST": allow(*SCHOOLS, *SECRETARIATS)},
    # allocations
    "allocations.act_on_candidates": {"POST": allow(ENTERPRISE)},
    "allocations.put_forward_from_cohort": {"POST": allow(SCHOOL, ADMIN)},
    "allocations.allocation": {"GET": SECRETARIAT_ONLY},
    "allocations.allocations": {"GET": SECRETARIAT_ONLY, "POST": SECRETARIAT_ONLY},
    "allocations.cohort_matches": {"GET": allow(SCHOOL, ADMIN)},
    "allocations.decide": {"args": {"action": "discard"}, "POST": SECRETARIAT_ONLY},
    "allocations.opening_ranking": {"GET": allow(ENTERPRISE, SECRETARIAT, ADMIN)},
    "allocations.practice_allocation": {"GET": SECRETARIAT_ONLY},
    "allocations.student_openings": {"GET": allow(SCHOOL, ADMIN)},
    "allocations.weights": {"GET": SECRETARIAT_ONLY, "POST": SECRETARIAT_ONLY},
    # notifications: each organisation its own
    "notifications.index": {"GET": LOGGED_IN},
    "notifications.mark_read": {"POST": LOGGED_IN},
    # orgs: profiles are a directory for logged-in users; only the organisation edits its own
    "orgs.edit": {"GET": allow(SCHOOL, ADMIN), "POST": allow(SCHOOL, ADMIN)},
    "orgs.mine": {"GET": LOGGED_IN},
    "orgs.profile": {"GET": LOGGED_IN},
    # pipeline
    "pipeline.accept": {"POST": allow(SCHOOL)},  # the student's school accepts an offer
    "pipeline.export_roster": {"args": {"fmt": "csv"}, "POST": allow(*ENTERPRISES)},  # each its own roster
    # internships (issue 15): the placement's school and host enterprise act, each on its own records; the admin reads
    # grading: each side grades its own intern; the school sets its rubric and closes
    "grading.close": {"POST": allow(SCHOOL)},  # without both grades it is refused with a message
    "grading.placement": {"GET": allow(SCHOOL, ENTERPRISE)},
    "grading.rubric": {"GET": allow(*SCHOOLS, *SECRETARIATS), "POST": allow(*SCHOOLS, *SECRETARIATS)},
    "grading.save": {"POST": allow(SCHOOL, ENTERPRISE)},
    # risk warnings: each school its own students'; the secretariat its member schools'
    "risks.alliance_risks": {"GET": SECRETARIAT_ONLY},
    "risks.school_risks": {"GET": allow(*SCHOOLS, *SECRETARIATS)},
    "internships.agreement_file": {"GET": allow(SCHOOL, ENTERPRISE, ADMIN)},
    "internships.arrival": {"POST": allow(SCHOOL, ENTERPRISE)},
    "internships.attendance": {"POST": allow(ENTERPRISE)},
    "internships.guardian_consent": {"POST": allow(SCHOOL)},
    "internships.insurance": {"POST": allow(SCHOOL, ENTERPRISE)},
    "internships.pay": {"POST": allow(ENTERPRISE)},
    "internships.placement_law": {"GET": allow(SCHOOL, ENTERPRISE, ADMIN)},
    "internships.save_agreement": {"POST": allow(SCHOOL)},
    "internships.sign_agreement": {"POST": allow(SCHOOL, ENTERPRISE)},
    "pipeline.invite": {"POST": allow(ENTERPRISE, ADMIN)},
    # The secretariat reads a nomination its allocation made, and may take no step on it.
    "pipeline.nomination": {
        "form": {"status": "withdrawn", "confirmed": "yes"},  # a school's step, confirmed
        "GET": allow(SCHOOL, ENTERPRISE, SECRETARIAT, ADMIN),
        "POST": allow(SCHOOL),  # the platform admin takes neither side
    },
    "pipeline.nominations": {"GET": LOGGED_IN},
    "pipeline.placement": {"GET": allow(SCHOOL, ENTERPRISE, ADMIN), "POST": allow(SCHOOL, ENTERPRISE, ADMIN)},
    # Each school its own students' placements; the world's secretariats are schools, and see their own.
    "pipeline.placements": {"GET": allow(*SCHOOLS, *SECRETARIATS)},
    # Any school may put a consenting student forward to a published opening; the form decides whose student.
    "pipeline.put_forward": {"POST": LOGGED_IN},
    "pipeline.roster": {"GET": allow(*ENTERPRISES)},
    "pipeline.waive": {"POST": SECRETARIAT_ONLY},
    # plans: published plans are public to logged-in users; the enterprise edits its own
    "plans.edit_opening": {"GET": allow(ENTERPRISE, ADMIN), "POST": allow(ENTERPRISE, ADMIN)},
    "plans.edit_plan": {"GET": allow(ENTERPRISE, ADMIN), "POST": allow(ENTERPRISE, ADMIN)},
    "plans.my_plans": {"GET": allow(*ENTERPRISES)},  # organisation-kind guards admit only that kind
    "plans.new_opening": {"GET": allow(ENTERPRISE, ADMIN), "POST": allow(ENTERPRISE, ADMIN)},
    "plans.new_plan": {"GET": allow(*ENTERPRISES), "POST": allow(*ENTERPRISES)},
    "plans.opening": {"GET": LOGGED_IN},
    "plans.openings": {"GET": LOGGED_IN},
    "plans.plan": {"GET": LOGGED_IN},
    "plans.plan_action": {"args": {"action": "copy"}, "POST": allow(ENTERPRISE, ADMIN)},
    "plans.suggest_occupations": {"GET": LOGGED_IN},
    # pools: units of the alliance in force and its secretariat
    "pools.expert": {
        "form": {"action": "reject", "reason": ""},
        "GET": allow(SCHOOL, SECRETARIAT, ADMIN),
        "POST": SECRETARIAT_ONLY,
    },
    "pools.expert_new": {"GET": allow(SCHOOL, ENTERPRISE, SECRETARIAT), "POST": allow(SCHOOL, ENTERPRISE, SECRETARIAT)},
    "pools.experts": {"GET": MEMBERS},
    "pools.group": {"form": {"action": "add"}, "GET": MEMBERS, "POST": SECRETARIAT_ONLY},
    "pools.groups": {"GET": MEMBERS, "POST": SECRETARIAT_ONLY},
    "pools.teachers": {"GET": MEMBERS},
    # practice: open requests are a market for every enterprise; the school manages its teachers and requests
    "practice.accept": {"POST": allow(*ENTERPRISES)},
    "practice.bases": {"GET": allow(*ENTERPRISES)},
    "practice.cancel_request": {"POST": allow(SCHOOL)},
    "practice.complete": {"POST": allow(ENTERPRISE)},  # the host only
    "practice.decline": {"POST": allow(*ENTERPRISES)},
    "practice.edit_base": {"GET": allow(ENTERPRISE), "POST": allow(ENTERPRISE)},
    "practice.edit_teacher": {"GET": allow(SCHOOL), "POST": allow(SCHOOL)},
    "practice.hosted": {"GET": allow(*ENTERPRISES)},
    "practice.my_requests": {"GET": allow(*SCHOOLS, *SECRETARIATS)},
    "practice.new_base": {"GET": allow(*ENTERPRISES), "POST": allow(*ENTERPRISES)},
    "practice.new_request": {"GET": allow(*SCHOOLS, *SECRETARIATS), "POST": allow(*SCHOOLS, *SECRETARIATS)},
    "practice.new_teacher": {"GET": allow(*SCHOOLS, *SECRETARIATS), "POST": allow(*SCHOOLS, *SECRETARIATS)},
    "practice.open_requests": {"GET": allow(*ENTERPRISES)},
    "practice.request_detail": {"GET": allow(SCHOOL, *ENTERPRISES, SECRETARIAT)},
    "practice.teacher": {"GET": allow(SCHOOL)},
    "practice.teachers": {"GET": allow(*SCHOOLS, *SECRETARIATS)},
    # reporting: a unit sees its own reports and assessment; the secretariat sees all of its alliance
    "submissions.assessment": {"GET": allow(SCHOOL, SECRETARIAT, ADMIN)},
    "submissions.cycle": {"GET": SECRETARIAT_ONLY},
    "submissions.cycles": {"GET": MEMBERS},
    "submissions.open_cycle": {"POST": SECRETARIAT_ONLY},
    "submissions.refresh": {"POST": SECRETARIAT_ONLY},
    "submissions.report": {"GET": allow(SCHOOL, SECRETARIAT, ADMIN)},
    "submissions.reports": {"GET": MEMBERS},
    "submissions.review": {"POST": SECRETARIAT_ONLY},
    "submissions.self_assess": {"POST": allow(SCHOOL)},
    "submissions.submit": {
        "GET": allow(SCHOOL, ENTERPRISE, SECRETARIAT),
        "POST": allow(SCHOOL, ENTERPRISE, SECRETARIAT),
    },
    # analytics (报表): the alliance's secretariat
    "analytics.export": {"args": {"name": "outcomes"}, "GET": SECRETARIAT_ONLY},
    "analytics.export_xlsx": {"args": {"name": "outcomes"}, "POST": SECRETARIAT_ONLY},
    "analytics.index": {"GET": SECRETARIAT_ONLY},
    # annual quality reports: the alliance's are its secretariat's, a school's are its own (the secretariats here
    # are schools, so they reach the school's page too, listing their own)
    "reports.alliance_reports": {"GET": SECRETARIAT_ONLY, "POST": SECRETARIAT_ONLY},
    "reports.annual_report": {"args": {"report_id": "annual_report_own"}, "GET": allow(SCHOOL, ADMIN)},
    "reports.download": {"args": {"report_id": "annual_report_own", "fmt": "pdf"}, "GET": allow(SCHOOL, ADMIN)},
    "reports.school_reports": {"GET": allow(*SCHOOLS, *SECRETARIATS), "POST": allow(*SCHOOLS, *SECRETARIATS)},
    "reports.three_lists_export": {"GET": SECRETARIAT_ONLY},
    "analytics.show": {"args": {"name": "outcomes"}, "GET": SECRETARIAT_ONLY},
    # graduate destinations: the graduate registers, the school audits its own, the secretariat counts its alliance
    "destinations.school_home": {"GET": allow(*SCHOOLS, *SECRETARIATS)},  # the world's secretariats are schools
    "destinations.propose": {"POST": allow(*SCHOOLS, *SECRETARIATS)},
    "destinations.deadline": {"POST": allow(*SCHOOLS, *SECRETARIATS)},
    "destinations.school_record": {"GET": allow(SCHOOL)},
    "destinations.audit": {"POST": allow(SCHOOL)},
    "destinations.school_rates": {"GET": allow(*SCHOOLS, *SECRETARIATS)},  # each its own snapshots
    "destinations.school_rates_xlsx": {"GET": allow(SCHOOL)},  # a snapshot that counted the school's graduates
    "destinations.alliance_home": {"GET": SECRETARIAT_ONLY},
    "destinations.take_snapshot": {"POST": SECRETARIAT_ONLY},
    "destinations.save_settings": {"POST": SECRETARIAT_ONLY},
    "destinations.import_codes": {"POST": SECRETARIAT_ONLY},
    "destinations.alliance_rates": {"GET": SECRETARIAT_ONLY},
    "destinations.alliance_rates_xlsx": {"GET": SECRETARIAT_ONLY},
    "me_destination.show": {"GET": allow(*STUDENTS), "POST": allow(*STUDENTS)},
}

METHODS = ("GET", "POST")


def _cases():
    for endpoint, entry in ACCESS.items():
        for method in METHODS:
            if method not in entry:
                continue
            rule: Rule = entry[method]
            for who in WHO:
                marks = ()
                if who in rule.holes:
                    marks = (pytest.mark.xfail(strict=True, reason=rule.holes[who]),)
                yield pytest.param(
                    endpoint, method, who, rule.expect(who), marks=marks, id=f"{endpoint}-{method}-{who}"
                )


CASES = list(_cases())


@dataclass
class State:
    world: World
    tables: list
    print: dict[str, int] | None = None


@pytest.fixture(scope="module")
def state(app):
    propagate = app.config.get("PROPAGATE_EXCEPTIONS")
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 is a row's answer, not the test's crash
    with app.app_context():
        _clean(_db.engine)
        tables = [t for t in _db.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
        yield State(world=build_world(), tables=tables)
        _db.session.rollback()
        _db.session.remove()
        _clean(_db.engine)
    app.config["PROPAGATE_EXCEPTIONS"] = propagate


@pytest.fixture(autouse=True)
def db(app, state):
    """Overrides conftest's per-test clean-up: the world is built once per module, so each row costs a request."""
    with app.app_context():
        limiter.reset()
        yield _db
        _db.session.rollback()
        _db.session.remove()


# Tables a request may change without changing who may see what: the world is then kept, not rebuilt.
HARMLESS_CHANGES = {"audit_events", "notifications", "users"}  # users: logout bumps the session version


def _after_change(state: State, changed: list[str]) -> None:
    if set(changed) <= HARMLESS_CHANGES:
        state.world.refresh_logins()
        state.print = None
    else:
        _rebuild(state)


def _rebuild(state: State) -> None:
    _db.session.remove()
    _clean(_db.engine)
    state.world = build_world()
    state.print = None


def _url(app, endpoint: str, world: World) -> str:
    entry = ACCESS[endpoint]
    (rule,) = app.url_map.iter_rules(endpoint)
    args = {name: world.ids[PARAMS[name]] for name in rule.arguments if name in PARAMS}
    args |= {name: world.ids.get(value, value) for name, value in entry.get("args", {}).items()}
    with app.test_request_context():
        return url_for(endpoint, **args)


def answer_class(response) -> str:
    location = response.headers.get("Location", "")
    if response.status_code in (403, 404):
        return DENIED
    if response.status_code in (301, 302, 303) and "/auth/login" in location:
        return LOGIN
    if response.status_code in (200, 301, 302, 303) or response.status_code in (400, 409, 422):
        return OK
    return f"status {response.status_code}"


@pytest.mark.parametrize(("endpoint", "method", "who", "expected"), CASES)
def test_access(app, client, state, endpoint, method, who, expected):
    world = state.world
    if who != ANONYMOUS:
        with client.session_transaction() as session:
            session["_user_id"] = world.logins[who]
            session["_fresh"] = True
    url = _url(app, endpoint, world)
    form = ACCESS[endpoint].get("form", {}) if method == "POST" else None
    if method == "POST" and state.print is None:
        state.print = fingerprint(state.tables)
    response = client.open(url, method=method, data=form)
    if method == "GET":
        state.print = None  # some pages write (an export's audit record): the next POST takes a fresh print
    got = answer_class(response)
    if method == "GET" and got == OK and response.status_code >= 400:
        got = f"status {response.status_code}"
    changed = []
    if method == "POST":
        after = fingerprint(state.tables)
        changed = [name for name in after if after[name] != state.print[name]]
        if changed:
            _after_change(state, changed)
    assert got == expected, f"{method} {url} as {who}: {response.status_code} {response.headers.get('Location', '')}"
    if expected == DENIED or who == ANONYMOUS:
        assert not changed, f"{method} {url} as {who} was refused but changed {changed}"


# --- forms carrying another organisation's ids --------------------------------------------------------------------

# (endpoint, who, form): the route is allowed to `who`, the record named in the form is not.
FOREIGN_IDS = [
    pytest.param(
        "pipeline.invite",
        ENTERPRISE,
        {"student_id": "student_other"},
        id="invite a student of a school in no shared alliance",
    ),  # fmt: skip
    pytest.param("pipeline.put_forward", SCHOOL, {"student_id": "student_other"}, id="put forward another school's"),
    pytest.param("pipeline.put_forward", ENTERPRISE, {"student_id": "student_own"}, id="enterprise puts forward"),
    pytest.param("practice.accept", ENTERPRISE_OTHER, {"base_id": "base_own"}, id="accept onto another's base"),
    pytest.param("auth.set_active", SCHOOL_OTHER, {"active": ""}, id="deactivate another org's staff"),
]


@pytest.mark.parametrize(("endpoint", "who", "form"), FOREIGN_IDS)
def test_a_form_naming_another_organisations_record_changes_nothing(app, client, state, endpoint, who, form):
    world = state.world
    with client.session_transaction() as session:
        session["_user_id"] = world.logins[who]
        session["_fresh"] = True
    before = fingerprint(state.tables)
    data = {name: world.ids.get(value, value) for name, value in form.items()}
    response = client.post(_url(app, endpoint, world), data=data)
    after = fingerprint(state.tables)
    changed = [name for name in after if after[name] != before[name]]
    if changed:
        _after_change(state, changed)
    assert response.status_code < 500
    assert not changed, f"{endpoint} as {who} with {data}: {response.status_code}, changed {changed}"


def test_another_alliances_enterprise_declines_for_itself_only(app, client, state):
    """Every enterprise sees open requests and may decline one: that writes its own answer, and the request stays
    open for the others (it used to close the request for every enterprise)."""
    world = state.world
    with client.session_transaction() as session:
        session["_user_id"] = world.logins[ENTERPRISE_OTHER]
        session["_fresh"] = True
    before = fingerprint(state.tables)
    response = client.post(_url(app, "practice.decline", world), data={"reason": "本企业暂无岗位"})
    after = fingerprint(state.tables)
    changed = [name for name in after if after[name] != before[name]]
    request_id, enterprise_id = world.ids["request_own"], world.ids["enterprise_other"]
    try:
        status = _db.session.scalar(sa.select(PracticeRequest.status).where(PracticeRequest.id == request_id))
        declines = _db.session.execute(sa.select(PracticeDecline.request_id, PracticeDecline.enterprise_id)).all()
        with client.session_transaction() as session:
            session["_user_id"] = world.logins[ENTERPRISE]
        still_open = client.get(_url(app, "practice.open_requests", world)).get_data(as_text=True)
    finally:
        _after_change(state, changed)
    assert response.status_code == 302
    assert sorted(changed) == ["audit_events", "notifications", "practice_declines"]
    assert status is PracticeStatus.REQUESTED
    assert [tuple(d) for d in declines] == [(request_id, enterprise_id)]
    assert f"/practice/requests/{request_id}" in still_open, "the own alliance's enterprise may still accept it"


# --- the table covers the app -------------------------------------------------------------------------------------


def test_every_route_has_a_row_and_every_row_a_route(app):
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in NOT_IN_TABLE:
            routes.setdefault(rule.endpoint, set()).update(rule.methods & set(METHODS))
    missing = sorted(f"{e} {m}" for e, methods in routes.items() for m in methods if m not in ACCESS.get(e, {}))
    stale = sorted(
        f"{e} {m}" for e, entry in ACCESS.items() for m in METHODS if m in entry and m not in routes.get(e, ())
    )
    assert not missing, f"routes without a row in ACCESS: {', '.join(missing)}"
    assert not stale, f"rows in ACCESS for routes that no longer exist: {', '.join(stale)}"
    unknown = {who for entry in ACCESS.values() for m in METHODS if m in entry for who in entry[m].holes} - set(WHO)
    assert not unknown
    print(f"access table: {len(routes)} endpoints, {sum(map(len, routes.values()))} routes (endpoint × method), "
          f"{len(CASES)} rows")  # fmt: skip
    assert len(routes) == len(ACCESS)
