"""What every survey question is and does, and the helpers question types share.

A question type is one `QuestionBlock` subclass that owns everything about its answers:

- `clean_answer` reads the answer from a submitted form, `answer_rows` stores it as answer rows, and
  `selected` says which choices it picked (for show-if conditions);
- `form_context` gives the answering template what it draws (options, rows, current values);
- `form_data` puts a stored answer back into form data, to edit an identified response;
- `summarise` turns the counted answers into the results page's figures, `draw` into its charts;
- `export_columns`, `export_cell` (or `export_reader`) and `export_join` place answers in the responses export.

The defaults below suit a question with one plain answer (a text); each family overrides what differs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

from surveys.questions.layout import ShowIfBlock


@dataclass
class Row:
    """One stored answer row (see `surveys.models.Answer`)."""

    row: str = ""
    choice: str = ""
    number: float | None = None
    text: str = ""
    date: dt.date | None = None


@dataclass
class Tally:
    """What the results counted of one question's answers, in SQL (see `surveys.results`)."""

    answered: int = 0
    # (row, choice) → how many answers picked it.
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    # choice → {"avg", "low", "high", "n"} of the answers' numbers ("" for a question without choices).
    numbers: dict[str, dict] = field(default_factory=dict)
    # {"low", "high"} of the answers' dates.
    dates: dict = field(default_factory=dict)


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


def part_name(name: str, index: int) -> str:
    """The form field of one row or item of a question answered in several parts."""
    return f"{name}-{index}"


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
    is_section = False
    # Whether answers are choices that can be counted and charted.
    countable = False
    # Whether a show-if condition may refer to this question.
    has_choices = False
    # Whether the results show a sample of the written answers.
    samples_texts = False
    # Whether the answers are satisfaction levels, summarised as 满意率 (surveys/satisfaction.py).
    rates_satisfaction = False
    # Whether the answers are residents' comments, quoted in the satisfaction summary.
    collects_comments = False

    class Meta:
        icon = "help"

    def choices_of(self, value) -> list[str]:
        return []

    # --- answering ---------------------------------------------------------------------------------

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

    def form_context(self, value, name: str, data: QueryDict) -> dict:
        """What the question's template draws besides the label and the current text (`q.current`)."""
        return {}

    def form_data(self, value, name: str, answer, data: QueryDict) -> None:
        """Put one stored answer row (`surveys.models.Answer`) back into the form data."""
        if answer.choice:
            data[name] = answer.choice
        elif answer.number is not None:
            data[name] = f"{answer.number:g}"
        elif answer.date is not None:
            data[name] = answer.date.isoformat()
        else:
            data[name] = answer.text

    # --- results -----------------------------------------------------------------------------------

    def summarise(self, value, tally: Tally, result) -> None:
        """Fill the question's figures of the results (`surveys.results.QuestionResult`) from its tally."""

    def draw(self, result, title: str) -> None:
        """Draw the charts of the question's result, when its figures may be shown."""

    # --- responses export ------------------------------------------------------------------------

    def export_columns(self, value) -> list[str]:
        """The keys of the question's export columns: "" for one column headed by the question alone,
        else one column per key, headed "question [key]"."""
        return [""]

    def export_cell(self, row: str, choice: str, number, text: str, date) -> tuple[str, object]:
        """(column key, cell value) of one stored answer row."""
        return row, choice or text

    def export_reader(self, value) -> Callable[[str, str, float | None, str, dt.date | None], tuple[str, object]]:
        """What turns each stored answer row into (column key, cell value): `export_cell` unless a type
        prepares something once per export (an export reads millions of rows)."""
        return self.export_cell

    def export_join(self, before, shown):
        """The cell when a response has several answer rows for one column: the last one by default."""
        return shown
