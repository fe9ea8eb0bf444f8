"""The language the site's content is written in, for `lang` attributes on content shown in another language.

Editors write pages, surveys and consultations in the content language (WAGTAIL_CONTENT_LANGUAGES); a reader
may have switched the interface to English. WCAG 3.1.2 (language of parts) asks that such passages carry their
own `lang`, so that screen readers read Chinese with a Chinese voice inside an English page.
"""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def content_lang() -> str:
    return settings.WAGTAIL_CONTENT_LANGUAGES[0][0]
