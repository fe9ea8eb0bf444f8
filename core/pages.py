"""The page base every feature app's pages stand on: Chinese search text, the anonymous cache, public lists."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page, PageViewRestriction
from wagtail.query import PageQuerySet
from wagtail.search import index

from core import cache as page_cache
from core import chinese
from core.tree import in_subtrees

PER_PAGE = 20


class ChineseSearchMixin:
    """Indexes the page's text segmented into Chinese words, so that 党建 finds 加强基层党建工作."""

    def search_text_parts(self) -> list[str]:
        parts = [self.title, getattr(self, "search_description", ""), getattr(self, "intro", "")]
        body = getattr(self, "body", None)
        if body is not None:
            parts.extend(str(text) for text in body.stream_block.get_searchable_content(body))
        return [part for part in parts if part]

    def search_segmented(self) -> str:
        # The search backend reads every search field once per index column (five times per page
        # on PostgreSQL): segment the same text once.
        parts = self.search_text_parts()
        cached = self.__dict__.get("_search_segmented")
        if cached is None or cached[0] != parts:
            cached = self.__dict__["_search_segmented"] = (parts, chinese.segment(*parts))
        return cached[1]

    def meta_description(self) -> str:
        """The description shown when the page is shared or listed by search engines."""
        for text in (self.search_description, getattr(self, "summary", ""), getattr(self, "intro", "")):
            if text:
                return text[:160]
        return self.title

    def listing_text(self) -> str:
        """The short text under the title in lists."""
        return getattr(self, "summary", "") or getattr(self, "intro", "") or self.search_description

    def search_snippet_text(self) -> str:
        """Plain text shown, highlighted, in search results (a sentence repeated in several fields once)."""
        return chinese.without_repeats(*self.search_text_parts()[1:])


class CachedPageMixin:
    """Anonymous visitors get a cached copy; publishing anything purges the cache (core/cache.py)."""

    def serve(self, request, *args, **kwargs):
        return page_cache.serve_cached(request, lambda: super(CachedPageMixin, self).serve(request, *args, **kwargs))


class BasePage(ChineseSearchMixin, Page):
    """Shared by the content pages (abstract: each page type keeps its own app and table)."""

    search_fields = Page.search_fields + [index.SearchField("search_segmented")]

    class Meta:
        abstract = True


class ListingPage(CachedPageMixin, RoutablePageMixin, BasePage):
    """An index page: an introduction over its items, a page of `per_page` at a time.

    A subclass says which items it lists (`listed`), under which name its template reads the current
    page of them (`items_name`), and may narrow them by the request's filters (`items`).
    """

    intro = models.CharField(_("introduction"), max_length=250, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    per_page = PER_PAGE
    items_name = "items"

    class Meta:
        abstract = True

    def listed(self) -> PageQuerySet:
        """Every published, public item of this index, in the order the list shows them."""
        raise NotImplementedError

    def items(self, request) -> PageQuerySet:
        """The items shown for this request (a subclass applies its filters here)."""
        return self.listed()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context[self.items_name] = Paginator(self.items(request), self.per_page).get_page(request.GET.get("page"))
        return context


def route_url(page: RoutablePageMixin, name: str) -> str:
    """The address of one of a routable page's own routes; empty while the page has none (not in a site)."""
    return page.url + page.reverse_subpage(name) if page.url else ""


def public_filter(restricted_paths: Iterable[str] | None = None) -> Q:
    """Pages outside every view restriction: Wagtail's `.public()` as one filter, from one query (none when
    the paths of every restricted page are given, read by the caller in this request)."""
    if restricted_paths is None:
        restricted_paths = PageViewRestriction.objects.values_list("page__path", flat=True)
    restricted = list(restricted_paths)
    return ~in_subtrees(restricted) if restricted else Q()
