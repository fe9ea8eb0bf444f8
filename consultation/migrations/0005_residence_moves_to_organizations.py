"""Residence moves to organizations (next to Grid); its table stays, so this only changes Django's state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("consultation", "0004_stage_transition_result"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Residence")],
            database_operations=[],
        ),
    ]
