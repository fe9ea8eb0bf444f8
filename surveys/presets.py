"""The satisfaction-survey preset (群众满意度测评): dimensions on the four-level scale, and 意见建议."""

from django.utils.translation import gettext as _

# The typical dimensions (shared/domain.md); editors may change, add or remove them before publishing.
DEFAULT_DIMENSIONS = ["服务态度", "办事效率", "信息公开", "环境卫生", "物业服务", "党组织和党员作用", "网格员作用"]


def satisfaction_preset(dimensions=None) -> list[tuple[str, dict]]:
    """StreamField content of a new satisfaction survey."""
    return [
        (
            "satisfaction",
            {
                "label": _("How satisfied are you with each of the following?"),
                "help_text": _("Choose “Don't know” where you cannot judge; it does not count against anyone."),
                "required": True,
                "key": "",
                "show_if": {"question": "", "values": ""},
                "dimensions": [{"label": label, "weight": 1} for label in (dimensions or DEFAULT_DIMENSIONS)],
            },
        ),
        (
            "long_text",
            {
                "label": _("Opinions and suggestions"),
                "help_text": _("Optional. Please do not write names or other personal details."),
                "required": False,
                "key": "",
                "show_if": {"question": "", "values": ""},
            },
        ),
    ]
