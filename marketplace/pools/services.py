"""Expert pool and collaboration group workflows, with the charters' rules read from the alliance. They flush, never
commit; a refusal raises PoolError with a message for the user and the `rule` it applied."""

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from marketplace.alliances import services as alliance_services
from marketplace.alliances.models import Alliance
from marketplace.audit.services import record
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.i18n import label
from marketplace.pools.models import (
    OPEN_EXPERT_STATUSES,
    SINGLE_SEATS,
    ConsentMethod,
    Expert,
    ExpertStatus,
    ExpertTerm,
    GroupMember,
    GroupRole,
    Route,
    SpecialtyGroup,
    Standing,
    TitleLevel,
    term_end,
)
from marketplace.refusals import Refusal
from marketplace.timeutil import local_today


class PoolError(Refusal):
    """A request the rules refuse; `rule` names the rule (max_age, min_title, consent, ...) for callers and tests."""

    def __init__(self, message: str, rule: str = ""):
        super().__init__(message)
        self.rule = rule


def is_member_in_force(org_id: int | None, alliance_id: int) -> bool:
    return alliance_services.membership_in_force(alliance_id, org_id, local_today()) is not None


def can_see_pools(alliance: Alliance, user) -> bool:
    """The secretariat and users of member units in force see an alliance's pools and groups."""
    return alliance.is_secretariat(user) or (
        user.is_authenticated and is_member_in_force(user.organization_id, alliance.id)
    )


def check_charter(alliance: Alliance, *, name: str, title_level: TitleLevel, birth_year: int, start: date) -> None:
    """Refuse an appointment (or renewal) starting on `start` that the charter's conditions rule out."""
    age = start.year - birth_year
    if alliance.expert_max_age is not None and age > alliance.expert_max_age:
        raise PoolError(
            _(
                "Charter rule: experts of %(alliance)s are at most %(max)d years old; %(name)s is %(age)d in %(year)d.",
                alliance=alliance.short_name,
                max=alliance.expert_max_age,
                name=name,
                age=age,
                year=start.year,
            ),
            rule="max_age",
        )
    if alliance.expert_min_title:
        minimum = TitleLevel(alliance.expert_min_title)
        if title_level.rank < minimum.rank:
            raise PoolError(
                _(
                    "Charter rule: experts of %(alliance)s need a title of %(min)s or higher; %(name)s has: %(title)s.",
                    alliance=alliance.short_name,
                    min=label(minimum),
                    name=name,
                    title=label(title_level),
                ),
                rule="min_title",
            )


def _flush_or_refuse(message: str, rule: str) -> None:
    """Flush in a savepoint: a unique index that a concurrent request beat us to becomes a PoolError."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as exc:
        raise PoolError(message, rule) from exc


def submit_expert(
    alliance: Alliance,
    *,
    actor,
    route: Route,
    name: str,
    title_level: TitleLevel,
    birth_year: int,
    specialty: str,
    summary: str = "",
    consent_on: date | None = None,
    consent_method: ConsentMethod | None = None,
    today: date,
) -> Expert:
    """A personal application or a unit recommendation of a person of the actor's (member) unit."""
    if not is_member_in_force(actor.organization_id, alliance.id):
        raise PoolError(_("Only units that are members in force can put forward experts."), "member")
    if route is Route.RECOMMENDATION:
        if not actor.is_org_admin:
            raise PoolError(_("Only an administrator of the unit can recommend an expert."), "recommender")
        if consent_on is None or consent_method is None:
            raise PoolError(
                _("A recommendation needs the recommended person's prior consent: record when and how it was given."),
                "consent",
            )
        if consent_on > today:
            raise PoolError(_("The consent must have been given before the recommendation."), "consent")
    else:
        consent_on = consent_method = None
    name = name.strip()
    duplicate = db.session.scalar(
        sa.select(Expert.id).where(
            Expert.alliance_id == alliance.id,
            Expert.organization_id == actor.organization_id,
            Expert.name == name,
            Expert.status.in_(OPEN_EXPERT_STATUSES),
        )
    )
    message = _("%(name)s of your unit is already in this pool or awaiting review.", name=name)
    if duplicate is not None:
        raise PoolError(message, "duplicate")
    expert = Expert(
        alliance=alliance,
        organization_id=actor.organization_id,
        # A person applying for themselves is linked to their account; otherwise the unit speaks for them.
        user_id=actor.id if route is Route.APPLICATION and name == actor.name else None,
        name=name,
        title_level=title_level,
        birth_year=birth_year,
        specialty=specialty.strip(),
        summary=summary.strip(),
        route=route,
        consent_on=consent_on,
        consent_method=consent_method,
        consent_recorded_by_id=actor.id if consent_on else None,
        consent_recorded_at=utcnow() if consent_on else None,
        status=ExpertStatus.PENDING,
        submitted_by_id=actor.id,
    )
    db.session.add(expert)
    _flush_or_refuse(message, "duplicate")
    record(
        "expert_submitted",
        expert,
        actor=actor,
        alliance_id=alliance.id,
        route=route.value,
        consent_on=consent_on.isoformat() if consent_on else None,
        consent_method=consent_method.value if consent_method else None,
    )
    return expert


