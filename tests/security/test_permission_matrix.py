"""The permission matrix (issue #8): every URL pattern, admin view, page route, WebSocket route, export and
report download, for every role, with the outcome a least-privilege product gives.

Each cell is its own test: `test_permission[<row>-<role>]`. Completeness is tested too: a URL pattern that has
neither a row nor a reviewed rule fails `test_every_url_pattern_has_a_row_or_a_reviewed_rule`, a page type or
a route of a routable page without a row fails `test_every_page_type_and_page_route_has_a_row`, and a WebSocket
route without a row fails `test_every_websocket_route_has_a_row`.

The world (tests/security/matrix_fixtures.py) is built once per module inside a transaction that is rolled
back at the end; each cell runs in a savepoint inside it, so POST cells cannot leak into the next cell.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import get_page_models

from tests.security.matrix_fixtures import APPEAL_NOTE, PRIVATE_APPEAL_TEXT, ROLES, build_world

# --- outcomes -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    label: str
    status: int
    location: str | None = None  # a redirect's target must start with this
    content_type: str | None = None  # a download's type must start with this

    def check(self, response) -> str | None:
        """None when the response is this outcome, else what it was instead."""
        location = response.get("Location", "")
        actual = f"{response.status_code}" + (f" → {location}" if location else "")
        if response.status_code != self.status:
            return actual
        if self.location is not None and not location.startswith(self.location):
            return actual
        if self.content_type is not None and not response.get("Content-Type", "").startswith(self.content_type):
            return f"{actual} ({response.get('Content-Type')})"
        return None

    def __str__(self) -> str:
        return self.label


OK = Outcome("allowed (200)", 200)
LOGIN = Outcome("redirect to login", 302, "/accounts/login/?next=")
FORBIDDEN = Outcome("denied (403)", 403)
NOT_FOUND = Outcome("not found (404)", 404)
# A signed-in person without admin access asking for /admin/ (config.middleware.AdminAccessMiddleware).
NO_ADMIN = Outcome("denied: no admin access (403)", 403)
# Wagtail's admin answers a permission failure with a redirect to the dashboard and a message.
ADMIN_DENIED = Outcome("denied (redirect to admin dashboard)", 302, "/admin/")
# A refused request that is not about who asks (e.g. reporting one's own post), answered 400 in JSON.
REFUSED = Outcome("refused (400)", 400)
PDF = Outcome("PDF download", 200, content_type="application/pdf")
XLSX = Outcome("XLSX download", 200, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml")
CSV = Outcome("CSV download", 200, content_type="text/csv")
JSON = Outcome("JSON", 200, content_type="application/json")
# An admin form answered again with its errors, nothing saved (a save redirects).
FORM_REFUSED = Outcome("refused: the form again with its error (200)", 200)


def redirect(prefix: str) -> Outcome:
    return Outcome(f"redirect to {prefix}", 302, prefix)


# A report's POST starts its background job and goes to the job's progress page.
JOB = redirect("/jobs/")


# A GET of the responses export (an old link) goes back to the survey's results page, where the button is.
BACK_TO_RESULTS = Outcome("redirect to the results page", 302)


REAUTHENTICATE = redirect("/accounts/reauthenticate/?next=")


# --- roles ----------------------------------------------------------------------------------------------

GROUPS = {
    "everyone": ROLES,
    "signed_in": ROLES[1:],
    "non_staff": ("anonymous", "resident", "member_a", "member_b"),
    "outsiders": ("resident", "member_b"),
    # Users with the admin: every role group holds wagtailadmin.access_admin.
    "staff": ("editor_a", "secretary_a", "org_admin", "superuser"),
    # Those who manage branch A (roles.can_manage): its editor and secretary, the admin above it, superusers.
    "managers_a": ("editor_a", "secretary_a", "org_admin", "superuser"),
    # Those who oversee branch A's appraisal (evaluation.rules.oversees): not its editor.
    "overseers_a": ("secretary_a", "org_admin", "superuser"),
}


def expect(**spec: Outcome) -> dict[str, Outcome]:
    """Outcomes by role: groups apply in the order given, then single roles override them."""
    cells: dict[str, Outcome] = {}
    for key, outcome in spec.items():
        if key in GROUPS:
            cells.update(dict.fromkeys(GROUPS[key], outcome))
        elif key not in ROLES:
            raise ValueError(f"unknown role or group {key}")
    cells.update({key: outcome for key, outcome in spec.items() if key in ROLES})
    missing = set(ROLES) - set(cells)
    if missing:
        raise ValueError(f"no outcome for {sorted(missing)}")
    return cells


# --- rows -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    id: str
    url: Callable[[SimpleNamespace], str]
    expect: dict[str, Outcome]
    covers: tuple[str, ...] = ()  # URL names, routes, "page:<model>" or "route:<model>:<name>"; default: id
    method: str = "get"
    data: Callable[[SimpleNamespace], dict] | None = None
    ajax: bool = False  # JSON actions answer with status codes instead of a redirect and a message
    secret: Callable[[SimpleNamespace], str] | None = None  # text that must not reach the roles in secret_from
    secret_from: tuple[str, ...] = ("anonymous",)

    def covered(self) -> tuple[str, ...]:
        return self.covers or (self.id.split("@")[0],)


def _r(name: str, *args: Callable[[SimpleNamespace], object]) -> Callable[[SimpleNamespace], str]:
    return lambda w: reverse(name, args=[arg(w) for arg in args])


def _page(attr: str, suffix: str = "") -> Callable[[SimpleNamespace], str]:
    return lambda w: getattr(w, attr).url + suffix


def _pk(attr: str) -> Callable[[SimpleNamespace], int]:
    return lambda w: getattr(w, attr).pk


def _code(attr: str) -> Callable[[SimpleNamespace], str]:
    return lambda w: w.tree[attr].code


MISSING = 999999  # no object has this id
MISSING_UUID = "00000000-0000-4000-8000-000000000000"  # nor this key
PUBLIC = expect(everyone=OK)
ACCOUNT_PAGE = expect(anonymous=LOGIN, signed_in=OK)
ADMIN_STAFF = expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=OK)
ADMIN_SUPERUSER_ONLY = expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=ADMIN_DENIED, superuser=OK)

SITE_ROWS = [
    Row("healthz", lambda w: reverse("healthz"), PUBLIC),
    Row("status", lambda w: reverse("status"), PUBLIC),  # the same checks as /healthz, for people
    Row("favicon", lambda w: reverse("favicon"), expect(everyone=redirect("/static/img/favicon"))),
    Row(
        "set_language",
        lambda w: reverse("set_language"),
        expect(everyone=redirect("/")),
        method="post",
        data=lambda w: {"language": "en", "next": "/"},
    ),
    Row("search", lambda w: reverse("search") + "?q=通知", PUBLIC, secret=lambda w: w.private_news.title),
    Row("sitemap", lambda w: reverse("sitemap"), PUBLIC, secret=lambda w: w.private_news.url),
    # Members-only consultations are neither found nor listed for others (issue 13 H5).
    Row(
        "search@members-only",
        lambda w: reverse("search") + "?q=议题",
        PUBLIC,
        secret=lambda w: w.members.url,
        secret_from=("anonymous", "resident", "member_b"),
    ),
    Row("sitemap@members-only", lambda w: reverse("sitemap"), PUBLIC, secret=lambda w: w.members.url),
    Row("accounts_profile", lambda w: reverse("accounts_profile"), ACCOUNT_PAGE),
    Row("wagtaildocs_serve", lambda w: w.document.url, PUBLIC),
    # Unknown password restrictions: nothing to unlock.
    Row(
        "wagtaildocs_authenticate_with_password",
        lambda w: f"/documents/authenticate_with_password/{MISSING}/",
        expect(everyone=NOT_FOUND),
    ),
    Row(
        "wagtailcore_authenticate_with_password",
        lambda w: f"/_util/authenticate_with_password/{MISSING}/{MISSING}/",
        expect(everyone=NOT_FOUND),
    ),
    # Wagtail's own front-end login form is Django's LoginView: no rate limit, no MFA. It must send people to
    # allauth's login instead of accepting passwords.
    Row(
        "wagtailcore_login",
        lambda w: "/_util/login/?next=/",
        expect(everyone=LOGIN),
        covers=("wagtailcore_login", "_util/login/"),
    ),
]

# allauth: sign-in pages are for anonymous visitors; account pages for signed-in users.
ACCOUNT_ROWS = [
    Row("account_login", _r("account_login"), expect(anonymous=OK, signed_in=redirect("/"))),
    Row("account_logout", _r("account_logout"), expect(anonymous=redirect("/"), signed_in=OK)),
    Row("account_inactive", _r("account_inactive"), PUBLIC),
    Row("account_signup", _r("account_signup"), expect(anonymous=OK, signed_in=redirect("/"))),
    Row("account_reauthenticate", _r("account_reauthenticate"), ACCOUNT_PAGE),
    Row("account_request_reauthentication_code", _r("account_request_reauthentication_code"), ACCOUNT_PAGE),
    # Code pages without a code under way send one back a step.
    Row(
        "account_confirm_reauthentication_code",
        _r("account_confirm_reauthentication_code"),
        expect(anonymous=LOGIN, signed_in=redirect("/accounts/reauthenticate/code/")),
    ),
    Row("account_email", _r("account_email"), ACCOUNT_PAGE),
    Row("account_email_verification_sent", _r("account_email_verification_sent"), PUBLIC),
    Row("account_change_password", _r("account_change_password"), ACCOUNT_PAGE),
    Row(
        "account_set_password",
        _r("account_set_password"),
        expect(anonymous=LOGIN, signed_in=redirect("/accounts/password/change/")),
    ),
    Row("account_reset_password", _r("account_reset_password"), PUBLIC),
    Row(
        "account_confirm_login_code",
        _r("account_confirm_login_code"),
        expect(anonymous=redirect("/accounts/login/"), signed_in=redirect("/")),
    ),
    Row("account_confirm_email", lambda w: reverse("account_confirm_email", args=["not-a-key"]), PUBLIC),
    Row("account_reset_password_from_key_done", _r("account_reset_password_from_key_done"), PUBLIC),
    Row(
        "account_reset_password_from_key",
        lambda w: reverse("account_reset_password_from_key", args=["1", "x-y"]),
        PUBLIC,
    ),
    Row("account_reset_password_done", _r("account_reset_password_done"), PUBLIC),
    Row("mfa_index", _r("mfa_index"), ACCOUNT_PAGE),
    # The second step of a sign-in exists only while a sign-in is under way.
    Row(
        "mfa_authenticate",
        _r("mfa_authenticate"),
        expect(anonymous=redirect("/accounts/login/"), signed_in=redirect("/")),
    ),
    # Without MFA there is no second factor to re-enter: the password is asked for instead.
    Row(
        "mfa_reauthenticate",
        _r("mfa_reauthenticate"),
        expect(anonymous=LOGIN, signed_in=redirect("/accounts/reauthenticate/")),
    ),
    # Changing one's second factor asks for the password again first.
    Row("mfa_activate_totp", _r("mfa_activate_totp"), expect(anonymous=LOGIN, signed_in=REAUTHENTICATE)),
    Row(
        "mfa_generate_recovery_codes",
        _r("mfa_generate_recovery_codes"),
        expect(anonymous=LOGIN, signed_in=REAUTHENTICATE),
    ),
    # Nobody in the world has enrolled a second factor: nothing to deactivate or show.
    Row("mfa_deactivate_totp", _r("mfa_deactivate_totp"), expect(anonymous=LOGIN, signed_in=NOT_FOUND)),
    Row("mfa_view_recovery_codes", _r("mfa_view_recovery_codes"), expect(anonymous=LOGIN, signed_in=NOT_FOUND)),
    Row("mfa_download_recovery_codes", _r("mfa_download_recovery_codes"), expect(anonymous=LOGIN, signed_in=NOT_FOUND)),
]

_public_id = _pk("public")
_members_id = _pk("members")
MEMBERS_A_TAKE_PART = expect(anonymous=LOGIN, outsiders=FORBIDDEN, member_a=OK, managers_a=OK)
MANAGE_A = expect(anonymous=LOGIN, resident=FORBIDDEN, member_a=FORBIDDEN, member_b=FORBIDDEN, managers_a=OK)


def _job(state: str):
    """A job of member A's (made in the cell's savepoint): finished with a PDF, or failed."""

    def make(w):
        from django.core.files.base import ContentFile

        from jobs.models import Job

        owner = w.users["member_a"]
        if state == "failed":
            job = Job.objects.create(owner=owner, kind="evaluation.appraisal_report", title="矩阵失败任务",
                                     params={"campaign_id": w.campaign_a.pk}, status=Job.Status.FAILED, error="失败")  # fmt: skip
        else:
            job = Job.objects.create(owner=owner, kind="evaluation.appraisal_report", title="矩阵任务",
                                     status=Job.Status.DONE, percent=100, result_name="summary.pdf")  # fmt: skip
            job.result_file.save("summary.pdf", ContentFile(b"%PDF-1.7 matrix"), save=True)
        return job.pk

    return make


# Jobs: each person sees only their own; another person's job is not found (not even told it exists).
OWN_JOB = expect(anonymous=LOGIN, signed_in=NOT_FOUND, member_a=OK)
JOB_ROWS = [
    Row("jobs:index", _r("jobs:index"), ACCOUNT_PAGE),
    Row("jobs:detail", _r("jobs:detail", _job("done")), OWN_JOB),
    Row("jobs:status", _r("jobs:status", _job("done")), expect(anonymous=LOGIN, signed_in=NOT_FOUND, member_a=JSON)),
    Row("jobs:download", _r("jobs:download", _job("done")), expect(anonymous=LOGIN, signed_in=NOT_FOUND, member_a=PDF)),
    Row(
        "jobs:retry",
        _r("jobs:retry", _job("failed")),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, member_a=redirect("/jobs/")),
        method="post",
    ),
]

CONSULTATION_ROWS = [
    Row(
        "consultation:events@missing",
        lambda w: reverse("consultation:events", args=[MISSING]),
        expect(everyone=NOT_FOUND),
    ),
    # Members-only consultations are listed only for those who may see them.
    Row(
        "consultation:index",
        _r("consultation:index"),
        PUBLIC,
        secret=lambda w: w.members.title,
        secret_from=("anonymous", "resident", "member_b"),
    ),
    Row(
        "consultation:post_create@public",
        _r("consultation:post_create", _public_id),
        expect(anonymous=LOGIN, signed_in=OK),
        method="post",
        data=lambda w: {"body": "同意这个方案"},
        ajax=True,
    ),
    Row(
        "consultation:post_create@members-only",
        _r("consultation:post_create", _members_id),
        MEMBERS_A_TAKE_PART,
        method="post",
        data=lambda w: {"body": "同意这个方案"},
        ajax=True,
    ),
    # Live catch-up is JSON for the page's script: no login page, a 403 for those who may not follow.
    Row(
        "consultation:events@public", _r("consultation:events", _public_id), expect(anonymous=FORBIDDEN, signed_in=JSON)
    ),
    Row(
        "consultation:events@members-only",
        _r("consultation:events", _members_id),
        expect(anonymous=FORBIDDEN, outsiders=FORBIDDEN, member_a=JSON, managers_a=JSON),
    ),
    Row(
        "consultation:stage",
        _r("consultation:stage", _public_id),
        MANAGE_A,
        method="post",
        data=lambda w: {"stage": w.public.next_stage()},
        ajax=True,
    ),
    Row(
        "consultation:vote",
        _r("consultation:vote", _pk("voting_stage")),
        # Only the branch's members vote; organisers who are not on its roster do not.
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, member_a=OK),
        method="post",
        data=lambda w: {"option": w.voting_stage.vote_options.first().pk},
        ajax=True,
    ),
    Row(
        "consultation:outcome",
        _r("consultation:outcome", _public_id),
        MANAGE_A,
        method="post",
        data=lambda w: {"text": "决定加装电梯"},
        ajax=True,
    ),
    Row(
        "consultation:implementation",
        _r("consultation:implementation", _pk("rating_stage")),
        MANAGE_A,
        method="post",
        data=lambda w: {"text": "已开工", "progress": "10", "person_in_charge": "王主任"},
        ajax=True,
    ),
    Row(
        "consultation:rate",
        _r("consultation:rate", _pk("rating_stage")),
        MEMBERS_A_TAKE_PART,
        method="post",
        data=lambda w: {"rating": "satisfied"},
        ajax=True,
    ),
    # The queue of held posts does not exist for those who may not moderate.
    Row(
        "consultation:moderation",
        _r("consultation:moderation", _public_id),
        expect(anonymous=LOGIN, resident=NOT_FOUND, member_a=NOT_FOUND, member_b=NOT_FOUND, managers_a=OK),
    ),
    Row(
        "consultation:statement_add@public",
        _r("consultation:statement_add", _public_id),
        expect(anonymous=LOGIN, signed_in=OK),
        method="post",
        data=lambda w: {"text": "先听取一楼住户意见"},
        ajax=True,
    ),
    Row(
        "consultation:statement_add@members-only",
        _r("consultation:statement_add", _members_id),
        MEMBERS_A_TAKE_PART,
        method="post",
        data=lambda w: {"text": "先听取一楼住户意见"},
        ajax=True,
    ),
    # The live copy of a post, rendered like the page: as visible as the post itself (issues 12.2, 13 M1).
    Row("consultation:post_fragment@public", _r("consultation:post_fragment", _pk("public_post")), PUBLIC),
    Row(
        "consultation:post_fragment@members-only",
        _r("consultation:post_fragment", _pk("members_post")),
        expect(anonymous=NOT_FOUND, outsiders=NOT_FOUND, member_a=OK, managers_a=OK),
        secret=lambda w: w.members_post.body,
        secret_from=("anonymous", "resident", "member_b"),
    ),
    # Only the author edits a post.
    Row(
        "consultation:post_edit",
        _r("consultation:post_edit", _pk("public_post")),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, resident=OK),
    ),
    Row(
        "consultation:post_react@public",
        _r("consultation:post_react", _pk("public_post")),
        expect(anonymous=LOGIN, signed_in=OK),
        method="post",
        data=lambda w: {"value": "support"},
        ajax=True,
    ),
    Row(
        "consultation:post_react@members-only",
        _r("consultation:post_react", _pk("members_post")),
        MEMBERS_A_TAKE_PART,
        method="post",
        data=lambda w: {"value": "support"},
        ajax=True,
    ),
    Row(
        "consultation:post_report@public",
        _r("consultation:post_report", _pk("public_post")),
        expect(anonymous=LOGIN, signed_in=OK, resident=REFUSED),
        method="post",
        data=lambda w: {"reason": "广告"},
        ajax=True,
    ),
    Row(
        "consultation:post_report@members-only",
        _r("consultation:post_report", _pk("members_post")),
        expect(anonymous=LOGIN, outsiders=FORBIDDEN, member_a=REFUSED, managers_a=OK),
        method="post",
        data=lambda w: {"reason": "广告"},
        ajax=True,
    ),
    Row(
        "consultation:post_moderate",
        _r("consultation:post_moderate", _pk("public_post")),
        MANAGE_A,
        method="post",
        data=lambda w: {"action": "hide", "reason": "广告"},
        ajax=True,
    ),
    Row(
        "consultation:post_pin",
        _r("consultation:post_pin", _pk("public_post")),
        MANAGE_A,
        method="post",
        data=lambda w: {"pinned": "1"},
        ajax=True,
    ),
    Row(
        "consultation:statement_vote@public",
        _r("consultation:statement_vote", _pk("public_statement")),
        expect(anonymous=LOGIN, signed_in=OK),
        method="post",
        data=lambda w: {"value": "agree"},
        ajax=True,
    ),
    Row(
        "consultation:statement_vote@members-only",
        _r("consultation:statement_vote", _pk("members_statement")),
        MEMBERS_A_TAKE_PART,
        method="post",
        data=lambda w: {"value": "agree"},
        ajax=True,
    ),
    Row("notifications:index", _r("notifications:index"), ACCOUNT_PAGE),
    Row("notifications:settings", _r("notifications:settings"), ACCOUNT_PAGE),
    # Their addresses from when consultation held them (e-mails already sent link them): moved, for everyone.
    Row(
        "consultations/notifications/",
        lambda w: "/consultations/notifications/",
        expect(everyone=Outcome("moved permanently", 301, "/notifications/")),
        covers=("consultations/notifications/",),
    ),
    Row(
        "consultations/notifications/settings/",
        lambda w: "/consultations/notifications/settings/",
        expect(everyone=Outcome("moved permanently", 301, "/notifications/settings/")),
        covers=("consultations/notifications/settings/",),
    ),
]

_campaign_a = _pk("campaign_a")
_campaign_b = _pk("campaign_b")
# Branch A's appraisal, closed and its notice published: its members and overseers see it; nobody else.
APPRAISAL_A = expect(anonymous=LOGIN, signed_in=FORBIDDEN, member_a=OK, overseers_a=OK)
TALLY_A = expect(anonymous=LOGIN, signed_in=FORBIDDEN, overseers_a=OK)
TALLY_B = expect(anonymous=LOGIN, signed_in=FORBIDDEN, org_admin=OK, superuser=OK)

EVALUATION_ROWS = [
    Row("evaluation:list", _r("evaluation:list"), ACCOUNT_PAGE),
    # Unknown objects: sign in first, then nothing there.
    Row(
        "evaluation:results@missing",
        lambda w: reverse("evaluation:results", args=[MISSING]),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND),
    ),
    Row("evaluation:create", _r("evaluation:create"), expect(anonymous=LOGIN, signed_in=FORBIDDEN, overseers_a=OK)),
    Row("evaluation:detail", _r("evaluation:detail", _campaign_a), APPRAISAL_A),
    Row(
        "evaluation:detail@branch-b",
        _r("evaluation:detail", _campaign_b),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, member_b=OK, org_admin=OK, superuser=OK),
    ),
    Row("evaluation:manage", _r("evaluation:manage", _campaign_a), TALLY_A),
    Row("evaluation:manage@branch-b", _r("evaluation:manage", _campaign_b), TALLY_B),
    Row(
        "evaluation:self_assessment",
        _r("evaluation:self_assessment", _campaign_a),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, member_a=OK),
    ),
    Row(
        "evaluation:ballot",
        _r("evaluation:ballot", _campaign_a),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, member_a=OK),
    ),
    # Masses' representatives vote with a code and no account: the page (here: closed) is public.
    Row("evaluation:masses_ballot", _r("evaluation:masses_ballot", _campaign_a), PUBLIC),
    Row("evaluation:results", _r("evaluation:results", _campaign_a), TALLY_A),
    Row("evaluation:results@branch-b", _r("evaluation:results", _campaign_b), TALLY_B),
    Row(
        "evaluation:my_result",
        _r("evaluation:my_result", _campaign_a),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, member_a=OK),
    ),
    Row("evaluation:notice", _r("evaluation:notice", _campaign_a), APPRAISAL_A),
    Row(
        "evaluation:notice@branch-b",
        _r("evaluation:notice", _campaign_b),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, member_b=OK, org_admin=OK, superuser=OK),
    ),
    Row("evaluation:published_ballots", _r("evaluation:published_ballots", _campaign_a), APPRAISAL_A),
    Row(
        "evaluation:published_ballots@json",
        lambda w: reverse("evaluation:published_ballots", args=[w.campaign_a.pk]) + "?format=json",
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, member_a=JSON, overseers_a=JSON),
    ),
    Row(
        "evaluation:published_ballots@branch-b",
        _r("evaluation:published_ballots", _campaign_b),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, member_b=OK, org_admin=OK, superuser=OK),
    ),
    # Paper ballots (issue 12, point 8): the secretary's page; entry only by the two scrutineers (here: none
    # chosen, and balloting is closed); an unknown sheet is not found for those who may see the page.
    Row("evaluation:paper_ballots", _r("evaluation:paper_ballots", _campaign_a), TALLY_A),
    Row("evaluation:paper_ballots@branch-b", _r("evaluation:paper_ballots", _campaign_b), TALLY_B),
    Row(
        "evaluation:paper_enter",
        _r("evaluation:paper_enter", _campaign_a),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN),
    ),
    Row(
        "evaluation:paper_confirm@missing",
        lambda w: reverse("evaluation:paper_confirm", args=[w.campaign_a.pk, MISSING_UUID]),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, overseers_a=NOT_FOUND),
    ),
    Row(
        "evaluation:paper_discard@missing",
        lambda w: reverse("evaluation:paper_discard", args=[w.campaign_a.pk, MISSING_UUID]),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, overseers_a=NOT_FOUND),
        method="post",
        data=lambda w: {},
    ),
    # The summary PDF is written by a background job: a POST starts it (its progress page is under /jobs/);
    # a GET (an old link) is sent to the results page, where the button is.
    Row(
        "evaluation:report",
        _r("evaluation:report", _campaign_a),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, overseers_a=redirect("/evaluation/")),
    ),
    Row(
        "evaluation:report@post",
        _r("evaluation:report", _campaign_a),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, overseers_a=redirect("/jobs/")),
        covers=("evaluation:report",),
        method="post",
    ),
    Row(
        "evaluation:report@branch-b",
        _r("evaluation:report", _campaign_b),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, org_admin=redirect("/jobs/"), superuser=redirect("/jobs/")),
        covers=("evaluation:report",),
        method="post",
    ),
    # The satisfaction summary follows the survey's results: its editors, and after it closed its audience
    # (branch A's members).
    # It is written by a background job: a POST starts it; a GET (an old link) shows the button's page.
    Row(
        "evaluation:satisfaction_report",
        _r("evaluation:satisfaction_report", _pk("satisfaction")),
        expect(anonymous=LOGIN, outsiders=FORBIDDEN, member_a=OK, managers_a=OK),
    ),
    Row(
        "evaluation:satisfaction_report@post",
        _r("evaluation:satisfaction_report", _pk("satisfaction")),
        expect(anonymous=LOGIN, outsiders=FORBIDDEN, member_a=JOB, managers_a=JOB),
        covers=("evaluation:satisfaction_report",),
        method="post",
    ),
    # Any survey's satisfaction questions can be summarised; this one's results are for its editors only.
    Row(
        "evaluation:satisfaction_report@editors-only-survey",
        _r("evaluation:satisfaction_report", _pk("survey")),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, managers_a=OK),
    ),
]

_orglife_a = _pk("orglife_a")
_branch_a = lambda w: w.tree["branch_a"].pk  # noqa: E731
_year = lambda w: w.orglife_a.date.year  # noqa: E731
# Branch A's meeting: the members due and those who run it (its secretary, the levels above) see it.
MEETING_A = expect(anonymous=LOGIN, signed_in=NOT_FOUND, member_a=OK, overseers_a=OK)
RUNS_A = expect(anonymous=LOGIN, signed_in=NOT_FOUND, overseers_a=OK)
RUNS_A_ACTION = expect(anonymous=LOGIN, signed_in=NOT_FOUND, overseers_a=redirect("/orglife/"))
# A superuser passes every rule; the action itself then refuses (not due) with a message.
DUE_A_ACTION = expect(
    anonymous=LOGIN, signed_in=NOT_FOUND, member_a=redirect("/orglife/"), superuser=redirect("/orglife/")
)


def _signin_url(w) -> str:
    from orglife.attendance import signin_token

    return reverse("orglife:sign_in", args=(signin_token(w.orglife_a),))


ORGLIFE_ROWS = [
    Row("orglife:index", _r("orglife:index"), ACCOUNT_PAGE),
    Row("orglife:schedule", _r("orglife:schedule"), expect(anonymous=LOGIN, signed_in=FORBIDDEN, overseers_a=OK)),
    Row("orglife:meeting", _r("orglife:meeting", _orglife_a), MEETING_A),
    Row(
        "orglife:meeting@branch-b",
        _r("orglife:meeting", _pk("orglife_b")),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, member_b=OK, org_admin=OK, superuser=OK),
    ),
    Row(
        "orglife:reply",
        _r("orglife:reply", _orglife_a),
        DUE_A_ACTION,
        method="post",
        data=lambda w: {"answer": "attending"},
    ),
    Row("orglife:signin_screen", _r("orglife:signin_screen", _orglife_a), RUNS_A),
    Row("orglife:tick", _r("orglife:tick", _orglife_a), RUNS_A_ACTION, method="post", data=lambda w: {}),
    Row("orglife:minutes", _r("orglife:minutes", _orglife_a), RUNS_A_ACTION, method="post", data=lambda w: {}),
    Row("orglife:makeup", _r("orglife:makeup", _orglife_a), DUE_A_ACTION, method="post", data=lambda w: {}),
    Row("orglife:cancel", _r("orglife:cancel", _orglife_a), RUNS_A_ACTION, method="post", data=lambda w: {}),
    Row(
        "orglife:record_pdf",
        _r("orglife:record_pdf", _orglife_a),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, overseers_a=OK),
    ),
    Row(
        "orglife:record_pdf@post",
        _r("orglife:record_pdf", _orglife_a),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, overseers_a=JOB),
        covers=("orglife:record_pdf",),
        method="post",
    ),
    Row(
        "orglife:attachment",
        _r("orglife:attachment", _pk("minutes_file")),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, member_a=OK, overseers_a=OK),
    ),
    # The code's page answers everyone signed in: those not due read why they cannot sign in.
    Row("orglife:sign_in", _signin_url, expect(anonymous=LOGIN, signed_in=OK)),
    Row(
        "orglife:sign_in@post",
        _signin_url,
        expect(anonymous=LOGIN, signed_in=OK, member_a=redirect("/orglife/")),
        covers=("orglife:sign_in",),
        method="post",
        data=lambda w: {},
    ),
    Row(
        "orglife:ledger_xlsx",
        _r("orglife:ledger_xlsx", _branch_a, _year),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, overseers_a=OK),
    ),
    Row(
        "orglife:ledger_xlsx@post",
        _r("orglife:ledger_xlsx", _branch_a, _year),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, overseers_a=JOB),
        covers=("orglife:ledger_xlsx",),
        method="post",
    ),
    Row(
        "orglife:ledger_pdf",
        _r("orglife:ledger_pdf", _branch_a, _year),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, overseers_a=OK),
    ),
    Row(
        "orglife:ledger_pdf@post",
        _r("orglife:ledger_pdf", _branch_a, _year),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, overseers_a=JOB),
        covers=("orglife:ledger_pdf",),
        method="post",
    ),
    Row("orglife:term", _r("orglife:term", _branch_a), RUNS_A),
    Row("orglife:election", _r("orglife:election", _branch_a), RUNS_A),
]

SURVEY_ROWS = [
    Row("surveys:index", _r("surveys:index"), PUBLIC),
]

# Lists and assessment (issue 15): branch A's lists are kept by its editor and secretary, seen and supervised
# by the admins above; the street's scheme is run by its admins; nobody else finds any of it.
A_LISTS = expect(anonymous=LOGIN, signed_in=NOT_FOUND, managers_a=OK)
PRIVATE_TEXT = Outcome("private file (text/plain)", 200, content_type="text/plain")
B_LISTS = expect(anonymous=LOGIN, signed_in=NOT_FOUND, org_admin=OK, superuser=OK)
A_KEEPERS_ONLY = expect(anonymous=LOGIN, signed_in=NOT_FOUND, managers_a=OK, org_admin=FORBIDDEN)
STREET_SCHEME = expect(anonymous=LOGIN, signed_in=NOT_FOUND, org_admin=OK, superuser=OK)
BACK_TO_LISTS = redirect("/accountability/org/")

ACCOUNTABILITY_ROWS = [
    Row("accountability:index", _r("accountability:index"), ACCOUNT_PAGE),
    Row("accountability:organization", _r("accountability:organization", _code("branch_a")), A_LISTS),
    Row("accountability:organization@branch-b", _r("accountability:organization", _code("branch_b")), B_LISTS),
    Row("accountability:task", _r("accountability:task", _pk("task_a")), A_LISTS),
    Row("accountability:task@branch-b", _r("accountability:task", _pk("task_b")), B_LISTS),
    Row("accountability:problem", _r("accountability:problem", _pk("problem_a")), A_LISTS),
    Row("accountability:notice", _r("accountability:notice", _pk("notice_a")), A_LISTS),
    Row("accountability:proposal", _r("accountability:proposal", _pk("proposal_a")), A_LISTS),
    Row("accountability:task_create", _r("accountability:task_create", _code("branch_a")), A_KEEPERS_ONLY),
    Row("accountability:problem_create", _r("accountability:problem_create", _code("branch_a")), A_LISTS),
    Row(
        "accountability:responsibility_action",
        _r("accountability:responsibility_action", _code("branch_a")),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, managers_a=BACK_TO_LISTS, org_admin=FORBIDDEN),
        method="post",
        data=lambda w: {"action": "add", "duty": "每月走访", "responsible": "组织委员"},
    ),
    Row(
        "accountability:check_proposals",
        _r("accountability:check_proposals", _code("branch_a")),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, managers_a=BACK_TO_LISTS),
        method="post",
        data=lambda w: {},
    ),
    # Only the level above closes off a rectified problem (销号); the branch itself is refused.
    Row(
        "accountability:problem@close",
        _r("accountability:problem", _pk("problem_a")),
        expect(
            anonymous=LOGIN,
            signed_in=NOT_FOUND,
            editor_a=FORBIDDEN,
            secretary_a=FORBIDDEN,
            org_admin=redirect("/accountability/problems/"),
            superuser=redirect("/accountability/problems/"),
        ),
        method="post",
        data=lambda w: {"action": "close"},
    ),
    Row("accountability:scheme", _r("accountability:scheme", _pk("scheme")), STREET_SCHEME),
    Row("accountability:scheme_grades", _r("accountability:scheme_grades", _pk("scheme")), STREET_SCHEME),
    Row(
        "accountability:scheme_export",
        _r("accountability:scheme_export", _pk("scheme")),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, org_admin=OK, superuser=OK),
    ),
    Row(
        "accountability:scheme_export@post",
        _r("accountability:scheme_export", _pk("scheme")),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, org_admin=JOB, superuser=JOB),
        covers=("accountability:scheme_export",),
        method="post",
    ),
    Row(
        "accountability:scheme_report",
        _r("accountability:scheme_report", _pk("scheme")),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, org_admin=OK, superuser=OK),
    ),
    Row(
        "accountability:scheme_report@post",
        _r("accountability:scheme_report", _pk("scheme")),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, org_admin=JOB, superuser=JOB),
        covers=("accountability:scheme_report",),
        method="post",
    ),
    # Branch A's assessment while scoring: its own people and the street; members only after the notice.
    Row("accountability:assessment", _r("accountability:assessment", _pk("assessment_a")), A_LISTS),
    # Evidence files and 述职 reports are private files: only those who see the task or the assessment get them.
    Row(
        "accountability:evidence_file",
        _r("accountability:evidence_file", _pk("evidence_a")),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, managers_a=PRIVATE_TEXT),
    ),
    Row(
        "accountability:report_file",
        _r("accountability:report_file", _pk("assessment_a")),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, managers_a=PRIVATE_TEXT),
    ),
]

# Residents' requests (issue 17): the resident reported both in branch A's grid; branch A's managers handle
# them. Nobody else sees the private one, the photo or the internal note; the public board shows neither the
# private request nor anyone's name.
IMAGE = Outcome("photo (image/jpeg)", 200, content_type="image/jpeg")
BACK_TO_REQUEST = Outcome("redirect back to the request", 302, "/appeals/")
HANDLERS_A = expect(anonymous=LOGIN, signed_in=NOT_FOUND, managers_a=OK)
APPEAL_ROWS = [
    Row("appeals:index", _r("appeals:index"), ACCOUNT_PAGE),
    Row("appeals:new", _r("appeals:new"), ACCOUNT_PAGE),
    Row("appeals:handle", _r("appeals:handle"), HANDLERS_A),
    Row(
        "appeals:board",
        _r("appeals:board"),
        PUBLIC,
        secret=lambda w: PRIVATE_APPEAL_TEXT,
        secret_from=ROLES,
    ),
    Row(
        "appeals:board_community",
        lambda w: reverse("appeals:board_community", args=[w.tree["community"].code]),
        PUBLIC,
        secret=lambda w: PRIVATE_APPEAL_TEXT,
        secret_from=ROLES,
    ),
    Row(
        "appeals:board_grid",
        lambda w: reverse("appeals:board_grid", args=[w.tree["grid"].code]),
        PUBLIC,
        secret=lambda w: APPEAL_NOTE,
        secret_from=ROLES,
    ),
    Row(
        "appeals:volunteer",
        _r("appeals:volunteer"),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, member_a=OK, member_b=OK),
    ),
    Row(
        "appeals:photo",
        _r("appeals:photo", _pk("appeal_photo")),
        expect(everyone=NOT_FOUND, resident=IMAGE, managers_a=IMAGE),
    ),
    Row(
        "appeals:detail",
        _r("appeals:detail", _pk("appeal")),
        PUBLIC,
        secret=lambda w: APPEAL_NOTE,
        secret_from=("anonymous", "resident", "member_a", "member_b"),
    ),
    Row(
        "appeals:detail@private",
        _r("appeals:detail", _pk("private_appeal")),
        expect(everyone=NOT_FOUND, resident=OK, managers_a=OK),
    ),
    Row("appeals:row", _r("appeals:row", _pk("appeal")), HANDLERS_A),
    Row(
        "appeals:support",
        _r("appeals:support", _pk("appeal")),
        expect(anonymous=LOGIN, signed_in=BACK_TO_REQUEST),
        method="post",
    ),
    Row(
        "appeals:support@private",
        _r("appeals:support", _pk("private_appeal")),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, resident=BACK_TO_REQUEST, managers_a=BACK_TO_REQUEST),
        method="post",
    ),
    Row(
        "appeals:act",
        _r("appeals:act", _pk("appeal")),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, managers_a=BACK_TO_REQUEST),
        method="post",
        data=lambda w: {"action": "accept"},
    ),
    Row(
        "appeals:rate",
        _r("appeals:rate", _pk("appeal")),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, resident=BACK_TO_REQUEST, managers_a=BACK_TO_REQUEST),
        method="post",
        data=lambda w: {"rating": "satisfied"},
    ),
]

# Pages: every page type, and every route of a routable page.
PAGE_ROWS = [
    Row("page:home.HomePage", _page("home"), PUBLIC, covers=("page:home.HomePage", "wagtail_serve")),
    Row("page:home.BranchPage", _page("page_a"), PUBLIC),
    Row("page:home.PolicyIndexPage", _page("policies"), PUBLIC),
    Row("page:home.PolicyPage", _page("policy"), PUBLIC),
    Row("page:home.StudyIndexPage", _page("studies"), PUBLIC),
    Row("page:home.StudyPage", _page("study"), PUBLIC),
    Row("page:home.NewsIndexPage", _page("news_index"), PUBLIC, secret=lambda w: w.private_news.title),
    Row("page:home.NewsPage", _page("news"), PUBLIC),
    Row("page:home.NewsPage@private", _page("private_news"), expect(anonymous=LOGIN, signed_in=OK)),
    Row("page:consultation.ConsultationPage", _page("public"), PUBLIC),
    # A members-only consultation is for its members and organisers; others are told so and see nothing of it.
    Row(
        "page:consultation.ConsultationPage@members-only",
        _page("members"),
        PUBLIC,
        secret=lambda w: w.members_post.body,
        secret_from=("anonymous", "resident", "member_b"),
    ),
    Row("page:surveys.SurveyPage", _page("survey"), PUBLIC),
    Row("page:surveys.SatisfactionSurveyPage", _page("satisfaction"), PUBLIC),
    Row("route:home.HomePage:sitemap", _page("home", "sitemap/"), PUBLIC, secret=lambda w: w.private_news.url),
    # 三会一课 records are for the branch's members and managers. Signed-in others find nothing there.
    Row(
        "route:home.BranchPage:meetings",
        _page("page_a", "meetings/"),
        expect(anonymous=LOGIN, outsiders=NOT_FOUND, member_a=OK, managers_a=OK),
    ),
    # The study completion table is the secretary's (and the admins' above the branch).
    Row(
        "route:home.BranchPage:study",
        _page("page_a", "study/"),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, overseers_a=OK),
    ),
    Row(
        "route:home.BranchPage:study_export",
        _page("page_a", "study/export/"),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, overseers_a=OK),
    ),
    Row(
        "route:home.BranchPage:study_export@post",
        _page("page_a", "study/export/"),
        expect(anonymous=LOGIN, signed_in=NOT_FOUND, overseers_a=JOB),
        covers=("route:home.BranchPage:study_export",),
        method="post",
    ),
    Row("route:home.PolicyIndexPage:feed", _page("policies", "feed/"), PUBLIC),
    Row("route:home.NewsIndexPage:feed", _page("news_index", "feed/"), PUBLIC, secret=lambda w: w.private_news.title),
    Row("route:home.StudyIndexPage:progress", _page("studies", "progress/"), ACCOUNT_PAGE),
    # A form action, offered only to signed-in users: an anonymous POST is refused outright (403), and a
    # signed-in one records the study and returns to the page.
    Row(
        "route:home.StudyPage:mark_studied",
        _page("study", "studied/"),
        expect(anonymous=FORBIDDEN, signed_in=redirect("/")),
        method="post",
        data=lambda w: {"note": ""},
    ),
    Row("route:surveys.SurveyPage:index_route", _page("survey"), PUBLIC),
    # Results of a survey whose results are for its editors only.
    Row(
        "route:surveys.SurveyPage:results_route",
        _page("survey", "results/"),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, managers_a=OK),
    ),
    # The responses export is written by a background job: a POST starts it; a GET goes back to the results.
    Row(
        "route:surveys.SurveyPage:export_route",
        _page("survey", "export/responses/csv/"),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, managers_a=BACK_TO_RESULTS),
    ),
    Row(
        "route:surveys.SurveyPage:export_route@post",
        _page("survey", "export/responses/xlsx/"),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, managers_a=redirect("/jobs/")),
        covers=("route:surveys.SurveyPage:export_route",),
        method="post",
    ),
    Row(
        "route:surveys.SurveyPage:export_route@aggregates-xlsx",
        _page("survey", "export/aggregates/xlsx/"),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, managers_a=BACK_TO_RESULTS),
    ),
    Row(
        "route:surveys.SurveyPage:export_route@aggregates-xlsx-post",
        _page("survey", "export/aggregates/xlsx/"),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, managers_a=JOB),
        covers=("route:surveys.SurveyPage:export_route",),
        method="post",
    ),
    Row("route:surveys.SatisfactionSurveyPage:index_route", _page("satisfaction"), PUBLIC),
    # Closed, results public after close to its audience (branch A's members).
    Row(
        "route:surveys.SatisfactionSurveyPage:results_route",
        _page("satisfaction", "results/"),
        expect(anonymous=LOGIN, outsiders=FORBIDDEN, member_a=OK, managers_a=OK),
    ),
    Row(
        "route:surveys.SatisfactionSurveyPage:export_route",
        _page("satisfaction", "export/aggregates/csv/"),
        expect(anonymous=LOGIN, outsiders=FORBIDDEN, member_a=BACK_TO_RESULTS, managers_a=BACK_TO_RESULTS),
    ),
    Row(
        "route:surveys.SatisfactionSurveyPage:export_route@post",
        _page("satisfaction", "export/aggregates/csv/"),
        expect(anonymous=LOGIN, outsiders=FORBIDDEN, member_a=JOB, managers_a=JOB),
        covers=("route:surveys.SatisfactionSurveyPage:export_route",),
        method="post",
    ),
    # Individual responses are for editors only, even when the aggregates are public.
    Row(
        "route:surveys.SatisfactionSurveyPage:export_route@responses",
        _page("satisfaction", "export/responses/csv/"),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, managers_a=redirect("/jobs/")),
        covers=("route:surveys.SatisfactionSurveyPage:export_route",),
        method="post",
    ),
]


def _snippet(model: str, view: str, attr: str | None = None) -> Callable[[SimpleNamespace], str]:
    name = f"wagtailsnippets_{model.replace('.', '_')}:{view}"
    return lambda w: reverse(name, args=[getattr(w, attr).pk] if attr else [])


def _roster_b(w):
    return w.entry_b.pk


# Membership records (membership.rules): branch A's keepers (its secretary, the admins above, superusers)
# see its dossiers, transfers, mobile members and required study; dues only its secretary (and dues
# keepers) and each member their own; reliefs are decided by the level above.
KEEPERS_A = expect(anonymous=LOGIN, signed_in=FORBIDDEN, overseers_a=OK)
OWN_ROSTER_ENTRY = expect(anonymous=LOGIN, signed_in=FORBIDDEN, member_a=OK, member_b=OK)

MEMBERSHIP_ROWS = [
    Row("membership:index", _r("membership:index"), ACCOUNT_PAGE),
    Row("membership:dossier_create", _r("membership:dossier_create"), KEEPERS_A),
    Row("membership:dossier", _r("membership:dossier", _pk("dossier_a")), KEEPERS_A),
    Row(
        "membership:document_upload",
        _r("membership:document_upload", _pk("dossier_a")),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, overseers_a=redirect("/membership/recruitment/")),
        method="post",
        data=lambda w: {},
    ),
    Row(
        "membership:document@missing",
        lambda w: reverse("membership:document", args=[w.dossier_a.pk, MISSING]),
        # A paper nobody else may read is not found, like one that does not exist (membership/rules.py).
        expect(anonymous=LOGIN, signed_in=NOT_FOUND),
    ),
    Row("membership:transfers", _r("membership:transfers"), KEEPERS_A),
    Row("membership:transfer", _r("membership:transfer", _pk("transfer_a")), KEEPERS_A),
    Row(
        "membership:transfer_letter",
        _r("membership:transfer_letter", _pk("transfer_a")),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, overseers_a=OK),
    ),
    Row(
        "membership:transfer_letter@post",
        _r("membership:transfer_letter", _pk("transfer_a")),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, overseers_a=JOB),
        covers=("membership:transfer_letter",),
        method="post",
    ),
    Row("membership:mobile_list", _r("membership:mobile_list"), KEEPERS_A),
    Row("membership:mobile", _r("membership:mobile", _pk("mobile_a")), KEEPERS_A),
    Row(
        "membership:dues_index",
        _r("membership:dues_index"),
        expect(anonymous=LOGIN, signed_in=OK, secretary_a=redirect("/membership/dues/")),
    ),
    Row("membership:my_dues", _r("membership:my_dues"), OWN_ROSTER_ENTRY),
    Row(
        "membership:reliefs",
        _r("membership:reliefs"),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, org_admin=OK, superuser=OK),
    ),
    Row(
        "membership:dues",
        _r("membership:dues", lambda w: w.tree["branch_a"].pk),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, secretary_a=OK, superuser=OK),
    ),
    Row(
        "membership:dues_report",
        _r("membership:dues_report", lambda w: w.tree["branch_a"].pk),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, member_a=OK, overseers_a=OK),
    ),
    Row("membership:my_study", _r("membership:my_study"), OWN_ROSTER_ENTRY),
    Row("membership:branch_study", _r("membership:branch_study", lambda w: w.tree["branch_a"].pk), KEEPERS_A),
    Row(
        "membership:branch_study_xlsx",
        _r("membership:branch_study_xlsx", lambda w: w.tree["branch_a"].pk),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, overseers_a=OK),
    ),
    Row(
        "membership:branch_study_xlsx@post",
        _r("membership:branch_study_xlsx", lambda w: w.tree["branch_a"].pk),
        expect(anonymous=LOGIN, signed_in=FORBIDDEN, overseers_a=JOB),
        covers=("membership:branch_study_xlsx",),
        method="post",
    ),
    # Lists only what the user keeps or approves: empty for an editor.
    Row("membership_admin_dossiers", _r("membership_admin_dossiers"), ADMIN_STAFF),
]

# The admin: project views row by row; Wagtail's own views by a representative set per kind of permission
# (the rest under the reviewed rule in RULES).
ADMIN_ROWS = [
    Row("wagtailadmin_home", _r("wagtailadmin_home"), ADMIN_STAFF),
    Row("wagtailadmin_explore", _r("wagtailadmin_explore", _pk("page_a")), ADMIN_STAFF),
    Row(
        "wagtailadmin_explore@branch-b",
        _r("wagtailadmin_explore", _pk("page_b")),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=ADMIN_DENIED, org_admin=OK, superuser=OK),
    ),
    Row("wagtailadmin_pages:edit", _r("wagtailadmin_pages:edit", _pk("page_a")), ADMIN_STAFF),
    Row(
        "wagtailadmin_pages:edit@branch-b",
        _r("wagtailadmin_pages:edit", _pk("page_b")),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=ADMIN_DENIED, org_admin=OK, superuser=OK),
    ),
    Row(
        "wagtailadmin_pages:add_subpage@branch-b",
        _r("wagtailadmin_pages:add_subpage", _pk("page_b")),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=ADMIN_DENIED, org_admin=OK, superuser=OK),
    ),
    # Editors draft, secretaries publish, admins also delete.
    Row(
        "wagtailadmin_pages:unpublish",
        _r("wagtailadmin_pages:unpublish", _pk("news")),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=OK, editor_a=ADMIN_DENIED),
    ),
    # Wagtail lets whoever may publish a leaf page delete it: not the editor, who only drafts.
    Row(
        "wagtailadmin_pages:delete",
        _r("wagtailadmin_pages:delete", _pk("news")),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=OK, editor_a=ADMIN_DENIED),
    ),
    Row("wagtailusers_users:index", _r("wagtailusers_users:index"), ADMIN_SUPERUSER_ONLY),
    Row("wagtailusers_groups:index", _r("wagtailusers_groups:index"), ADMIN_SUPERUSER_ONLY),
    Row("wagtailsites:index", _r("wagtailsites:index"), ADMIN_SUPERUSER_ONLY),
    Row("wagtailadmin_workflows:index", _r("wagtailadmin_workflows:index"), ADMIN_SUPERUSER_ONLY),
    Row("wagtailadmin_collections:index", _r("wagtailadmin_collections:index"), ADMIN_SUPERUSER_ONLY),
    Row("wagtailredirects:index", _r("wagtailredirects:index"), ADMIN_SUPERUSER_ONLY),
    Row("wagtailimages:index", _r("wagtailimages:index"), ADMIN_STAFF),
    Row("wagtaildocs:index", _r("wagtaildocs:index"), ADMIN_STAFF),
    Row("wagtaildocs:edit", _r("wagtaildocs:edit", _pk("document")), ADMIN_SUPERUSER_ONLY),
    Row("wagtailadmin_account", _r("wagtailadmin_account"), ADMIN_STAFF),
    # The generic snippet index lists only the snippets without a menu of their own: the superuser's.
    Row("wagtailsnippets:index", _r("wagtailsnippets:index"), ADMIN_SUPERUSER_ONLY),
    # Our scoped snippet viewsets: objects outside one's organisations do not exist (404).
    Row("wagtailsnippets_organizations_rosterentry:list", _snippet("organizations.rosterentry", "list"), ADMIN_STAFF),
    Row(
        "wagtailsnippets_organizations_rosterentry:edit",
        _snippet("organizations.rosterentry", "edit", "entry_a"),
        ADMIN_STAFF,
    ),
    Row(
        "wagtailsnippets_organizations_rosterentry:edit@branch-b",
        _snippet("organizations.rosterentry", "edit", "entry_b"),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=NOT_FOUND, org_admin=OK, superuser=OK),
    ),
    Row(
        "wagtailsnippets_organizations_rosterentry:delete",
        _snippet("organizations.rosterentry", "delete", "entry_a"),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=OK, editor_a=ADMIN_DENIED),
    ),
    Row(
        "wagtailsnippetchoosers_organizations_rosterentry:choose",
        _r("wagtailsnippetchoosers_organizations_rosterentry:choose"),
        ADMIN_STAFF,
    ),
    Row(
        "wagtailsnippetchoosers_organizations_rosterentry:chosen@branch-b",
        lambda w: reverse("wagtailsnippetchoosers_organizations_rosterentry:chosen", args=[w.entry_b.pk]),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=NOT_FOUND, org_admin=OK, superuser=OK),
    ),
    Row(
        "wagtail_bulk_action@rosterentry-delete-branch-b",
        lambda w: (
            reverse("wagtail_bulk_action", args=["organizations", "rosterentry", "delete"]) + f"?id={w.entry_b.pk}"
        ),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=NOT_FOUND, org_admin=OK, superuser=OK),
    ),
    Row(
        "wagtailsnippets_organizations_organization:list",
        _snippet("organizations.organization", "list"),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=ADMIN_DENIED, org_admin=OK, superuser=OK),
    ),
    Row(
        "wagtailsnippets_organizations_organization:edit",
        lambda w: reverse("wagtailsnippets_organizations_organization:edit", args=[w.tree["branch_b"].pk]),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=NOT_FOUND, org_admin=OK, superuser=OK),
    ),
    Row(
        "wagtailsnippets_organizations_grid:edit",
        lambda w: reverse("wagtailsnippets_organizations_grid:edit", args=[w.tree["grid"].pk]),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=NOT_FOUND, org_admin=OK, superuser=OK),
    ),
    # Issue 13 H2: which section an organisation owns. Pointing branch A at the home page (the street's section)
    # is refused to everyone: the form comes back with the error (200) instead of saving (302).
    Row(
        "wagtailsnippets_organizations_organization:edit@section-to-home",
        lambda w: reverse("wagtailsnippets_organizations_organization:edit", args=[w.tree["branch_a"].pk]),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=NOT_FOUND, org_admin=FORM_REFUSED, superuser=FORM_REFUSED),
        method="post",
        data=lambda w: {
            "name": w.tree["branch_a"].name,
            "code": w.tree["branch_a"].code,
            "kind": w.tree["branch_a"].kind,
            "page": w.home.pk,
        },
    ),
    # Issue 13 L2: the choosers offer only one's own organisations' records.
    Row(
        "wagtailsnippetchoosers_organizations_organization:chosen@branch-b",
        lambda w: reverse("wagtailsnippetchoosers_organizations_organization:chosen", args=[w.tree["branch_b"].pk]),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=NOT_FOUND, org_admin=OK, superuser=OK),
    ),
    Row(
        "wagtailsnippetchoosers_organizations_grid:chosen",
        lambda w: reverse("wagtailsnippetchoosers_organizations_grid:chosen", args=[w.tree["grid"].pk]),
        ADMIN_STAFF,
    ),
    Row(
        "wagtailsnippetchoosers_home_meetingrecord:chosen@branch-b",
        lambda w: reverse("wagtailsnippetchoosers_home_meetingrecord:chosen", args=[w.meeting_b.pk]),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=NOT_FOUND, org_admin=OK, superuser=OK),
    ),
    Row("wagtailsnippets_home_meetingrecord:list", _snippet("home.meetingrecord", "list"), ADMIN_STAFF),
    Row("wagtailsnippets_home_meetingrecord:edit", _snippet("home.meetingrecord", "edit", "meeting_a"), ADMIN_STAFF),
    Row(
        "wagtailsnippets_home_meetingrecord:edit@branch-b",
        _snippet("home.meetingrecord", "edit", "meeting_b"),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=NOT_FOUND, org_admin=OK, superuser=OK),
    ),
    Row(
        "wagtailsnippets_home_meetingrecord:inspect",
        _snippet("home.meetingrecord", "inspect", "meeting_a"),
        ADMIN_STAFF,
    ),
    # A meeting scheduled on the site (orglife) is only read in home's admin: edit and delete lead to its
    # read-only view, whose notice links to the meeting's own page.
    Row(
        "wagtailsnippets_home_meetingrecord:edit@tracked",
        _snippet("home.meetingrecord", "edit", "orglife_a"),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=redirect("/admin/snippets/home/meetingrecord/inspect/")),
    ),
    Row(
        "wagtailsnippets_home_meetingrecord:delete",
        _snippet("home.meetingrecord", "delete", "orglife_a"),
        expect(
            non_staff=NO_ADMIN,
            anonymous=LOGIN,
            staff=redirect("/admin/snippets/home/meetingrecord/inspect/"),
            editor_a=ADMIN_DENIED,  # editors keep records but do not delete them
        ),
    ),
    # Review keywords of all organisations and residents' addresses are the site admins' alone.
    Row("wagtailsnippets_consultation_keyword:list", _snippet("consultation.keyword", "list"), ADMIN_SUPERUSER_ONLY),
    Row(
        "wagtailsnippets_organizations_residence:list",
        _snippet("organizations.residence", "list"),
        ADMIN_SUPERUSER_ONLY,
    ),
    Row(
        "wagtailsnippets_organizations_residence:edit",
        _snippet("organizations.residence", "edit", "residence"),
        ADMIN_SUPERUSER_ONLY,
    ),
    # Project admin views.
    Row("organizations_roster_import", _r("organizations_roster_import"), ADMIN_STAFF),
    Row(
        "organizations_roster_export",
        _r("organizations_roster_export", _code("branch_a")),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=XLSX),
    ),
    Row(
        "organizations_roster_export@branch-b",
        _r("organizations_roster_export", _code("branch_b")),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=NOT_FOUND, org_admin=XLSX, superuser=XLSX),
    ),
    Row(
        "surveys_invitations",
        _r("surveys_invitations", _pk("survey")),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=OK),
    ),
    Row(
        "surveys_invitations@branch-b",
        _r("surveys_invitations", _pk("survey_b")),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=ADMIN_DENIED, org_admin=OK, superuser=OK),
    ),
    Row(
        "surveys_invitations_revoke",
        _r("surveys_invitations_revoke", _pk("survey")),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=redirect("/admin/surveys/")),
        method="post",
        data=lambda w: {},
    ),
    # Revoking one code by an id that is not a code of this survey (issue 13 L4): not found, never a 500.
    Row(
        "surveys_invitations_revoke@not-a-number",
        _r("surveys_invitations_revoke", _pk("survey")),
        expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=NOT_FOUND),
        method="post",
        data=lambda w: {"invitation": "abc"},
    ),
    Row(
        "surveys_invitations_revoke@branch-b",
        _r("surveys_invitations_revoke", _pk("survey_b")),
        expect(
            non_staff=NO_ADMIN,
            anonymous=LOGIN,
            staff=ADMIN_DENIED,
            org_admin=redirect("/admin/surveys/"),
            superuser=redirect("/admin/surveys/"),
        ),
        method="post",
        data=lambda w: {},
    ),
    Row("evaluation_admin_campaigns", _r("evaluation_admin_campaigns"), ADMIN_STAFF),
    # Admin views that need no admin access: the login is allauth's, Wagtail's password reset is switched off
    # (allauth's, rate-limited, is the one way), the icon sprite and the translation catalogue are static.
    # Our allauth login is mounted first at admin/login/; Wagtail's own pattern there is never reached.
    Row("wagtailadmin_login", lambda w: "/admin/login/", expect(anonymous=OK, signed_in=redirect("/"))),
    Row("wagtailadmin_password_reset", _r("wagtailadmin_password_reset"), expect(everyone=NOT_FOUND)),
    Row("wagtailadmin_password_reset_done", _r("wagtailadmin_password_reset_done"), expect(everyone=NOT_FOUND)),
    Row(
        "wagtailadmin_password_reset_confirm",
        lambda w: reverse("wagtailadmin_password_reset_confirm", args=["MQ", "x"]),
        expect(everyone=NOT_FOUND),
    ),
    Row("wagtailadmin_password_reset_complete", _r("wagtailadmin_password_reset_complete"), expect(everyone=NOT_FOUND)),
    Row("wagtailadmin_sprite", _r("wagtailadmin_sprite"), PUBLIC),
    Row("wagtailadmin_javascript_catalog", _r("wagtailadmin_javascript_catalog"), PUBLIC),
    Row("admin/test404/", lambda w: "/admin/test404/", expect(non_staff=NO_ADMIN, anonymous=LOGIN, staff=OK)),
    # Unknown admin paths: the admin's login first, then its 404 page.
    Row(
        "admin/^.*/$",
        lambda w: "/admin/no-such-view/",
        expect(non_staff=NO_ADMIN, anonymous=redirect("/admin/login/?next="), staff=NOT_FOUND),
    ),
]

ROWS = (
    SITE_ROWS
    + ACCOUNT_ROWS
    + JOB_ROWS
    + CONSULTATION_ROWS
    + EVALUATION_ROWS
    + ORGLIFE_ROWS
    + MEMBERSHIP_ROWS
    + SURVEY_ROWS
    + APPEAL_ROWS
    + ACCOUNTABILITY_ROWS
    + PAGE_ROWS
    + ADMIN_ROWS
)


# --- reviewed rules ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Patterns covered together: each one is still requested, for the roles the rule states."""

    name: str
    reason: str
    applies: Callable[[str, object], bool]
    expect: dict[str, Outcome] = field(default_factory=dict)


