"""Rows kept between requests (issue 14, item 1): a kept store ranks exactly as a fresh build and as the engine
built from plain data, refreshes only what the change log names, and says which version a ranking used."""

import random
from datetime import timedelta

import numpy as np
import pytest
import sqlalchemy as sa

from marketplace import ranking
from marketplace.alliances.models import Alliance, Membership, MembershipStatus
from marketplace.cohorts.models import Student
from marketplace.db import ids_in
from marketplace.extensions import db as _db
from marketplace.orgs.models import Organization, OrgKind
from marketplace.pipeline.models import Placement
from marketplace.plans.models import Opening, OpeningKind
from marketplace.reference.models import Major
from marketplace.rowcache import plain, store
from marketplace.rowcache.models import EVERY_OPENING, OPENING, STUDENT, RankingChange
from marketplace.timeutil import local_today
from matching.features import Catalogue, classification_text_model
from matching.ranking import Engine
from tests.factories import AllianceFactory, MembershipFactory, OrganizationFactory, SchoolFactory
from tests.pipeline_factories import CohortFactory, NominationFactory, OpeningFactory, PlanFactory, StudentFactory

SKILLS = ["焊接", "数控编程", "CAD 识图", "电工", "护理", "养老照护", "园林养护", "PLC 编程", "钳工", "汽车维修"]


def random_market(db, seed: int):
    """Two member schools and one outside school the enterprises also see, three enterprises, openings with random
    skills, majors and headcounts, students with random skills, grades and majors."""
    rng = random.Random(seed)
    alliance, elsewhere = AllianceFactory(priority_tolerance=0.05), AllianceFactory()
    schools = [SchoolFactory() for _ in range(3)]
    enterprises = [OrganizationFactory(kind=OrgKind.ENTERPRISE, staff_count=1000) for _ in range(3)]
    for org in schools[:2] + enterprises:
        MembershipFactory(alliance=alliance, organization=org)
    for org in schools[2:] + enterprises:
        MembershipFactory(alliance=elsewhere, organization=org)
    majors = list(db.session.scalars(sa.select(Major).order_by(Major.code).limit(4)))
    openings = []
    for e in enterprises:
        plan = PlanFactory(enterprise=e)
        plan.alliances = [alliance]
        for _ in range(4):
            o = OpeningFactory(plan=plan, headcount=rng.randint(1, 5), skills=" ".join(rng.sample(SKILLS, 2)))
            o.majors = rng.sample(majors, rng.randint(0, 2))
            openings.append(o)
    cohorts = [CohortFactory(school=s) for s in schools]
    students = [
        StudentFactory(cohort=rng.choice(cohorts), major=rng.choice(majors), skills=" ".join(rng.sample(SKILLS, 3)),
                       grade_score=rng.choice([None, *range(50, 100, 2)]))
        for _ in range(30)
    ]  # fmt: skip
    db.session.commit()
    return alliance, openings, students


def candidate_rows(opening):
    _, candidates = ranking.rank_candidates(opening, k=None)
    return [(c.student_id, c.place, c.fit, c.priority, c.passed) for c in candidates]


def opening_rows(student):
    _, suggestions = ranking.rank_openings(student, k=None)
    return [(s.opening_id, s.place, s.fit, s.priority) for s in suggestions]


def everything(openings, students):
    return [candidate_rows(o) for o in openings], [opening_rows(s) for s in students]


