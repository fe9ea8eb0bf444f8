"""Policy documents (文号, issuer, dates, status, superseding document) and their filterable index."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from core import chinese, params
from core.blocks import AttachmentsBlock, BodyBlock
from core.pages import BasePage, CachedPageMixin, ListingPage, route_url
from home.feeds import PageFeed


class PolicyCategory(models.TextChoices):
    PARTY_BUILDING = "party_building", _("Party building")
    GOVERNANCE = "governance", _("Community governance")
    SERVICES = "services", _("Public services")
    SAFETY = "safety", _("Safety")
    DISCIPLINE = "discipline", _("Discipline and integrity")
    OTHER = "other", _("Other")


class PolicyIndexPage(ListingPage):
    """The list of policy documents, filterable by category, year, status and issuer."""

    parent_page_types = ["home.HomePage", "home.BranchPage"]
    subpage_types = ["home.PolicyPage"]
    items_name = "policies"

    class Meta:
        verbose_name = _("policy index")

    def listed(self):
        return PolicyPage.objects.live().public().descendant_of(self).order_by("-issued_on", "-pk")

    @staticmethod
    def filters(request) -> dict:
        """The filters chosen in the request (an unknown category or status is no filter)."""
        return {
            "category": request.GET.get("category", ""),
            "status": request.GET.get("status", ""),
            "issuer": request.GET.get("issuer", "")[:100],
            "year": params.year(request.GET.get("year")),
        }

    def items(self, request):
        policies = self.listed()
        filters = self.filters(request)
        if filters["category"] in PolicyCategory.values:
            policies = policies.filter(category=filters["category"])
        if filters["status"] in PolicyPage.Status.values:
            policies = policies.filter(status=filters["status"])
        if filters["issuer"]:
            policies = policies.filter(issuer=filters["issuer"])
        if filters["year"]:
            policies = policies.filter(issued_on__year=filters["year"])
        return policies

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        all_policies = self.listed()
        context.update(
            filters=self.filters(request),
            categories=PolicyCategory.choices,
            statuses=PolicyPage.Status.choices,
            issuers=list(all_policies.order_by("issuer").values_list("issuer", flat=True).distinct()),
            years=[d.year for d in all_policies.dates("issued_on", "year", order="DESC")],
            feed_url=route_url(self, "feed"),
        )
        return context

    @path("feed/", name="feed")
    def feed(self, request):
        return PageFeed(self, self.listed()[:30], date_field="issued_on")(request)


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
