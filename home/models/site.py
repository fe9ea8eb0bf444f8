"""The site's frame: the home page and each organisation's section, with the lists and links they show."""

from __future__ import annotations

import datetime as dt
import functools
import operator

from django.apps import apps
from django.db import models
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index

from core import cache as page_cache
from core.blocks import BodyBlock
from core.pages import BasePage, CachedPageMixin, public_filter
from home import views
from home.lists import PageLists
from home.models.news import NewsPage
from home.models.policy import PolicyPage
from home.models.study import StudyIndexPage, StudyPage

LATEST_COUNT = 5


def _optional_model(label: str):
    """A model of a higher-floor app, or None while that app does not define it (no import)."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


# The version of what the home page's panels show. The home page is kept for each signed-in viewer
# (core/cache.py) while it is unchanged: an app that contributes a panel names the models the panel reads
# (`watch_panel_models`), and calls `panels_changed` after bulk writes to them, which send no signal.
PANELS_VERSION_KEY = "home:panels"


def panels_changed(**kwargs) -> None:
    page_cache.changed(PANELS_VERSION_KEY)


def watch_panel_models(*models) -> None:
    """Any save or delete of these models forgets the home pages kept for signed-in viewers."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        label = model._meta.label
        post_save.connect(panels_changed, sender=model, dispatch_uid=f"home-panels-save-{label}", weak=False)
        post_delete.connect(panels_changed, sender=model, dispatch_uid=f"home-panels-delete-{label}", weak=False)


def home_panels(request) -> list[dict]:
    """Per-user panels that higher-floor apps contribute through the `gongzhi_home_panels` hook.

    Each hook returns None or {"key", "heading", "items": [{"title", "url", "meta"}]}; home imports
    none of those apps. Anonymous visitors get no panels, so their cached page stays the same. A hook's
    app watches the models its panel reads (`watch_panel_models`); a panel that depends on the date is
    redrawn after midnight (HomePage.serve).
    """
    if not request.user.is_authenticated:
        return []
    return [panel for hook in hooks.get_hooks("gongzhi_home_panels") if (panel := hook(request))]


def branch_panels(request, organization) -> list[dict]:
    """Per-user panels that higher-floor apps contribute to an organisation's section through the
    `gongzhi_branch_panels` hook, called as `hook(request, organization)`.

    Each hook returns None or a panel like `home_panels`' ({"key", "heading", "items"}), optionally with a
    "template" that renders it (given `panel`); the hook decides who may see it. Home imports none of those
    apps. Anonymous visitors get no panels, so their cached page stays the same.
    """
    if organization is None or not request.user.is_authenticated:
        return []
    return [panel for hook in hooks.get_hooks("gongzhi_branch_panels") if (panel := hook(request, organization))]


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


