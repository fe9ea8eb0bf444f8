"""`manage.py backup [-o FILE]`: write a backup of the database (see organizations/backup.py)."""

from pathlib import Path

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