def _start_term(expert: Expert, start: date, actor) -> ExpertTerm:
    expert.term_no += 1
    expert.appointed_from = start
    expert.appointed_until = term_end(start, expert.alliance.expert_term_years)
    term = ExpertTerm(term_no=expert.term_no, starts_on=start, ends_on=expert.appointed_until, decided_by_id=actor.id)
    expert.terms.append(term)
    expert.decided_by_id = actor.id
    expert.decided_at = utcnow()
    return term


def approve(expert: Expert, *, actor, start: date) -> Expert:
    """Appoint for the charter's term from `start`, if the charter's conditions are met (资格审核和遴选)."""
    if expert.status is not ExpertStatus.PENDING:
        raise PoolError(_("Only entries awaiting review can be approved."), "state")
    check_charter(
        expert.alliance, name=expert.name, title_level=expert.title_level, birth_year=expert.birth_year, start=start
    )
    expert.status = ExpertStatus.APPOINTED
    _start_term(expert, start, actor)
    db.session.flush()
    record(
        "expert_appointed",
        expert,
        actor=actor,
        term_no=expert.term_no,
        appointed_from=start.isoformat(),
        appointed_until=expert.appointed_until.isoformat(),
    )
    return expert


def reject(expert: Expert, *, actor, reason: str) -> Expert:
    if expert.status is not ExpertStatus.PENDING:
        raise PoolError(_("Only entries awaiting review can be rejected."), "state")
    if not reason.strip():
        raise PoolError(_("Give a reason for this decision."), "reason")
    expert.status = ExpertStatus.REJECTED
    expert.decision_reason = reason.strip()
    expert.decided_by_id = actor.id
    expert.decided_at = utcnow()
    db.session.flush()
    record("expert_rejected", expert, actor=actor, reason=expert.decision_reason)
    return expert


def renew(expert: Expert, *, actor, today: date) -> Expert:
    """续聘: another term from the day after the current one ends, with the charter's conditions checked again."""
    if expert.standing(today) is not Standing.APPOINTED:
        raise PoolError(
            _("Only a current appointment can be renewed; after it has ended the person applies again."), "state"
        )
    if expert.appointed_from > today:
        raise PoolError(_("This appointment has already been renewed for the next term."), "state")
    start = expert.appointed_until + timedelta(days=1)
    check_charter(
        expert.alliance, name=expert.name, title_level=expert.title_level, birth_year=expert.birth_year, start=start
    )
    _start_term(expert, start, actor)
    db.session.flush()
    record(
        "expert_renewed",
        expert,
        actor=actor,
        term_no=expert.term_no,
        appointed_from=start.isoformat(),
        appointed_until=expert.appointed_until.isoformat(),
    )
    return expert


