"""RSS feeds for policy and news indexes."""

import datetime as dt

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed


class PageFeed(Feed):
    """The latest child pages of an index page, as RSS 2.0."""

    feed_type = Rss201rev2Feed

    def __init__(self, index_page, items, *, date_field: str):
        super().__init__()
        self.index_page = index_page
        self._items = items
        self.date_field = date_field

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return self.index_page.title

    def link(self):
        return self.index_page.get_full_url(self.request)

    def description(self):
        return getattr(self.index_page, "intro", "") or self.index_page.search_description or self.index_page.title

    def items(self):
        return self._items

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return getattr(item, "summary", "") or getattr(item, "intro", "") or item.search_description

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_pubdate(self, item):
        value = getattr(item, self.date_field, None)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return timezone.make_aware(dt.datetime.combine(value, dt.time(9, 0)))
        return value
