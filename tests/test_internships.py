"""The law's gates for a 岗位实习 (issue 15): each prohibition at its boundary with the article it comes from
(教职成〔2021〕4号), the gates that keep a placement from starting, the agreement's versions and PDF, pay and
attendance."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from marketplace.auth.models import Role
from marketplace.cohorts.models import Gender
from marketplace.internships import gates, services
from marketplace.internships.gates import Gate
from marketplace.internships.messages import describe
from marketplace.internships.models import Agreement, AttendanceMonth, PayRecord
from marketplace.pipeline import services as pipeline
from marketplace.pipeline.phase import PlacementPhase, phase_of
from marketplace.plans import rules
from marketplace.plans.models import OpeningKind, ShiftPattern
from marketplace.timeutil import local_today
from tests.factories import AllianceFactory, MembershipFactory, UserFactory
from tests.pipeline_factories import CohortFactory, NominationFactory, OpeningFactory, StudentFactory

EN = {"Accept-Language": "en"}
START = date(2027, 3, 1)
POST = OpeningKind.POST_INTERNSHIP


def _student(**dates):
    values = {"kind": POST, "birth_date": date(2008, 1, 1), "enrolled_on": date(2024, 9, 1), "start_date": START}
    return [b.rule for b in rules.student_breaches(**(values | dates))]


def _opening(**flags):
    values = {"kind": POST, "shift_pattern": ShiftPattern.DAY, "requires_overtime": False, "pay_min": 4000,
              "post_wage": 5000}  # fmt: skip
    return rules.opening_breaches(**(values | flags))


# --- the prohibitions, each at its boundary ----------------------------------------------------------------------


def test_art16_2_a_student_16_exactly_on_the_start_date_passes_and_one_day_younger_fails():
    assert rules.MIN_AGE not in _student(birth_date=START - relativedelta(years=16))
    assert rules.MIN_AGE in _student(birth_date=START - relativedelta(years=16) + timedelta(days=1))
    assert rules.RULES[rules.MIN_AGE].article == "16(2)"


def test_art16_1_a_student_one_year_after_enrolment_passes_and_one_day_earlier_fails():
    assert rules.FIRST_YEAR not in _student(enrolled_on=START - relativedelta(years=1))
    assert rules.FIRST_YEAR in _student(enrolled_on=START - relativedelta(years=1) + timedelta(days=1))
    assert rules.RULES[rules.FIRST_YEAR].article == "16(1)"


def test_art16_3_work_forbidden_to_minors_takes_a_student_18_on_the_start_date_not_one_day_younger():
    adult = START - relativedelta(years=18)
    assert rules.MINORS_FORBIDDEN_WORK not in _student(birth_date=adult, minors_forbidden_work=True)
    assert rules.MINORS_FORBIDDEN_WORK in _student(birth_date=adult + timedelta(days=1), minors_forbidden_work=True)
    assert rules.MINORS_FORBIDDEN_WORK not in _student(birth_date=adult + timedelta(days=1))  # unflagged post
    assert rules.RULES[rules.MINORS_FORBIDDEN_WORK].article == "16(3)"


def test_art16_4_work_forbidden_to_women_refuses_a_female_student_only():
    assert rules.WOMEN_FORBIDDEN_WORK in _student(female=True, women_forbidden_work=True)
    assert rules.WOMEN_FORBIDDEN_WORK not in _student(female=False, women_forbidden_work=True)
    assert rules.WOMEN_FORBIDDEN_WORK not in _student(female=True)
    assert rules.RULES[rules.WOMEN_FORBIDDEN_WORK].article == "16(4)"


@pytest.mark.parametrize(
    ("flag", "rule", "article"),
    [
        ("restricted_venue", rules.RESTRICTED_VENUE, "16(5)"),
        ("via_paid_agent", rules.PAID_AGENT, "16(6)"),
        ("labour_dispatch", rules.LABOUR_DISPATCH, "16(6)"),
        ("heavy_labour", rules.HEAVY_LABOUR, "16(7)"),
        ("high_risk", rules.HIGH_RISK, "17(1)"),
        ("holiday_work", rules.HOLIDAY_WORK, "17(2)"),
    ],
)
def test_art16_5_to_7_and_hours_each_flag_refuses_an_internship_with_its_article(flag, rule, article):
    assert _opening() == []
    breaches = _opening(**{flag: True})
    assert [(b.rule, b.article) for b in breaches] == [(rule, article)]
    employment = {"kind": OpeningKind.EMPLOYMENT, "pay_min": 0, "post_wage": None, flag: True}
    assert _opening(**employment) == []


def test_art17_3_night_shifts_and_overtime_are_refused_for_interns():
    assert [(b.rule, b.article) for b in _opening(shift_pattern=ShiftPattern.NIGHT)] == [(rules.NIGHT_OR_OVERTIME,
                                                                                           "17(3)")]  # fmt: skip
    assert [b.rule for b in _opening(requires_overtime=True)] == [rules.NIGHT_OR_OVERTIME]


def test_art18_pay_of_exactly_80_percent_passes_and_one_yuan_less_fails():
    assert _opening(pay_min=4000, post_wage=5000) == []
    assert [b.detail for b in _opening(pay_min=3999, post_wage=5000)] == [{"minimum": 4000}]
    assert rules.pay_floor(5001) == 4001  # 4000.8 rounds up: 4000 would be below 80%
    assert rules.RULES[rules.MIN_PAY].article == "18"


def test_the_shares_allow_exactly_10_and_20_percent():
    def breaches(at_enterprise, in_post):
        found = rules.share_breaches(kind=POST, interns_at_enterprise=at_enterprise, enterprise_staff=100,
                                     interns_in_post=in_post, staff_in_post=50)  # fmt: skip
        return [b.rule for b in found]

    assert breaches(9, 9) == []  # the 10th of 100 staff and the 10th of 50 in the post
    assert breaches(10, 10) == [rules.ENTERPRISE_SHARE, rules.POST_SHARE]


def test_every_rule_has_its_words_and_an_article_read_in_the_2021_text():
    read = {"11", "16", "17", "18"}  # the articles of 教职成〔2021〕4号 the rules were checked against
    for rule in rules.RULES.values():
        assert rule.words
        assert rule.article.split("(")[0] in read
    assert rules.RULES[rules.ENTERPRISE_SHARE].article == rules.RULES[rules.POST_SHARE].article == "11"


def test_each_gate_cites_its_article(app):
    from flask_babel import force_locale

    from marketplace.internships.gates import ARTICLES, Gate, Missing
    from marketplace.internships.messages import gate_message

    assert ARTICLES[Gate.AGREEMENT] == "14"
    assert ARTICLES[Gate.GUARDIAN_CONSENT] == "9"
    assert ARTICLES[Gate.INSURANCE] == "35"
    assert ARTICLES[Gate.NO_FEES] == "20"
    with force_locale("en"):
        assert gate_message(Missing(Gate.INSURANCE)).endswith("(Internship rules 2021, art. 35)")
    with force_locale("zh"):
        assert gate_message(Missing(Gate.NO_FEES)).endswith("（《职业学校学生实习管理规定》第20条）")


# --- the prohibitions where rules apply: nomination and ranking ---------------------------------------------------


@pytest.fixture
def parties(db):
    opening = OpeningFactory(kind=POST, headcount=3, start_date=local_today() - timedelta(days=10),
                             end_date=local_today() + timedelta(days=170))  # fmt: skip
    cohort = CohortFactory()
    student = StudentFactory(cohort=cohort, birth_date=date(2005, 5, 5), enrolled_on=date(2023, 9, 1))
    opening.majors = [student.major]
    alliance = AllianceFactory()
    MembershipFactory(alliance=alliance, organization=opening.plan.enterprise)
    MembershipFactory(alliance=alliance, organization=cohort.school)
    school_user = UserFactory(organization=cohort.school, role=Role.ORG_STAFF, name="招就处张老师")
    hr = UserFactory(organization=opening.plan.enterprise, role=Role.ORG_STAFF, name="人事李经理")
    return opening, student, school_user, hr


def test_art16_4_a_female_student_cannot_be_put_forward_to_work_forbidden_to_women(db, parties):
    opening, student, school_user, _ = parties
    opening.women_forbidden_work = True
    student.gender = Gender.FEMALE
    with pytest.raises(pipeline.PipelineError) as error:
        pipeline.check_nominable(student, opening)
    assert [b.rule for b in error.value.breaches] == [rules.WOMEN_FORBIDDEN_WORK]
    student.gender = Gender.MALE
    pipeline.check_nominable(student, opening)


# --- the gates ----------------------------------------------------------------------------------------------------


def _placement(parties, start=None):
    opening, student, school_user, _ = parties
    nomination = NominationFactory(opening=opening, student=student)
    return pipeline.accept(nomination, actor=school_user, start_date=start or opening.start_date, pay=4500)


def _all_gates(db, placement, school_user, hr, today):
    agreement = services.save_agreement(placement, services.default_terms(placement), actor=school_user)
    services.sign_agreement(agreement, side="school", actor=school_user, on=today, today=today)
    services.sign_agreement(agreement, side="enterprise", actor=hr, on=today, today=today, no_fees=True)
    services.sign_agreement(agreement, side="student", actor=school_user, on=today, today=today,
                            student_signer=placement.student.name)  # fmt: skip
    services.record_insurance(placement, actor=hr, insurer="人保财险", policy_no="P-1", payer="enterprise",
                              covers_from=placement.start_date, covers_to=gates.placement_end(placement))  # fmt: skip
    return agreement


def test_a_post_internship_cannot_start_until_every_gate_holds_and_its_page_says_which_is_missing(
    client, login_as, db, parties
):
    opening, student, school_user, hr = parties
    today = local_today()
    placement = _placement(parties)
    db.session.commit()
    assert phase_of(placement, today) is PlacementPhase.STARTING  # past its date, yet 待到岗 until it arrives
    assert {m.gate for m in gates.missing_gates(placement)} == {Gate.AGREEMENT, Gate.INSURANCE}
    with pytest.raises(services.GatesMissing):
        services.record_arrival(placement, actor=hr, on=today, today=today, describe=describe)
    login_as(hr)
    page = client.get(f"/placements/{placement.id}/internship", headers=EN).text
    assert "No tripartite agreement has been drawn up." in page
    assert "No liability insurance" in page

    agreement = services.save_agreement(placement, services.default_terms(placement), actor=school_user)
    services.sign_agreement(agreement, side="school", actor=school_user, on=today, today=today)
    with pytest.raises(services.InternshipError):  # the enterprise signs only with its no-fees confirmation
        services.sign_agreement(agreement, side="enterprise", actor=hr, on=today, today=today)
    assert {m.gate for m in gates.missing_gates(placement)} == {
        Gate.ENTERPRISE_SIGNATURE, Gate.STUDENT_SIGNATURE, Gate.NO_FEES, Gate.INSURANCE}  # fmt: skip
    services.sign_agreement(agreement, side="enterprise", actor=hr, on=today, today=today, no_fees=True)
    services.sign_agreement(agreement, side="student", actor=school_user, on=today, today=today, student_signer="本人")
    assert agreement.student_recorded_by_id == school_user.id  # confirmed by the school on the student's behalf
    end = gates.placement_end(placement)
    services.record_insurance(placement, actor=hr, insurer="人保财险", policy_no="P-1", payer="enterprise",
                              covers_from=placement.start_date, covers_to=end - timedelta(days=1))  # fmt: skip
    assert [m.gate for m in gates.missing_gates(placement)] == [Gate.INSURANCE]  # one day short of the period
    services.record_insurance(placement, actor=hr, insurer="人保财险", policy_no="P-2", payer="school",
                              covers_from=placement.start_date, covers_to=end)  # fmt: skip
    assert gates.missing_gates(placement) == []
    db.session.commit()

    response = client.post(f"/placements/{placement.id}/arrival", data={"arr-arrived_on": today.isoformat()})
    assert response.status_code == 302
    db.session.refresh(placement)
    assert placement.arrived_on == today
    assert phase_of(placement, today) is PlacementPhase.ONGOING


def test_insurance_paid_by_the_student_is_refused(db, parties):
    placement = _placement(parties)
    with pytest.raises(services.InternshipError, match="不得由学生承担"):
        services.record_insurance(placement, actor=parties[2], insurer="人保财险", policy_no="P-1",
                                  payer="student", covers_from=placement.start_date,
                                  covers_to=gates.placement_end(placement))  # fmt: skip


def test_guardian_consent_is_a_gate_for_a_student_under_18_on_the_start_date_only(db, parties):
    opening, student, school_user, hr = parties
    student.birth_date = opening.start_date - relativedelta(years=18) + timedelta(days=1)  # 18 tomorrow
    placement = _placement(parties)
    today = local_today()
    _all_gates(db, placement, school_user, hr, today)
    assert [m.gate for m in gates.missing_gates(placement)] == [Gate.GUARDIAN_CONSENT]
    services.record_guardian_consent(placement, actor=school_user, guardian_name="王父", relation="父亲",
                                     signed_on=today, today=today)  # fmt: skip
    assert gates.missing_gates(placement) == []
    student.birth_date -= timedelta(days=1)  # 18 exactly on the start date: no consent needed
    with pytest.raises(services.InternshipError):
        services.record_guardian_consent(placement, actor=school_user, guardian_name="王父", relation="父亲",
                                         signed_on=today, today=today)  # fmt: skip


def test_an_amendment_is_a_new_version_the_old_is_kept_and_only_the_latest_is_signed(client, login_as, db, parties):
    opening, student, school_user, hr = parties
    placement = _placement(parties)
    today = local_today()
    first = _all_gates(db, placement, school_user, hr, today)
    second = services.save_agreement(placement, services.default_terms(placement) | {"pay": "每月5000元"},
                                     actor=school_user)  # fmt: skip
    assert (first.version, second.version, second.school_signed_on) == (1, 2, None)
    assert {m.gate for m in gates.missing_gates(placement)} >= {Gate.SCHOOL_SIGNATURE, Gate.NO_FEES}
    with pytest.raises(services.InternshipError):
        services.sign_agreement(first, side="school", actor=school_user, on=today, today=today)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 2
    login_as(school_user)
    pdf = client.get(f"/placements/{placement.id}/agreement.pdf?version=1")
    assert (pdf.status_code, pdf.mimetype, pdf.data[:4]) == (200, "application/pdf", b"%PDF")


def test_other_organisations_cannot_see_or_record_a_placements_gates(client, login_as, db, parties):
    placement = _placement(parties)
    db.session.commit()
    stranger = UserFactory(role=Role.ORG_STAFF)
    login_as(stranger)
    assert client.get(f"/placements/{placement.id}/internship").status_code == 404
    login_as(parties[2])  # the school records no pay: the enterprise pays
    assert client.post(f"/placements/{placement.id}/pay", data={}).status_code == 403


# --- pay (art. 18) and attendance ---------------------------------------------------------------------------------


def test_art18_pay_must_be_money_paid_directly_to_the_student(db, parties):
    placement = _placement(parties)
    today = local_today()
    for method in services.REFUSED_METHODS:
        with pytest.raises(services.InternshipError, match="以货币形式直接支付"):
            services.record_pay(placement, actor=parties[3], month=placement.start_date, amount=4500,
                                paid_on=today, method=method, today=today)  # fmt: skip


def test_art18_a_month_is_late_after_the_end_of_the_next_month_and_short_below_80_percent(db, parties):
    opening, _, school_user, hr = parties
    start = date(2026, 7, 1)
    opening.start_date, opening.end_date = start, date(2026, 12, 31)
    placement = _placement(parties, start=start)
    placement.arrived_on = start
    today = date(2026, 12, 2)

    def pay(month, amount, paid_on):
        services.record_pay(placement, actor=hr, month=month, amount=amount, paid_on=paid_on, method="transfer",
                            today=today)  # fmt: skip

    pay(date(2026, 7, 1), 4000, date(2026, 8, 31))  # the last day of the next month: on time; 80% of 5000: enough
    pay(date(2026, 8, 1), 4000, date(2026, 10, 1))  # one day after the end of the next month: late
    pay(date(2026, 9, 1), 3999, date(2026, 10, 10))  # one yuan below 80%: short
    pay(date(2026, 11, 1), 4000, date(2026, 12, 1))  # October unpaid and due by 11-30: overdue
    warnings = {w.month: w for w in gates.pay_warnings(placement, today)}
    assert sorted(warnings) == [date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)]
    assert (warnings[date(2026, 8, 1)].late, warnings[date(2026, 8, 1)].short_by) == (True, 0)
    assert (warnings[date(2026, 9, 1)].late, warnings[date(2026, 9, 1)].short_by) == (False, 1)
    assert warnings[date(2026, 10, 1)].unpaid
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PayRecord)) == 4


def test_attendance_is_confirmed_by_the_enterprise_per_month(client, login_as, db, parties):
    placement = _placement(parties)
    db.session.commit()
    login_as(parties[3])
    month = placement.start_date
    data = {"att-month": month.isoformat(), "att-present": 20, "att-absent": 1, "att-on_leave": 1}
    assert client.post(f"/placements/{placement.id}/attendance", data=data).status_code == 302
    row = db.session.scalar(sa.select(AttendanceMonth))
    assert (row.month, row.present, row.absent, row.on_leave) == (month.replace(day=1), 20, 1, 1)
    data |= {"att-present": 30}  # 32 days in a month: refused, the row unchanged
    client.post(f"/placements/{placement.id}/attendance", data=data)
    db.session.refresh(row)
    assert row.present == 20


# --- the student signs for themselves (issue 15) ---------------------------------------------------------------------


def test_the_student_signs_the_latest_version_from_their_own_pages_and_a_minors_guardian_is_recorded_by_the_school(
    client, login_as, db, parties
):
    from tests.factories import StudentUserFactory

    opening, student, school_user, hr = parties
    placement = _placement(parties)
    today = local_today()
    agreement = services.save_agreement(placement, services.default_terms(placement), actor=school_user)
    account = StudentUserFactory(student=student)
    stranger = StudentUserFactory(student=StudentFactory(cohort=student.cohort))
    db.session.commit()
    url = f"/me/placements/{placement.id}/agreement"
    login_as(stranger)
    assert client.get(url).status_code == 404
    assert client.post(url, data={"agree": "y"}).status_code == 404
    login_as(account)
    page = client.get(url, headers=EN).text
    assert "Sign the agreement" in page
    assert "No liability insurance" in page  # what still stands before the start
    assert client.get(f"{url[: -len('agreement')]}agreement.pdf").data[:4] == b"%PDF"
    client.post(url, data={})  # the box unticked: nothing signed
    db.session.refresh(agreement)
    assert agreement.student_signed_on is None
    assert client.post(url, data={"agree": "y"}).status_code == 302
    db.session.refresh(agreement)
    assert (agreement.student_signed_on, agreement.student_signer, agreement.student_recorded_by_id) == (
        today, student.name, account.id)  # fmt: skip
    assert Gate.STUDENT_SIGNATURE not in {m.gate for m in gates.missing_gates(placement)}
    assert "signed by the student on the platform" in login_as(school_user).get(
        f"/placements/{placement.id}/internship", headers=EN).text  # fmt: skip

    second = services.save_agreement(placement, services.default_terms(placement), actor=school_user)
    student.birth_date = placement.start_date - relativedelta(years=18) + timedelta(days=1)  # 17 on the start date
    db.session.commit()
    with pytest.raises(services.InternshipError, match="监护人"):
        services.sign_as_student(second, actor=account, today=today)
