"""Minutes attachments move from MEDIA_ROOT (served to anyone who guesses the path) to PRIVATE_ROOT/orglife,
handed out only by orglife.views.attachment after its permission check. Existing files are moved and their
names lose the `orglife/` prefix (the storage's folder); a file already gone is left as it is (its download
answers 404)."""

import shutil
from pathlib import Path

from django.conf import settings
from django.db import migrations, models

import core.private_files

OLD_PREFIX = "orglife/"


def _move(apps, *, to_private: bool) -> int:
    Attachment = apps.get_model("orglife", "MinutesAttachment")
    media = Path(settings.MEDIA_ROOT)
    private = Path(settings.PRIVATE_ROOT) / "orglife"
    moved = 0
    for pk, name in Attachment.objects.exclude(file="").values_list("pk", "file").iterator():
        if to_private:
            if not name.startswith(OLD_PREFIX):
                continue  # already private
            new_name = name.removeprefix(OLD_PREFIX)
            source, target = media / name, private / new_name
        else:
            if name.startswith(OLD_PREFIX):
                continue
            new_name = OLD_PREFIX + name
            source, target = private / name, media / new_name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():  # never overwrite another file: keep both under distinct names
                target = target.with_name(f"{target.stem}-{pk}{target.suffix}")
                new_name = str(Path(new_name).with_name(target.name))
            shutil.move(source, target)
            moved += 1
        Attachment.objects.filter(pk=pk).update(file=new_name)
    return moved


def to_private(apps, schema_editor):
    _move(apps, to_private=True)


def to_media(apps, schema_editor):
    _move(apps, to_private=False)


class Migration(migrations.Migration):
    dependencies = [
        ("orglife", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="minutesattachment",
            name="file",
            field=models.FileField(storage=core.private_files.PrivateStorage("orglife"), upload_to="minutes/%Y/"),
        ),
        migrations.RunPython(to_private, to_media),
    ]
