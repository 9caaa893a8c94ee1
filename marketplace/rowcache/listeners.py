"""Which flushed records change an engine row, logged into `ranking_changes` in the flush's own transaction.

A student's row holds their data, certificates, wanted cities, cohort year and the periods and kinds their offers
and placements take; an opening's row its data, majors, certificates, plan, weights and priority set. So:
students, their certificates, nominations and placements mark students; openings, their certificates, plans,
nominations and placements mark openings (places left decide availability); memberships, alliances and the plans'
alliance lists mark every opening (priority sets, τ and weights). Core bulk writes bypass this: the importer and the
demo write through the ORM; a bulk writer that does not must log `EVERY_OPENING` or restart the workers.
"""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from marketplace.alliances.models import Alliance, Membership
from marketplace.cohorts.models import Cohort, Student, StudentCertificate
from marketplace.pipeline.models import Nomination, Placement
from marketplace.plans.models import HiringPlan, Opening, OpeningCertificate
from marketplace.rowcache.models import EVERY_OPENING, OPENING, STUDENT, RankingChange


def _marks(record, new: bool) -> set[tuple[str, int | None]]:
    if isinstance(record, Student):
        return {(STUDENT, record.id)}
    if isinstance(record, StudentCertificate):
        return {(STUDENT, record.student_id)}
    if isinstance(record, Nomination | Placement):
        return {(STUDENT, record.student_id), (OPENING, record.opening_id)}
    if isinstance(record, Opening):
        return {(OPENING, record.id)}
    if isinstance(record, OpeningCertificate):
        return {(OPENING, record.opening_id)}
    if isinstance(record, HiringPlan):  # its status, dates or alliances: each of its openings
        return {(OPENING, opening.id) for opening in record.openings}
    if isinstance(record, Membership | Alliance):
        return {(EVERY_OPENING, None)}
    if isinstance(record, Cohort) and not new:  # the graduation year of its students
        return {(STUDENT, student.id) for student in record.students}
    return set()


def log_changes(session: Session, _flush_context) -> None:
    marks: set[tuple[str, int | None]] = set()
    new = list(session.new)  # `Session.new` builds a new set on each access: once, not once per record
    for record in new:
        marks |= _marks(record, new=True)
    for record in session.deleted:
        marks |= _marks(record, new=False)
    for record in session.dirty:
        if session.is_modified(record, include_collections=True):
            marks |= _marks(record, new=False)
    marks = {(entity, entity_id) for entity, entity_id in marks if entity == EVERY_OPENING or entity_id is not None}
    if marks:
        session.connection().execute(
            sa.insert(RankingChange), [{"entity": e, "entity_id": i} for e, i in sorted(marks, key=repr)]
        )


def install() -> None:
    """Listen on every session (idempotent)."""
    if not sa.event.contains(Session, "after_flush", log_changes):
        sa.event.listen(Session, "after_flush", log_changes)
