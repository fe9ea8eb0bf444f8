"""Minutes (会议记录): written once, during or after the meeting, with attachments."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from orglife import attendance
from orglife.models import Meeting, MinutesAttachment

ATTACHMENT_EXTENSIONS = {
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".txt",
    ".jpg",
    ".jpeg",
    ".png",
    ".odt",
}
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


def check_attachment(upload) -> None:
    if Path(upload.name).suffix.lower() not in ATTACHMENT_EXTENSIONS:
        raise attendance.Refused(
            _("“%(name)s” is not a file type that can be attached (PDF, Word, Excel, PowerPoint, text or image).")
            % {"name": upload.name}
        )
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise attendance.Refused(_("“%(name)s” is larger than 20 MB.") % {"name": upload.name})


@transaction.atomic
def save_minutes(meeting: Meeting, user, *, recorder: str, content: str, decisions: str, uploads=()) -> Meeting:
    """Store the minutes on the record (the same fields the ledger shows) and any attachments; all or nothing."""
    for upload in uploads:
        check_attachment(upload)
    if meeting.is_cancelled:
        raise attendance.Refused(_("This meeting was cancelled."))
    if timezone.now() < meeting.starts_at:
        raise attendance.Refused(_("Minutes can be written once the meeting has started."))
    meeting.recorder = recorder.strip()[:64]
    meeting.content = content.strip()
    meeting.decisions = decisions.strip()
    meeting.minutes_by = user
    meeting.minutes_saved_at = timezone.now()
    meeting.save(update_fields=["recorder", "content", "decisions", "minutes_by", "minutes_saved_at"])
    for upload in uploads:
        MinutesAttachment.objects.create(
            meeting=meeting, file=upload, name=Path(upload.name).name[:200], uploaded_by=user
        )
    log(instance=meeting, action="orglife.meeting.minutes", user=user)
    attendance.assign_makeups(meeting, user)
    return meeting
