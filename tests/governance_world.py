"""A council to vote with: an alliance built from a demo charter, its directors, and a secretariat clerk."""

from datetime import date

from marketplace.alliances.models import Alliance, Membership, MembershipStatus, Tier
from marketplace.auth.models import Role
from marketplace.demo.data import CHARTERS, GOVERNANCE
from marketplace.extensions import db
from tests.factories import MembershipFactory, OrganizationFactory, SchoolFactory, UserFactory

CHARTER_NAMES = {"hs": "衡水", "dz": "德州", "zz": "联席会", "jx": "机械"}


def charter(key: str) -> dict:
    """The demo alliance's charter parameters, so that the tests check the rules the demo runs."""
    (adm_num, adm_den, strict), (q_num, q_den), notice, lapse, term, limit, report = CHARTERS[key]
    return dict(
        admission_vote_num=adm_num, admission_vote_den=adm_den, admission_vote_strict=strict, quorum_num=q_num,
        quorum_den=q_den, withdrawal_notice_months=notice, lapse_after_years=lapse, officer_term_years=term,
        officer_term_limit=limit, reporting_interval_days=report, **GOVERNANCE[key],
    )  # fmt: skip


def unsaved_alliance(key: str) -> Alliance:
    return Alliance(name=CHARTER_NAMES[key], short_name=CHARTER_NAMES[key], **charter(key))


def council(key: str, directors: int, *, standing: int = 0, since: date = date(2024, 1, 1)):
    """An alliance of `key`'s charter whose council has a chair unit, `standing` standing units and directors."""
    from tests.factories import AllianceFactory

    secretariat = SchoolFactory(name=f"{CHARTER_NAMES[key]}秘书处学校")
    alliance = AllianceFactory(secretariat=secretariat, **charter(key))
    MembershipFactory(alliance=alliance, organization=secretariat, tier=Tier.CHAIR, effective_from=since)
    members = [
        MembershipFactory(
            alliance=alliance, tier=Tier.STANDING if i < standing else Tier.DIRECTOR, effective_from=since
        )
        for i in range(directors - 1)
    ]
    clerk = UserFactory(organization=secretariat, role=Role.SECRETARIAT)
    db.session.flush()
    return alliance, clerk, members


def applicant(alliance: Alliance) -> Membership:
    org = OrganizationFactory()
    return MembershipFactory(alliance=alliance, organization=org, status=MembershipStatus.APPLIED, effective_from=None)
