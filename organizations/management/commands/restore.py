"""`manage.py restore FILE`: replace the database's contents with a backup (see organizations/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from organizations import backup


class Command(BaseCommand):
    help = "Restore the database from a backup made by `manage.py backup` (replaces every table's contents)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file: a .dump (PostgreSQL) or .sqlite3 (SQLite).")

    def handle(self, *args, file, **options):
        backup.restore(Path(file))
        self.stdout.write(self.style.SUCCESS(f"Database restored from {file}."))
