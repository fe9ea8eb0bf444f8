from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from organizations.models import Organization
from organizations.roster_import import RosterImportError, import_roster


class Command(BaseCommand):
    help = "Import a branch roster from a .csv or .xlsx file. A file with any bad row imports nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--branch", required=True, help="The branch's code.")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="Language of the messages.",
        )

    def handle(self, *args, file: Path, branch: str, language: str, **options):
        with translation.override(language):
            self._import(file, branch)

    def _import(self, file: Path, code: str) -> None:
        organization = Organization.objects.filter(code=code, kind=Organization.Kind.BRANCH).first()
        if organization is None:
            raise CommandError(_("No branch has the code “%(code)s”.") % {"code": code})
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror})
        try:
            result = import_roster(data, file.name, organization)
        except RosterImportError as error:
            for problem in error.errors:
                if problem.line:
                    self.stderr.write(
                        _("Line %(line)s: %(message)s") % {"line": problem.line, "message": problem.message}
                    )
                else:
                    self.stderr.write(problem.message)
            if error.more:
                self.stderr.write(_("… and %(count)s more problem(s), not shown.") % {"count": error.more})
            raise CommandError(_("Nothing was imported: the file has %(count)s problem(s).") % {"count": error.total})
        self.stdout.write(
            _("Roster of %(branch)s imported: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.")
            % {"branch": organization.name, **vars(result)}
        )
