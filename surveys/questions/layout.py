"""How a survey is laid out: sections (one step each on phones) and show-if conditions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wagtail import blocks


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


class SectionBlock(blocks.StructBlock):
    """Starts a new section; on phones each section is one step."""

    title = blocks.CharBlock(label=_("Section title"), max_length=200)
    intro = blocks.TextBlock(label=_("Introduction"), required=False)
    show_if = ShowIfBlock()

    is_section = True

    class Meta:
        icon = "horizontalrule"
        label = _("Section (step)")
        template = "surveys/blocks/section.html"
        preview_value = {"title": "基本情况", "intro": ""}
