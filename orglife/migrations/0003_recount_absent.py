"""A tracked meeting's `absent` was written as 0 until the meeting ended and never recounted after it; it is
now due − present − on leave at every change (orglife.attendance.counts). Recount the rows already stored."""

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Greatest


def recount_absent(apps, schema_editor):
    MeetingRecord = apps.get_model("home", "MeetingRecord")
    MeetingRecord.objects.filter(tracked=True).update(
        absent=Greatest(F("due") - F("present") - F("on_leave"), Value(0))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0004_meetingrecord_tracked_on_leave"),
        ("orglife", "0002_minutes_attachments_private"),
    ]

    operations = [migrations.RunPython(recount_absent, migrations.RunPython.noop)]
