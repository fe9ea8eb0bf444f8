from django.core.management.base import BaseCommand

from jobs.housekeeping import delete_expired_files, delete_stranded_uploads


class Command(BaseCommand):
    help = (
        "Delete jobs' result files past JOBS_FILES_KEPT_DAYS and uploaded files whose job never read them "
        "(run by gongzhi-jobs.timer)."
    )

    def handle(self, *args, **options):
        files = delete_expired_files()
        uploads = delete_stranded_uploads()
        self.stdout.write(f"result files deleted: {files}, stranded uploads deleted: {uploads}")
