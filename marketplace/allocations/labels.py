"""Words for the engine's feature and reason codes, so explanations read in the user's language."""

from flask_babel import lazy_gettext as _l

FEATURES = {
    "major": _l("Major"),
    "skills": _l("Skills"),
    "certificates": _l("Certificates"),
    "place": _l("Place"),
    "grades": _l("Grades"),
}
REASONS = {
    "exact": _l("a wanted major"),
    "category": _l("same major category"),
    "occupation": _l("major prepares for this occupation"),
    "occupation_text": _l("major close to this occupation"),
    "none": _l("no relation"),
    "similar": _l("similar skills"),
    "weak": _l("few shared skills"),
    "no_skills": _l("no skills given"),
    "all_held": _l("holds every required certificate"),
    "some_held": _l("holds some required certificates"),
    "none_held": _l("lacks the required certificates"),
    "none_required": _l("no certificate required"),
    "same_city": _l("wanted city"),
    "same_province": _l("same province as a wanted city"),
    "near": _l("within 150 km of a wanted city"),
    "region": _l("within 400 km of a wanted city"),
    "far": _l("far from the wanted cities"),
    "anywhere": _l("no city preference"),
    "grade": _l("school grade"),
    "no_grade": _l("no grade supplied"),
}
FIT_BY_FEATURE = _l("Fit by feature")
COLOURS = {"major": "primary", "skills": "success", "certificates": "warning", "place": "info", "grades": "secondary"}
