"""One world for the permission matrix: every URL with arguments resolves to a real object in it.

street ─ community ─┬─ branch A (editor_a, secretary_a, member_a, four more members who voted)
                    └─ branch B (member_b, two more members who voted)
org_admin administers the street; superuser is a Django superuser; resident holds no role.

Content: policy, study and news pages (one news item is private: signed-in users only), consultations
(open to everyone; for branch A's members at three stages), a survey with responses, a closed
satisfaction survey for branch A's members, appraisals of branch A and B with secret ballots cast and
the notice published, meeting records, review keywords, a residence and a public document; branch A's
membership records (a dossier, a transfer to branch B, a mobile member).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wagtail.documents.models import Document
from wagtail.models import Page, PageViewRestriction, Site

from accountability.models import (
    Assessment,
    Evidence,
    Indicator,
    IndicatorScheme,
    Problem,
    ProblemProposal,
    SupervisionNotice,
    Task,
)
from accounts.factories import UserFactory
from appeals import handling
from appeals.factories import make_category, make_duty
from appeals.models import Category
from consultation.factories import make_consultation
from consultation.models import Audience, Keyword, Post, Stage, Statement
from evaluation import voting
from evaluation.factories import AppraisalCampaignFactory
from evaluation.models import Stage as AppraisalStage
from home import factories as content
from home.models import BranchPage, HomePage, MeetingRecord
from organizations import roles
from organizations.factories import GridFactory, OrganizationFactory, RosterEntryFactory
from organizations.models import Organization, Residence
from orglife import factories as orglife_factories
from orglife.models import MinutesAttachment
from surveys.factories import add_responses, qid, satisfaction_page, survey_page
from surveys.models import SurveyPage

ROLES = ("anonymous", "resident", "member_a", "member_b", "editor_a", "secretary_a", "org_admin", "superuser")
PRIVATE_NEWS_TITLE = "仅限登录用户的内部通知"


def _tree(home: HomePage) -> dict:
    street = OrganizationFactory(name="矩阵街道党工委", code="mx-street", kind=Organization.Kind.STREET)
    community = OrganizationFactory(
        parent=street, name="矩阵社区党委", code="mx-community", kind=Organization.Kind.COMMUNITY
    )
    branch_a = OrganizationFactory(parent=community, name="矩阵第一党支部", code="mx-branch-a")
    branch_b = OrganizationFactory(parent=community, name="矩阵第二党支部", code="mx-branch-b")
    street.page = home
    street.save()
    for organization, parent_page in ((community, home), (branch_a, None), (branch_b, None)):
        parent_page = parent_page or community.page
        organization.page = parent_page.add_child(
            instance=BranchPage(title=organization.name, slug=organization.code, organization=organization)
        )
        organization.save()
    grid = GridFactory(community=community, name="矩阵第一网格", code="mx-grid-1")
    return {"street": street, "community": community, "branch_a": branch_a, "branch_b": branch_b, "grid": grid}


def _member(branch, name: str, number: str, grid=None, **user):
    person = UserFactory(display_name=name, **user)
    entry = RosterEntryFactory(branch=branch, user=person, name=name, member_no=number, grid=grid)
    return person, entry


def _with_role(organization, role, name: str):
    person = UserFactory(display_name=name)
    roles.grant(person, organization, role)
    return person


def _closed_appraisal(branch, voters, secretary):
    """An appraisal whose ballots were cast by `voters` and whose notice is published."""
    campaign = AppraisalCampaignFactory(branch=branch, masses_enabled=True)
    campaign.enrol_members()
    campaign.move_to(AppraisalStage.BALLOTING, secretary)
    for voter in voters:
        rows = voting.ballot_rows(campaign, voter=voter)
        voting.cast_member_ballot(campaign, voter, {row.pk: voting.Choice("competent") for row in rows})
    campaign.move_to(AppraisalStage.NOTICE, secretary)
    return campaign


APPEAL_NOTE = "矩阵内部备注：已电话联系"
PRIVATE_APPEAL_TEXT = "矩阵独居老人需要帮助"


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 20, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


def build_world(media_root: str) -> SimpleNamespace:
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="矩阵街道", slug="matrix-home"))
    Site.objects.update_or_create(is_default_site=True, defaults={"root_page": home, "hostname": "localhost"})
    tree = _tree(home)
    branch_a, branch_b, grid = tree["branch_a"], tree["branch_b"], tree["grid"]
    page_a = BranchPage.objects.get(pk=branch_a.page_id)
    page_b = BranchPage.objects.get(pk=branch_b.page_id)

    member_a, entry_a = _member(branch_a, "党员甲", "A01", grid=grid)
    member_b, entry_b = _member(branch_b, "党员乙", "B01")
    voters_a = [_member(branch_a, f"甲支部党员{i}", f"A1{i}")[0] for i in range(4)]
    voters_b = [_member(branch_b, f"乙支部党员{i}", f"B1{i}")[0] for i in range(2)]
    users = {
        "anonymous": None,
        "resident": UserFactory(display_name="居民"),
        "member_a": member_a,
        "member_b": member_b,
        "editor_a": _with_role(branch_a, roles.Role.EDITOR, "编辑甲"),
        "secretary_a": _with_role(branch_a, roles.Role.SECRETARY, "书记甲"),
        "org_admin": _with_role(tree["street"], roles.Role.ADMIN, "街道管理员"),
        "superuser": UserFactory(display_name="超级管理员", is_superuser=True, is_staff=True),
    }
    secretary_b = _with_role(branch_b, roles.Role.SECRETARY, "书记乙")

    # Content pages.
    policies = content.policy_index(home)
    policy = content.policy(policies, body="社区治理")
    studies = content.study_index(home)
    study = content.study(studies, branches=[branch_a])
    news_index = content.news_index(page_a)
    news = content.news(news_index)
    private_news = content.news(news_index, title=PRIVATE_NEWS_TITLE)
    PageViewRestriction.objects.create(page=private_news, restriction_type=PageViewRestriction.LOGIN)

    # Consultations: one open to everyone, and branch A's members-only ones at three stages.
    public = make_consultation(page_a, opinion_map_enabled=True, title="公开议题")
    members = make_consultation(
        page_a,
        opinion_map_enabled=True,
        audience=Audience.BRANCHES,
        eligible_organizations=[branch_a],
        title="支部内部议题",
    )
    voting_stage = make_consultation(
        page_a,
        stage=Stage.VOTING,
        options=["同意", "反对"],
        audience=Audience.BRANCHES,
        eligible_organizations=[branch_a],
        title="支部表决议题",
    )
    rating_stage = make_consultation(
        page_a, stage=Stage.RATING, audience=Audience.BRANCHES, eligible_organizations=[branch_a], title="评议议题"
    )
    public_post = Post.objects.create(consultation=public, author=users["resident"], body="建议增加健身器材。")
    members_post = Post.objects.create(consultation=members, author=member_a, body="支部内部意见。")
    public_statement = Statement.objects.create(consultation=public, text="应该加装电梯", approved=True)
    members_statement = Statement.objects.create(consultation=members, text="支部内部观点", approved=True)

    # Surveys: branch A's general survey (results for editors only) with responses, and a closed
    # satisfaction survey for branch A's members whose results they may see after it closed.
    survey = survey_page(page_a, title="矩阵问卷")
    survey_b = survey_page(page_b, title="乙支部问卷")
    add_responses(survey, [{qid(survey, 0): "30岁以下"}, {qid(survey, 0): "60岁及以上"}])
    now = timezone.now()
    satisfaction = satisfaction_page(
        page_a,
        title="矩阵满意度测评",
        target_organization=branch_a,
        audience=SurveyPage.Audience.ORGANIZATIONS,
        results_visibility=SurveyPage.ResultsVisibility.PUBLIC_AFTER_CLOSE,
        opens_at=now - dt.timedelta(days=10),
        closes_at=now - dt.timedelta(days=1),
    )
    satisfaction.audience_organizations.set([branch_a])
    satisfaction.save()

    campaign_a = _closed_appraisal(branch_a, [member_a, *voters_a], users["secretary_a"])
    campaign_b = _closed_appraisal(branch_b, [member_b, *voters_b], secretary_b)

    meeting_a = MeetingRecord.objects.create(
        branch=branch_a, kind="general_meeting", date=dt.date.today(), topic="学习"
    )
    meeting_b = MeetingRecord.objects.create(
        branch=branch_b, kind="general_meeting", date=dt.date.today(), topic="学习"
    )
    # Organisational life: a 主题党日 of each branch running now (the roster invited), minutes with an attachment.
    orglife_a = orglife_factories.meeting(
        branch_a, starts_at=timezone.now() - dt.timedelta(minutes=10), user=users["secretary_a"], notify=False
    )
    orglife_b = orglife_factories.meeting(
        branch_b, starts_at=timezone.now() - dt.timedelta(minutes=10), user=secretary_b, notify=False
    )
    minutes_file = MinutesAttachment(meeting=orglife_a, name="签到表.pdf")
    minutes_file.file.save("matrix-minutes.pdf", ContentFile(b"%PDF-1.4"), save=True)
    keyword = Keyword.objects.create(organization=branch_a, word="敏感词")
    residence = Residence.objects.create(user=users["resident"], grid=grid)
    # Residents' requests: the resident's public one (with a photo and an internal note) and a private one,
    # in branch A's grid.
    make_duty(grid, branch=branch_a)
    photo = SimpleUploadedFile("p.jpg", _jpeg(), content_type="image/jpeg")
    appeal = handling.report(
        users["resident"], category=make_category("路灯照明"), grid=grid, description="矩阵路灯不亮", uploads=[photo]
    )
    handling.reply(appeal, users["org_admin"], APPEAL_NOTE, public=False)
    private_appeal = handling.report(
        users["resident"],
        category=make_category("邻里求助", visibility=Category.Visibility.PRIVATE),
        grid=grid,
        description=PRIVATE_APPEAL_TEXT,
    )
    document = Document(title="公开附件")
    document.file.save("matrix-public.txt", ContentFile(b"public attachment"), save=False)
    document.save()

    # Lists and assessment (issue 15): branch A's and B's tasks, a problem reported rectified with a notice
    # on it, a proposed problem, and the street's scheme in scoring with branch A's assessment.
    due = dt.date.today() + dt.timedelta(days=30)
    task_a = Task.objects.create(organization=branch_a, title="整理党员档案", owner="书记甲", due_on=due)
    task_b = Task.objects.create(organization=branch_b, title="乙支部任务", owner="书记乙", due_on=due)
    problem_a = Problem.objects.create(
        organization=branch_a,
        title="活动室关闭",
        measures="按时开放",
        owner="组织委员",
        deadline=due,
        status="rectified",
    )
    notice_a = SupervisionNotice.objects.create(
        issuer=tree["community"], organization=branch_a, task=task_a, text="请说明进度", reply_due=due
    )
    proposal_a = ProblemProposal.objects.create(
        organization=branch_a, year=due.year, rule="cadence", key="matrix", title="三会一课未达标", description="—"
    )
    scheme = IndicatorScheme.objects.create(
        organization=tree["street"], year=due.year, title="矩阵年度考核", status=IndicatorScheme.Status.SCORING
    )
    Indicator.objects.create(scheme=scheme, name="任务按时完成", source="tasks", weight=10)
    assessment_a = Assessment.objects.create(scheme=scheme, organization=branch_a, total=80)
    assessment_a.report_file.save("matrix-report.txt", ContentFile(b"private report"), save=True)
    evidence_a = Evidence(task=task_a, note="签到表")
    evidence_a.file.save("matrix-evidence.txt", ContentFile(b"private evidence"), save=False)
    evidence_a.save()

    return SimpleNamespace(
        task_a=task_a,
        task_b=task_b,
        problem_a=problem_a,
        notice_a=notice_a,
        proposal_a=proposal_a,
        scheme=scheme,
        assessment_a=assessment_a,
        evidence_a=evidence_a,
        appeal=appeal,
        appeal_photo=appeal.photos.get(),
        private_appeal=private_appeal,
        users=users,
        tree=tree,
        home=home,
        page_a=page_a,
        page_b=page_b,
        entry_a=entry_a,
        entry_b=entry_b,
        policies=policies,
        policy=policy,
        studies=studies,
        study=study,
        news_index=news_index,
        news=news,
        private_news=private_news,
        public=public,
        members=members,
        voting_stage=voting_stage,
        rating_stage=rating_stage,
        public_post=public_post,
        members_post=members_post,
        public_statement=public_statement,
        members_statement=members_statement,
        survey=survey,
        survey_b=survey_b,
        satisfaction=satisfaction,
        campaign_a=campaign_a,
        campaign_b=campaign_b,
        meeting_a=meeting_a,
        meeting_b=meeting_b,
        orglife_a=orglife_a,
        orglife_b=orglife_b,
        minutes_file=minutes_file,
        keyword=keyword,
        residence=residence,
        document=document,
        **_membership(branch_a, branch_b),
    )


def _membership(branch_a, branch_b) -> dict:
    """Branch A's membership records: an open dossier, a transfer to branch B under way, a mobile member."""
    from membership import transfers
    from membership.factories import open_dossier
    from membership.models import MobileDirection, MobileRecord

    mover = RosterEntryFactory(branch=branch_a, name="矩阵调动党员", member_no="A90")
    away = RosterEntryFactory(branch=branch_a, name="矩阵流动党员", member_no="A91")
    return {
        "dossier_a": open_dossier(branch_a, "矩阵申请人", dt.date(2026, 1, 5)),
        "transfer_a": transfers.request_transfer(mover, None, to_branch=branch_b),
        "mobile_a": MobileRecord.objects.create(
            branch=branch_a, direction=MobileDirection.OUTFLOW, entry=away, name=away.name, place="深圳", contact="138"
        ),
    }
