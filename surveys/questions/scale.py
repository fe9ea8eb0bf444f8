"""Questions answered with a point on a numeric scale: a rating, and the net promoter score (0–10)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wagtail import blocks

from surveys.questions.base import QuestionBlock, Row, Tally, refuse
from surveys.questions.choice import CountedMixin


class RatingBlock(CountedMixin, QuestionBlock):
    """A rating on a numeric scale with labels at both ends."""

    scale_min = blocks.IntegerBlock(label=_("Lowest rating"), default=1, min_value=0, max_value=10)
    scale_max = blocks.IntegerBlock(label=_("Highest rating"), default=5, min_value=1, max_value=10)
    min_label = blocks.CharBlock(label=_("Label of the lowest rating"), required=False, max_length=40)
    max_label = blocks.CharBlock(label=_("Label of the highest rating"), required=False, max_length=40)

    question_type = "rating"

    class Meta:
        icon = "pick"
        label = _("Rating scale")
        template = "surveys/blocks/rating.html"
        preview_value = {
            "label": "您对社区环境的评价",
            "scale_min": 1,
            "scale_max": 5,
            "min_label": "很差",
            "max_label": "很好",
        }

    def clean(self, value):
        value = super().clean(value)
        low, high = value.get("scale_min"), value.get("scale_max")
        if low is not None and high is not None and low >= high:
            refuse(scale_max=_("The highest rating must be above the lowest."))
        return value

    def choices_of(self, value) -> list[str]:
        low, high = value.get("scale_min") or 0, value.get("scale_max") or 5
        return [str(n) for n in range(low, max(low, high) + 1)]

    def clean_answer(self, value, data, name):
        raw = (data.get(name) or "").strip()
        if not raw:
            return None
        if raw not in self.choices_of(value):
            raise ValidationError(_("Pick a rating on the scale."))
        return raw

    def answer_rows(self, value, answer) -> list[Row]:
        return [Row(choice=answer, number=float(answer))]

    def summarise(self, value, tally: Tally, result) -> None:
        super().summarise(value, tally, result)
        if tally.answered:
            result.stats["mean"] = sum(float(c) * n for c, n, _s in result.rows) / tally.answered


class NPSBlock(RatingBlock):
    """Net promoter score: how likely, from 0 to 10, the respondent is to recommend something."""

    # The scale is fixed at 0–10; the labels stay editable. Removed declaratively (a `None` shadows an
    # inherited child block in Wagtail's metaclass), so that `meta.form_layout`, computed in
    # `StructBlock.__init__`, names exactly the children the editor's JavaScript receives.
    scale_min = None
    scale_max = None

    question_type = "nps"

    class Meta:
        icon = "pick"
        label = _("Net promoter score (0–10)")
        template = "surveys/blocks/rating.html"
        preview_value = {"label": "您有多大可能向邻居推荐社区服务站？", "min_label": "不可能", "max_label": "非常可能"}

    def choices_of(self, value) -> list[str]:
        return [str(n) for n in range(0, 11)]

    def summarise(self, value, tally: Tally, result) -> None:
        """The mean, and promoters (9–10) minus detractors (0–6) in percent of those who answered."""
        super().summarise(value, tally, result)
        if tally.answered:
            promoters = sum(n for c, n, _s in result.rows if int(c) >= 9)
            detractors = sum(n for c, n, _s in result.rows if int(c) <= 6)
            result.stats["nps"] = round((promoters - detractors) * 100 / tally.answered)
