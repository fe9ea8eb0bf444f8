"""The satisfaction question (群众满意度测评): weighted dimensions rated on the shared satisfaction scale."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wagtail import blocks

from core.satisfaction import CODES, label_of
from surveys.questions.matrix import MatrixBlock


class SatisfactionBlock(MatrixBlock):
    """群众满意度测评: each dimension rated 满意 / 基本满意 / 不满意 / 不了解, with an optional weight."""

    dimensions = blocks.ListBlock(
        blocks.StructBlock(
            [
                ("label", blocks.CharBlock(label=_("Dimension"), max_length=100)),
                (
                    "weight",
                    blocks.DecimalBlock(
                        label=_("Weight"), default=1, min_value=0, max_digits=6, decimal_places=2, required=False
                    ),
                ),
            ],
            icon="list-ul",
        ),
        label=_("Dimensions"),
        min_num=1,
    )

    # Rows are the dimensions and the scale is the fixed satisfaction scale: the matrix's own rows and
    # columns are removed declaratively (see NPSBlock), never popped after `__init__`.
    rows = None
    columns = None

    question_type = "satisfaction"
    rates_satisfaction = True
    scale_translated = True

    class Meta:
        icon = "order"
        label = _("Satisfaction dimensions")
        template = "surveys/blocks/matrix.html"
        preview_value = {"label": "请对以下方面作出评价", "dimensions": [{"label": "服务态度", "weight": 1}]}

    def listed_entries(self, value) -> dict[str, list]:
        return {"dimensions": [item["label"] for item in value.get("dimensions") or []]}

    def rows_of(self, value) -> list[str]:
        return [str(item["label"]).strip() for item in value.get("dimensions") or [] if str(item["label"]).strip()]

    def weights_of(self, value) -> dict[str, float]:
        return {
            str(item["label"]).strip(): float(item.get("weight") if item.get("weight") is not None else 1)
            for item in value.get("dimensions") or []
        }

    def choices_of(self, value) -> list[str]:
        return list(CODES)

    def choice_labels(self, value) -> dict[str, str]:
        return {code: label_of(code) for code in CODES}

    def schema(self, value) -> dict:
        # Weights may change after responses: they are not stored with the answers.
        return {"type": self.question_type, "rows": self.rows_of(value)}

    def export_reader(self, value):
        """Each level's label, translated once per export rather than once per answer."""
        labels = self.choice_labels(value)
        return lambda row, choice, number, text, date: (row, labels.get(choice, choice))
