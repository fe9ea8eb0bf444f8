"""The language the site's content is written in, for `lang` attributes on content shown in another language.

Editors write pages, surveys and consultations in the content language (WAGTAIL_CONTENT_LANGUAGES); a reader
may have switched the interface to English. WCAG 3.1.2 (language of parts) asks that such passages carry their
own `lang`, so that screen readers read Chinese with a Chinese voice inside an English page.

Content is not only what editors write: organisation names, document numbers, people's names, posts, grid
names and search queries are Chinese too. Use `lang="{% content_lang %}"` on an element that holds only
content, and `{{ value|content }}` for a piece of content inside interface text ("Organised by …").
"""

from django import template
from django.conf import settings
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def content_lang() -> str:
    return settings.WAGTAIL_CONTENT_LANGUAGES[0][0]


@register.filter
def content(value) -> str:
    """The value, escaped, in a <span> marked with the content language; nothing for an empty value."""
    if value is None or value == "":
        return ""
    return format_html('<span lang="{}">{}</span>', content_lang(), value)
