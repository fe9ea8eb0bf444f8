"""Questions answered in the respondent's own words: one line, or several (意见建议)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wagtail import blocks

from surveys.questions.base import QuestionBlock


class ShortTextBlock(QuestionBlock):
    """A one-line text answer."""

    max_length = blocks.IntegerBlock(label=_("Maximum length"), default=200, min_value=1, max_value=1000)

    question_type = "short_text"
    samples_texts = True

    class Meta:
        icon = "pilcrow"
        label = _("Short text")
        template = "surveys/blocks/short_text.html"
        preview_value = {"label": "您居住的楼栋", "max_length": 50}

    def clean_answer(self, value, data, name):
        raw = (data.get(name) or "").strip()
        if not raw:
            return None
        limit = value.get("max_length") or 200
        if len(raw) > limit:
            raise ValidationError(
                ngettext("Write at most %(count)d character.", "Write at most %(count)d characters.", limit)
                % {"count": limit}
            )
        return raw


class LongTextBlock(QuestionBlock):
    """A free-text answer of several lines, such as 意见建议."""

    question_type = "long_text"
    samples_texts = True
    collects_comments = True
    LIMIT = 5000

    class Meta:
        icon = "doc-full"
        label = _("Long text")
        template = "surveys/blocks/long_text.html"
        preview_value = {"label": "意见建议", "required": False}

    def clean_answer(self, value, data, name):
        raw = (data.get(name) or "").strip()
        if not raw:
            return None
        if len(raw) > self.LIMIT:
            raise ValidationError(_("Write at most %(count)d characters.") % {"count": self.LIMIT})
        return raw