def engine_from_plain_data(students, openings) -> Engine:
    """The engine as built before rows were kept: plain data of exactly these rows, a vocabulary of their own."""
    indexes = plain.Indexes(_db.session)
    indexes.add_occupations(_db.session, {o.occupation_id for o in openings} - {None})
    graduates = plain.graduates(_db.session, [s.id for s in students], indexes, local_today())
    rows = plain.openings(_db.session, openings, indexes)
    text_model = classification_text_model()
    catalogue = Catalogue(indexes.majors, indexes.occupations, indexes.places, text_model=text_model)
    return Engine(catalogue, graduates, rows, text_model=text_model)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_rows_rank_exactly_as_a_fresh_build_and_as_the_engine_from_plain_data(app, db, seed):
    _, openings, students = random_market(db, seed)
    fresh = everything(openings, students)
    app.config["RANKING_ROWS_KEPT"] = True
    store.forget()
    try:
        assert everything(openings, students) == fresh
        assert everything(openings, students) == fresh  # the second time from the kept rows
    finally:
        app.config["RANKING_ROWS_KEPT"] = False
        store.forget()
    assert any(rows for rows in fresh[0]), "the market must rank someone"
    # The wider vocabulary of kept rows gives each pair the fit the engine computes from plain data alone.
    own = engine_from_plain_data(students, openings)
    kept = store.engine([s.id for s in students], [o.id for o in openings]).engine
    assert (own.space.G @ own.space.O.T != kept.space.G @ kept.space.O.T).nnz == 0
    for j in range(len(openings)):
        a, b = own.rank_graduates(j, len(students)), kept.rank_graduates(j, len(students))
        assert [(p.id, p.fit, p.priority, p.passed) for p in a.places] == [
            (p.id, p.fit, p.priority, p.passed) for p in b.places
        ]


def test_an_edited_opening_is_reloaded_alone_and_the_version_moves(app, db, kept):
    _, openings, students = random_market(db, 4)
    target = openings[0]
    before = candidate_rows(target)
    kept_store = store._kept[str(_db.engine.url)]
    version, student_rows = kept_store.version, len(kept_store.students.rows)
    target.skills = "养老照护 护理"
    target.majors = []
    db.session.commit()
    changes = db.session.execute(sa.select(RankingChange.entity, RankingChange.entity_id)).all()
    assert (OPENING, target.id) in changes
    after = candidate_rows(target)
    assert store._kept[str(_db.engine.url)] is kept_store, "a refresh, not a rebuild"
    assert kept_store.version > version
    assert len(kept_store.students.rows) == student_rows, "no student row was re-encoded"
    app.config["RANKING_ROWS_KEPT"] = False
    assert after == candidate_rows(target) != before


def test_a_membership_ending_changes_every_openings_priority(app, db, kept):
    """The school leaves the alliance the plan is published to but stays in another the enterprise is in."""
    alliance, openings, students = random_market(db, 5)
    prioritised = [row for row in candidate_rows(openings[0]) if row[3]]
    assert prioritised
    school_id = db.session.get(Student, prioritised[0][0]).school_id
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.organization_id == school_id, Membership.alliance_id == alliance.id)
    )
    elsewhere = db.session.scalar(sa.select(Membership.alliance_id).where(Membership.alliance_id != alliance.id))
    MembershipFactory(
        alliance=db.session.get(Alliance, elsewhere), organization=db.session.get(Organization, school_id)
    )
    membership.status = MembershipStatus.WITHDRAWN
    membership.effective_until = local_today().replace(year=local_today().year - 1)
    db.session.commit()
    assert db.session.scalar(sa.select(RankingChange.id).where(RankingChange.entity == EVERY_OPENING))
    by_id = {row[0]: row for row in candidate_rows(openings[0])}
    assert not by_id[prioritised[0][0]][3], "the school's students lost priority"


def test_a_student_edit_marks_the_student_and_a_rolled_back_one_marks_nothing(db):
    _, _, students = random_market(db, 6)
    student = students[0]
    before = db.session.scalar(sa.select(sa.func.count()).select_from(RankingChange))
    student.skills = "钳工"
    db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RankingChange)) == before
    db.session.get(Student, student.id).skills = "钳工"
    db.session.commit()
    assert (STUDENT, student.id) in db.session.execute(sa.select(RankingChange.entity, RankingChange.entity_id)).all()
    assert db.session.get(Opening, 0) is None


def test_prewarm_keeps_every_consenting_student_and_open_opening(app, db, kept):
    _, openings, students = random_market(db, 8)
    warmed = store.prewarm()
    url = str(_db.engine.url)
    assert store._kept[url] is warmed
    consenting = {s.id for s in students if s.consent_to_share}
    assert consenting
    assert consenting <= warmed.students.row_of.keys()
    assert set(warmed.open_opening_ids()) <= warmed.openings.row_of.keys()
    by_school = warmed._by_school
    assert by_school is not None
    assert by_school[2] == consenting, "who may see whom is cut from it: read before forking"
    encoded = len(warmed.students.rows), len(warmed.openings.rows)
    rows = everything(openings, students)
    assert (len(warmed.students.rows), len(warmed.openings.rows)) == encoded, "the pages encoded nothing more"
    assert warmed._by_school is by_school, "the pages read the consenting students by school no more"
    app.config["RANKING_ROWS_KEPT"] = False
    assert rows == everything(openings, students)


