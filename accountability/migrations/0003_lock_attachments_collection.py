"""Evidence files and 述职 reports: the collection holding them only required a login, so any signed-in resident
could fetch them; restrict it to a group no one is in (see accountability.forms.lock_attachments_collection)."""

from django.db import migrations

COLLECTION = "三张清单附件"
GROUP = "三张清单附件（不对外开放）"


def lock(apps, schema_editor):
    Collection = apps.get_model("wagtailcore", "Collection")
    CollectionViewRestriction = apps.get_model("wagtailcore", "CollectionViewRestriction")
    Group = apps.get_model("auth", "Group")
    for collection in Collection.objects.filter(name=COLLECTION, depth=2):
        group, _created = Group.objects.get_or_create(name=GROUP)
        CollectionViewRestriction.objects.filter(collection=collection).delete()
        restriction = CollectionViewRestriction.objects.create(collection=collection, restriction_type="groups")
        restriction.groups.set([group])


class Migration(migrations.Migration):
    dependencies = [
        ("accountability", "0002_evaluation_survey"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(lock, migrations.RunPython.noop)]
