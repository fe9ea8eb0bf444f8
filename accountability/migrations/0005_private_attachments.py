"""Evidence files and 述职 reports move from Wagtail documents (locked in a collection no one could open) to
files of their own under PRIVATE_ROOT/accountability, handed out only by the permission-checked views.

Existing attachments are copied: each document's bytes are written to the new private field under the same
file name (0006 then deletes the documents, their files, the locked collection and its empty group). Evidence
whose document's file is already gone from storage showed nothing and is dropped."""

from pathlib import Path

from django.core.files.base import ContentFile
from django.db import migrations, models

import core.private_files



def _read(document) -> bytes | None:
    try:
        with document.file.open("rb") as handle:
            return handle.read()
    except (FileNotFoundError, ValueError, OSError):
        return None


def copy_documents(apps, schema_editor):
    Evidence = apps.get_model("accountability", "Evidence")
    Assessment = apps.get_model("accountability", "Assessment")
    for evidence in Evidence.objects.exclude(document=None).select_related("document"):
        content = _read(evidence.document)
        if content is None:
            if not (evidence.page_id or evidence.record_id):
                evidence.delete()
            continue
        evidence.file.save(Path(evidence.document.file.name).name, ContentFile(content), save=False)
        evidence.save(update_fields=["file"])
    for assessment in Assessment.objects.exclude(report_document=None).select_related("report_document"):
        content = _read(assessment.report_document)
        if content is not None:
            assessment.report_file.save(
                Path(assessment.report_document.file.name).name, ContentFile(content), save=False
            )
            assessment.save(update_fields=["report_file"])


class Migration(migrations.Migration):
    dependencies = [
        ("accountability", "0004_task_cancelled_on_new_indicators_requests_rule"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [
        migrations.RenameField("assessment", "report_file", "report_document"),
        migrations.AddField(
            model_name="evidence",
            name="file",
            field=models.FileField(
                blank=True,
                storage=core.private_files.PrivateStorage("accountability"),
                upload_to="evidence/%Y/%m/",
                verbose_name="attachment",
            ),
        ),
        migrations.AddField(
            model_name="assessment",
            name="report_file",
            field=models.FileField(
                blank=True,
                storage=core.private_files.PrivateStorage("accountability"),
                upload_to="reports/%Y/",
                verbose_name="report file",
            ),
        ),
        migrations.RunPython(copy_documents, migrations.RunPython.noop),
    ]
