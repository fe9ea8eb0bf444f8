"""Live events keep no content: drop post bodies, author names and outcome texts stored by earlier versions.

Posts hidden by moderators, and text their authors edited away, must not stay readable in the event log.
"""

from django.db import migrations

KEPT = {
    "post.created": ("id", "parent", "root", "depth"),
    "post.edited": ("id",),
    "outcome.published": (),
    "implementation.updated": ("progress",),
}


def scrub(apps, schema_editor):
    Event = apps.get_model("consultation", "Event")
    changed = []
    for event in Event.objects.filter(kind__in=list(KEPT)).only("pk", "kind", "payload").iterator(chunk_size=2000):
        payload = {key: event.payload[key] for key in KEPT[event.kind] if key in (event.payload or {})}
        if payload != event.payload:
            event.payload = payload
            changed.append(event)
        if len(changed) >= 2000:
            Event.objects.bulk_update(changed, ["payload"])
            changed = []
    if changed:
        Event.objects.bulk_update(changed, ["payload"])


class Migration(migrations.Migration):
    dependencies = [("consultation", "0001_initial")]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
