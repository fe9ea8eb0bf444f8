"""Every date and datetime field of the site's and the admin's forms shows its value in a form the
browser's date input takes (yyyy-mm-dd), also in Chinese, where the first input format is 2026/12/18."""

import datetime as dt
import importlib
import inspect
import re

import pytest

from django import forms
from django.apps import apps
from django.conf import settings
from django.utils import translation

from wagtail.models import Page
from wagtail.snippets.models import get_snippet_models

PROJECT_APPS = [app.name for app in apps.get_app_configs() if (settings.BASE_DIR / app.name.split(".")[0]).is_dir()]
DATE = dt.date(2026, 12, 18)
DATETIME = dt.datetime(2026, 12, 18, 9, 30)
DATE_FIELDS = (forms.DateField, forms.DateTimeField, forms.SplitDateTimeField)


def _site_forms() -> list[type[forms.BaseForm]]:
    found = []
    for app in PROJECT_APPS:
        try:
            module = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__:
                found.append(obj)
    return found


def _admin_forms() -> list[type[forms.BaseForm]]:
    """The Wagtail admin's edit forms of the project's page types and snippets."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in {app.rsplit(".", 1)[-1] for app in PROJECT_APPS}:
            continue
        if issubclass(model, Page) and model is not Page:
            found.append(model.get_edit_handler().get_form_class())
    for model in get_snippet_models():
        if model._meta.app_label in {app.rsplit(".", 1)[-1] for app in PROJECT_APPS}:
            found.append(model.snippet_viewset.get_edit_handler().get_form_class())
    return found


def _date_fields(form_class):
    return [(name, field) for name, field in form_class.base_fields.items() if isinstance(field, DATE_FIELDS)]


def test_the_walk_finds_the_forms_with_date_fields():
    site_forms = {form.__name__ for form in _site_forms() if _date_fields(form)}
    admin_forms = [form for form in _admin_forms() if _date_fields(form)]
    assert "CampaignForm" in site_forms
    assert len(admin_forms) >= 3  # meeting records, policy pages, news, surveys …


@pytest.mark.parametrize("where", ["site", "admin"])
def test_every_date_widget_renders_an_iso_value_in_chinese(where):
    form_classes = _site_forms() if where == "site" else _admin_forms()
    wrong = []
    with translation.override("zh-hans"):
        for form_class in form_classes:
            for name, field in _date_fields(form_class):
                is_datetime = isinstance(field, (forms.DateTimeField, forms.SplitDateTimeField))
                value = DATETIME if is_datetime else DATE
                html = field.widget.render(name, field.prepare_value(value))
                input_type = getattr(field.widget, "input_type", "")
                expected = "2026-12-18T09:30" if input_type == "datetime-local" else "2026-12-18"
                if expected not in html or re.search(r"2026/12/18|2026年", html):
                    wrong.append(f"{form_class.__module__}.{form_class.__name__}.{name}: {html}")
    assert not wrong, "\n".join(wrong)


def test_a_date_widget_without_a_format_writes_iso_in_chinese_and_typed_forms_still_parse():
    """The project's zh_Hans format module puts ISO first (Django's puts 2026/12/18 first)."""
    field = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    with translation.override("zh-hans"):
        assert 'value="2026-12-18"' in field.widget.render("d", DATE)
        for typed in ("2026-12-18", "2026/12/18", "2026年12月18日"):
            assert field.clean(typed) == DATE
        assert forms.DateTimeField().clean("2026-12-18T09:30") == DATETIME.replace(
            tzinfo=forms.DateTimeField().clean("2026-12-18 09:30").tzinfo
        )
