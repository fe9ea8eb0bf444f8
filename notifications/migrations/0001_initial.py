"""Notification and NotificationPreference come from consultation with their tables and rows.

Only Django's state changes. The content types are renamed too, so permissions and admin log entries
pointing at the models follow them instead of being left on stale types.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODELS = ["notification", "notificationpreference"]


def move_content_types(apps, schema_editor, old="consultation", new="notifications"):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not content_type.objects.filter(app_label=new, model=model).exists():
            content_type.objects.filter(app_label=old, model=model).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="notifications", new="consultation")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("consultation", "0006_notifications_move_to_their_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("reply", "A reply to my post"),
                                    ("stage", "A stage change of a consultation I took part in"),
                                    ("outcome", "A published outcome or implementation update"),
                                    ("moderation", "Moderation of my post"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("actor_name", models.CharField(blank=True, max_length=64)),
                        ("detail", models.CharField(blank=True, max_length=500)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        ("emailed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "consultation",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="consultation.consultationpage",
                            ),
                        ),
                        (
                            "post",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="consultation.post",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "consultation_notification",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [models.Index(fields=["recipient", "read_at"], name="notification_unread")],
                    },
                ),
                migrations.CreateModel(
                    name="NotificationPreference",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        (
                            "email",
                            models.CharField(
                                choices=[
                                    ("immediate", "One email per event"),
                                    ("daily", "A daily digest"),
                                    ("never", "No email, only on the site"),
                                ],
                                default="immediate",
                                max_length=16,
                                verbose_name="email",
                            ),
                        ),
                        ("on_reply", models.BooleanField(default=True, verbose_name="replies to my posts")),
                        (
                            "on_stage",
                            models.BooleanField(
                                default=True, verbose_name="stage changes of consultations I took part in"
                            ),
                        ),
                        (
                            "on_outcome",
                            models.BooleanField(
                                default=True, verbose_name="published outcomes and implementation updates"
                            ),
                        ),
                        ("on_moderation", models.BooleanField(default=True, verbose_name="moderation of my posts")),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notification_preference",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "consultation_notificationpreference"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
