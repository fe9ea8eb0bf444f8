"""Content pages: home, organisation sections, policies, study material, news; study and meeting records."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from modelcluster.fields import ParentalManyToManyField
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from core import cache as page_cache
from core import chinese, params
from core.blocks import AttachmentsBlock, BodyBlock
from core.pages import BasePage, CachedPageMixin, public_filter
from organizations import roles
from organizations.models import Organization

LATEST_COUNT = 5
PER_PAGE = 20


def _optional_model(label: str):
    """A model of a higher-floor app, or None while that app does not define it (no import)."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def home_panels(request) -> list[dict]:
    """Per-user panels that higher-floor apps contribute through the `gongzhi_home_panels` hook.

    Each hook returns None or {"key", "heading", "items": [{"title", "url", "meta"}]}; home imports
    none of those apps. Anonymous visitors get no panels, so their cached page stays the same.
    """
    if not request.user.is_authenticated:
        return []
    return [panel for hook in hooks.get_hooks("gongzhi_home_panels") if (panel := hook(request))]


def open_now(model, pages, now=None):
    """The pages whose window (`opens_at`, `closes_at`; either may be empty) includes now.

    "Open surveys" on the home page lists no survey that has closed or not yet opened. A model
    without these fields is returned unchanged.
    """
    names = {field.name for field in model._meta.get_fields()}
    if not {"opens_at", "closes_at"} <= names:
        return pages
    now = now or timezone.now()
    return pages.filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now)).filter(
        Q(closes_at__isnull=True) | Q(closes_at__gt=now)
    )


def _claims_path(page, components) -> bool:
    """Whether a live routable page answers these path components with one of its own routes."""
    cls = page.specific_class
    if not page.live or cls is None or not issubclass(cls, RoutablePageMixin):
        return False
    try:
        cls.get_resolver().resolve("/" + "/".join(components) + "/")
    except Http404:
        return False
    return True


