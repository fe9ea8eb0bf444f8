"""Settings of residents' requests, each with its default; override with `GONGZHI_APPEALS = {...}`.

Deadlines are not here: the street sets them per category in the admin (Category), as the
regulation leaves time limits to configuration.
"""

from django.conf import settings

DEFAULTS = {
    # Reports one resident may file in a rolling day (a +1 on someone else's request is not a report).
    "REPORTS_PER_DAY": 5,
    # Photos per report and per result, the largest upload accepted, and the longest side kept.
    "MAX_PHOTOS": 4,
    "MAX_PHOTO_BYTES": 10 * 1024 * 1024,
    "PHOTO_MAX_SIDE": 1600,
    "MAX_TEXT_LENGTH": 1000,
    # A level called by 吹哨 (or by an overdue escalation) must answer (报到) within this many working days.
    "ANSWER_WITHIN_WORKDAYS": 1,
    # How many open requests in the same grid the report form shows for a "+1".
    "SIMILAR_SHOWN": 8,
    "PER_PAGE": 20,
}


def get(name: str):
    return getattr(settings, "GONGZHI_APPEALS", {}).get(name, DEFAULTS[name])
