from decimal import Decimal

import pytest

from django.urls import reverse

from accounts.factories import UserFactory
from evaluation import receipt_codes
from evaluation.models import Participation, SealedBallot, Stage
from organizations import roles

pytestmark = pytest.mark.django_db


def _post_ballot(client, campaign, rows, grade="competent"):
    data = {f"grade-{row.pk}": grade for row in rows if row.is_graded}
    return client.post(reverse("evaluation:ballot", args=[campaign.pk]), data)


def test_member_casts_a_ballot_and_sees_the_receipt_once(client, open_campaign, voters):
    client.force_login(voters[0])
    page = client.get(reverse("evaluation:ballot", args=[open_campaign.pk]))
    assert page.status_code == 200 and "不定等次" in page.content.decode()
    response = _post_ballot(client, open_campaign, page.context["rows"])
    receipt = response.context["receipt"]
    assert response.status_code == 200 and receipt in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    again = _post_ballot(client, open_campaign, page.context["rows"])
    assert again.status_code == 409 and SealedBallot.objects.count() == 1
    assert receipt not in client.get(reverse("evaluation:detail", args=[open_campaign.pk])).content.decode()


def test_a_bad_ballot_shows_an_error_and_stores_nothing(client, open_campaign, voters):
    client.force_login(voters[0])
    rows = client.get(reverse("evaluation:ballot", args=[open_campaign.pk])).context["rows"]
    response = _post_ballot(client, open_campaign, rows, grade="superb")
    assert response.status_code == 400
    assert "不是等次" in response.content.decode()
    assert Participation.objects.count() == 0


def test_outsider_cannot_open_the_ballot(client, open_campaign, resident, editor_b):
    for user in (resident, editor_b):
        client.force_login(user)
        assert client.get(reverse("evaluation:ballot", args=[open_campaign.pk])).status_code == 403


def test_secretary_sees_the_tally_only_after_close(client, open_campaign, voters, secretary_a):
    client.force_login(secretary_a)
    assert client.get(reverse("evaluation:results", args=[open_campaign.pk])).status_code == 403
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    assert client.get(reverse("evaluation:results", args=[open_campaign.pk])).status_code == 200


def test_member_cannot_see_the_tally_and_sees_only_their_own_result(client, open_campaign, voters, secretary_a):
    open_campaign.move_to(Stage.NOTICE, secretary_a)
    client.force_login(voters[1])
    assert client.get(reverse("evaluation:results", args=[open_campaign.pk])).status_code == 403
    response = client.get(reverse("evaluation:my_result", args=[open_campaign.pk]))
    assert response.status_code == 200 and response.context["result"].appraisee.user_id == voters[1].pk


def test_secretary_of_another_branch_cannot_see_the_tally(client, open_campaign, branch_b, secretary_a):
    other = UserFactory()
    roles.grant(other, branch_b, roles.Role.SECRETARY)
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    client.force_login(other)
    assert client.get(reverse("evaluation:results", args=[open_campaign.pk])).status_code == 403


def test_org_admin_of_the_subtree_sees_the_tally(client, open_campaign, org_admin, secretary_a):
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    client.force_login(org_admin)
    assert client.get(reverse("evaluation:results", args=[open_campaign.pk])).status_code == 200


def test_editor_of_the_branch_cannot_see_the_tally(client, open_campaign, editor_a, secretary_a):
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    client.force_login(editor_a)
    assert client.get(reverse("evaluation:results", args=[open_campaign.pk])).status_code == 403


def test_the_public_notice_lists_names_and_final_grades_only(client, open_campaign, voters, secretary_a):
    open_campaign.move_to(Stage.NOTICE, secretary_a)
    open_campaign.appraisees.filter(user=voters[0]).update(final_grade="competent")
    client.force_login(voters[1])
    html = client.get(reverse("evaluation:notice", args=[open_campaign.pk])).content.decode()
    assert "党员0" in html and "合格" in html and "%" not in html


