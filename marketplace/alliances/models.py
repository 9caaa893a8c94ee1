"""Alliances with their charter parameters, and memberships with a guarded lifecycle."""

import enum
from datetime import date, datetime
from fractions import Fraction

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import UTCDateTime, enum_column, utcnow
from marketplace.extensions import db
from marketplace.governance import rules
from marketplace.i18n import label, register_labels
from marketplace.orgs.models import Organization
from marketplace.refusals import Refusal


class Alliance(db.Model):
    """A vocational-education alliance (职教联盟/集团); its charter (章程) rules are stored as data."""

    __tablename__ = "alliances"
    __table_args__ = (
        sa.CheckConstraint(
            "admission_vote_num > 0 AND admission_vote_den >= admission_vote_num", name="admission_vote_fraction"
        ),
        sa.CheckConstraint("quorum_num > 0 AND quorum_den >= quorum_num", name="quorum_fraction"),
        sa.CheckConstraint("withdrawal_notice_months >= 0", name="notice_nonnegative"),
        sa.CheckConstraint("lapse_after_years IS NULL OR lapse_after_years > 0", name="lapse_positive"),
        sa.CheckConstraint("officer_term_years > 0", name="term_positive"),
        sa.CheckConstraint("officer_term_limit IS NULL OR officer_term_limit > 0", name="term_limit_positive"),
        sa.CheckConstraint(
            "reporting_interval_days IS NULL OR reporting_interval_days > 0", name="reporting_interval_positive"
        ),
        sa.CheckConstraint("priority_tolerance >= 0 AND priority_tolerance <= 1", name="priority_tolerance_range"),
        sa.CheckConstraint("admission_vote_base IN ('present', 'council')", name="admission_vote_base_known"),
        sa.CheckConstraint(
            "standing_share_num IS NULL OR (standing_share_num > 0 AND standing_share_den >= standing_share_num)",
            name="standing_share_fraction",
        ),
        sa.CheckConstraint("term_warning_days >= 0", name="term_warning_nonnegative"),
        sa.CheckConstraint("rectification_days > 0", name="rectification_positive"),
        sa.CheckConstraint("expert_term_years > 0", name="expert_term_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128), unique=True)
    short_name: Mapped[str] = mapped_column(sa.String(32))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    secretariat_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    # Admission: the share of votes cast that must agree, and whether it must be exceeded (超过) or reached.
    admission_vote_num: Mapped[int] = mapped_column(default=2)
    admission_vote_den: Mapped[int] = mapped_column(default=3)
    admission_vote_strict: Mapped[bool] = mapped_column(default=False)
    # Quorum: the share of the council that must be present for a vote to count.
    quorum_num: Mapped[int] = mapped_column(default=2)
    quorum_den: Mapped[int] = mapped_column(default=3)
    withdrawal_notice_months: Mapped[int] = mapped_column(default=0)
    lapse_after_years: Mapped[int | None]
    officer_term_years: Mapped[int] = mapped_column(default=5)
    officer_term_limit: Mapped[int | None]
    reporting_interval_days: Mapped[int | None]
    assessment_grades: Mapped[list[str]] = mapped_column(sa.JSON, default=lambda: ["优秀", "较好", "合格", "不合格"])
    priority_tolerance: Mapped[float] = mapped_column(sa.Float, default=0.02)
    # Openings that started already, or whose remaining period is shorter than this, are not proposed (matching).
    min_remaining_days: Mapped[int] = mapped_column(sa.Integer, default=30, server_default="30")
    # Below this fit a school's page says "no suitable opening" rather than listing poor matches.
    fit_floor: Mapped[float] = mapped_column(sa.Float, default=0.4, server_default="0.4")
    # Fit weights the secretariat adopted (feature → weight); None keeps the engine's documented defaults.
    fit_weights: Mapped[dict | None] = mapped_column(sa.JSON)
    # Governance (issue 6). Admission counts the votes of those present, or of the whole council (德州: 超过2/3的理事).
    admission_vote_base: Mapped[str] = mapped_column(sa.String(8), default="present", server_default="present")
    # Other motions' thresholds, kind → "num/den" rule text such as ">1/2 present" (default: more than half present).
    vote_rules: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The secretariat's qualification checklist (资格审核), from the charter's conditions for joining.
    admission_checklist: Mapped[list[str]] = mapped_column(
        sa.JSON, default=lambda: ["具备法人资格", "承认并遵守联盟章程"]
    )
    withdrawal_requires_vote: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # A prefix set means members receive a numbered membership certificate (会员证书), e.g. 联席会.
    certificate_prefix: Mapped[str | None] = mapped_column(sa.String(16))
    removal_after_failed_years: Mapped[int | None]  # 德州: two consecutive years graded 不合格
    absence_flag_count: Mapped[int | None]  # 机械: absent without excuse this many times in a work year
    tier_quotas: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # tier value → most units (德州 1/2/5)
    standing_share_num: Mapped[int | None]  # standing council at most this share of the council (衡水 1/3)
    standing_share_den: Mapped[int | None]
    term_warning_days: Mapped[int] = mapped_column(default=90, server_default="90")
    self_assessment_due: Mapped[str] = mapped_column(sa.String(5), default="12-10", server_default="12-10")
    assessment_review_due: Mapped[str] = mapped_column(sa.String(5), default="12-30", server_default="12-30")
    rectification_days: Mapped[int] = mapped_column(default=90, server_default="90")
    expert_term_years: Mapped[int] = mapped_column(default=3, server_default="3")
    expert_max_age: Mapped[int | None]  # 机械: 年龄一般不超过60周岁
    expert_min_title: Mapped[str | None] = mapped_column(sa.String(16))  # 机械: 副高及以上
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    secretariat: Mapped[Organization] = relationship()

    def __repr__(self) -> str:
        return f"<Alliance {self.id} {self.short_name}>"

    @property
    def admission_threshold(self) -> Fraction:
        return Fraction(self.admission_vote_num, self.admission_vote_den)

    @property
    def quorum(self) -> Fraction:
        return Fraction(self.quorum_num, self.quorum_den)

    def is_quorate(self, present: int, council_size: int) -> bool:
        return council_size > 0 and present >= rules.present_needed(self.quorum, council_size)

    def vote_rule(self, kind: str) -> rules.VoteRule:
        """The threshold a motion of `kind` must meet: admission from its own columns, others from `vote_rules`."""
        if kind == "admit":
            base = rules.Base(self.admission_vote_base or rules.Base.PRESENT)
            return rules.VoteRule(self.admission_threshold, self.admission_vote_strict, base)
        text = (self.vote_rules or {}).get(kind)
        return rules.VoteRule.parse(text) if text else rules.SIMPLE_MAJORITY

    def admission_passes(self, yes: int, present: int, council_size: int) -> bool:
        """Exact arithmetic so that 'exactly 2/3' and 'one vote short' are decided correctly."""
        if present == 0 or not self.is_quorate(present, council_size):
            return False
        return self.vote_rule("admit").met(yes, present=present, council=council_size)

    @property
    def standing_share(self) -> Fraction | None:
        if self.standing_share_num is None or self.standing_share_den is None:
            return None
        return Fraction(self.standing_share_num, self.standing_share_den)

    def is_secretariat(self, user) -> bool:
        """The alliance's secretariat (秘书处) staff, or a platform admin."""
        return user.is_authenticated and (
            user.is_platform_admin or (user.is_secretariat and user.organization_id == self.secretariat_org_id)
        )

    def earliest_withdrawal(self, requested_on: date) -> date:
        return requested_on + relativedelta(months=self.withdrawal_notice_months)


class Tier(enum.StrEnum):
    CHAIR = "chair"  # 理事长单位
    VICE_CHAIR = "vice_chair"  # 副理事长单位
    STANDING = "standing"  # 常务理事单位
    DIRECTOR = "director"  # 理事单位
    MEMBER = "member"  # 成员单位


register_labels(
    (Tier.CHAIR, _l("Chair unit")),
    (Tier.VICE_CHAIR, _l("Vice-chair unit")),
    (Tier.STANDING, _l("Standing director unit")),
    (Tier.DIRECTOR, _l("Director unit")),
    (Tier.MEMBER, _l("Member unit")),
)


class MembershipStatus(enum.StrEnum):
    APPLIED = "applied"
    UNDER_REVIEW = "under_review"
    ACTIVE = "active"
    WITHDRAWAL_REQUESTED = "withdrawal_requested"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"
    EXPELLED = "expelled"
    REJECTED = "rejected"


register_labels(
    (MembershipStatus.APPLIED, _l("Applied")),
    (MembershipStatus.UNDER_REVIEW, _l("Under review")),
    (MembershipStatus.ACTIVE, _l("Active")),
    (MembershipStatus.WITHDRAWAL_REQUESTED, _l("Withdrawal requested")),
    (MembershipStatus.WITHDRAWN, _l("Withdrawn")),
    (MembershipStatus.LAPSED, _l("Lapsed")),
    (MembershipStatus.EXPELLED, _l("Expelled")),
    (MembershipStatus.REJECTED, _l("Rejected")),
)


S = MembershipStatus
TRANSITIONS: dict[MembershipStatus, frozenset[MembershipStatus]] = {
    S.APPLIED: frozenset({S.UNDER_REVIEW, S.REJECTED}),
    S.UNDER_REVIEW: frozenset({S.ACTIVE, S.REJECTED}),
    S.ACTIVE: frozenset({S.WITHDRAWAL_REQUESTED, S.LAPSED, S.EXPELLED}),
    S.WITHDRAWAL_REQUESTED: frozenset({S.WITHDRAWN, S.ACTIVE, S.EXPELLED}),
    S.WITHDRAWN: frozenset(),
    S.LAPSED: frozenset(),
    S.EXPELLED: frozenset(),
    S.REJECTED: frozenset(),
}
OPEN_STATUSES = frozenset({S.APPLIED, S.UNDER_REVIEW, S.ACTIVE, S.WITHDRAWAL_REQUESTED})
# Statuses in which the membership confers rights (still a member while a withdrawal is pending).
IN_FORCE_STATUSES = frozenset({S.ACTIVE, S.WITHDRAWAL_REQUESTED})
# Statuses a membership can only reach after having been active: its effective dates are meaningful.
ONCE_ACTIVE_STATUSES = frozenset({S.ACTIVE, S.WITHDRAWAL_REQUESTED, S.WITHDRAWN, S.LAPSED, S.EXPELLED})
_OPEN_SQL = ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES))


