"""Grading an internship (issue 15): the school's rubric and weights, the mentor's and the teacher's grades, the
final grade on the five-level scale, closing only with both, and who may grade or read what."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace.auth.models import Role
from marketplace.grading import services
from marketplace.grading.models import FinalGrade, Grade, GradeLevel, GradeSide, level_of
from marketplace.pipeline.models import Placement
from marketplace.plans.models import OpeningKind
from marketplace.timeutil import local_today
from tests.factories import StudentUserFactory, UserFactory
from tests.pipeline_factories import CohortFactory, OpeningFactory, StudentFactory

EN = {"Accept-Language": "en"}


@pytest.fixture
def world(db):
    today = local_today()
    opening = OpeningFactory(kind=OpeningKind.POST_INTERNSHIP, start_date=today - timedelta(days=150),
                             end_date=today - timedelta(days=5))  # fmt: skip
    student = StudentFactory(cohort=CohortFactory())
    placement = Placement(opening=opening, student=student, kind=opening.kind, start_date=opening.start_date,
                          end_date=opening.end_date, pay=4500, arrived_on=opening.start_date)  # fmt: skip
    db.session.add(placement)
    teacher = UserFactory(organization=student.school, role=Role.ORG_STAFF)
    mentor = UserFactory(organization=opening.plan.enterprise, role=Role.ORG_STAFF)
    account = StudentUserFactory(student=student)
    db.session.commit()
    return placement, teacher, mentor, account


def test_the_scale_has_its_boundaries_at_90_80_70_60():
    assert [level_of(s) for s in (100, 90, 89.9, 80, 79.9, 70, 69.9, 60, 59.9, 0)] == [
        GradeLevel.EXCELLENT, GradeLevel.EXCELLENT, GradeLevel.GOOD, GradeLevel.GOOD, GradeLevel.FAIR,
        GradeLevel.FAIR, GradeLevel.PASS, GradeLevel.PASS, GradeLevel.FAIL, GradeLevel.FAIL]  # fmt: skip


def test_a_side_score_weighs_each_criterion_by_its_weight_over_its_maximum():
    criteria = [services.Criterion("专业技能", 60, 10), services.Criterion("工作态度", 40, 5)]
    assert services.side_score(criteria, [10, 5]) == 100.0
    assert services.side_score(criteria, [7, 3]) == 66.0  # 60 × 0.7 + 40 × 0.6
    assert services.combined(90.0, 70.0, 50) == 80.0
    assert services.combined(85.5, 70.0, 70) == 80.9  # 59.85 + 21.0 = 80.85, half up


def test_the_school_sets_its_rubric_and_weights_which_must_add_up_to_100(client, login_as, world, db):
    placement, teacher, mentor, _ = world
    login_as(teacher)
    form = {"enterprise_weight": 60, "criteria-0-name": "专业技能", "criteria-0-weight": 70,
            "criteria-0-max_points": 50, "criteria-1-name": "职业素养", "criteria-1-weight": 20,
            "criteria-1-max_points": 10}  # fmt: skip
    page = client.post("/grading/rubric", data=form, headers=EN).text  # refused: the form again, with why
    assert "must add up to 100" in page
    assert services.rubric_of(teacher.organization_id).is_default
    form["criteria-1-weight"] = 30
    assert client.post("/grading/rubric", data=form).status_code == 302
    rubric = services.rubric_of(teacher.organization_id)
    assert (rubric.enterprise_weight, [c.name for c in rubric.criteria]) == (60, ["专业技能", "职业素养"])
    login_as(mentor)
    assert client.get("/grading/rubric").status_code == 403  # an enterprise sets no school's rubric


def test_each_side_grades_its_own_and_closing_needs_both_then_the_student_sees_the_final(client, login_as, world, db):
    placement, teacher, mentor, account = world
    services.save_rubric(teacher.organization_id, [services.Criterion("专业技能", 60, 10),
                         services.Criterion("工作态度", 40, 5)], 70, actor=teacher)  # fmt: skip
    db.session.commit()
    url = f"/placements/{placement.id}/grading"
    login_as(mentor)
    assert client.post(url, data={"points_0": 11, "points_1": 5}).status_code == 302  # above the maximum: refused
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Grade)) == 0
    client.post(url, data={"points_0": 9, "points_1": 4, "comment": "动手能力强"})
    assert client.post(f"{url}/close").status_code == 403  # the school closes, not the enterprise
    login_as(teacher)
    client.post(f"{url}/close", headers=EN)
    assert "Both the enterprise mentor" in client.get(url, headers=EN).text  # the refusal, flashed
    assert db.session.scalar(sa.select(FinalGrade)) is None
    client.post(url, data={"points_0": 7, "points_1": 5})
    grades = services.grades_of(placement.id)
    assert (grades[GradeSide.ENTERPRISE].score, grades[GradeSide.SCHOOL].score) == (86.0, 82.0)
    assert client.post(f"{url}/close").status_code == 302
    final = db.session.scalar(sa.select(FinalGrade))
    assert (final.score, final.level, final.enterprise_weight) == (84.8, GradeLevel.GOOD, 70)  # 60.2 + 24.6
    client.post(url, data={"points_0": 1, "points_1": 1})  # closed: no side changes its grade any more
    db.session.expire_all()
    assert services.grades_of(placement.id)[GradeSide.SCHOOL].score == 82.0

    login_as(account)
    page = client.get(f"/me/placements/{placement.id}", headers=EN).text
    assert "Final grade: 84.8 (Good)" in page
    assert client.get(url).status_code == 403  # the student reads the final on their own page only


def test_grades_are_not_given_before_the_start_nor_by_strangers(client, login_as, world, db):
    placement, teacher, _mentor, _ = world
    url = f"/placements/{placement.id}/grading"
    login_as(UserFactory(role=Role.ORG_STAFF))  # another school's staff
    assert client.get(url).status_code == 404
    assert client.post(url, data={"points_0": 1}).status_code == 404
    placement.arrived_on = None
    db.session.commit()
    with pytest.raises(services.GradingError):
        services.grade(placement, side=GradeSide.SCHOOL, points=[80, 80, 80, 80], comment="", actor=teacher,
                       today=date.today())  # fmt: skip
