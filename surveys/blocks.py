"""Survey questions as StreamField blocks.

Each question block knows how to read its answer from a submitted form (`clean_answer`) and how to
store it as answer rows (`answer_rows`). The stored values are the choice labels themselves, which is
why editing the choices of a survey that already has responses is refused (see `SurveyPage.clean`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from wagtail import blocks
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError

from core import params
from surveys.lib import SATISFACTION_LEVELS

# --- shared parts -----------------------------------------------------------------------------


class ShowIfBlock(blocks.StructBlock):
    """Show the question or section only when an earlier choice question was answered with one of the values."""

    question = blocks.CharBlock(
        label=_("Reference name of the earlier question"),
        required=False,
        help_text=_("Leave empty to always show."),
    )
    values = blocks.CharBlock(
        label=_("Answers that show it"),
        required=False,
        help_text=_("One or more choices of that question, separated by “|”."),
    )

    class Meta:
        icon = "view"
        label = _("Show only if")
        collapsed = True
        form_classname = "show-if"


def condition_of(value) -> tuple[str, set[str]] | None:
    """The (question key, accepted values) of a block's show-if, or None when it is always shown."""
    show_if = value.get("show_if") if value else None
    if not show_if or not show_if.get("question"):
        return None
    values = {part.strip() for part in (show_if.get("values") or "").split("|") if part.strip()}
    return show_if["question"].strip(), values


@dataclass
class Row:
    """One stored answer row (see `surveys.models.Answer`)."""

    row: str = ""
    choice: str = ""
    number: float | None = None
    text: str = ""
    date: dt.date | None = None


def repeated(items) -> list[str]:
    """The entries given more than once (blank ones left aside), in order of first repetition."""
    seen, twice = set(), []
    for item in items:
        item = str(item or "").strip()
        if item and item in seen and item not in twice:
            twice.append(item)
        seen.add(item)
    return twice


def refuse(**errors) -> None:
    """Raise the errors of an editor's block, each shown next to its field (messages in Chinese)."""
    if errors:
        raise StructBlockValidationError(
            block_errors={name: ValidationError(message) for name, message in errors.items()}
        )


def check_distinct(errors: dict, name: str, items) -> None:
    if twice := repeated(items):
        errors[name] = _("Entries must differ: “%(items)s” is given more than once.") % {"items": "、".join(twice)}


class QuestionBlock(blocks.StructBlock):
    """A survey question: label, help text, required flag, reference name and show-if condition."""

    label = blocks.CharBlock(label=_("Question"), max_length=300)
    help_text = blocks.CharBlock(label=_("Help text"), required=False, max_length=300)
    required = blocks.BooleanBlock(label=pgettext_lazy("survey question", "Required"), required=False, default=True)
    key = blocks.RegexBlock(
        regex=r"^[a-z0-9_-]*$",
        label=_("Reference name"),
        required=False,
        max_length=40,
        help_text=_("Optional short name (letters, digits, _ or -) that later conditions refer to."),
        error_messages={"invalid": _("Use lower-case letters, digits, _ or - only.")},
    )
    show_if = ShowIfBlock()

    question_type = "question"
    # Whether answers are choices that can be counted and charted.
    countable = False
    # Whether a show-if condition may refer to this question.
    has_choices = False

    class Meta:
        icon = "help"

    def choices_of(self, value) -> list[str]:
        return []

    def clean_answer(self, value, data, name):
        """The answer as a Python value, None when blank; ValidationError with a message for the user."""
        raw = (data.get(name) or "").strip()
        if not raw:
            return None
        return raw

    def answer_rows(self, value, answer) -> list[Row]:
        return [Row(text=str(answer))]

    def selected(self, answer) -> set[str]:
        """The choices an answer selects, for show-if conditions."""
        if answer is None:
            return set()
        if isinstance(answer, list | set | tuple):
            return {str(item) for item in answer}
        return {str(answer)}

    def schema(self, value) -> dict:
        """What stored answers depend on: changing it after responses exist would corrupt them."""
        return {"type": self.question_type, "choices": self.choices_of(value)}


class ChoicesMixin:
    def choices_of(self, value) -> list[str]:
        return [str(choice).strip() for choice in value.get("choices") or [] if str(choice).strip()]

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        check_distinct(errors, "choices", value.get("choices") or [])
        refuse(**errors)
        return value


class SingleChoiceBlock(ChoicesMixin, QuestionBlock):
    """A question with one answer picked from a list."""

    choices = blocks.ListBlock(blocks.CharBlock(label=_("Choice"), max_length=200), label=_("Choices"), min_num=2)

    question_type = "single_choice"
    countable = True
    has_choices = True

    class Meta:
        icon = "radio-full"
        label = _("Single choice")
        template = "surveys/blocks/single_choice.html"
        preview_value = {"label": "您的年龄段", "required": True, "choices": ["30岁以下", "30–59岁", "60岁及以上"]}

    def clean_answer(self, value, data, name):
        raw = (data.get(name) or "").strip()
        if not raw:
            return None
        if raw not in self.choices_of(value):
            raise ValidationError(_("Pick one of the choices offered."))
        return raw

    def answer_rows(self, value, answer) -> list[Row]:
        return [Row(choice=answer)]


