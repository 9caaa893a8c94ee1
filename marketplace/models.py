"""Imports every feature's models so that SQLAlchemy and Alembic see the whole schema."""

from marketplace.alliances.models import Alliance, Membership, MembershipTransition
from marketplace.allocations.models import AllocationRun, AllocationSeat
from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Invitation, User
from marketplace.cohorts.models import Cohort, ConsentRecord, Student, StudentCertificate
from marketplace.destinations import models as _destinations_models  # noqa: F401
from marketplace.governance.models import Attendance, Meeting, Motion, OfficerTerm
from marketplace.grading import models as _grading_models  # noqa: F401
from marketplace.internships import models as _internships_models  # noqa: F401
from marketplace.jobs.models import Job
from marketplace.notifications.models import Notification
from marketplace.orgs.models import Organization
from marketplace.pipeline.models import Nomination, Placement, RuleException
from marketplace.plans.models import HiringPlan, Opening, OpeningCertificate
from marketplace.pools import models as _pools_models  # noqa: F401
from marketplace.practice.models import PracticeBase, PracticeRequest, Teacher
from marketplace.reference.models import Major, Occupation, Region
from marketplace.reports import models as _reports_models  # noqa: F401
from marketplace.rowcache.models import RankingChange
from marketplace.students import models as _students_models  # noqa: F401
from marketplace.submissions import models as _reporting_models  # noqa: F401

__all__ = [
    "AllocationRun",
    "AllocationSeat",
    "Alliance",
    "AuditEvent",
    "Attendance",
    "Cohort",
    "ConsentRecord",
    "HiringPlan",
    "Invitation",
    "Job",
    "Major",
    "Meeting",
    "Motion",
    "Membership",
    "MembershipTransition",
    "Nomination",
    "Notification",
    "OfficerTerm",
    "Occupation",
    "Opening",
    "OpeningCertificate",
    "Organization",
    "Placement",
    "RankingChange",
    "PracticeBase",
    "PracticeRequest",
    "Region",
    "RuleException",
    "Student",
    "StudentCertificate",
    "Teacher",
    "User",
]
