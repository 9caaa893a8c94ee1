"""Acting on several rows of a ranking at once. Each row goes through the pipeline's own service in a savepoint: a
row the rules refuse is reported with its reason and the others stand. Functions flush, never commit."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.cohorts.models import Student
from marketplace.extensions import db
from marketplace.pipeline import services
from marketplace.pipeline.models import Nomination, NominationStatus
from marketplace.plans.models import Opening
from marketplace.refusals import Refusal


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)  # what each done row was about (a student, an opening)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (what, why)


def _each(rows: Iterable[tuple[str, Callable[[], object]]]) -> Outcome:
    outcome = Outcome()
    for what, step in rows:
        try:
            with db.session.begin_nested():
                step()
        except Refusal as exc:
            outcome.refused.append((what, str(exc)))
        else:
            outcome.done.append(what)
    return outcome


def invite_all(opening: Opening, students: Sequence[Student], *, actor) -> Outcome:
    """The enterprise invites each student (`pipeline.services.put_forward(invited=True)`)."""
    return _each((s.name, lambda s=s: services.put_forward(s, opening, actor=actor, invited=True)) for s in students)


def move_all(opening: Opening, students: Sequence[Student], status: NominationStatus, *, actor) -> Outcome:
    """The enterprise takes each student's nomination for the opening one step (`pipeline.services.move`)."""
    nominations = {
        n.student_id: n
        for n in db.session.scalars(
            sa.select(Nomination).where(
                Nomination.opening_id == opening.id, Nomination.student_id.in_([s.id for s in students])
            )
        )
    }

    def step(student: Student) -> None:
        nomination = nominations.get(student.id)
        if nomination is None:
            raise Refusal(_l("This student has not been put forward for this opening yet."))
        if nomination.side_of(actor) != "enterprise":
            raise Refusal(_l("Only the enterprise takes this step."))
        services.move(nomination, status, actor=actor)

    return _each((s.name, lambda s=s: step(s)) for s in students)


def put_forward_all(pairs: Sequence[tuple[Student, Opening]], *, actor) -> Outcome:
    """The school puts each student forward for the opening beside them."""
    return _each(
        (f"{s.name} → {o.title}", lambda s=s, o=o: services.put_forward(s, o, actor=actor, invited=False))
        for s, o in pairs
    )
