"""P3: a community of 1,000 members (20 branches of 50) all submit their appraisal ballots at once.

Each voter first opens the ballot form (not timed: a member reads it and chooses the grades before
sending, so their session and permissions are in the cache as for any real voter), then all of them
submit at once: the 49 other members of their branch graded through the real form, over HTTP,
through nginx and the workers; each ballot is sealed to its campaign's key as it is stored. Then every
ballot is sent a second time (a double click, a replay). Then balloting closes: the mixer opens every
sealed ballot, writes the shuffled plaintext rows and destroys the keys (timed apart).
Targets: ballots stored = voters (0 lost, 0 duplicates), at least 200 ballots per second.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db import transaction

from bench import cpu
from bench.common import CSRF, form_post_headers, percentile, request, session_cookies
from core import sealing
from evaluation import mixing as ballot_boxes
from evaluation import voting
from evaluation.models import AppraisalCampaign, Ballot, BallotEntry, Participation, Receipt, SealedBallot, Stage
from organizations.models import Organization, RosterEntry

BRANCHES, MEMBERS = 20, 50
GRADES = ["excellent", "competent", "competent", "competent", "basic", "competent", "incompetent"]


@transaction.atomic
def build() -> list[AppraisalCampaign]:
    street = Organization.objects.get(code="xingfu")
    community = street.add_child(code="bench-community", name="基准测试社区党委", kind="community")
    User = get_user_model()
    campaigns = []
    for b in range(BRANCHES):
        branch = community.add_child(code=f"bench-branch-{b:02d}", name=f"基准测试第{b + 1}党支部", kind="branch")
        users = User.objects.bulk_create(
            [User(username=f"p3-{b}-{i}@bench.example", email=f"p3-{b}-{i}@bench.example") for i in range(MEMBERS)]
        )
        RosterEntry.objects.bulk_create(
            [
                RosterEntry(
                    branch=branch,
                    member_no=f"{i:04d}",
                    name=f"党员{b:02d}{i:02d}",
                    gender="M",
                    joined_on=dt.date(2001, 7, 1),
                    user=user,
                    member_type="full",
                )  # fmt: skip
                for i, user in enumerate(users)
            ]
        )
        campaign = AppraisalCampaign.objects.create(branch=branch, year=2026, ballot_date=dt.date(2026, 12, 18))
        campaign.enrol_members()
        campaign.move_to(Stage.BALLOTING, None)
        campaigns.append(campaign)
    return campaigns


def _ballots(campaigns) -> list[tuple[str, int, bytes]]:
    """(url, voter id, form body) for every voter: the form a member submits after choosing the grades."""
    voters = RosterEntry.objects.filter(branch__in=[c.branch_id for c in campaigns]).select_related("user")
    by_branch: dict[int, list] = {}
    for entry in voters:
        by_branch.setdefault(entry.branch_id, []).append(entry.user)
    forms = []
    for campaign in campaigns:
        for user in by_branch[campaign.branch_id]:
            rows = voting.ballot_rows(campaign, voter=user)
            fields = {"csrfmiddlewaretoken": CSRF}
            fields.update({f"grade-{row.pk}": GRADES[(user.pk + row.pk) % len(GRADES)] for row in rows})
            forms.append((f"/evaluation/{campaign.pk}/ballot/", user, urlencode(fields).encode()))
    return forms


async def _open_forms(base_url: str, forms, sessions) -> list:
    return await asyncio.gather(
        *(
            request(base_url + url, headers={"Cookie": f"sessionid={sessions[user.pk]}", "Accept-Language": "zh-CN"})
            for url, user, _body in forms
        )
    )


async def _burst(base_url: str, forms, sessions) -> list:
    return await asyncio.gather(
        *(
            request(base_url + url, method="POST", body=body, headers=form_post_headers(sessions[user.pk]))
            for url, user, body in forms
        )
    )


def measure(base_url: str, campaigns) -> dict:
    forms = _ballots(campaigns)
    sessions = session_cookies([user for _url, user, _body in forms])
    opened = asyncio.run(_open_forms(base_url, forms, sessions))
    if {reply.status for reply in opened} != {200}:
        raise RuntimeError(f"opening the ballot forms answered {sorted({reply.status for reply in opened})}")
    with cpu.Split() as split:
        started = time.perf_counter()
        replies = asyncio.run(_burst(base_url, forms, sessions))
        elapsed = time.perf_counter() - started
    replays = asyncio.run(_burst(base_url, forms, sessions))
    ids = [c.pk for c in campaigns]
    voters = len(forms)
    sealed = SealedBallot.objects.filter(campaign_id__in=ids).count()
    participations = Participation.objects.filter(campaign_id__in=ids).count()
    # The close, then every box's final mix (open, shuffle, write plaintext rows) and its key destroyed. The
    # close enqueues the opening as a task (evaluation/tasks.py); the bench opens each box itself, as that
    # task does, to time it (a worker taking the task as well finds the box empty: the opening is idempotent).
    mix_started = time.perf_counter()
    for campaign in AppraisalCampaign.objects.filter(pk__in=ids):
        campaign.move_to(Stage.ASSESSMENT, None)
        ballot_boxes.open_box(campaign.pk)
    mix_elapsed = time.perf_counter() - mix_started
    stored = Ballot.objects.filter(campaign_id__in=ids).count()
    receipts = Receipt.objects.filter(campaign_id__in=ids).count()
    entries = BallotEntry.objects.filter(ballot__campaign_id__in=ids).count()
    accepted = sum(r.status == 200 for r in replies)
    latencies = [r.seconds * 1000 for r in replies]
    return {
        "voters": voters,
        "accepted": accepted,
        "statuses": sorted({r.status for r in replies}),
        "sealed_stored": sealed,
        "ballots_stored": stored,
        "receipts_stored": receipts,
        "participations": participations,
        "entries_stored": entries,
        "entries_expected": voters * (MEMBERS - 1),
        "lost": voters - stored,
        "duplicates": max(0, stored - voters),
        "replays_refused": sum(r.status == 409 for r in replays),
        "seconds": round(elapsed, 2),
        "ballots_per_s": round(accepted / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "mix_seconds": round(mix_elapsed, 2),
        "mixed_per_s": round(stored / mix_elapsed, 1) if mix_elapsed else None,
        # The load client is this process ("other"): its asyncio requests are not a child process.
        "cpu_ms": split.per_request_ms(voters),
        "targets": {
            "0 lost": sealed == stored == voters == accepted,
            "0 duplicates": stored == participations == receipts == voters and entries == voters * (MEMBERS - 1),
            "replays refused": all(r.status == 409 for r in replays),
            "≥ 200 ballots/s": accepted / elapsed >= 200,
        },
    }


def reusable_campaigns() -> list[AppraisalCampaign]:
    """The campaigns an earlier run built, with its ballots removed and balloting open again with a new
    box (bench database only; `--reuse`). Re-opening a closed ballot is refused by the model on purpose
    (issue 13, H3): this writes the rows directly, which only a throwaway bench database may do."""
    campaigns = list(AppraisalCampaign.objects.filter(branch__code__startswith="bench-branch-").order_by("pk"))
    for model in (Participation, SealedBallot, Ballot, Receipt):
        model.objects.filter(campaign__in=campaigns).delete()
    for campaign in campaigns:
        if campaign.seal_scope:
            sealing.destroy(campaign.seal_scope)
        campaign.seal_scope = f"appraisal-bench-{uuid.uuid4().hex}"
        campaign.seal_public_key = sealing.create_key(campaign.seal_scope)
        campaign.stage = Stage.BALLOTING
        AppraisalCampaign.objects.filter(pk=campaign.pk).update(
            stage=campaign.stage, seal_scope=campaign.seal_scope, seal_public_key=campaign.seal_public_key
        )
    return campaigns