class MultipleChoiceBlock(ChoicesMixin, QuestionBlock):
    """A question with several answers picked from a list, with optional minimum and maximum picks."""

    choices = blocks.ListBlock(blocks.CharBlock(label=_("Choice"), max_length=200), label=_("Choices"), min_num=2)
    min_picks = blocks.IntegerBlock(label=_("Minimum picks"), required=False, min_value=1)
    max_picks = blocks.IntegerBlock(label=_("Maximum picks"), required=False, min_value=1)

    question_type = "multiple_choice"
    countable = True
    has_choices = True

    class Meta:
        icon = "tick-inverse"
        label = _("Multiple choice")
        template = "surveys/blocks/multiple_choice.html"
        preview_value = {
            "label": "您希望社区开展哪些活动？",
            "choices": ["健康讲座", "文艺演出", "志愿服务"],
            "max_picks": 2,
        }

    def clean(self, value):
        value = super().clean(value)
        low, high = value.get("min_picks"), value.get("max_picks")
        if low and high and low > high:
            refuse(min_picks=_("The minimum number of picks cannot be above the maximum."))
        if low and low > len(self.choices_of(value)):
            refuse(min_picks=_("The minimum number of picks cannot be above the number of choices."))
        return value

    def clean_answer(self, value, data, name):
        picked = []
        for item in data.getlist(name):
            item = item.strip()
            if item and item not in picked:
                picked.append(item)
        if not picked:
            return None
        allowed = self.choices_of(value)
        if any(item not in allowed for item in picked):
            raise ValidationError(_("Pick from the choices offered."))
        low, high = value.get("min_picks"), value.get("max_picks")
        if low and len(picked) < low:
            raise ValidationError(
                ngettext("Pick at least %(count)d choice.", "Pick at least %(count)d choices.", low) % {"count": low}
            )
        if high and len(picked) > high:
            raise ValidationError(
                ngettext("Pick at most %(count)d choice.", "Pick at most %(count)d choices.", high) % {"count": high}
            )
        return [item for item in allowed if item in picked]

    def answer_rows(self, value, answer) -> list[Row]:
        return [Row(choice=item) for item in answer]


class RatingBlock(QuestionBlock):
    """A rating on a numeric scale with labels at both ends."""

    scale_min = blocks.IntegerBlock(label=_("Lowest rating"), default=1, min_value=0, max_value=10)
    scale_max = blocks.IntegerBlock(label=_("Highest rating"), default=5, min_value=1, max_value=10)
    min_label = blocks.CharBlock(label=_("Label of the lowest rating"), required=False, max_length=40)
    max_label = blocks.CharBlock(label=_("Label of the highest rating"), required=False, max_length=40)

    question_type = "rating"
    countable = True
    has_choices = True

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


class MatrixBlock(QuestionBlock):
    """Several rows rated on one shared scale (one pick per row)."""

    rows = blocks.ListBlock(blocks.CharBlock(label=_("Row"), max_length=200), label=_("Rows"), min_num=1)
    columns = blocks.ListBlock(blocks.CharBlock(label=_("Scale point"), max_length=60), label=_("Scale"), min_num=2)

    question_type = "matrix"
    countable = True

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
        for name in ("rows", "columns", "dimensions"):
            if name in self.child_blocks:
                items = value.get(name) or []
                check_distinct(errors, name, [item["label"] if name == "dimensions" else item for item in items])
        refuse(**errors)
        return value

    def rows_of(self, value) -> list[str]:
        return [str(row).strip() for row in value.get("rows") or [] if str(row).strip()]

    def choices_of(self, value) -> list[str]:
        return [str(col).strip() for col in value.get("columns") or [] if str(col).strip()]

    def schema(self, value) -> dict:
        return {**super().schema(value), "rows": self.rows_of(value)}

    def row_name(self, name, index) -> str:
        return f"{name}-{index}"

    def clean_answer(self, value, data, name):
        picks, allowed = {}, self.choices_of(value)
        for index, row in enumerate(self.rows_of(value)):
            raw = (data.get(self.row_name(name, index)) or "").strip()
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

    class Meta:
        icon = "order"
        label = _("Satisfaction dimensions")
        template = "surveys/blocks/matrix.html"
        preview_value = {"label": "请对以下方面作出评价", "dimensions": [{"label": "服务态度", "weight": 1}]}

    def rows_of(self, value) -> list[str]:
        return [str(item["label"]).strip() for item in value.get("dimensions") or [] if str(item["label"]).strip()]

    def weights_of(self, value) -> dict[str, float]:
        return {
            str(item["label"]).strip(): float(item.get("weight") if item.get("weight") is not None else 1)
            for item in value.get("dimensions") or []
        }

    def choices_of(self, value) -> list[str]:
        return [code for code, _label in SATISFACTION_LEVELS]

    def choice_labels(self, value) -> dict[str, str]:
        return {code: str(label) for code, label in SATISFACTION_LEVELS}

    def schema(self, value) -> dict:
        # Weights may change after responses: they are not stored with the answers.
        return {"type": self.question_type, "rows": self.rows_of(value)}


