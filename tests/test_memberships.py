"""The membership lifecycle and the 'fellow active members on date D' helper."""

from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.alliances import services
from marketplace.alliances.models import (
    TRANSITIONS,
    IllegalTransition,
    Membership,
    MembershipStatus,
    MembershipTransition,
)
from tests.factories import AllianceFactory, MembershipFactory, OrganizationFactory, SchoolFactory, UserFactory

S = MembershipStatus
LEGAL = [(a, b) for a, targets in TRANSITIONS.items() for b in sorted(targets)]  # sorted: one order in every process
ILLEGAL = [(a, b) for a in S for b in S if b not in TRANSITIONS[a]]


def _membership_in(status: MembershipStatus, notice_months: int = 0) -> Membership:
    alliance = AllianceFactory(withdrawal_notice_months=notice_months)
    return MembershipFactory(
        alliance=alliance,
        status=status,
        effective_from=date(2024, 1, 1) if status not in (S.APPLIED, S.UNDER_REVIEW, S.REJECTED) else None,
        withdrawal_requested_on=date(2024, 6, 1) if status is S.WITHDRAWAL_REQUESTED else None,
    )


def test_the_lifecycle_is_the_documented_one():
    assert len(LEGAL) == 10
    assert TRANSITIONS[S.APPLIED] == {S.UNDER_REVIEW, S.REJECTED}
    assert TRANSITIONS[S.ACTIVE] == {S.WITHDRAWAL_REQUESTED, S.LAPSED, S.EXPELLED}
    assert all(not TRANSITIONS[s] for s in (S.WITHDRAWN, S.LAPSED, S.EXPELLED, S.REJECTED))


@pytest.mark.parametrize(("start", "target"), LEGAL, ids=[f"{a}->{b}" for a, b in LEGAL])
def test_legal_transitions_are_recorded_with_actor_and_reason(db, start, target):
    membership = _membership_in(start)
    actor = UserFactory()
    services.decide(membership, target, actor=actor, reason="理事会决议", on=date(2025, 1, 1))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Membership, membership.id)
    assert stored.status is target
    assert stored.decided_by_id == actor.id
    last = stored.transitions[-1]
    assert (last.from_status, last.to_status, last.actor_id, last.reason) == (start, target, actor.id, "理事会决议")


