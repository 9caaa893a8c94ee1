"""Translated labels for this feature's enum values, registered with marketplace.i18n when its models load."""

from flask_babel import lazy_gettext as _l

from marketplace.i18n import register_labels
from marketplace.pools.models import ConsentMethod, ExpertStatus, GroupRole, Route, Standing, TitleLevel

register_labels(
    (TitleLevel.SENIOR, _l("Senior title")),
    (TitleLevel.ASSOCIATE_SENIOR, _l("Associate senior title")),
    (TitleLevel.INTERMEDIATE, _l("Intermediate title")),
    (TitleLevel.JUNIOR, _l("Junior title")),
    (TitleLevel.NONE, _l("No professional title")),
    (Route.APPLICATION, _l("Personal application")),
    (Route.RECOMMENDATION, _l("Unit recommendation")),
    (ConsentMethod.WRITTEN, _l("Signed written consent")),
    (ConsentMethod.ELECTRONIC, _l("Consent by e-mail or message")),
    (ConsentMethod.IN_PERSON, _l("Consent in person, recorded by the unit")),
    (ExpertStatus.PENDING, _l("Awaiting review")),
    (ExpertStatus.APPOINTED, _l("Appointed")),
    (ExpertStatus.REJECTED, _l("Not admitted to the pool")),
    (ExpertStatus.RESIGNED, _l("Resigned")),
    (Standing.PENDING, _l("Awaiting review")),
    (Standing.APPOINTED, _l("Appointed")),
    (Standing.EXPIRED, _l("Term expired, not renewed")),
    (Standing.REJECTED, _l("Not admitted to the pool")),
    (Standing.RESIGNED, _l("Resigned")),
    (GroupRole.CHAIR, _l("Group chair")),
    (GroupRole.VICE_CHAIR, _l("Group vice-chair")),
    (GroupRole.SECRETARY_GENERAL, _l("Group secretary-general")),
    (GroupRole.DEPUTY_SECRETARY_GENERAL, _l("Group deputy secretary-general")),
    (GroupRole.MEMBER, _l("Group member")),
)