def test_receipt_lookup_in_the_published_ballots(client, open_campaign, voters, secretary_a):
    client.force_login(voters[0])
    rows = client.get(reverse("evaluation:ballot", args=[open_campaign.pk])).context["rows"]
    receipt = _post_ballot(client, open_campaign, rows).context["receipt"]  # ABCD-EFGH-JKLM-NPQR
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    url = reverse("evaluation:published_ballots", args=[open_campaign.pk])
    # Read aloud and typed back: any case, with or without dashes or spaces.
    for typed in (receipt, receipt.replace("-", "").lower(), receipt.replace("-", " ")):
        assert "已计入" in client.get(url, {"receipt": typed}).content.decode(), typed
    assert "不是回执码" in client.get(url, {"receipt": "not-a-code"}).content.decode()
    data = client.get(url, {"format": "json"}).json()
    assert data["receipts"] == [receipt_codes.receipt_digest(receipt.replace("-", ""))]
    assert len(data["ballots"]) == 0 and data["withheld"] == {"members": 1}  # one ballot: not published alone


def test_secretary_creates_a_campaign_for_their_branch_only(client, secretary_a, branch_a, branch_b, voters):
    client.force_login(secretary_a)
    form = client.get(reverse("evaluation:create")).context["form"]
    assert list(form.fields["branch"].queryset) == [branch_a]
    response = client.post(
        reverse("evaluation:create"),
        {
            "branch": branch_b.pk,
            "year": 2026,
            "ballot_date": "2026-12-18",
            "notice_days": 5,
            "member_weight": "100",
            "masses_weight": "0",
            "excellent_min_rate": "50",
            "basic_min_rate": "50",
            "incompetent_flag_rate": "50",
            "masses_trust_min": "50",
            "min_turnout": "80",
        },
    )
    assert response.status_code == 200 and not branch_b.appraisals.exists()
    response = client.post(
        reverse("evaluation:create"),
        {
            "branch": branch_a.pk,
            "year": 2026,
            "ballot_date": "2026-12-18",
            "notice_days": 5,
            "member_weight": "100",
            "masses_weight": "0",
            "excellent_min_rate": "50",
            "basic_min_rate": "50",
            "incompetent_flag_rate": "50",
            "masses_trust_min": "50",
            "min_turnout": "80",
        },
    )
    assert response.status_code == 302
    created = branch_a.appraisals.get()
    assert created.appraisees.count() == 6
    # Typed as percentages, stored as fractions.
    assert (created.member_weight, created.min_turnout, created.excellent_min_rate) == (
        1,
        Decimal("0.8"),
        Decimal("0.5"),
    )


def test_stage_changes_are_recorded_with_who_and_when(client, campaign, secretary_a):
    client.force_login(secretary_a)
    client.post(reverse("evaluation:manage", args=[campaign.pk]), {"action": "stage", "stage": "balloting"})
    campaign.refresh_from_db()
    assert campaign.stage == "balloting"
    change = campaign.stage_changes.last()
    assert change.changed_by == secretary_a and change.stage == "balloting"


def test_self_assessment_is_editable_until_the_stage_closes(client, campaign, voters, secretary_a):
    campaign.move_to(Stage.SELF_ASSESSMENT, secretary_a)
    client.force_login(voters[0])
    url = reverse("evaluation:self_assessment", args=[campaign.pk])
    data = {
        "study": "学习了党章",
        "duties": "按时参加组织生活",
        "shortcomings": "理论学习不够深入",
        "plan": "加强学习",
        "self_grade": "competent",
    }
    assert client.post(url, data).status_code == 302
    campaign.move_to(Stage.BALLOTING, secretary_a)
    client.post(url, {**data, "self_grade": "excellent"})
    assert campaign.appraisees.get(user=voters[0]).self_assessment.self_grade == "competent"
    client.force_login(secretary_a)
    assert "理论学习不够深入" in client.get(reverse("evaluation:manage", args=[campaign.pk])).content.decode()


