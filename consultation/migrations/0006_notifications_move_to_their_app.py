"""Notification and NotificationPreference move to the notifications app; their tables stay, so this only
changes Django's state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("consultation", "0005_residence_moves_to_organizations"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="NotificationPreference"),
            ],
            database_operations=[],
        ),
    ]