@pytest.mark.parametrize(("start", "target"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_illegal_transitions_raise_and_change_nothing(db, start, target):
    membership = _membership_in(start)
    with pytest.raises(IllegalTransition):
        membership.transition_to(target, actor=None, on=date(2025, 1, 1))
    assert membership.status is start
    assert membership.transitions == []


def test_withdrawal_respects_the_charter_notice(db):
    membership = _membership_in(S.ACTIVE, notice_months=3)
    membership.transition_to(S.WITHDRAWAL_REQUESTED, actor=None, reason="调整", on=date(2025, 1, 31))
    with pytest.raises(IllegalTransition, match="2025-04-30"):
        membership.transition_to(S.WITHDRAWN, actor=None, on=date(2025, 4, 29))
    membership.transition_to(S.WITHDRAWN, actor=None, on=date(2025, 4, 30))
    assert membership.effective_until == date(2025, 4, 30)


def test_history_is_appended_never_overwritten(db):
    org, alliance, actor = OrganizationFactory(), AllianceFactory(withdrawal_notice_months=0), UserFactory()
    first = services.apply(org.id, alliance, actor=actor, note="第一次申请加入", on=date(2023, 1, 1))
    for status in (S.UNDER_REVIEW, S.ACTIVE, S.WITHDRAWAL_REQUESTED, S.WITHDRAWN):
        services.decide(first, status, actor=actor, reason=status.value, on=date(2023, 6, 1))
    second = services.apply(org.id, alliance, actor=actor, note="再次申请加入", on=date(2024, 1, 1))
    db.session.commit()
    assert first.id != second.id
    assert [t.to_status for t in first.transitions] == [
        S.APPLIED,
        S.UNDER_REVIEW,
        S.ACTIVE,
        S.WITHDRAWAL_REQUESTED,
        S.WITHDRAWN,
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MembershipTransition)) == 6


def test_a_second_open_membership_is_refused_by_service_and_database(db):
    org, alliance, actor = OrganizationFactory(), AllianceFactory(), UserFactory()
    services.apply(org.id, alliance, actor=actor, note="申请", on=date(2024, 1, 1))
    db.session.commit()
    with pytest.raises(services.MembershipError):
        services.apply(org.id, alliance, actor=actor, note="again", on=date(2024, 1, 2))
    db.session.add(Membership(organization_id=org.id, alliance_id=alliance.id, status=S.ACTIVE))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


class TestFellowMembers:
    """Are a school and an enterprise fellow members in force of some alliance on day D?"""

    @pytest.fixture
    def world(self, db):
        school, firm = SchoolFactory(), OrganizationFactory()
        alliance = AllianceFactory()
        return school, firm, alliance

    def test_both_active(self, world):
        school, firm, alliance = world
        MembershipFactory(organization=school, alliance=alliance, effective_from=date(2024, 1, 1))
        MembershipFactory(organization=firm, alliance=alliance, effective_from=date(2024, 3, 1))
        assert services.fellow_member_alliances(school.id, firm.id, date(2024, 3, 1)) == [alliance.id]
        assert services.are_fellow_members(firm.id, school.id, date(2025, 1, 1))
        assert not services.are_fellow_members(school.id, firm.id, date(2024, 2, 29))  # firm not yet in

    def test_withdrawn_member_counts_only_before_its_end_date(self, world):
        school, firm, alliance = world
        MembershipFactory(organization=school, alliance=alliance)
        MembershipFactory(
            organization=firm,
            alliance=alliance,
            status=S.WITHDRAWN,
            effective_from=date(2023, 1, 1),
            effective_until=date(2024, 6, 30),
        )
        assert services.are_fellow_members(school.id, firm.id, date(2024, 6, 29))
        assert not services.are_fellow_members(school.id, firm.id, date(2024, 6, 30))

    @pytest.mark.parametrize("status", [S.LAPSED, S.EXPELLED])
    def test_lapsed_or_expelled_member_ends_on_its_date(self, world, status):
        school, firm, alliance = world
        MembershipFactory(organization=school, alliance=alliance)
        MembershipFactory(
            organization=firm,
            alliance=alliance,
            status=status,
            effective_from=date(2023, 1, 1),
            effective_until=date(2025, 1, 1),
        )
        assert services.are_fellow_members(school.id, firm.id, date(2024, 12, 31))
        assert not services.are_fellow_members(school.id, firm.id, date(2025, 1, 1))

    def test_pending_withdrawal_still_counts(self, world):
        school, firm, alliance = world
        MembershipFactory(organization=school, alliance=alliance)
        MembershipFactory(
            organization=firm,
            alliance=alliance,
            status=S.WITHDRAWAL_REQUESTED,
            withdrawal_requested_on=date(2025, 1, 1),
        )
        assert services.are_fellow_members(school.id, firm.id, date(2025, 2, 1))

    @pytest.mark.parametrize("status", [S.APPLIED, S.UNDER_REVIEW, S.REJECTED])
    def test_applicants_and_rejected_do_not_count(self, world, status):
        school, firm, alliance = world
        MembershipFactory(organization=school, alliance=alliance)
        MembershipFactory(organization=firm, alliance=alliance, status=status, effective_from=None)
        assert not services.are_fellow_members(school.id, firm.id, date(2025, 1, 1))

    def test_members_of_different_alliances_are_not_fellows(self, world):
        school, firm, alliance = world
        MembershipFactory(organization=school, alliance=alliance)
        MembershipFactory(organization=firm, alliance=AllianceFactory())
        assert not services.are_fellow_members(school.id, firm.id, date(2025, 1, 1))

    def test_restricting_to_given_alliances(self, world):
        school, firm, alliance = world
        other = AllianceFactory()
        for a in (alliance, other):
            MembershipFactory(organization=school, alliance=a)
            MembershipFactory(organization=firm, alliance=a)
        day = date(2025, 1, 1)
        assert services.fellow_member_alliances(school.id, firm.id, day) == sorted([alliance.id, other.id])
        assert services.fellow_member_alliances(school.id, firm.id, day, alliance_ids=[other.id]) == [other.id]
