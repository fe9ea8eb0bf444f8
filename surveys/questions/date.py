"""Questions answered with a date (e.g. when the respondent moved into the community)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from surveys.questions.base import QuestionBlock, Row, Tally


class DateBlock(QuestionBlock):
    """A date answer."""

    question_type = "date"

    class Meta:
        icon = "date"
        label = _("Date")
        template = "surveys/blocks/date.html"
        preview_value = {"label": "您入住本社区的时间"}

    def clean_answer(self, value, data, name):
        raw = (data.get(name) or "").strip()
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise ValidationError(_("Enter a date such as 2026-03-01."))

    def answer_rows(self, value, answer) -> list[Row]:
        return [Row(date=answer)]

    def summarise(self, value, tally: Tally, result) -> None:
        result.stats = {"low": tally.dates.get("low"), "high": tally.dates.get("high")}

    def export_cell(self, row: str, choice: str, number, text: str, date) -> tuple[str, object]:
        return row, date.isoformat() if date else ""