class IllegalTransition(Refusal):
    """A membership was asked to move to a status its lifecycle does not allow."""


class Membership(db.Model):
    """An organisation's membership of an alliance (联盟成员单位), one row per application; history is kept."""

    __tablename__ = "memberships"
    __table_args__ = (
        sa.Index(
            "uq_memberships_open_per_alliance",
            "organization_id",
            "alliance_id",
            unique=True,
            postgresql_where=sa.text(f"status IN ({_OPEN_SQL})"),
            sqlite_where=sa.text(f"status IN ({_OPEN_SQL})"),
        ),
        sa.CheckConstraint(
            "effective_until IS NULL OR effective_from IS NULL OR effective_until >= effective_from",
            name="effective_dates_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    alliance_id: Mapped[int] = mapped_column(sa.ForeignKey("alliances.id"), index=True)
    tier: Mapped[Tier] = mapped_column(enum_column(Tier, "membership_tier"), default=Tier.MEMBER)
    status: Mapped[MembershipStatus] = mapped_column(
        enum_column(MembershipStatus, "membership_status"), default=MembershipStatus.APPLIED
    )
    application_note: Mapped[str] = mapped_column(sa.Text, default="")
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    effective_from: Mapped[date | None]
    effective_until: Mapped[date | None]
    withdrawal_requested_on: Mapped[date | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # The secretariat's qualification review: checklist item → met, with who checked it and when.
    qualification: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    certificate_no: Mapped[str | None] = mapped_column(sa.String(32), unique=True)

    organization: Mapped[Organization] = relationship()
    alliance: Mapped[Alliance] = relationship()
    transitions: Mapped[list["MembershipTransition"]] = relationship(
        back_populates="membership", order_by="MembershipTransition.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Membership {self.id} org={self.organization_id} alliance={self.alliance_id} {self.status}>"

    @property
    def in_force(self) -> bool:
        return self.status in IN_FORCE_STATUSES

    def can_transition_to(self, status: MembershipStatus) -> bool:
        return status in TRANSITIONS[self.status]

    def transition_to(self, status: MembershipStatus, *, actor, reason: str = "", on: date) -> "MembershipTransition":
        """Move along the lifecycle, recording who decided, when it takes effect and why."""
        if not self.can_transition_to(status):
            raise IllegalTransition(
                _l("A membership that is %(now)s cannot become %(then)s.", now=label(self.status), then=label(status))
            )
        if status is S.WITHDRAWN:
            earliest = self.alliance.earliest_withdrawal(self.withdrawal_requested_on or on)
            if on < earliest:
                raise IllegalTransition(
                    _l(
                        "The charter requires notice: withdrawal takes effect on %(date)s at the earliest.",
                        date=earliest.isoformat(),
                    )  # fmt: skip
                )
        previous = self.status
        if status is S.ACTIVE and previous is S.UNDER_REVIEW:
            self.effective_from = on
        elif status is S.ACTIVE and previous is S.WITHDRAWAL_REQUESTED:
            self.withdrawal_requested_on = None
        elif status is S.WITHDRAWAL_REQUESTED:
            self.withdrawal_requested_on = on
        elif status in (S.WITHDRAWN, S.LAPSED, S.EXPELLED):
            self.effective_until = on
        self.status = status
        self.decided_by_id = actor.id if actor is not None else None
        self.decided_at = utcnow()
        self.decision_reason = reason
        record = MembershipTransition(
            from_status=previous, to_status=status, actor_id=self.decided_by_id, reason=reason, effective_on=on
        )
        self.transitions.append(record)
        return record

    def can_view(self, user) -> bool:
        """The member organisation and the alliance's secretariat see a membership and its history."""
        return user.is_authenticated and (
            self.organization_id == user.organization_id or self.alliance.is_secretariat(user)
        )

    def can_decide(self, user) -> bool:
        return self.alliance.is_secretariat(user)

    def can_withdraw(self, user) -> bool:
        return user.is_authenticated and user.is_org_admin and self.organization_id == user.organization_id

    def was_in_force_on(self, day: date) -> bool:
        """Whether this membership conferred rights on `day` (approved, not yet withdrawn/lapsed/expelled)."""
        if self.status not in ONCE_ACTIVE_STATUSES or self.effective_from is None:
            return False
        if self.effective_until is None:  # open-ended only while not ended: an ended one without a date is not in force
            return self.effective_from <= day and self.status in IN_FORCE_STATUSES
        return self.effective_from <= day < self.effective_until


class MembershipTransition(db.Model):
    """One step in a membership's history: never updated, only appended."""

    __tablename__ = "membership_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("memberships.id"), index=True)
    from_status: Mapped[MembershipStatus | None] = mapped_column(enum_column(MembershipStatus, "from_status"))
    to_status: Mapped[MembershipStatus] = mapped_column(enum_column(MembershipStatus, "to_status"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    effective_on: Mapped[date]
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    membership: Mapped[Membership] = relationship(back_populates="transitions")
    actor = relationship("User")


def in_force_on(day: date, m=Membership) -> sa.ColumnElement[bool]:
    """SQL for `Membership.was_in_force_on(day)`, on the model or an alias of it."""
    return sa.and_(
        m.status.in_(ONCE_ACTIVE_STATUSES),
        m.effective_from.is_not(None),
        m.effective_from <= day,
        sa.or_(sa.and_(m.effective_until.is_(None), m.status.in_(IN_FORCE_STATUSES)), m.effective_until > day),
    )
