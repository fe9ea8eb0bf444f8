"""The Wagtail documents that held evidence files and 述职 reports are gone (0005 copied them to private
files): their fields and files, the collection locked to a group no one was in, and that group."""

from django.db import migrations, models
from django.db.models import Q

COLLECTION = "三张清单附件"
GROUP = "三张清单附件（不对外开放）"


def delete_documents(apps, schema_editor):
    Document = apps.get_model("wagtaildocs", "Document")
    Collection = apps.get_model("wagtailcore", "Collection")
    CollectionViewRestriction = apps.get_model("wagtailcore", "CollectionViewRestriction")
    Group = apps.get_model("auth", "Group")
    for document in Document.objects.filter(collection__name=COLLECTION, collection__depth=2):
        document.file.delete(save=False)
        document.delete()
    for collection in Collection.objects.filter(name=COLLECTION, depth=2, numchild=0):
        CollectionViewRestriction.objects.filter(collection=collection).delete()
        collection.delete()
        root = Collection.objects.filter(depth=1).first()
        if root is not None:
            root.numchild = Collection.objects.filter(depth=2).count()
            root.save(update_fields=["numchild"])
    Group.objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accountability", "0005_private_attachments"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="evidence", name="evidence_shows_something"),
        migrations.RemoveField(model_name="evidence", name="document"),
        migrations.RemoveField(model_name="assessment", name="report_document"),
        migrations.AddConstraint(
            model_name="evidence",
            constraint=models.CheckConstraint(
                condition=Q(page__isnull=False) | Q(record_id__isnull=False) | ~Q(file=""),
                name="evidence_shows_something",
            ),
        ),
        migrations.RunPython(delete_documents, migrations.RunPython.noop),
    ]
