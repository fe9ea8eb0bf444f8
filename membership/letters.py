"""The transfer letter (党员组织关系介绍信) as a PDF, for an organisation outside the platform."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from core.pdf import render_pdf
from membership.models import Transfer


def transfer_letter_html(transfer: Transfer) -> str:
    context = {"transfer": transfer, "entry": transfer.entry, "today": timezone.localdate()}
    return render_to_string("membership/reports/transfer_letter.html", context)


def render_transfer_letter(transfer: Transfer) -> bytes:
    return render_pdf(transfer_letter_html(transfer), timeout=60)
