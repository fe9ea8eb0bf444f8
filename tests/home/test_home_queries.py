"""The signed-in home page (issue 19): at most 15 queries with empty caches, as many for a large site as for a small
one, for a plain resident, a member and a branch secretary.

Counted as `make bench` counts (bench/pages.py `count_queries`): in a process that has served the page once, after
emptying the caches, with the site's root paths, the session and the user's permissions back in the cache.
"""

import datetime as dt

import pytest

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import Site

from accountability.models import SupervisionNotice, Task
from accounts.backends import CachedPermissionsBackend
from accounts.factories import UserFactory
from consultation.factories import make_consultation
from core import cache as page_cache
from evaluation.factories import AppraisalCampaignFactory
from home.factories import news, news_index, policy, policy_index, study, study_index
from home.models import BranchPage
from notifications.models import Notification
from organizations import roles
from organizations.factories import OrganizationFactory, RosterEntryFactory
from surveys.factories import satisfaction_page, survey_page

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15


def home_queries(client, user) -> list[str]:
    """The SQL of one signed-in request of "/" with empty caches, in a process that has served it before."""
    client.force_login(user)
    assert client.get("/").status_code == 200
    cache.clear()
    page_cache.purge()
    Site.get_site_root_paths()
    client.session.save()
    CachedPermissionsBackend().get_all_permissions(type(user).objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.fixture
def people(tree, branch_a):
    """A plain resident, a member of branch A, its secretary (also a member) and an editor who is no member."""
    member = UserFactory(display_name="党员甲")
    RosterEntryFactory(branch=branch_a, user=member, name="党员甲", member_no="A01")
    secretary = UserFactory(display_name="书记甲")
    RosterEntryFactory(branch=branch_a, user=secretary, name="书记甲", member_no="A02")
    roles.grant(secretary, branch_a, roles.Role.SECRETARY)
    editor = UserFactory(display_name="编辑甲")
    roles.grant(editor, branch_a, roles.Role.EDITOR)
    return {"resident": UserFactory(display_name="居民"), "member": member, "secretary": secretary, "editor": editor}


def grow(home_page, tree, branch_a, people, start: int, count: int) -> None:
    """`count` more of everything the home page lists or its panels read (numbered from `start`)."""
    community = BranchPage.objects.get(pk=tree["community"].page_id)
    indexes = {
        "policies": policy_index(home_page),
        "study": study_index(home_page),
        "news": news_index(home_page),
    }
    today = timezone.localdate()
    for n in range(start, start + count):
        policy(indexes["policies"], title=f"文件{n}", issued_on=dt.date(2025, 1, 1) + dt.timedelta(days=n))
        study(indexes["study"], title=f"学习材料{n}")
        news(indexes["news"], title=f"新闻{n}", date=dt.date(2025, 1, 1) + dt.timedelta(days=n))
        make_consultation(community, title=f"议事{n}", slug=f"yishi-{n}")
        survey_page(community, title=f"问卷{n}")
        satisfaction_page(community, title=f"测评{n}")
        organization = OrganizationFactory(parent=tree["community"], name=f"新支部{n}", code=f"new-{n}")
        organization.page = home_page.add_child(
            instance=BranchPage(title=organization.name, slug=organization.code, organization=organization)
        )
        organization.save()
        for user in people.values():
            Notification.objects.create(recipient=user, kind=Notification.Kind.REPLY, detail=f"回复{n}")
        task = Task.objects.create(
            organization=branch_a, year=2025, title=f"任务{n}", owner="支部书记", due_on=today - dt.timedelta(days=1)
        )
        SupervisionNotice.objects.create(
            issuer=tree["community"], organization=branch_a, task=task, text=f"请报进度{n}", reply_due=today
        )
        AppraisalCampaignFactory(branch=branch_a, year=2000 + n).enrol_members()


@pytest.mark.parametrize("who", ["resident", "member", "secretary", "editor"])
def test_the_signed_in_home_page_reads_at_most_15_queries_and_no_more_as_the_site_grows(
    client, home_page, tree, branch_a, people, who
):
    grow(home_page, tree, branch_a, people, 0, 2)
    small = home_queries(client, people[who])
    grow(home_page, tree, branch_a, people, 2, 12)
    large = home_queries(client, people[who])
    assert len(small) <= MAX_QUERIES, "\n".join(small)
    assert len(large) == len(small), "\n".join(large)


def test_a_resident_with_no_roster_entry_and_no_role_reads_no_appraisal_task_or_notice(
    client, home_page, tree, branch_a, people
):
    grow(home_page, tree, branch_a, people, 0, 2)
    queries = " ".join(home_queries(client, people["resident"]))
    for table in ("evaluation_appraisalcampaign", "accountability_task", "accountability_supervisionnotice"):
        assert table not in queries


def test_the_home_lists_are_read_in_two_queries_once_and_none_while_their_fragment_is_cached(
    client, home_page, tree, branch_a, people
):
    grow(home_page, tree, branch_a, people, 0, 2)
    lists = ("home_policypage", "home_newspage", "home_studypage", "surveys_surveypage", "home_branchpage")
    cold = home_queries(client, people["resident"])
    assert len([sql for sql in cold if any(table in sql for table in lists)]) == 2
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    assert not [query for query in captured.captured_queries if any(table in query["sql"] for table in lists)]
