"""Questions answered by picking from the editor's list: one choice, several choices, or all in order."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from wagtail import blocks

from core import params
from surveys import charts
from surveys.questions.base import QuestionBlock, Row, Tally, check_distinct, part_name, refuse


class ChoicesMixin:
    """The editor's list of choices, each given once."""

    def choices_of(self, value) -> list[str]:
        return [str(choice).strip() for choice in value.get("choices") or [] if str(choice).strip()]

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        check_distinct(errors, "choices", value.get("choices") or [])
        refuse(**errors)
        return value


class CountedMixin:
    """Answers that are choices: each choice's count and share of those who answered, as a bar chart."""

    countable = True
    has_choices = True

    def current_choices(self, name: str, data: QueryDict) -> set[str]:
        return {data.get(name, "")}

    def form_context(self, value, name: str, data: QueryDict) -> dict:
        current = self.current_choices(name, data)
        return {"options": [(choice, choice, choice in current) for choice in self.choices_of(value)]}

    def summarise(self, value, tally: Tally, result) -> None:
        base = tally.answered
        counts = [(choice, tally.counts.get(("", choice), 0)) for choice in self.choices_of(value)]
        result.rows = [(choice, n, n / base if base else None) for choice, n in counts]

    def draw(self, result, title: str) -> None:
        if result.rows:
            result.bar = charts.bar_chart([(label, count) for label, count, _share in result.rows], title=title)


class SingleChoiceBlock(ChoicesMixin, CountedMixin, QuestionBlock):
    """A question with one answer picked from a list."""

    choices = blocks.ListBlock(blocks.CharBlock(label=_("Choice"), max_length=200), label=_("Choices"), min_num=2)

    question_type = "single_choice"

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

    def draw(self, result, title: str) -> None:
        super().draw(result, title)
        if result.rows:
            result.pie = charts.pie_chart([(label, count) for label, count, _share in result.rows], title=title)


class MultipleChoiceBlock(ChoicesMixin, CountedMixin, QuestionBlock):
    """A question with several answers picked from a list, with optional minimum and maximum picks."""

    choices = blocks.ListBlock(blocks.CharBlock(label=_("Choice"), max_length=200), label=_("Choices"), min_num=2)
    min_picks = blocks.IntegerBlock(label=_("Minimum picks"), required=False, min_value=1)
    max_picks = blocks.IntegerBlock(label=_("Maximum picks"), required=False, min_value=1)

    question_type = "multiple_choice"

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

    def current_choices(self, name: str, data: QueryDict) -> set[str]:
        return set(data.getlist(name))

    def form_data(self, value, name: str, answer, data: QueryDict) -> None:
        data.appendlist(name, answer.choice)

    def export_join(self, before, shown):
        """Every pick in the one column, separated as a Chinese list is."""
        return f"{before}；{shown}" if before != "" else shown


class RankingBlock(ChoicesMixin, QuestionBlock):
    """The respondent puts every item in order of preference."""

    choices = blocks.ListBlock(blocks.CharBlock(label=_("Item"), max_length=200), label=_("Items"), min_num=2)

    question_type = "ranking"

    class Meta:
        icon = "list-ol"
        label = _("Ranking")
        template = "surveys/blocks/ranking.html"
        preview_value = {"label": "请按重要程度排序", "choices": ["停车", "绿化", "安防"]}

    def clean_answer(self, value, data, name):
        items = self.choices_of(value)
        positions = {}
        for index, item in enumerate(items):
            raw = (data.get(part_name(name, index)) or "").strip()
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

    def form_context(self, value, name: str, data: QueryDict) -> dict:
        items = self.choices_of(value)
        return {
            "positions": [str(n) for n in range(1, len(items) + 1)],
            "items": [
                {"label": label, "name": part_name(name, i), "current": data.get(part_name(name, i), "")}
                for i, label in enumerate(items)
            ],
        }

    def form_data(self, value, name: str, answer, data: QueryDict) -> None:
        items = self.choices_of(value)
        if answer.choice in items:
            data[part_name(name, items.index(answer.choice))] = str(int(answer.number))

    def summarise(self, value, tally: Tally, result) -> None:
        """Each item's number of places given and average place, first place first."""
        result.ranked = True
        result.rows = sorted(
            (
                (item, tally.numbers.get(item, {}).get("n", 0), tally.numbers.get(item, {}).get("avg"))
                for item in self.choices_of(value)
            ),
            key=lambda r: (r[2] is None, r[2] or 0),
        )

    def draw(self, result, title: str) -> None:
        if result.rows:
            items = [(label, avg or 0) for label, _n, avg in result.rows]
            result.bar = charts.bar_chart(items, title=title, desc=gettext("Average place of each item (1 is first)."))

    def export_columns(self, value) -> list[str]:
        return self.choices_of(value)

    def export_cell(self, row: str, choice: str, number, text: str, date) -> tuple[str, object]:
        return choice, int(number) if number is not None else ""
