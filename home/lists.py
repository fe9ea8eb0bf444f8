"""Several page lists read together: two queries whatever their number, their length or the site's size.

The home page shows seven lists of pages of seven types (latest policies, study material, news, open
consultations and surveys, the organisations' sections, the study index). Read one by one, that is seven
queries (eight with the sections' `.specific()`). Here:

1. one query chooses every list's pages: a UNION ALL with one part per list, each part the list's own
   queryset (its filters, ordering and length unchanged) giving (page, list, rank in the list);
2. one query reads the chosen pages with each list's own page type joined (`select_related` through the
   page type's link to `Page`), so every item is the same instance of that type as before.

Nothing is read until a list is first looked at: a page whose lists come from a cached fragment reads none.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Value, Window
from django.db.models.functions import RowNumber

from wagtail.models import Page


def _relation_from_page(model) -> list[str]:
    """The reverse one-to-one links from `Page` down to `model` (multi-table inheritance), outermost first."""
    names = []
    while model is not Page:
        parent, link = next((parent, link) for parent, link in model._meta.parents.items() if link)
        names.append(link.remote_field.get_accessor_name())
        model = parent
    return names[::-1]


class PageLists:
    """Lists of pages, each given as an ordered queryset of one page type, read in two queries at first use."""

    def __init__(self):
        self._lists: list[tuple] = []
        self._items: list[list] | None = None

    def add(self, queryset, limit: int | None = None) -> PageList:
        """The pages of `queryset` (ordered; `limit` of them at most), as a list read with the others."""
        if self._items is not None:
            raise RuntimeError("The lists have been read already.")
        if not queryset.query.order_by:
            raise ValueError("Each list needs an explicit order.")
        self._lists.append((queryset, limit))
        return PageList(self, len(self._lists) - 1)

    def items(self, number: int) -> list:
        if self._items is None:
            self._items = self._read()
        return self._items[number]

    def _read(self) -> list[list]:
        if not self._lists:
            return []
        parts = []
        for number, (queryset, limit) in enumerate(self._lists):
            chosen = queryset.values("pk")
            if limit is not None:
                chosen = chosen[:limit]
            # The rank is counted among the chosen pages only, in the list's own order (the same
            # database's order: NULLs fall where the list's query puts them).
            parts.append(
                queryset.model._base_manager.filter(pk__in=chosen)
                .annotate(
                    page_list=Value(number),
                    page_list_rank=Window(RowNumber(), order_by=list(queryset.query.order_by)),
                )
                .order_by()
                .values_list("pk", "page_list", "page_list_rank")
            )
        rows = list(parts[0].union(*parts[1:], all=True)) if len(parts) > 1 else list(parts[0])
        lists: list[list] = [[] for _ in self._lists]
        if not rows:
            return lists
        relations = {number: _relation_from_page(queryset.model) for number, (queryset, _) in enumerate(self._lists)}
        joined = sorted({"__".join(names) for names in relations.values() if names})
        chosen_pages = Page.objects.filter(pk__in={pk for pk, _, _ in rows}).select_related(*joined).order_by()
        pages = {page.pk: page for page in chosen_pages}
        for pk, number, _rank in sorted(rows, key=lambda row: (row[1], row[2])):
            item = pages.get(pk)
            for name in relations[number]:
                item = getattr(item, name, None) if item is not None else None
            if item is not None:  # gone between the two queries
                lists[number].append(item)
        return lists


class PageList(Sequence):
    """One of the lists of a `PageLists`: reads them all the first time it is looked at."""

    def __init__(self, lists: PageLists, number: int):
        self._lists = lists
        self._number = number

    def __getitem__(self, index):
        return self._lists.items(self._number)[index]

    def __len__(self) -> int:
        return len(self._lists.items(self._number))
