"""Demo destinations (毕业去向) of the two graduated cohorts (2025, 2026): graduates with a job confirm what their
placement proposed, the others register every other category; the schools approve most by the deadline, a few wait
for the audit, a few change after it; each alliance's secretariat took a snapshot on 1 September and at year end,
and the first alliance's secretariat generated its annual quality report on the 2026 graduates.

Versions are written directly (as the services would append them) so that the demo loads in seconds.
"""

import random
from datetime import date, timedelta

import sqlalchemy as sa

from marketplace.alliances.models import Alliance
from marketplace.auth.models import Role, User
from marketplace.cohorts.models import Cohort, Student
from marketplace.demo.history import GRADUATED
from marketplace.destinations import snapshots
from marketplace.destinations.models import DestinationCode, DestinationRecord, Ownership, RecordStatus
from marketplace.extensions import db
from marketplace.orgs.models import Organization
from marketplace.pipeline.models import Placement
from marketplace.plans.models import OpeningKind
from marketplace.reference.models import Region, RegionLevel, major_occupations
from marketplace.reports import annual
from marketplace.reports import jobs as reports

# Without a job placement: (code, weight, employer, pay range)
OTHERS = (("10", 14, "协议单位", (3800, 6500)), ("75", 10, "", (2500, 5000)), ("77", 5, "", (2500, 4500)),
          ("76", 4, "", (3000, 9000)), ("81", 10, "河北工业职业技术大学", None), ("80", 4, "衡水职业技术学院", None),
          ("86", 1, "", None), ("46", 2, "中国人民解放军", None), ("50", 2, "三支一扶", (2800, 3200)),
          ("70", 9, "", None), ("72", 3, "", None))  # fmt: skip
INDUSTRIES = ("制造业", "批发和零售业", "交通运输业", "信息技术服务业", "建筑业")
YEAR_END = {2025: date(2025, 12, 31), 2026: date(2026, 12, 1)}  # the current year's second snapshot: already past


def _version(student, sequence, version, status, day, content, *, content_on=None, late=False) -> DestinationRecord:
    return DestinationRecord(student_id=student.id, sequence=sequence, version=version, status=status,
                             content_on=content_on or day, recorded_on=day, late=late, **content)  # fmt: skip


def build_destinations(seed: int) -> None:
    rng = random.Random(seed + 16)  # noqa: S311  (demo data, not secrets)
    codes = {c.code: c.id for c in db.session.scalars(sa.select(DestinationCode).where(
        DestinationCode.alliance_id.is_(None)))}  # fmt: skip
    links = set(db.session.execute(sa.select(major_occupations.c.major_id, major_occupations.c.occupation_id)).all())
    cities = db.session.scalars(sa.select(Region).where(Region.level == RegionLevel.CITY,
                                                        Region.code.like("13%"))).all()  # fmt: skip
    employed = sa.select(Placement).where(Placement.kind == OpeningKind.EMPLOYMENT).order_by(Placement.start_date)
    jobs = {p.student_id: p for p in db.session.scalars(employed)}
    codes_weighted = [c for c, w, *_ in OTHERS for _ in range(w)]
    others = {c: (employer, pay) for c, _w, employer, pay in OTHERS}
    for year in GRADUATED:
        deadline = date(year, 8, 31)
        students = db.session.scalars(sa.select(Student).join(Cohort).where(Cohort.graduation_year == year)
                                      .order_by(Student.id)).all()  # fmt: skip
        for student in students:
            job = jobs.get(student.id)
            if job is not None and rng.random() < 0.9:
                enterprise: Organization = job.opening.plan.enterprise
                content = {"code_id": codes["11"], "employer_name": enterprise.name,
                           "employer_credit_code": enterprise.credit_code, "employer_org_id": enterprise.id,
                           "industry": rng.choice(INDUSTRIES), "ownership": rng.choice(list(Ownership)),
                           "province_id": enterprise.province_id, "city_id": job.opening.city_id,
                           "job_title": job.opening.title, "occupation_id": job.opening.occupation_id,
                           "start_date": job.start_date, "monthly_pay": job.pay, "placement_id": job.id,
                           "major_relevant": (student.major_id, job.opening.occupation_id) in links,
                           "proof_on_file": True}  # fmt: skip
            else:
                code = rng.choice(codes_weighted)
                employer, pay = others[code]
                city = rng.choice(cities)
                content = {"code_id": codes[code], "employer_name": employer,
                           "monthly_pay": rng.randrange(pay[0], pay[1], 100) if pay else None,
                           "city_id": city.id if employer or pay else None,
                           "province_id": city.parent_id if employer or pay else None,
                           "start_date": date(year, 7, 1) if pay else None, "proof_on_file": code not in ("70", "72"),
                           "no_proof_reason": "" if code not in ("70", "72") else "尚未落实"}  # fmt: skip
            entered = date(year, rng.randint(4, 8), rng.randint(1, 28))
            db.session.add(_version(student, 1, 1, RecordStatus.SUBMITTED, entered, content))
            roll = rng.random()
            if roll < 0.05:
                continue  # still waiting for the school's audit: not counted
            audited = entered + timedelta(days=rng.randint(1, 20))
            db.session.add(_version(student, 1, 2, RecordStatus.APPROVED, audited, content, content_on=entered))
            if roll > 0.96:  # a change after the deadline: kept, approved, never counted
                later = deadline + timedelta(days=rng.randint(5, 60))
                changed = content | {"code_id": codes["75"], "employer_name": "", "employer_org_id": None}
                db.session.add(_version(student, 1, 3, RecordStatus.SUBMITTED, later, changed, late=True))
                db.session.add(_version(student, 1, 4, RecordStatus.APPROVED, later + timedelta(days=2), changed,
                                        content_on=later, late=True))  # fmt: skip
    db.session.flush()
    first_alliance_id = db.session.scalar(sa.select(sa.func.min(Alliance.id)))
    for alliance in db.session.scalars(sa.select(Alliance).order_by(Alliance.id)):
        clerk = db.session.scalar(sa.select(User).where(User.organization_id == alliance.secretariat_org_id,
                                                        User.role == Role.SECRETARIAT).limit(1))  # fmt: skip
        for year in GRADUATED:
            for day in (date(year, 9, 1), YEAR_END[year]):
                snapshots.take(alliance.id, year, day, actor=clerk)
        if alliance.id == first_alliance_id:  # the secretariat's generated report on its latest graduates
            db.session.flush()
            reports.make(annual.Scope.of_alliance(alliance), GRADUATED[-1], "zh", clerk.id if clerk else None)
    db.session.flush()
