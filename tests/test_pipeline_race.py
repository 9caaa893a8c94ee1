"""No overbooking, ever: 50 concurrent accepts for the last place let exactly one through, on both databases."""

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.auth.models import User
from marketplace.extensions import db as _db
from marketplace.pipeline import services
from marketplace.pipeline.models import Nomination, NominationStatus, Placement
from marketplace.plans.models import Opening
from tests.factories import UserFactory
from tests.pipeline_factories import CohortFactory, NominationFactory, OpeningFactory, StudentFactory

RACERS = 50


def test_fifty_concurrent_accepts_for_the_last_place(app, db):
    opening = OpeningFactory(headcount=3, filled=2)
    cohort = CohortFactory()
    clerk = UserFactory(organization=cohort.school)
    nominations = [NominationFactory(opening=opening, student=StudentFactory(cohort=cohort)).id for _ in range(RACERS)]
    opening_id, clerk_id = opening.id, clerk.id
    db.session.commit()
    barrier = threading.Barrier(RACERS, timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def race(nomination_id: int) -> None:
        with app.app_context():
            barrier.wait()  # before any query: on SQLite a transaction holds the write lock from its first read
            try:
                nomination = _db.session.get(Nomination, nomination_id)
                actor = _db.session.get(User, clerk_id)
                services.accept(nomination, actor=actor, start_date=date(2027, 3, 1), pay=5000)
                _db.session.commit()
                outcome = "accepted"
            except services.PipelineError:
                _db.session.rollback()
                outcome = "full"
            except sa.exc.IntegrityError:
                _db.session.rollback()
                outcome = "constraint"
            finally:
                _db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=race, args=(n,)) for n in nominations]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(outcomes) == RACERS
    assert outcomes.count("accepted") == 1
    assert outcomes.count("full") == RACERS - 1
    db.session.expire_all()
    assert db.session.get(Opening, opening_id).filled == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Placement)) == 1
    accepted = db.session.scalars(sa.select(Nomination).where(Nomination.status == NominationStatus.ACCEPTED)).all()
    assert len(accepted) == 1


def test_the_database_refuses_overfilling_even_without_the_guard(db):
    opening = OpeningFactory(headcount=1, filled=1)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Opening).where(Opening.id == opening.id).values(filled=Opening.filled + 1))
    db.session.rollback()
