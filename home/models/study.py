"""Study material, its index, and members' study records (学习记录) with the completion they add up to."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Max, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from core.blocks import BodyBlock
from core.pages import BasePage, CachedPageMixin, ListingPage, route_url
from organizations import roles
from organizations.models import Organization, RosterEntry


class StudyIndexPage(ListingPage):
    """The list of study material, and a signed-in member's own progress."""

    parent_page_types = ["home.HomePage", "home.BranchPage"]
    subpage_types = ["home.StudyPage"]
    items_name = "study_pages"

    class Meta:
        verbose_name = _("study index")

    def listed(self):
        return StudyPage.objects.live().public().descendant_of(self).order_by("-first_published_at")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["progress_url"] = route_url(self, "progress")
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
            parent = self.get_parent().specific
            if isinstance(parent, StudyIndexPage) and parent.url:
                context["progress_url"] = route_url(parent, "progress")
        context["mark_url"] = route_url(self, "mark_studied")
        return context

    @path("studied/", name="mark_studied")
    def mark_studied(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.is_authenticated:
            raise PermissionDenied
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
