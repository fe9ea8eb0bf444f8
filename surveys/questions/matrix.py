"""Matrix questions: several rows, each answered with one point of a shared scale."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from wagtail import blocks

from surveys.questions.base import QuestionBlock, Row, Tally, check_distinct, part_name, refuse


class MatrixBlock(QuestionBlock):
    """Several rows rated on one shared scale (one pick per row)."""

    rows = blocks.ListBlock(blocks.CharBlock(label=_("Row"), max_length=200), label=_("Rows"), min_num=1)
    columns = blocks.ListBlock(blocks.CharBlock(label=_("Scale point"), max_length=60), label=_("Scale"), min_num=2)

    question_type = "matrix"
    countable = True
    # Whether the scale's labels are the site's own (translated) words rather than the editor's.
    scale_translated = False

    class Meta:
        icon = "table"
        label = _("Matrix")
        template = "surveys/blocks/matrix.html"
        preview_value = {
            "label": "您对以下服务的评价",
            "rows": ["便民服务", "文体活动"],
            "columns": ["好", "一般", "差"],
        }

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        for name, items in self.listed_entries(value).items():
            check_distinct(errors, name, items)
        refuse(**errors)
        return value

    def listed_entries(self, value) -> dict[str, list]:
        """The editor's lists whose entries must differ, by the name of their field."""
        return {"rows": value.get("rows") or [], "columns": value.get("columns") or []}

    def rows_of(self, value) -> list[str]:
        return [str(row).strip() for row in value.get("rows") or [] if str(row).strip()]

    def choices_of(self, value) -> list[str]:
        return [str(col).strip() for col in value.get("columns") or [] if str(col).strip()]

    def choice_labels(self, value) -> dict[str, str]:
        """How a point of the scale is shown, when not as it is stored."""
        return {}

    def schema(self, value) -> dict:
        return {**super().schema(value), "rows": self.rows_of(value)}

    def clean_answer(self, value, data, name):
        picks, allowed = {}, self.choices_of(value)
        for index, row in enumerate(self.rows_of(value)):
            raw = (data.get(part_name(name, index)) or "").strip()
            if not raw:
                continue
            if raw not in allowed:
                raise ValidationError(_("Pick a point on the scale for each row."))
            picks[row] = raw
        if not picks:
            return None
        if value.get("required") and len(picks) < len(self.rows_of(value)):
            raise ValidationError(_("Answer every row."))
        return picks

    def answer_rows(self, value, answer) -> list[Row]:
        return [Row(row=row, choice=choice) for row, choice in answer.items()]

    def selected(self, answer) -> set[str]:
        return set()

    def form_context(self, value, name: str, data: QueryDict) -> dict:
        labels = self.choice_labels(value)
        return {
            "columns": [(choice, labels.get(choice, choice)) for choice in self.choices_of(value)],
            "rows": [
                {"label": row, "name": part_name(name, i), "current": data.get(part_name(name, i), "")}
                for i, row in enumerate(self.rows_of(value))
            ],
            "scale_translated": self.scale_translated,
        }

    def form_data(self, value, name: str, answer, data: QueryDict) -> None:
        rows = self.rows_of(value)
        if answer.row in rows:
            data[part_name(name, rows.index(answer.row))] = answer.choice

    def summarise(self, value, tally: Tally, result) -> None:
        """Per row: the count and the share of each point of the scale among the row's answers."""
        labels = self.choice_labels(value)
        columns = self.choices_of(value)
        result.columns = [str(labels.get(c, c)) for c in columns]
        for row in self.rows_of(value):
            cells = [tally.counts.get((row, c), 0) for c in columns]
            row_total = sum(cells)
            result.matrix.append(
                {"row": row, "cells": [(n, n / row_total if row_total else None) for n in cells], "total": row_total}
            )

    def export_columns(self, value) -> list[str]:
        return self.rows_of(value)
