"""The national dues brackets as the default rule data (organisation empty: everywhere)."""

import datetime
from decimal import Decimal

from django.db import migrations

NATIONAL_SINCE = datetime.date(2008, 4, 1)
# (category, base above, base up to, rate, fixed): 《关于中国共产党党费收缴、使用和管理的规定》 (2008).
NATIONAL_DEFAULTS = [
    ("serving", None, "3000", "0.005", None),
    ("serving", "3000", "5000", "0.01", None),
    ("serving", "5000", "10000", "0.015", None),
    ("serving", "10000", None, "0.02", None),
    ("retired", None, "5000", "0.005", None),
    ("retired", "5000", None, "0.01", None),
    ("farmer", None, None, None, "0.50"),
    ("student", None, None, None, "0.20"),
    ("unemployed", None, None, None, "0.20"),
    ("subsistence", None, None, None, "0.20"),
]


def _decimal(value):
    return None if value is None else Decimal(value)


def add_defaults(apps, schema_editor):
    DuesRule = apps.get_model("membership", "DuesRule")
    DuesRule.objects.bulk_create(
        DuesRule(
            organization=None,
            valid_from=NATIONAL_SINCE,
            category=category,
            above=_decimal(above),
            up_to=_decimal(up_to),
            rate=_decimal(rate),
            fixed=_decimal(fixed),
        )
        for category, above, up_to, rate, fixed in NATIONAL_DEFAULTS
    )


def remove_defaults(apps, schema_editor):
    apps.get_model("membership", "DuesRule").objects.filter(organization=None, valid_from=NATIONAL_SINCE).delete()


class Migration(migrations.Migration):
    dependencies = [("membership", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