class HomePage(CachedPageMixin, RoutablePageMixin, BasePage):
    """The front page of a street's Gongzhi site."""

    intro = models.CharField(_("introduction"), max_length=250, blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = BasePage.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "home.BranchPage",
        "home.PolicyIndexPage",
        "home.StudyIndexPage",
        "home.NewsIndexPage",
        # Higher-floor apps, named as strings (no import).
        "consultation.ConsultationPage",
        "surveys.SurveyPage",
        "surveys.SatisfactionSurveyPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Wagtail's .public() reads the view restrictions once per list; read them once for all lists.
        public = public_filter()
        context["sections"] = BranchPage.objects.child_of(self).live().filter(public).specific()
        context["latest_policies"] = (
            PolicyPage.objects.live().filter(public).descendant_of(self).order_by("-issued_on")[:LATEST_COUNT]
        )
        context["latest_study"] = (
            StudyPage.objects.live().filter(public).descendant_of(self).order_by("-first_published_at")[:LATEST_COUNT]
        )
        context["latest_news"] = (
            NewsPage.objects.live().filter(public).descendant_of(self).order_by("-date")[:LATEST_COUNT]
        )
        context["featured"] = self.featured_sections(public)
        # Lazy: read only when the cached lists are rendered again, for the "my study progress" link.
        context["study_indexes"] = StudyIndexPage.objects.live().filter(public).descendant_of(self).order_by("path")[:1]
        context["panels"] = home_panels(request)
        context["cache_generation"] = page_cache.generation()
        return context

    def featured_sections(self, public: Q | None = None) -> list[dict]:
        """Consultations, surveys and appraisals, read from the page tree (those apps are higher floors)."""
        public = public_filter() if public is None else public
        sections = []
        for label, heading in (
            ("consultation.ConsultationPage", _("Consultations")),
            ("surveys.SurveyPage", _("Open surveys")),
        ):
            model = _optional_model(label)
            if model is None:
                continue
            pages = model.objects.live().filter(public).descendant_of(self).order_by("-first_published_at")
            # Contract with those apps: an optional classmethod narrows the list (e.g. open ones only);
            # without it, pages with an opening window (opens_at / closes_at) are listed only while open.
            if hasattr(model, "featured_on_home"):
                pages = model.featured_on_home(pages)
            else:
                pages = open_now(model, pages)
            sections.append({"heading": heading, "pages": pages[:LATEST_COUNT], "key": label.split(".")[0]})
        return sections

    def route(self, request, path_components):
        """Wagtail's routing, with one query for the whole path instead of one or two per level.

        Same rules: a live routable page on the way answers a path its own routes match before any
        child page is looked at; the page found then routes what is left (404 if it cannot).
        """
        if not path_components:
            return super().route(request, path_components)
        paths = [
            self.url_path + "".join(f"{c}/" for c in path_components[: i + 1]) for i in range(len(path_components))
        ]
        on_the_way = {page.url_path: page for page in Page.objects.filter(url_path__in=paths)}
        current, consumed = self, 0
        while consumed < len(path_components):
            if _claims_path(current, path_components[consumed:]):
                break
            following = on_the_way.get(paths[consumed])
            if following is None:
                break
            current, consumed = following, consumed + 1
        if current is self:
            return super().route(request, path_components)
        return current.specific.route(request, path_components[consumed:])

    @path("sitemap/", name="sitemap")
    def sitemap(self, request):
        from home.views import sitemap

        return sitemap(request)


class BranchPage(CachedPageMixin, RoutablePageMixin, BasePage):
    """An organisation's own section of the site: its editors work only below it."""

    organization = models.OneToOneField(
        "organizations.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="section",
    )
    intro = models.CharField(_("introduction"), max_length=250, blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("organization"), FieldPanel("intro"), FieldPanel("body")]
    search_fields = BasePage.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["home.HomePage", "home.BranchPage"]
    subpage_types = [
        "home.BranchPage",
        "home.PolicyIndexPage",
        "home.StudyIndexPage",
        "home.NewsIndexPage",
        # Higher-floor apps, named as strings (no import).
        "consultation.ConsultationPage",
        "surveys.SurveyPage",
        "surveys.SatisfactionSurveyPage",
    ]

    class Meta:
        verbose_name = _("organisation section")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["subsections"] = BranchPage.objects.child_of(self).live().public().specific()
        context["latest_news"] = NewsPage.objects.live().public().descendant_of(self).order_by("-date")[:LATEST_COUNT]
        context["latest_policies"] = (
            PolicyPage.objects.live().public().descendant_of(self).order_by("-issued_on")[:LATEST_COUNT]
        )
        context["latest_study"] = (
            StudyPage.objects.live().public().descendant_of(self).order_by("-first_published_at")[:LATEST_COUNT]
        )
        context["featured"] = HomePage.featured_sections(self)
        context["show_meetings"] = self.can_see_records(request.user)
        context["show_study_table"] = self.can_see_study_table(request.user)
        if self.organization_id:
            organization = self.organization
            context["member_count"] = organization.roster.active().count()
            secretary_group = organization.secretaries_group_id
            context["secretaries"] = (
                list(
                    organization.roster.active()
                    .filter(user__groups__id=secretary_group)
                    .values_list("name", flat=True)[:3]
                )
                if secretary_group
                else []
            )
        return context

    # --- Organisational life (三会一课) -------------------------------------------
    def can_see_records(self, user) -> bool:
        if not self.organization_id or not user.is_authenticated:
            return False
        if roles.can_manage(user, self.organization):
            return True
        entry = roles.roster_entry(user)
        return entry is not None and entry.branch_id == self.organization_id

    @path("meetings/", name="meetings")
    def meetings(self, request):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not self.can_see_records(request.user):
            raise Http404
        year = params.year(request.GET.get("year")) or timezone.localdate().year
        records = MeetingRecord.objects.filter(branch_id=self.organization_id).order_by("-date", "-pk")
        page = Paginator(records.filter(date__year=year), PER_PAGE).get_page(request.GET.get("page"))
        years = records.dates("date", "year", order="DESC")
        return TemplateResponse(
            request,
            "home/branch_meetings.html",
            {
                "page": self,
                "self": self,
                "records": page,
                "year": year,
                "querystring": f"year={year}&",
                "years": [d.year for d in years],
                "cadence": MeetingRecord.objects.cadence(self.organization_id, year),
            },
        )

    # --- Study completion (学习记录) -----------------------------------------------
    def can_see_study_table(self, user) -> bool:
        """The branch's secretary and the admins of the branch or above it (as for the appraisal); not editors."""
        if not self.organization_id or not user.is_authenticated:
            return False
        if user.is_superuser or roles.holds_role(user, self.organization, roles.Role.SECRETARY):
            return True
        admin_paths = roles.organizations_with_role(user, roles.Role.ADMIN).values_list("path", flat=True)
        return any(self.organization.path.startswith(path) for path in admin_paths)

    @path("study/", name="study")
    def study_table(self, request):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not self.can_see_study_table(request.user):
            raise Http404
        table = StudyRecord.objects.completion_table(self.organization)
        return TemplateResponse(request, "home/branch_study.html", {"page": self, "self": self, "table": table})

    @path("study/export/", name="study_export")
    def study_export(self, request):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not self.can_see_study_table(request.user):
            raise Http404
        from home.exports import study_completion_xlsx

        return study_completion_xlsx(self.organization, StudyRecord.objects.completion_table(self.organization))


def _querystring(request) -> str:
    """The current filters, for pagination links (ending in "&" when not empty)."""
    query = request.GET.copy()  # not `params`: that is the module imported above
    query.pop("page", None)
    return f"{query.urlencode()}&" if query else ""


# --- Policies -----------------------------------------------------------------------


class PolicyCategory(models.TextChoices):
    PARTY_BUILDING = "party_building", _("Party building")
    GOVERNANCE = "governance", _("Community governance")
    SERVICES = "services", _("Public services")
    SAFETY = "safety", _("Safety")
    DISCIPLINE = "discipline", _("Discipline and integrity")
    OTHER = "other", _("Other")


class PolicyIndexPage(CachedPageMixin, RoutablePageMixin, BasePage):
    """The list of policy documents, filterable by category, year, status and issuer."""

    intro = models.CharField(_("introduction"), max_length=250, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage", "home.BranchPage"]
    subpage_types = ["home.PolicyPage"]

    class Meta:
        verbose_name = _("policy index")

    def policies(self):
        return PolicyPage.objects.live().public().descendant_of(self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        policies = self.policies()
        filters = {
            "category": request.GET.get("category", ""),
            "status": request.GET.get("status", ""),
            "issuer": request.GET.get("issuer", "")[:100],
            "year": params.year(request.GET.get("year")),
        }
        if filters["category"] in PolicyCategory.values:
            policies = policies.filter(category=filters["category"])
        if filters["status"] in PolicyPage.Status.values:
            policies = policies.filter(status=filters["status"])
        if filters["issuer"]:
            policies = policies.filter(issuer=filters["issuer"])
        if filters["year"]:
            policies = policies.filter(issued_on__year=filters["year"])
        all_policies = self.policies()
        context.update(
            filters=filters,
            policies=Paginator(policies.order_by("-issued_on", "-pk"), PER_PAGE).get_page(request.GET.get("page")),
            categories=PolicyCategory.choices,
            statuses=PolicyPage.Status.choices,
            issuers=list(all_policies.order_by("issuer").values_list("issuer", flat=True).distinct()),
            years=[d.year for d in all_policies.dates("issued_on", "year", order="DESC")],
            feed_url=self.url + self.reverse_subpage("feed") if self.url else "",
            querystring=_querystring(request),
        )
        return context

    @path("feed/", name="feed")
    def feed(self, request):
        from home.feeds import PageFeed

        items = self.policies().order_by("-issued_on", "-pk")[:30]
        return PageFeed(self, items, date_field="issued_on")(request)


class PolicyPage(CachedPageMixin, BasePage):
    """A policy document: 文号, issuer, dates, status and attachments."""

    class Status(models.TextChoices):
        CURRENT = "current", _("In force")
        REVISED = "revised", _("Revised")
        REPEALED = "repealed", _("Repealed")

    document_number = models.CharField(_("document number"), max_length=100, blank=True, help_text=_("文号"))
    issuer = models.CharField(_("issuing body"), max_length=100)
    issued_on = models.DateField(_("date issued"), default=dt.date.today)
    effective_on = models.DateField(_("effective date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CURRENT)
    superseded_by = models.ForeignKey(
        "home.PolicyPage",
        verbose_name=_("superseded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
        help_text=_("The document that revises or repeals this one."),
    )
    category = models.CharField(_("category"), max_length=32, choices=PolicyCategory.choices)
    summary = models.TextField(_("summary"), blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    attachments = StreamField(AttachmentsBlock(), blank=True, verbose_name=_("attachments"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("document_number"),
                FieldPanel("issuer"),
                FieldRowPanel([FieldPanel("issued_on"), FieldPanel("effective_on")]),
                FieldRowPanel([FieldPanel("status"), FieldPanel("category")]),
                FieldPanel("superseded_by"),
            ],
            heading=_("Document"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("attachments"),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("document_number"),
        index.SearchField("issuer"),
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("category"),
        index.FilterField("status"),
        index.FilterField("issued_on"),
    ]
    parent_page_types = ["home.PolicyIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")

    def clean(self):
        super().clean()
        if self.status != self.Status.CURRENT and self.superseded_by_id == self.pk and self.pk:
            raise ValidationError({"superseded_by": _("A document cannot supersede itself.")})
        if self.effective_on and self.issued_on and self.effective_on < self.issued_on:
            raise ValidationError({"effective_on": _("The effective date cannot be before the date issued.")})

    def search_text_parts(self):
        return super().search_text_parts() + [self.document_number, self.issuer, self.summary]

    def search_snippet_text(self):
        return chinese.without_repeats(self.summary, *super().search_text_parts()[1:])

    @property
    def display_date(self):
        return self.issued_on


# --- Study material -----------------------------------------------------------------


class StudyIndexPage(CachedPageMixin, RoutablePageMixin, BasePage):
    """The list of study material, and a signed-in member's own progress."""

    intro = models.CharField(_("introduction"), max_length=250, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage", "home.BranchPage"]
    subpage_types = ["home.StudyPage"]

    class Meta:
        verbose_name = _("study index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pages = StudyPage.objects.live().public().descendant_of(self).order_by("-first_published_at")
        context["study_pages"] = Paginator(pages, PER_PAGE).get_page(request.GET.get("page"))
        context["progress_url"] = self.url + self.reverse_subpage("progress") if self.url else ""
        return context

    @path("progress/", name="progress")
    def progress(self, request):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return TemplateResponse(
            request,
            "home/study_progress.html",
            {"page": self, "self": self, **StudyRecord.objects.progress_for(request.user)},
        )


class StudyPageQuerySet(PageQuerySet):
    def required_for_branch(self, branch):
        """Required, published material whose audience includes the branch's members."""
        return (
            self.live()
            .filter(required=True)
            .filter(
                Q(audience__in=[StudyPage.Audience.MEMBERS, StudyPage.Audience.EVERYONE])
                | Q(audience=StudyPage.Audience.BRANCHES, branches=branch)
            )
            .distinct()
        )


class StudyPage(CachedPageMixin, RoutablePageMixin, BasePage):
    """Study material: topic, audience, whether it is required, and a rich body."""

    class Audience(models.TextChoices):
        MEMBERS = "members", _("All Party members")
        BRANCHES = "branches", _("Members of the given branches")
        EVERYONE = "everyone", _("Everyone")

    topic = models.CharField(_("topic"), max_length=100)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices, default=Audience.MEMBERS)
    branches = ParentalManyToManyField(
        "organizations.Organization",
        verbose_name=_("branches"),
        blank=True,
        related_name="+",
        help_text=_("Only for the audience “members of the given branches”."),
    )
    required = models.BooleanField(
        pgettext_lazy("study material", "required"), default=False, help_text=_("Counted in each branch's completion.")
    )
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=30)
    objects = PageManager.from_queryset(StudyPageQuerySet)()
    intro = models.CharField(_("introduction"), max_length=250, blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("topic"),
                FieldRowPanel([FieldPanel("audience"), FieldPanel("required"), FieldPanel("estimated_minutes")]),
                FieldPanel("branches", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("Study"),
        ),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("topic"),
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("required"),
    ]
    parent_page_types = ["home.StudyIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("study page")

    def search_text_parts(self):
        return super().search_text_parts() + [self.topic]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if request.user.is_authenticated:
            context["study_record"] = StudyRecord.objects.filter(user=request.user, page=self).first()
            index = self.get_parent().specific
            if isinstance(index, StudyIndexPage) and index.url:
                context["progress_url"] = index.url + index.reverse_subpage("progress")
        context["mark_url"] = self.url + self.reverse_subpage("mark_studied") if self.url else ""
        return context

    @path("studied/", name="mark_studied")
    def mark_studied(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.is_authenticated:
            raise PermissionDenied
        from django.contrib import messages

        if request.POST.get("undo"):
            StudyRecord.objects.filter(user=request.user, page=self).delete()
            messages.success(request, _("Your study record was removed."))
        else:
            note = request.POST.get("note", "").strip()[: StudyRecord._meta.get_field("note").max_length]
            StudyRecord.objects.update_or_create(user=request.user, page=self, defaults={"note": note})
            messages.success(request, _("Marked as studied."))
        return redirect(self.url)


class StudyRecordQuerySet(models.QuerySet):
    def progress_for(self, user) -> dict:
        """The user's own records and the required material for them."""
        entry = roles.roster_entry(user)
        required = StudyPage.objects.none()
        if entry is not None:
            required = StudyPage.objects.required_for_branch(entry.branch)
        records = self.filter(user=user).select_related("page").order_by("-studied_at")
        done = set(records.filter(page__in=required).values_list("page_id", flat=True))
        required = list(required.order_by("-first_published_at"))
        return {
            "records": records,
            "required": [(page, page.pk in done) for page in required],
            "required_done": len(done),
            "required_total": len(required),
            "percent": round(100 * len(done) / len(required)) if required else None,
        }

    def completion_table(self, branch: Organization) -> dict:
        """Each active member of the branch and which of the required material they studied."""
        from organizations.models import RosterEntry

        required = list(StudyPage.objects.required_for_branch(branch).order_by("first_published_at", "pk"))
        members = list(RosterEntry.objects.active().filter(branch=branch).select_related("user").order_by("member_no"))
        user_ids = [m.user_id for m in members if m.user_id]
        studied = {}
        for user_id, page_id in self.filter(user_id__in=user_ids, page__in=required).values_list("user_id", "page_id"):
            studied.setdefault(user_id, set()).add(page_id)
        last = dict(
            self.filter(user_id__in=user_ids)
            .values("user_id")
            .annotate(last=Max("studied_at"))
            .values_list("user_id", "last")
        )
        rows = []
        for member in members:
            done = studied.get(member.user_id, set())
            rows.append(
                {
                    "member": member,
                    "pages": [page.pk in done for page in required],
                    "done": len(done),
                    "percent": round(100 * len(done) / len(required)) if required else None,
                    "last": last.get(member.user_id),
                }
            )
        total = len(required) * len(members)
        overall = sum(row["done"] for row in rows)
        return {
            "branch": branch,
            "required": required,
            "rows": rows,
            "percent": round(100 * overall / total) if total else None,
        }


class StudyRecord(models.Model):
    """A member's record of having studied a study page (学习记录)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="study_records"
    )
    page = models.ForeignKey(StudyPage, verbose_name=_("study page"), on_delete=models.CASCADE, related_name="records")
    studied_at = models.DateTimeField(_("studied at"), auto_now=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = StudyRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("study record")
        verbose_name_plural = _("study records")
        constraints = [models.UniqueConstraint(fields=["user", "page"], name="study_record_once_per_user_and_page")]

    def __str__(self) -> str:
        return f"{self.user} · {self.page}"


# --- News ---------------------------------------------------------------------------


class NewsIndexPage(CachedPageMixin, RoutablePageMixin, BasePage):
    """Branch or community news, newest first."""

    intro = models.CharField(_("introduction"), max_length=250, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage", "home.BranchPage"]
    subpage_types = ["home.NewsPage"]

    class Meta:
        verbose_name = _("news index")

    def news(self):
        return NewsPage.objects.live().public().descendant_of(self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["news"] = Paginator(self.news().order_by("-date", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
        context["feed_url"] = self.url + self.reverse_subpage("feed") if self.url else ""
        return context

    @path("feed/", name="feed")
    def feed(self, request):
        from home.feeds import PageFeed

        return PageFeed(self, self.news().order_by("-date", "-pk")[:30], date_field="date")(request)


class NewsPage(CachedPageMixin, BasePage):
    """A news item."""

    date = models.DateField(_("date"), default=dt.date.today)
    intro = models.CharField(_("introduction"), max_length=250, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("image"),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]
    parent_page_types = ["home.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")

    @property
    def display_date(self):
        return self.date


# --- Organisational life (三会一课) -----------------------------------------------------

DEFAULT_CADENCE = {
    # Expected meetings per quarter (national practice); override with GONGZHI_MEETING_CADENCE.
    "general_meeting": 1,
    "committee": 3,
    "group": 3,
    "lecture": 1,
    "theme_day": 3,
}


class MeetingRecordQuerySet(models.QuerySet):
    def cadence(self, branch_id, year: int) -> list[dict]:
        """Per kind and quarter: meetings held against the expected number."""
        expected = {**DEFAULT_CADENCE, **getattr(settings, "GONGZHI_MEETING_CADENCE", {})}
        quarters: dict[tuple[str, int], int] = {}
        by_month = (
            self.filter(branch_id=branch_id, date__year=year)
            .order_by()
            .values("kind", "date__month")
            .annotate(n=Count("pk"))
        )
        for row in by_month:
            key = (row["kind"], (row["date__month"] - 1) // 3 + 1)
            quarters[key] = quarters.get(key, 0) + row["n"]
        today = timezone.localdate()
        rows = []
        for kind, label in MeetingRecord.Kind.choices:
            cells = []
            for quarter in range(1, 5):
                held = quarters.get((kind, quarter), 0)
                started = dt.date(year, 3 * quarter - 2, 1) <= today
                # A quarter is judged only once it is over: the running one is "in progress", not "below".
                ended = (dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)) <= today
                cells.append(
                    {
                        "quarter": quarter,
                        "held": held,
                        "expected": expected[kind],
                        "met": held >= expected[kind],
                        "started": started,
                        "ended": ended,
                    }
                )
            rows.append({"kind": kind, "label": label, "quarters": cells})
        return rows


class MeetingRecord(models.Model):
    """A record of one meeting of a branch's organisational life (三会一课, 主题党日)."""

    class Kind(models.TextChoices):
        GENERAL_MEETING = "general_meeting", _("Branch general meeting")
        COMMITTEE = "committee", _("Branch committee meeting")
        GROUP = "group", _("Party group meeting")
        LECTURE = "lecture", _("Party lecture")
        THEME_DAY = "theme_day", _("Theme Party day")

    branch = models.ForeignKey(
        Organization, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="meeting_records"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    presenter = models.CharField(_("presenter"), max_length=64, blank=True)
    recorder = models.CharField(_("recorder"), max_length=64, blank=True)
    due = models.PositiveIntegerField(_("due to attend"), default=0)
    present = models.PositiveIntegerField(_("present"), default=0)
    absent = models.PositiveIntegerField(_("absent"), default=0)
    content = models.TextField(_("content"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    photos = StreamField([("photo", ImageBlock())], blank=True, verbose_name=_("photos"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting record")
        verbose_name_plural = _("meeting records")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["branch", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(present__lte=models.F("due")) & Q(absent__lte=models.F("due")),
                name="meeting_attendance_within_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}：{self.topic}"

    def clean(self):
        super().clean()
        if self.present > self.due:
            raise ValidationError({"present": _("More present than due to attend.")})
        if self.present + self.absent > self.due:
            raise ValidationError({"absent": _("Present and absent together exceed those due to attend.")})
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("A meeting record cannot be dated in the future.")})

    @cached_property
    def attendance_rate(self):
        return round(100 * self.present / self.due) if self.due else None
