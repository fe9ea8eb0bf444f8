"""P4: the 300-member appraisal summary, next to WeasyPrint alone on the same finished HTML.

Part of `make bench` (bench/run.py).
"""

import datetime as dt
import time

from django.contrib.auth import get_user_model
from django.db import transaction

from evaluation import pdf, voting
from evaluation.models import AppraisalCampaign, Stage
from evaluation.voting import Choice
from organizations.models import Organization, RosterEntry

MEMBERS = 300


@transaction.atomic
def build(members: int = MEMBERS) -> AppraisalCampaign:
    root = Organization.objects.filter(code="bench-street").first() or Organization.add_root(
        code="bench-street", name="基准街道党工委", kind="street"
    )
    branch = root.add_child(code=f"bench-{time.time_ns()}", name="基准测试党支部", kind="branch")
    User = get_user_model()
    users = User.objects.bulk_create(
        [
            User(username=f"b{branch.pk}-{i}@bench.example", email=f"b{branch.pk}-{i}@bench.example")
            for i in range(members)
        ]
    )
    RosterEntry.objects.bulk_create(
        [
            RosterEntry(
                branch=branch,
                member_no=f"{i:04d}",
                name=f"党员{i:03d}",
                gender="F",
                joined_on=dt.date(2000, 1, 1),
                user=u,
                member_type="probationary" if i % 17 == 0 else "full",
            )
            for i, u in enumerate(users)
        ]
    )
    campaign = AppraisalCampaign.objects.create(branch=branch, year=2026, ballot_date=dt.date(2026, 12, 18))
    campaign.enrol_members()
    campaign.move_to(Stage.BALLOTING, None)
    grades = ["excellent", "competent", "competent", "competent", "basic", ""]
    for index, user in enumerate(users):
        rows = voting.ballot_rows(campaign, voter=user)
        voting.cast_member_ballot(
            campaign, user, {r.pk: Choice(grades[(index + r.pk) % 6]) for r in rows if r.is_graded}
        )
    campaign.move_to(Stage.ASSESSMENT, None)
    return campaign


def _timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def measure(campaign: AppraisalCampaign) -> dict:
    # The first report also starts the fork server (about a second, once per web process).
    cold = _timed(pdf.render_appraisal_pdf, campaign)
    full = _timed(pdf.render_appraisal_pdf, campaign)
    html = pdf.appraisal_html(campaign)
    start = time.perf_counter()
    _pdf, peak_mb = pdf.render_pdf_measured(html)
    alone_forked = time.perf_counter() - start
    from weasyprint import HTML

    from evaluation.pdf_worker import StaticOnlyFetcher

    fetcher = StaticOnlyFetcher(pdf.static_files())
    alone = _timed(lambda: HTML(string=html, base_url="/", url_fetcher=fetcher).write_pdf())
    return {
        "members": MEMBERS,
        "summary_first_s": round(cold, 2),
        "summary_s": round(full, 2),
        "weasyprint_alone_s": round(alone, 2),
        "weasyprint_in_worker_s": round(alone_forked, 2),
        "ratio": round(full / alone, 2),
        "peak_worker_mb": round(peak_mb, 1),
        "targets": {"≤ 1.2× WeasyPrint alone": full / alone <= 1.2, "< 400 MB": peak_mb < 400},
    }


def existing_campaign() -> AppraisalCampaign:
    """The campaign an earlier run built (`--reuse`)."""
    return AppraisalCampaign.objects.filter(branch__name="基准测试党支部").latest("pk")
