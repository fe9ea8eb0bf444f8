"""Request photos move to the shared private storage (PRIVATE_ROOT/appeal-photos, core.private_files).

Their names stay the same (year/month/file.jpg); the files written under the old root (the former
APPEALS_PHOTO_ROOT setting, by default var/appeal-photos) are moved across, so no photo answers 404."""

import shutil
from pathlib import Path

from django.conf import settings
from django.db import migrations, models

import appeals.models
import core.private_files


def _roots():
    old = Path(getattr(settings, "APPEALS_PHOTO_ROOT", Path(settings.BASE_DIR) / "var" / "appeal-photos"))
    new = Path(settings.PRIVATE_ROOT) / "appeal-photos"
    return old, new


def _move(apps, source: Path, target: Path) -> None:
    if not source.is_dir() or source.resolve() == target.resolve():
        return
    Photo = apps.get_model("appeals", "Photo")
    for name in Photo.objects.exclude(image="").values_list("image", flat=True).iterator():
        before, after = source / name, target / name
        if before.is_file() and not after.exists():
            after.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(before), str(after))


def forwards(apps, schema_editor):
    old, new = _roots()
    _move(apps, old, new)


def backwards(apps, schema_editor):
    old, new = _roots()
    _move(apps, new, old)


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0002_appeal_complaint"),
    ]

    operations = [
        migrations.AlterField(
            model_name="photo",
            name="image",
            field=models.FileField(
                max_length=200,
                storage=core.private_files.PrivateStorage("appeal-photos"),
                upload_to=appeals.models._photo_path,
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