def test_admin_lists_overseen_campaigns_with_the_pdf_link(client, open_campaign, secretary_a, voters):
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    client.force_login(secretary_a)
    html = client.get(reverse("evaluation_admin_campaigns")).content.decode()
    assert reverse("evaluation:report", args=[open_campaign.pk]) in html


def test_admin_appraisal_list_is_empty_for_another_branchs_editor(client, open_campaign, editor_b):
    client.force_login(editor_b)
    response = client.get(reverse("evaluation_admin_campaigns"))
    assert response.status_code == 200 and list(response.context["campaigns"]) == []


def test_ballot_posts_are_hidden_from_error_reports(client, open_campaign, voters):
    client.force_login(voters[0])
    response = client.post(reverse("evaluation:ballot", args=[open_campaign.pk]), {})
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"


def test_home_page_shows_the_members_appraisal_under_way(client, open_campaign, voters, home_page):
    client.force_login(voters[0])
    html = client.get("/").content.decode()
    assert reverse("evaluation:detail", args=[open_campaign.pk]) in html
    client.logout()
    assert reverse("evaluation:detail", args=[open_campaign.pk]) not in client.get("/").content.decode()


def _ballot_queries(client, campaign, rows) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = _post_ballot(client, campaign, rows)
    assert response.status_code == 200 and "receipt-code" in response.content.decode()
    # Savepoints are the test's outer transaction; sessions come from Redis in production (cached_db).
    return [
        q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"] and "django_session" not in q["sql"]
    ]


def test_a_ballot_costs_a_constant_handful_of_queries(client, open_campaign, voters, branch_a):
    """Issue 19 (P3): user, campaign (without its branch: the receipt does not show it), every ballot row at
    once (which also answers the view rule, is an appraisee), then the ballot's transaction: the
    participation row and the sealed blob, stored by the statement that checks the box is open (FOR SHARE).
    The header's badge comes from the cache (notifications.unread). No has-voted query: the participation
    row's unique index refuses a second ballot (409 below)."""
    client.force_login(voters[0])
    rows = client.get(reverse("evaluation:ballot", args=[open_campaign.pk])).context["rows"]
    queries = _ballot_queries(client, open_campaign, rows)
    assert len(queries) == 5, "\n".join(queries)
    assert sum(sql.startswith("INSERT") for sql in queries) == 2
    assert "branch" not in queries[1].split("FROM")[1]
    assert sum('FROM "evaluation_appraisee"' in sql for sql in queries) == 1  # the rows, and the rule from them
    again = _post_ballot(client, open_campaign, rows)
    assert again.status_code == 409 and "已经投过票" in again.content.decode()
    assert Participation.objects.count() == SealedBallot.objects.count() == 1


def test_the_ballot_page_is_only_for_a_voter_who_is_still_an_appraisee(client, open_campaign, voters, secretary_a):
    """The ballot page answers its view rule from the rows it reads (is an appraisee: the roster entry's
    account now) and the vote from the list frozen at opening: relinking an entry afterwards opens the page
    to neither account, and the secretary, who may view the campaign, has no ballot either."""
    from evaluation.models import Appraisee

    rows = Appraisee.objects.filter(campaign=open_campaign).exclude(user=voters[0])
    stranger = UserFactory()
    entry = Appraisee.objects.get(campaign=open_campaign, user=voters[0]).roster_entry
    entry.user = stranger
    entry.save()
    url = reverse("evaluation:ballot", args=[open_campaign.pk])
    for person in (voters[0], stranger, secretary_a):
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert _post_ballot(client, open_campaign, rows).status_code == 403
    assert Participation.objects.count() == SealedBallot.objects.count() == 0
    client.force_login(voters[1])
    assert client.get(url).status_code == 200