def test_prewarm_does_nothing_without_kept_rows(app, db):
    random_market(db, 9)
    assert store.prewarm() is None
    assert not store._kept


def test_the_next_day_moves_the_store_and_forgets_students_whose_period_ended(app, db, kept, monkeypatch):
    """A placement ending today takes its student from an opening that started last week (ranked over a given list
    of students: pages rank only available openings); tomorrow it no longer does. The kept store moves to the new
    day (no rebuild) and ranks as a fresh build of that day."""
    _, openings, students = random_market(db, 10)
    today = local_today()
    started = openings[0]
    started.start_date, started.end_date = today - timedelta(days=7), today + timedelta(days=90)
    started.kind, started.majors = OpeningKind.COGNITIVE_INTERNSHIP, []  # open to students of any year and major
    student, elsewhere = students[0], openings[-1]
    nomination = NominationFactory(opening=elsewhere, student=student, status="accepted")
    db.session.add(Placement(opening=elsewhere, student=student, nomination=nomination, kind=elsewhere.kind,
                             start_date=today - timedelta(days=60), end_date=today, pay=5000))  # fmt: skip
    db.session.commit()

    def ranked() -> list[tuple]:
        _, candidates = ranking.rank_candidates(started, k=None, students=students)
        return [(c.student_id, c.place, c.fit, c.priority, c.passed) for c in candidates]

    assert student.id not in {row[0] for row in ranked()}, "taken today"
    kept_store = store._kept[str(_db.engine.url)]
    for module in ("marketplace.ranking", "marketplace.rowcache.store"):
        monkeypatch.setattr(f"{module}.local_today", lambda: today + timedelta(days=1))
    tomorrow = ranked()
    assert store._kept[str(_db.engine.url)] is kept_store, "moved, not rebuilt"
    assert kept_store.today == today + timedelta(days=1)
    assert student.id in {row[0] for row in tomorrow}, "free tomorrow"
    app.config["RANKING_ROWS_KEPT"] = False
    assert tomorrow == ranked()


def test_a_side_finds_many_ids_at_once_and_never_takes_a_forgotten_row():
    from types import SimpleNamespace

    import numpy as np
    import scipy.sparse as sp

    from matching.features import Rows

    def rows(ids):
        n = len(ids)
        return Rows([SimpleNamespace(id=i) for i in ids], sp.csr_matrix((n, 1)), sp.csr_matrix((n, 1)),
                    {"ids": np.array(ids, dtype=np.int64)})  # fmt: skip

    side = store._Side()
    side.append(rows([5, 900, 3]))
    side.append(rows([70_000, 8]))
    assert side.take([8, 5, 70_000]).arrays["ids"].tolist() == [8, 5, 70_000]
    assert side.missing([3, 4, 4, 123_456, 900]) == [4, 123_456]
    side.forget(900)
    side.forget(901)  # never kept: nothing happens
    assert side.missing([900, 5]) == [900]
    with pytest.raises(KeyError):
        side.take([5, 900])
    side.forget_all()
    assert side.missing([5, 70_000]) == [5, 70_000]
    assert side.row_of == {}


def test_ids_in_writes_integer_ids_into_the_sql_and_refuses_anything_else(db):
    schools = [SchoolFactory() for _ in range(3)]
    db.session.flush()
    wanted = [np.int64(schools[0].id), schools[2].id]  # a ranking's ids come as numpy integers
    statement = sa.select(Organization.id).where(ids_in(Organization.id, wanted)).order_by(Organization.id)
    assert db.session.scalars(statement).all() == [schools[0].id, schools[2].id]
    assert db.session.scalars(sa.select(Organization.id).where(ids_in(Organization.id, []))).all() == []
    sql = str(statement.compile(db.engine, compile_kwargs={"render_postcompile": True}))
    assert f"IN ({schools[0].id}, {schools[2].id})" in sql
    with pytest.raises(TypeError):
        ids_in(Organization.id, ["1) OR (1=1"])