def featured_querysets(page, public: Q | None = None) -> list[dict]:
    """Consultations and open surveys below `page`, read from the page tree (those apps are higher floors):
    {"heading", "pages" (ordered, unsliced), "key"} for each app that defines its page type."""
    public = public_filter() if public is None else public
    sections = []
    for label, heading in (
        ("consultation.ConsultationPage", _("Consultations")),
        ("surveys.SurveyPage", _("Open surveys")),
    ):
        model = _optional_model(label)
        if model is None:
            continue
        pages = model.objects.live().filter(public).descendant_of(page).order_by("-first_published_at")
        # Contract with those apps: an optional classmethod narrows the list (e.g. open ones only);
        # without it, pages with an opening window (opens_at / closes_at) are listed only while open.
        if hasattr(model, "featured_on_home"):
            pages = model.featured_on_home(pages)
        else:
            pages = open_now(model, pages)
        sections.append({"heading": heading, "pages": pages, "key": label.split(".")[0]})
    return sections


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

    def serve(self, request, *args, **kwargs):
        """Anonymous visitors share the cached page; a signed-in visitor gets their own kept copy, valid
        while the panels' version is unchanged and never past the next midnight (overdue tasks, notices)."""

        def render():
            return super(CachedPageMixin, self).serve(request, *args, **kwargs)

        if not request.user.is_authenticated:
            return page_cache.serve_cached(request, render)
        now = timezone.localtime()
        midnight = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        page_cache.limit_timeout(request, (midnight - now).total_seconds())
        return page_cache.serve_cached(request, render, depends_on=PANELS_VERSION_KEY, per_viewer=True)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Wagtail's .public() reads the view restrictions once per list: read them once for all lists, or
        # take them from the read that checked this page's own restrictions (`route`).
        every = self.__dict__.pop("_every_view_restriction", None)
        paths = None if every is None else [restriction.page_path for restriction in every]
        # Every list in two queries, read only when the cached fragment of the lists is missing; the
        # querysets themselves are built only then too (building them cost more than a cached page's rest).
        built = SimpleLazyObject(lambda: self._page_lists(public_filter(paths)))
        for name in ("sections", "latest_policies", "latest_study", "latest_news", "featured", "study_indexes"):
            context[name] = SimpleLazyObject(functools.partial(operator.getitem, built, name))
        context["panels"] = home_panels(request)
        context["cache_generation"] = page_cache.generation()
        return context

    def _page_lists(self, public: Q) -> dict:
        lists = PageLists()
        return {
            "sections": lists.add(BranchPage.objects.child_of(self).live().filter(public).order_by("path")),
            "latest_policies": lists.add(
                PolicyPage.objects.live().filter(public).descendant_of(self).order_by("-issued_on"), LATEST_COUNT
            ),
            "latest_study": lists.add(
                StudyPage.objects.live().filter(public).descendant_of(self).order_by("-first_published_at"),
                LATEST_COUNT,
            ),
            "latest_news": lists.add(
                NewsPage.objects.live().filter(public).descendant_of(self).order_by("-date"), LATEST_COUNT
            ),
            "featured": [
                {**section, "pages": lists.add(section["pages"], LATEST_COUNT)}
                for section in featured_querysets(self, public)
            ],
            # For the "my study progress" link.
            "study_indexes": lists.add(
                StudyIndexPage.objects.live().filter(public).descendant_of(self).order_by("path"), 1
            ),
        }

    def featured_sections(self, public: Q | None = None) -> list[dict]:
        """Consultations, surveys and appraisals, read from the page tree (those apps are higher floors)."""
        return [{**section, "pages": section["pages"][:LATEST_COUNT]} for section in featured_querysets(self, public)]

    def _read_view_restrictions(self) -> None:
        """Every view restriction of the site, read once for this request: the check of this page's own
        (Wagtail reads its ancestors, then their restrictions) and the lists' public filter both use it.

        Only where Wagtail's rule reduces to paths: this page is no alias and its only ancestor is the root.
        """
        if self.alias_of_id is None and self.depth <= 2:
            self._every_view_restriction = list(PageViewRestriction.objects.annotate(page_path=F("page__path")))

    def get_view_restrictions(self):
        every = self.__dict__.get("_every_view_restriction")
        if every is None:
            return super().get_view_restrictions()
        own = [restriction for restriction in every if self.path.startswith(restriction.page_path)]
        restrictions = PageViewRestriction.objects.filter(pk__in=[restriction.pk for restriction in own])
        restrictions._result_cache = own  # read already: looking at them reads nothing more
        return restrictions

    def route(self, request, path_components):
        """Wagtail's routing, with one query for the whole path instead of one or two per level.

        Same rules: a live routable page on the way answers a path its own routes match before any
        child page is looked at; the page found then routes what is left (404 if it cannot).
        """
        if not path_components:
            self._read_view_restrictions()
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
        target = current.specific
        if self.depth == 2:
            # The pages between the site root and the one found, for its breadcrumb (see
            # ConsultationPage.breadcrumb): read above already, in tree order.
            target.routed_ancestors = [self, *(on_the_way[p] for p in paths[: consumed - 1])]
        return target.route(request, path_components[consumed:])

    @path("sitemap/", name="sitemap")
    def sitemap(self, request):
        return views.sitemap(request)


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
        context["show_meetings"] = self.allows(request.user, "home.view_meeting_records")
        context["show_study_table"] = self.allows(request.user, "home.view_study_completion")
        context["panels"] = branch_panels(request, self.organization if self.organization_id else None)
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

    def allows(self, user, perm: str) -> bool:
        """Whether `user` has `perm` (home/rules.py) on this section; one of no organisation has no records,
        not even for a superuser."""
        return self.organization_id is not None and user.has_perm(perm, self)

    @path("meetings/", name="meetings")
    def meetings(self, request):
        return views.branch_meetings(request, self)

    @path("study/", name="study")
    def study_table(self, request):
        return views.study_completion(request, self)

    @path("study/export/", name="study_export")
    def study_export(self, request):
        return views.study_completion_export(request, self)
