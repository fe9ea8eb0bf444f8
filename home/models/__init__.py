"""Home's models by page family: the site's frame, policies, study material, news and meeting records."""

from home.models.meetings import (
    DEFAULT_CADENCE,
    DEFAULT_YEARLY,
    MeetingRecord,
    MeetingRecordQuerySet,
    expected_cadence,
    expected_yearly,
)
from home.models.news import NewsIndexPage, NewsPage
from home.models.policy import PolicyCategory, PolicyIndexPage, PolicyPage
from home.models.site import LATEST_COUNT, BranchPage, HomePage, home_panels, open_now
from home.models.study import StudyIndexPage, StudyPage, StudyPageQuerySet, StudyRecord, StudyRecordQuerySet

__all__ = [
    "DEFAULT_CADENCE",
    "DEFAULT_YEARLY",
    "LATEST_COUNT",
    "BranchPage",
    "HomePage",
    "MeetingRecord",
    "MeetingRecordQuerySet",
    "NewsIndexPage",
    "NewsPage",
    "PolicyCategory",
    "PolicyIndexPage",
    "PolicyPage",
    "StudyIndexPage",
    "StudyPage",
    "StudyPageQuerySet",
    "StudyRecord",
    "StudyRecordQuerySet",
    "home_panels",
    "expected_cadence",
    "expected_yearly",
    "open_now",
]