class RankingBlock(ChoicesMixin, QuestionBlock):
    """The respondent puts every item in order of preference."""

    choices = blocks.ListBlock(blocks.CharBlock(label=_("Item"), max_length=200), label=_("Items"), min_num=2)

    question_type = "ranking"

    class Meta:
        icon = "list-ol"
        label = _("Ranking")
        template = "surveys/blocks/ranking.html"
        preview_value = {"label": "请按重要程度排序", "choices": ["停车", "绿化", "安防"]}

    def item_name(self, name, index) -> str:
        return f"{name}-{index}"

    def clean_answer(self, value, data, name):
        items = self.choices_of(value)
        positions = {}
        for index, item in enumerate(items):
            raw = (data.get(self.item_name(name, index)) or "").strip()
            if not raw:
                continue
            position = params.whole_number(raw)
            if position is None or not 1 <= position <= len(items):
                raise ValidationError(_("Give each item a place from 1 to %(count)d.") % {"count": len(items)})
            positions[item] = position
        if not positions:
            return None
        if len(positions) < len(items) or len(set(positions.values())) != len(items):
            raise ValidationError(_("Give each item a different place, from 1 to %(count)d.") % {"count": len(items)})
        return positions

    def answer_rows(self, value, answer) -> list[Row]:
        return [Row(choice=item, number=float(position)) for item, position in answer.items()]

    def selected(self, answer) -> set[str]:
        return set()


class ShortTextBlock(QuestionBlock):
    """A one-line text answer."""

    max_length = blocks.IntegerBlock(label=_("Maximum length"), default=200, min_value=1, max_value=1000)

    question_type = "short_text"

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


def _plain(number) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


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


class SectionBlock(blocks.StructBlock):
    """Starts a new section; on phones each section is one step."""

    title = blocks.CharBlock(label=_("Section title"), max_length=200)
    intro = blocks.TextBlock(label=_("Introduction"), required=False)
    show_if = ShowIfBlock()

    class Meta:
        icon = "horizontalrule"
        label = _("Section (step)")
        template = "surveys/blocks/section.html"
        preview_value = {"title": "基本情况", "intro": ""}


class SurveyQuestionsBlock(blocks.StreamBlock):
    """The questions of a survey, split into steps by sections."""

    def value_from_datadict(self, data, files, prefix):
        """The posted questions; when part of them is missing (a block the browser could not draw),
        the complete blocks are kept and `clean` refuses the whole, so nothing typed is thrown away
        by a server error and nothing half-written is stored."""
        try:
            return super().value_from_datadict(data, files, prefix)
        except (KeyError, ValueError):  # MultiValueDictKeyError is a KeyError
            pass
        children = []
        try:
            count = int(data.get(f"{prefix}-count") or 0)
        except ValueError:
            count = 0
        for index in range(min(count, 1000)):
            child = f"{prefix}-{index}"
            block = self.child_blocks.get(data.get(f"{child}-type") or "")
            if data.get(f"{child}-deleted") or block is None:
                continue
            try:
                value = block.value_from_datadict(data, files, f"{child}-value")
                order = int(data.get(f"{child}-order", index))
            except (KeyError, ValueError):
                continue
            children.append((order, index, block.name, value, data.get(f"{child}-id")))
        children.sort()
        value = blocks.StreamValue(self, [(name, value, id_) for _o, _i, name, value, id_ in children])
        value.incomplete = True
        return value

    def clean(self, value):
        if getattr(value, "incomplete", False):
            raise StreamBlockValidationError(
                non_block_errors=[
                    ValidationError(
                        _("Part of the questions did not arrive, so nothing was saved. Check them and save again.")
                    )
                ]
            )
        return super().clean(value)

    section = SectionBlock()
    single_choice = SingleChoiceBlock()
    multiple_choice = MultipleChoiceBlock()
    rating = RatingBlock()
    nps = NPSBlock()
    matrix = MatrixBlock()
    satisfaction = SatisfactionBlock()
    ranking = RankingBlock()
    short_text = ShortTextBlock()
    long_text = LongTextBlock()
    number = NumberBlock()
    date = DateBlock()
