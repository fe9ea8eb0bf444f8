"""`manage.py backup [-o FILE]`: write a backup of the database (see organizations/backup.py)."""

from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand

from organizations import backup


class Command(BaseCommand):
    help = "Back up the database: pg_dump -Fc for PostgreSQL, SQLite's online backup for SQLite."

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", help="Backup file (default: backups/gongzhi-<UTC timestamp>.dump or .sqlite3)."
        )

    def handle(self, *args, output=None, **options):
        path = backup.backup(Path(output) if output else backup.default_path())
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path} ({path.stat().st_size} bytes)."))
        if self._ballot_open():
            self.stderr.write(
                self.style.WARNING(
                    "An appraisal ballot is open: this backup holds its ballots sealed, and only the box's key "
                    "opens them (SEALING_KEY_DIR, wrapped with SEALING_WRAP_KEY; destroyed at the close). "
                    "Never store the key directory or the wrapping key with a database backup."
                )
            )

    @staticmethod
    def _ballot_open() -> bool:
        # Looked up by name: organizations imports no feature app.
        if not apps.is_installed("evaluation"):
            return False
        return apps.get_model("evaluation", "AppraisalCampaign").objects.filter(stage="balloting").exists()