PROJECT_APPS = (
    "accounts",
    "organizations",
    "home",
    "consultation",
    "surveys",
    "appeals",
    "evaluation",
    "search",
    "config",
)
# Wagtail admin patterns that do not go through require_admin_access; each has its own row above.
UNGUARDED_ADMIN = {"wagtailadmin_login", "wagtailadmin_sprite", "wagtailadmin_javascript_catalog"}


def _wagtail_admin_view(route: str, pattern) -> bool:
    if not route.startswith("admin/") or route.startswith("admin/password_reset/") or route == "admin/^.*/$":
        return False
    if (pattern.name or "") in UNGUARDED_ADMIN:
        return False
    module = getattr(pattern.callback, "__module__", "")
    # Our snippet viewsets subclass Wagtail's views (organizations.wagtail_hooks, and an app's wagtail_hooks
    # where it narrows them further); other project views need rows.
    return module.startswith("wagtail.") or (
        route.startswith("admin/snippets/")
        and (module.startswith("organizations") or module.endswith(".wagtail_hooks"))
    )


RULES = [
    Rule(
        "wagtail-admin",
        "Every Wagtail admin view (and our snippet viewsets built on them) sits behind require_admin_access: "
        "without wagtailadmin.access_admin one is sent to the login page. Checked on every such pattern for the "
        "four roles without admin access (signed in, they get a 403 page instead: config.middleware."
        "AdminAccessMiddleware). Staff roles are confined by Wagtail's permission policies and ours "
        "(organizations.permissions); representative rows above cover each kind of permission.",
        _wagtail_admin_view,
        {"anonymous": LOGIN, "resident": NO_ADMIN, "member_a": NO_ADMIN, "member_b": NO_ADMIN},
    ),
]


