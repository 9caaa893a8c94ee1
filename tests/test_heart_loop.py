"""The heart loop made trustworthy (issue 13, items 9–12): the school answers invitations, placements follow their
dates, no negative choice is pre-selected, and each role's home lists its work."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from marketplace.alliances.models import MembershipStatus
from marketplace.allocations.models import AllocationRun, AllocationSeat, RunStatus
from marketplace.auth.models import Role
from marketplace.governance.models import Motion, MotionKind
from marketplace.notifications.models import Notification
from marketplace.pipeline import services
from marketplace.pipeline.models import (
    Nomination,
    NominationSource,
    NominationStatus,
    Placement,
    PlacementStatus,
)
from marketplace.pipeline.phase import PlacementPhase, phase_condition, phase_of
from marketplace.plans.models import OpeningKind
from marketplace.timeutil import local_today
from tests.factories import AllianceFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.pipeline_factories import CohortFactory, NominationFactory, OpeningFactory, StudentFactory
from tests.querycount import count_queries

EN = {"Accept-Language": "en"}
N = NominationStatus


@pytest.fixture
def parties(db):
    """An opening and a consenting student whose school and the enterprise are fellow members of an alliance."""
    opening = OpeningFactory(kind=OpeningKind.POST_INTERNSHIP, headcount=3)
    cohort = CohortFactory()
    student = StudentFactory(cohort=cohort)
    opening.majors = [student.major]
    secretariat = OrganizationFactory(name="联盟秘书处")
    alliance = AllianceFactory(secretariat=secretariat)
    MembershipFactory(alliance=alliance, organization=opening.plan.enterprise)
    MembershipFactory(alliance=alliance, organization=cohort.school)
    school_user = UserFactory(organization=cohort.school, role=Role.ORG_STAFF, name="招就处张老师")
    hr = UserFactory(organization=opening.plan.enterprise, role=Role.ORG_STAFF, name="人事李经理")
    clerk = UserFactory(organization=secretariat, role=Role.SECRETARIAT, name="秘书处王干事")
    return opening, student, school_user, hr, clerk, alliance


def _step(client, nomination, status, reason="", confirmed=True):
    data = {"status": status, "reason": reason}
    if confirmed:
        data["confirmed"] = "yes"
    return client.post(f"/nominations/{nomination.id}", data=data, headers=EN)


def _kinds(db, org_id) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Notification.kind).where(Notification.organization_id == org_id).order_by(Notification.id)
        )
    )


# --- item 9: the school is asked -----------------------------------------------------------------------------------


def test_an_invitation_waits_for_the_school_which_may_decline_with_a_reason(client, login_as, db, parties):
    opening, student, school_user, hr, _, _ = parties
    login_as(hr)
    assert client.post(f"/openings/{opening.id}/invite", data={"student_id": student.id}).status_code == 302
    nomination = db.session.scalar(sa.select(Nomination))
    assert (nomination.status, nomination.source) == (N.INVITED, NominationSource.ENTERPRISE)
    page = client.get(f"/nominations/{nomination.id}", headers=EN).text
    assert "Invited by the enterprise" in page
    assert "Waiting for the school" in page
    assert 'value="shortlisted"' not in page
    assert 'value="offered"' not in page
    for step in ("shortlisted", "offered"):  # posted anyway: refused, nothing changes
        _step(client, nomination, step)
        db.session.refresh(nomination)
        assert nomination.status is N.INVITED

    login_as(school_user)
    page = client.get(f"/nominations/{nomination.id}", headers=EN).text
    assert "Agree: put the student forward" in page
    assert f"confirm={N.WITHDRAWN.value}" in page  # declining is its own button, confirmed on the next page
    assert f'href="/cohorts/students/{student.id}"' in page
    assert f'href="/openings/{opening.id}"' in page
    _step(client, nomination, "withdrawn", reason="  ")
    assert "Give a reason when declining" in client.get(f"/nominations/{nomination.id}", headers=EN).text
    db.session.refresh(nomination)
    assert nomination.status is N.INVITED  # a refusal needs its reason
    _step(client, nomination, "withdrawn", reason="该生已签约本地企业")
    db.session.refresh(nomination)
    assert (nomination.status, nomination.reason) == (N.WITHDRAWN, "该生已签约本地企业")
    assert _kinds(db, hr.organization_id)[-1] == "invitation_declined"

    login_as(hr)
    page = client.get(f"/nominations/{nomination.id}", headers=EN).text
    timeline = page[page.index("Timeline") :]
    assert "The school declined the invitation" in timeline
    assert "该生已签约本地企业" in timeline
    assert "招就处张老师" in timeline
    assert student.school.name in timeline
    assert "人事李经理" in timeline
    assert opening.plan.enterprise.name in timeline
    assert f'href="/cohorts/students/{student.id}"' not in page  # the student's record is the school's


def test_once_the_school_agrees_the_enterprise_may_shortlist_and_offer(client, login_as, db, parties):
    opening, student, school_user, hr, _, _ = parties
    nomination = services.put_forward(student, opening, actor=hr, invited=True)
    db.session.commit()
    login_as(school_user)
    _step(client, nomination, "nominated", confirmed=False)  # agreeing ends nothing: no confirmation needed
    db.session.refresh(nomination)
    assert nomination.status is N.NOMINATED
    assert _kinds(db, hr.organization_id) == ["invitation_accepted"]
    login_as(hr)
    for step in ("shortlisted", "offered"):
        _step(client, nomination, step, confirmed=False)
    db.session.refresh(nomination)
    assert nomination.status is N.OFFERED
    page = client.get(f"/nominations/{nomination.id}", headers=EN).text
    steps = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td>", page[page.index("Timeline") :])
    assert steps == ["Invited by the enterprise", "The school agreed to the invitation", "Shortlisted", "Offer made"]


def test_a_nomination_says_where_it_came_from(client, login_as, db, parties):
    opening, student, school_user, hr, clerk, alliance = parties
    run = AllocationRun(alliance_id=alliance.id, status=RunStatus.CONFIRMED, parameters={}, inputs_digest="0" * 64,
                        snapshot_at=datetime.now(UTC), timings={}, summary={}, created_by_id=clerk.id)  # fmt: skip
    db.session.add(run)
    db.session.flush()
    allocated = NominationFactory(opening=opening, student=student, status=N.NOMINATED,
                                  source=NominationSource.ALLOCATION, allocation_run_id=run.id)  # fmt: skip
    db.session.add(AllocationSeat(run=run, student=student, opening=opening, fit=0.7, choice=1,
                                  nomination_id=allocated.id))  # fmt: skip
    own = NominationFactory(opening=opening, student=StudentFactory(cohort=student.cohort), status=N.NOMINATED)
    db.session.commit()
    login_as(hr)
    listing = client.get("/nominations", headers=EN).text
    assert f"allocation run {run.id}" in listing
    assert "Put forward by the school" in listing
    assert f"allocation run {run.id}" in client.get(f"/openings/{opening.id}", headers=EN).text
    assert "Put forward by the school" in client.get(f"/nominations/{own.id}", headers=EN).text
    page = client.get(f"/nominations/{allocated.id}", headers=EN).text
    assert f"allocation run {run.id}" in page
    assert f'href="/allocations/{run.id}"' not in page
    only_invited = client.get("/nominations?source=enterprise", headers=EN).text
    assert allocated.student.name not in only_invited
    login_as(clerk)
    assert f'href="/allocations/{run.id}"' in client.get(f"/nominations/{allocated.id}", headers=EN).text


# --- item 10: placements follow their dates ------------------------------------------------------------------------


def _close(client, placement, status, end_date, reason=""):
    data = {"close-status": status, "close-end_date": end_date.isoformat(), "close-reason": reason, "close-submit": "1"}
    return client.post(f"/placements/{placement.id}", data=data, headers=EN)


def test_an_accepted_placement_awaits_its_start_and_cannot_complete_before_it(client, login_as, db, parties):
    opening, student, school_user, hr, _, _ = parties
    starts = local_today() + timedelta(days=90)
    nomination = NominationFactory(opening=opening, student=student, status=N.OFFERED)
    login_as(school_user)
    client.post(f"/nominations/{nomination.id}/accept", data={"start_date": starts.isoformat(), "pay": 4500})
    placement = db.session.scalar(sa.select(Placement))
    assert phase_of(placement, local_today()) is PlacementPhase.STARTING
    page = client.get(f"/placements/{placement.id}", headers=EN).text
    assert "Awaiting start" in page
    assert "Ongoing" not in page
    assert 'value="completed"' not in page  # not offered before the start

    _close(client, placement, "completed", starts)
    assert "has not started yet" in client.get(f"/placements/{placement.id}", headers=EN).text
    db.session.refresh(placement)
    assert placement.status is PlacementStatus.ONGOING  # refused: it has not started
    _close(client, placement, "left_early", starts)
    db.session.refresh(placement)
    assert placement.status is PlacementStatus.ONGOING  # refused: leaving early needs its reason
    _close(client, placement, "left_early", starts, reason="学生入伍")
    db.session.refresh(placement)
    assert (placement.status, placement.end_reason) == (PlacementStatus.LEFT_EARLY, "学生入伍")
    assert "学生入伍" in client.get(f"/placements/{placement.id}", headers=EN).text


def test_a_started_placement_completes_on_a_day_that_has_come(client, login_as, db, parties):
    opening, student, school_user, hr, _, _ = parties
    today = local_today()
    started = services.accept(NominationFactory(opening=opening, student=student), actor=school_user,
                              start_date=today - timedelta(days=30), pay=4000)  # fmt: skip
    started.arrived_on = started.start_date  # a 岗位实习 begins on its arrival, behind the gates (test_internships.py)
    waiting = services.accept(NominationFactory(opening=opening, student=StudentFactory(cohort=student.cohort)),
                              actor=school_user, start_date=today + timedelta(days=5), pay=4000)  # fmt: skip
    db.session.commit()
    login_as(hr)
    assert "Ongoing" in client.get(f"/placements/{started.id}", headers=EN).text
    roster = client.get("/roster?phase=starting", headers=EN).text
    assert waiting.student.name in roster
    assert started.student.name not in roster
    roster = client.get("/roster?phase=ongoing", headers=EN).text
    assert started.student.name in roster
    assert waiting.student.name not in roster
    assert waiting.student.name in client.get("/roster?due=soon", headers=EN).text
    _close(client, started, "completed", today + timedelta(days=1))
    db.session.refresh(started)
    assert started.status is PlacementStatus.ONGOING  # a completion in the future is refused
    _close(client, started, "completed", today)
    db.session.refresh(started)
    assert (started.status, started.end_date) == (PlacementStatus.COMPLETED, today)
    login_as(school_user)
    mine = client.get("/placements?phase=starting", headers=EN).text
    assert waiting.student.name in mine
    assert "Awaiting start" in mine
    for phase in PlacementPhase:  # the SQL and the Python reading of the dates agree
        in_sql = set(db.session.scalars(sa.select(Placement.id).where(phase_condition(phase, today))))
        assert in_sql == {p.id for p in (started, waiting) if phase_of(p, today) is phase}


# --- item 11: no negative choice pre-selected ----------------------------------------------------------------------


def _first_option(page: str, name: str) -> tuple[str, bool]:
    """The first option of the select named `name`, and whether any of its options is pre-selected."""
    select = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select {name}"
    first = re.search(r'<option[^>]*value="([^"]*)"', select.group(1))
    return first.group(1), "selected" in select.group(1)


def test_the_offer_page_preselects_nothing_and_declining_is_confirmed(client, login_as, db, parties):
    opening, student, school_user, _, _, _ = parties
    nomination = NominationFactory(opening=opening, student=student, status=N.OFFERED)
    login_as(school_user)
    page = client.get(f"/nominations/{nomination.id}", headers=EN).text
    assert not re.search(r'<select[^>]*name="status"', page)  # each step is its own button: nothing pre-selected
    assert f"confirm={N.DECLINED.value}" in page
    assert f"confirm={N.WITHDRAWN.value}" in page
    confirming = client.get(f"/nominations/{nomination.id}?confirm=declined", headers=EN).text
    assert "cannot be undone" in confirming
    assert 'name="confirmed" value="yes"' in confirming
    response = _step(client, nomination, "declined", confirmed=False)  # not confirmed: only asks
    assert response.status_code == 200
    assert "cannot be undone" in response.text
    db.session.refresh(nomination)
    assert nomination.status is N.OFFERED
    _step(client, nomination, "", confirmed=True)  # no step chosen: refused
    db.session.refresh(nomination)
    assert nomination.status is N.OFFERED
    _step(client, nomination, "declined")
    db.session.refresh(nomination)
    assert nomination.status is N.DECLINED


def test_closing_a_placement_and_deciding_a_membership_start_on_a_blank_choice(client, login_as, db, parties):
    opening, student, school_user, _, clerk, alliance = parties
    placement = services.accept(NominationFactory(opening=opening, student=student), actor=school_user,
                                start_date=local_today() - timedelta(days=10), pay=4000)  # fmt: skip
    applicant = MembershipFactory(
        alliance=alliance, organization=OrganizationFactory(), status=MembershipStatus.APPLIED
    )
    db.session.commit()
    login_as(school_user)
    assert _first_option(client.get(f"/placements/{placement.id}").text, "close-status") == ("", False)
    _close(client, placement, "", local_today())
    db.session.refresh(placement)
    assert placement.status is PlacementStatus.ONGOING
    login_as(clerk)
    page = client.get(f"/memberships/{applicant.id}", headers=EN).text
    assert _first_option(page, "status") == ("", False)  # 未通过 is no longer what the page shows first
    data = {"status": "", "effective_on": local_today().isoformat(), "reason": "", "tier": "member"}
    client.post(f"/memberships/{applicant.id}", data=data)
    db.session.refresh(applicant)
    assert applicant.status is MembershipStatus.APPLIED


# --- item 12: each role's home is its to-do list -------------------------------------------------------------------


def test_each_roles_home_counts_its_work_and_links_to_it(client, login_as, db, parties):
    opening, student, school_user, hr, clerk, alliance = parties
    other = StudentFactory(cohort=student.cohort)
    NominationFactory(opening=opening, student=student, status=N.INVITED, source=NominationSource.ENTERPRISE)
    NominationFactory(opening=opening, student=other, status=N.OFFERED)
    NominationFactory(opening=OpeningFactory(plan=opening.plan), student=other, status=N.NOMINATED)
    services.accept(NominationFactory(opening=OpeningFactory(plan=opening.plan), student=student),
                    actor=school_user, start_date=local_today() + timedelta(days=3), pay=4000)  # fmt: skip
    MembershipFactory(alliance=alliance, organization=OrganizationFactory(), status=MembershipStatus.APPLIED)
    db.session.add(Motion(alliance_id=alliance.id, kind=MotionKind.ANNUAL_PLAN, title="年度工作计划"))
    db.session.commit()

    def todo(page: str) -> dict[str, tuple[str, int]]:
        items = re.findall(r'href="([^"]+)">\s*([^<]+?) <span class="badge[^"]*">(\d+)</span>', page)
        return {text.strip(): (href.replace("&amp;", "&"), int(n)) for href, text, n in items}

    login_as(school_user)
    with count_queries(db.engine) as queries:
        school = todo(client.get("/", headers=EN).text)
    assert school["Invitations waiting for your answer"] == ("/nominations?status=invited", 1)
    assert school["Offers to answer with the student"] == ("/nominations?status=offered", 1)
    assert school["Placements starting within 14 days"] == ("/placements?due=soon", 1)
    # 12 for the to-do list and the page, and the risk warnings' fixed set of queries (one or two per kind)
    assert len(queries) <= 12 + 10, [str(q) for q in queries]
    login_as(hr)
    enterprise = todo(client.get("/", headers=EN).text)
    assert enterprise["Nominations to review"] == ("/nominations?status=nominated", 1)
    assert enterprise["Offers awaiting the student's answer"] == ("/nominations?status=offered", 1)
    assert enterprise["Interns starting within 14 days"] == ("/roster?due=soon", 1)
    assert "1" in client.get("/nominations?status=nominated", headers=EN).text
    login_as(clerk)
    page = client.get("/", headers=EN).text
    secretariat = todo(page)
    assert secretariat["Membership reviews pending"] == (f"/alliances/{alliance.id}/review", 1)
    assert secretariat["Allocation runs to decide"] == (f"/alliances/{alliance.id}/allocations", 0)
    assert secretariat["Council motions pending"] == (f"/alliances/{alliance.id}/governance", 1)
    assert "Alliance work" in page  # the navigation's entry for the alliance's work
    login_as(hr)
    assert "Alliance work" not in client.get("/", headers=EN).text
