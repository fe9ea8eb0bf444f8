"""Residence comes from consultation with its table (consultation_residence) and its rows.

Only Django's state changes. The content type is renamed too, so the model's permissions, admin log
entries and anything else pointing at it follow the model instead of being left on a stale type.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="consultation", new="organizations", model="residence"):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label=new, model=model).exists():
        content_type.objects.filter(app_label=old, model=model).update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="organizations", new="consultation")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("organizations", "0001_initial"),
        ("consultation", "0005_residence_moves_to_organizations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Residence",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        (
                            "confirmed_at",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="confirmed at"),
                        ),
                        (
                            "grid",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="residents",
                                to="organizations.grid",
                                verbose_name="grid",
                            ),
                        ),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="residence",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "residence",
                        "verbose_name_plural": "residences",
                        "db_table": "consultation_residence",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
