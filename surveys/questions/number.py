"""Questions answered with a number within optional bounds (e.g. 家庭常住人口)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail import blocks

from surveys.questions.base import QuestionBlock, Row, Tally, refuse


def _plain(number) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class NumberBlock(QuestionBlock):
    """A numeric answer within optional bounds."""

    min_value = blocks.DecimalBlock(label=_("Minimum"), required=False)
    max_value = blocks.DecimalBlock(label=_("Maximum"), required=False)
    whole_numbers = blocks.BooleanBlock(label=_("Whole numbers only"), required=False, default=True)

    question_type = "number"

    class Meta:
        icon = "plus-inverse"
        label = pgettext_lazy("question type", "Number")
        template = "surveys/blocks/number.html"
        preview_value = {"label": "家庭常住人口", "min_value": 1, "max_value": 20}

    def clean(self, value):
        value = super().clean(value)
        low, high = value.get("min_value"), value.get("max_value")
        if low is not None and high is not None and low > high:
            refuse(max_value=_("The maximum cannot be below the minimum."))
        return value

    def clean_answer(self, value, data, name):
        raw = (data.get(name) or "").strip().replace("，", ".").replace(",", ".")
        if not raw:
            return None
        try:
            number = float(raw)
        except ValueError:
            raise ValidationError(_("Enter a number."))
        if number != number or number in (float("inf"), float("-inf")):
            raise ValidationError(_("Enter a number."))
        if value.get("whole_numbers") and not number.is_integer():
            raise ValidationError(_("Enter a whole number."))
        low, high = value.get("min_value"), value.get("max_value")
        if low is not None and number < float(low):
            raise ValidationError(_("Enter a number of at least %(min)s.") % {"min": _plain(low)})
        if high is not None and number > float(high):
            raise ValidationError(_("Enter a number of at most %(max)s.") % {"max": _plain(high)})
        return number

    def answer_rows(self, value, answer) -> list[Row]:
        return [Row(number=answer)]

    def summarise(self, value, tally: Tally, result) -> None:
        stats = tally.numbers.get("", {})
        result.stats = {"mean": stats.get("avg"), "low": stats.get("low"), "high": stats.get("high")}

    def export_cell(self, row: str, choice: str, number, text: str, date) -> tuple[str, object]:
        """Whole numbers without a decimal point."""
        return row, number if number is None or not float(number).is_integer() else int(number)