# --- enumeration ------------------------------------------------------------------------------------------


def url_patterns() -> list[tuple[str, URLPattern]]:
    """Every URL pattern of the project, with its full route."""

    def walk(patterns, prefix: str, namespace: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace])) if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            else:
                pattern.full_name = ":".join(filter(None, [namespace, pattern.name])) if pattern.name else ""
                yield prefix + str(pattern.pattern), pattern

    return list(walk(get_resolver().url_patterns, "", ""))


def example_path(route: str) -> str:
    """A path that the route matches, with 1 for every argument."""
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    path = re.sub(r"<(?:\w+:)?\w+>", "1", path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\.", ".")


def page_keys() -> set[str]:
    keys = set()
    for model in get_page_models():
        if model._meta.label == "wagtailcore.Page":
            continue
        keys.add(f"page:{model._meta.label}")
        if issubclass(model, RoutablePageMixin):
            keys |= {f"route:{model._meta.label}:{p.name}" for p in model.get_subpage_urls()}
    return keys


ROW_KEYS = {key for row in ROWS for key in row.covered()}
# A page's row is also the row of its routable index (RoutablePageMixin serves the page there).
INDEX_KEYS = {f"route:{key.removeprefix('page:')}:index_route" for key in ROW_KEYS if key.startswith("page:")}

CELLS = [pytest.param(row, role, id=f"{row.id}-{role}") for row in ROWS for role in ROLES]
RULE_CELLS = [
    pytest.param(rule, route, role, id=f"{rule.name}:{pattern.full_name or route}:{route}-{role}")
    for route, pattern in url_patterns()
    for rule in RULES
    if rule.applies(route, pattern)
    for role in rule.expect
]
checked = {"cells": 0}


# --- the world ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, request):
    media = tempfile.TemporaryDirectory(prefix="gongzhi-matrix-")
    private = f"{media.name}/private"
    with override_settings(MEDIA_ROOT=media.name, PRIVATE_ROOT=private), django_db_blocker.unblock():
        with transaction.atomic():
            built = build_world(media.name)
            request.config.pluginmanager.register(_Summary(), "permission-matrix-summary")
            yield built
            transaction.set_rollback(True)
    media.cleanup()


@pytest.fixture(scope="module")
def matrix_client():
    """One client for every cell: each new client loads the middleware again (WhiteNoise scans the static files)."""
    return Client()


def _as(client: Client, user) -> Client:
    client.cookies.clear()  # the previous cell's session was rolled back with its savepoint
    if user is not None:
        client.force_login(user)
    return client


class _Summary:
    def pytest_terminal_summary(self, terminalreporter):
        terminalreporter.write_line(f"permission matrix: {checked['cells']} cells checked")


def _request(client: Client, row: Row, world):
    url = row.url(world)
    headers = {"HTTP_ACCEPT": "application/json"} if row.ajax else {}
    if row.method == "post":
        return client.post(url, row.data(world) if row.data else {}, **headers)
    return client.get(url, **headers)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


# --- the matrix ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("row", "role"), CELLS)
def test_permission(row: Row, role: str, world, matrix_client, db):
    client = _as(matrix_client, world.users[role])
    response = _request(client, row, world)
    expected = row.expect[role]
    body = _body(response)
    assert expected.check(response) is None, f"{row.id} as {role}: expected {expected}, got {expected.check(response)}"
    if row.secret is not None and role in row.secret_from:
        assert row.secret(world) not in body, f"{row.id} shows {role} what they may not see"
    checked["cells"] += 1


@pytest.mark.parametrize(("rule", "route", "role"), RULE_CELLS)
def test_permission_by_rule(rule: Rule, route: str, role: str, world, matrix_client, db):
    client = _as(matrix_client, world.users[role])
    path = example_path(route)
    # Django drops a regex's leading "^" from the route it reports.
    assert resolve(path).route == route.replace("^", ""), f"{path} does not reach {route}"
    response = client.get(path)
    expected = rule.expect[role]
    assert expected.check(response) is None, f"{path} as {role}: expected {expected}, got {expected.check(response)}"
    checked["cells"] += 1


# --- completeness -------------------------------------------------------------------------------------------


def test_every_url_pattern_has_a_row_or_a_reviewed_rule():
    uncovered = [
        f"{route} ({pattern.full_name or 'unnamed'})"
        for route, pattern in url_patterns()
        if pattern.full_name not in ROW_KEYS
        and route not in ROW_KEYS
        and not any(rule.applies(route, pattern) for rule in RULES)
    ]
    assert not uncovered, "URL patterns missing from the permission matrix:\n" + "\n".join(uncovered)


def test_every_row_names_a_url_pattern_or_page_that_exists():
    known = {p.full_name for _route, p in url_patterns()} | {route for route, _p in url_patterns()} | page_keys()
    assert ROW_KEYS - known == set()


def test_every_page_type_and_page_route_has_a_row():
    assert page_keys() - ROW_KEYS - INDEX_KEYS == set()


def test_the_rule_covers_only_wagtail_views_and_our_snippet_viewsets():
    """A project view added under /admin/ needs its own row: the rule must not swallow it."""
    swallowed = [
        route
        for route, pattern in url_patterns()
        if RULES[0].applies(route, pattern)
        and getattr(pattern.callback, "__module__", "").split(".")[0] in PROJECT_APPS
        and not route.startswith("admin/snippets/")
    ]
    assert swallowed == []


# --- WebSocket routes ----------------------------------------------------------------------------------------

ACCEPTED = "accepted"


def _rejected(code: int) -> str:
    return f"rejected ({code})"


@dataclass(frozen=True)
class SocketRow:
    id: str
    route: str
    path: Callable[[SimpleNamespace], str]
    expect: dict[str, str]


SOCKET_ROWS = [
    SocketRow("ping", "ws/ping/", lambda w: "/ws/ping/", dict.fromkeys(ROLES, ACCEPTED)),
    SocketRow(
        "consultation@public",
        "ws/consultations/<int:page_id>/",
        lambda w: f"/ws/consultations/{w.public.pk}/",
        {"anonymous": _rejected(4401), **dict.fromkeys(ROLES[1:], ACCEPTED)},
    ),
    SocketRow(
        "consultation@members-only",
        "ws/consultations/<int:page_id>/",
        lambda w: f"/ws/consultations/{w.members.pk}/",
        {
            "anonymous": _rejected(4401),
            "resident": _rejected(4403),
            "member_b": _rejected(4403),
            "member_a": ACCEPTED,
            **dict.fromkeys(GROUPS["managers_a"], ACCEPTED),
        },
    ),
]
SOCKET_ROWS.append(
    SocketRow(
        "appeals@handlers",
        "ws/appeals/",
        lambda w: "/ws/appeals/",
        {
            "anonymous": _rejected(4401),
            "resident": _rejected(4403),
            "member_a": _rejected(4403),
            "member_b": _rejected(4403),
            **dict.fromkeys(GROUPS["staff"], ACCEPTED),
        },
    )
)
SOCKET_CELLS = [pytest.param(row, role, id=f"ws:{row.id}-{role}") for row in SOCKET_ROWS for role in ROLES]


def websocket_routes() -> set[str]:
    from config.routing import websocket_urlpatterns

    return {str(pattern.pattern) for pattern in websocket_urlpatterns}


def test_every_websocket_route_has_a_row():
    assert websocket_routes() - {row.route for row in SOCKET_ROWS} == set()


async def _connect(path: str, cookie: str | None):
    from config.asgi import application

    headers = [(b"origin", b"http://testserver")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    if connected:
        await communicator.disconnect()
        return ACCEPTED
    return _rejected(code)


@pytest.mark.parametrize(("row", "role"), SOCKET_CELLS)
def test_websocket_permission(row: SocketRow, role: str, world, matrix_client, db, monkeypatch):
    # Channels closes "old" connections around every database call; inside this module's transaction that
    # would close the connection that holds the world. Django's test client skips the same signal handler.
    import channels.consumer
    import channels.db

    async def _noop():
        return None

    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)
    monkeypatch.setattr(channels.consumer, "aclose_old_connections", _noop)
    client = _as(matrix_client, world.users[role])
    cookie = f"sessionid={client.cookies['sessionid'].value}" if "sessionid" in client.cookies else None
    # async_to_sync runs the consumer's database work back on this thread, in this test's transaction.
    outcome = async_to_sync(_connect)(row.path(world), cookie)
    assert outcome == row.expect[role], f"{row.id} as {role}: expected {row.expect[role]}, got {outcome}"
    checked["cells"] += 1
