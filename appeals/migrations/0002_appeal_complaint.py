from django.db import migrations, models


def complaints_from_their_unit(apps, schema_editor):
    """Requests that already named an organisation complained about get the matching choice."""
    Appeal = apps.get_model("appeals", "Appeal")
    for appeal in Appeal.objects.filter(complains_about__isnull=False).select_related("complains_about"):
        appeal.complaint = "community" if appeal.complains_about.kind == "community" else "grid"
        appeal.save(update_fields=["complaint"])


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="appeal",
            name="complaint",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "No, it is a problem to solve"),
                    ("grid", "Yes: about my grid worker or the branch looking after my grid"),
                    ("community", "Yes: about how the community handled it"),
                ],
                default="",
                max_length=10,
                verbose_name="a complaint about its handlers",
            ),
        ),
        migrations.RunPython(complaints_from_their_unit, migrations.RunPython.noop),
    ]
