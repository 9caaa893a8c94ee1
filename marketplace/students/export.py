"""Everything the product holds on one student, as one JSON document (PIPL art. 45: 个人信息可携带/查阅复制).

Unmasked: it is the student's own data, handed to the student. Each download is audited like other exports.
"""

import sqlalchemy as sa

from marketplace.audit.models import AuditEvent
from marketplace.cohorts.models import ConsentRecord, Student
from marketplace.extensions import db
from marketplace.pipeline.models import Nomination, Placement
from marketplace.students import services
from marketplace.students.models import CorrectionRequest, Evaluation, OfferAnswer


def _iso(value):
    return value.isoformat() if value is not None else None


def _rows(model, condition) -> list:
    return db.session.scalars(sa.select(model).where(condition).order_by(model.id)).all()


def student_data(student: Student) -> dict:
    placements = _rows(Placement, Placement.student_id == student.id)
    placement_ids = [p.id for p in placements]
    return {
        "student": {
            "school": student.school.name, "student_no": student.student_no, "name": student.name,
            "gender": student.gender.value, "birth_date": _iso(student.birth_date),
            "enrolled_on": _iso(student.enrolled_on), "major": student.major.name, "level": student.level.value,
            "graduation_year": student.cohort.graduation_year, "skills": student.skills,
            "grade_score": student.grade_score, "wanted_kinds": list(student.wanted_kinds or []),
            "wanted_cities": [c.name for c in student.wanted_cities], "phone": student.phone,
            "id_number": student.id_number, "consent_to_share": student.consent_to_share,
            "certificates": [{"name": c.name, "level": c.level} for c in student.certificates],
        },
        "consent_history": [
            {"granted": c.granted, "at": _iso(c.at), "evidence": c.evidence, "guardian": c.guardian_name}
            for c in _rows(ConsentRecord, ConsentRecord.student_id == student.id)
        ],
        "nominations": [
            {"opening": n.opening.title, "enterprise": n.opening.plan.enterprise.name, "status": n.status.value,
             "source": n.source.value, "reason": n.reason, "created_at": _iso(n.created_at)}
            for n in _rows(Nomination, Nomination.student_id == student.id)
        ],
        "offer_answers": [
            {"opening": a.nomination.opening.title, "accepted": a.accepted, "reason": a.reason, "at": _iso(a.at)}
            for a in _rows(OfferAnswer, OfferAnswer.student_id == student.id)
        ],
        "placements": [
            {"opening": p.opening.title, "enterprise": p.opening.plan.enterprise.name, "kind": p.kind.value,
             "start_date": _iso(p.start_date), "end_date": _iso(p.end_date), "status": p.status.value,
             "pay": p.pay, "end_reason": p.end_reason, "enterprise_feedback": p.enterprise_feedback,
             "school_feedback": p.school_feedback,
             "journals": [
                 {"week": _iso(j.week_start), "content": j.content, "submitted_at": _iso(j.submitted_at),
                  "review": j.review_comment, "reviewed_at": _iso(j.reviewed_at)}
                 for j in reversed(services.journals_of(p.id))
             ],
             "final_report": _report(services.report_of(p.id))}
            for p in placements
        ],
        "evaluations": [
            {"placement_opening": e.placement.opening.title, "enterprise_score": e.enterprise_score,
             "post_score": e.post_score, "comment": e.comment, "at": _iso(e.at)}
            for e in (_rows(Evaluation, Evaluation.placement_id.in_(placement_ids)) if placement_ids else [])
        ],
        "correction_requests": [
            {"text": r.text, "status": r.status.value, "answer": r.answer, "at": _iso(r.created_at)}
            for r in _rows(CorrectionRequest, CorrectionRequest.student_id == student.id)
        ],
        "record_events": [
            {"action": e.action, "at": _iso(e.at)}
            for e in _rows(AuditEvent, sa.and_(AuditEvent.object_type == "students",
                                               AuditEvent.object_id == student.id))
        ],
    }  # fmt: skip


def _report(report) -> dict | None:
    if report is None:
        return None
    return {"content": report.content, "submitted_at": _iso(report.submitted_at), "review": report.review_comment,
            "reviewed_at": _iso(report.reviewed_at)}  # fmt: skip