def resign(expert: Expert, *, actor, on: date, reason: str) -> Expert:
    """辞聘 (or withdrawing an application), recorded by the expert's unit or the secretariat."""
    if expert.standing(on) not in (Standing.APPOINTED, Standing.PENDING):
        raise PoolError(_("Only a current appointment or a pending entry can end by resignation."), "state")
    expert.status = ExpertStatus.RESIGNED
    expert.ended_on = on
    expert.end_reason = reason.strip()
    db.session.flush()
    record("expert_resigned", expert, actor=actor, ended_on=on.isoformat(), reason=expert.end_reason or None)
    return expert


def renewals_due(alliance: Alliance, today: date) -> list[Expert]:
    """Appointments ending within `term_warning_days` of `today` (and not yet ended)."""
    horizon = today + timedelta(days=alliance.term_warning_days)
    return list(
        db.session.scalars(
            sa.select(Expert)
            .where(
                Expert.alliance_id == alliance.id,
                Expert.status == ExpertStatus.APPOINTED,
                Expert.appointed_until >= today,
                Expert.appointed_until <= horizon,
            )
            .order_by(Expert.appointed_until, Expert.id)
        )
    )


def create_group(alliance: Alliance, *, actor, name: str, specialty: str) -> SpecialtyGroup:
    name = name.strip()
    message = _("A group named %(name)s already exists in this alliance.", name=name)
    if db.session.scalar(
        sa.select(SpecialtyGroup.id).where(SpecialtyGroup.alliance_id == alliance.id, SpecialtyGroup.name == name)
    ):
        raise PoolError(message, "duplicate")
    group = SpecialtyGroup(alliance=alliance, name=name, specialty=specialty.strip(), created_by_id=actor.id)
    db.session.add(group)
    _flush_or_refuse(message, "duplicate")
    record("group_created", group, actor=actor, alliance_id=alliance.id, name=name)
    return group


def add_group_member(
    group: SpecialtyGroup, *, actor, person_name: str, organization_id: int, role: GroupRole, joined_on: date
) -> GroupMember:
    """Seat a person sent by a member unit in force; 主任委员 and 秘书长 are single seats (机械 art. 9)."""
    if not is_member_in_force(organization_id, group.alliance_id):
        raise PoolError(_("The person's unit must be a member of the alliance in force."), "member")
    person_name = person_name.strip()
    if role in SINGLE_SEATS:
        holder = next((m for m in group.current_members if m.role is role), None)
        if holder is not None:
            raise PoolError(
                _(
                    "The group already has a %(role)s: %(name)s must leave the seat first.",
                    role=label(role),
                    name=holder.person_name,
                ),
                "single_seat",
            )
    if any(m.person_name == person_name and m.organization_id == organization_id for m in group.current_members):
        raise PoolError(_("%(name)s already sits in this group.", name=person_name), "duplicate")
    member = GroupMember(
        group=group,
        person_name=person_name,
        organization_id=organization_id,
        role=role,
        joined_on=joined_on,
        created_by_id=actor.id,
    )
    db.session.add(member)
    _flush_or_refuse(_("Someone else has just taken this seat; reload the page."), "single_seat")
    record(
        "group_member_added",
        member,
        actor=actor,
        group_id=group.id,
        role=role.value,
        person_name=person_name,
        organization_id=organization_id,
    )
    return member


def leave_group(member: GroupMember, *, actor, on: date) -> GroupMember:
    if member.left_on is not None:
        raise PoolError(_("This person has already left the group."), "state")
    if on < member.joined_on:
        raise PoolError(_("The leaving date cannot be before the joining date."), "dates")
    member.left_on = on
    db.session.flush()
    record("group_member_left", member, actor=actor, group_id=member.group_id, left_on=on.isoformat())
    return member
