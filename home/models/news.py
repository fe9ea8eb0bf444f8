"""News items and their index, with an RSS feed."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from core.blocks import BodyBlock
from core.pages import BasePage, CachedPageMixin, ListingPage, route_url
from home.feeds import PageFeed


class NewsIndexPage(ListingPage):
    """Branch or community news, newest first."""

    parent_page_types = ["home.HomePage", "home.BranchPage"]
    subpage_types = ["home.NewsPage"]
    items_name = "news"

    class Meta:
        verbose_name = _("news index")

    def listed(self):
        return NewsPage.objects.live().public().descendant_of(self).order_by("-date", "-pk")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["feed_url"] = route_url(self, "feed")
        return context

    @path("feed/", name="feed")
    def feed(self, request):
        return PageFeed(self, self.listed()[:30], date_field="date")(request)


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
