"""Test factories for consultations (imported by tests only)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from consultation.models import ConsultationPage, ConsultationState, Post, Stage, VoteOption


def make_consultation(
    parent, *, stage: str = Stage.DELIBERATING, options: list[str] | None = None, **fields
) -> ConsultationPage:
    """A live consultation page under `parent` (a HomePage or BranchPage), at `stage`."""
    fields.setdefault("title", "老旧小区加装电梯议事")
    fields.setdefault("slug", f"consultation-{ConsultationPage.objects.count() + 1}-{timezone.now().timestamp():.0f}")
    fields.setdefault("summary", "是否在和平里3号楼加装电梯，费用如何分摊。")
    grids = fields.pop("eligible_grids", None)
    organizations = fields.pop("eligible_organizations", None)
    page = ConsultationPage(**fields)
    if options:
        page.voting_enabled = True
        for label in options:
            page.vote_options.add(VoteOption(label=label))
    parent.add_child(instance=page)
    if grids is not None:
        page.eligible_grids.set(grids)
    if organizations is not None:
        page.eligible_organizations.set(organizations)
    if grids is not None or organizations is not None:
        page.save()
    ConsultationState.objects.filter(consultation=page).update(stage=stage)
    page.__dict__.pop("state", None)
    return page


def make_posts(consultation, authors, count: int, *, replies_per_post: int = 0, start=None) -> list[Post]:
    """Bulk posts (and replies) for speed tests: skips events and notifications."""
    start = start or timezone.now()
    posts = Post.objects.bulk_create(
        [
            Post(
                consultation=consultation,
                author=authors[i % len(authors)],
                body=f"意见 {i + 1}：建议先听取一楼住户的意见，再确定费用分摊比例。",
                support_count=(i * 7) % 23,
                created_at=start - dt.timedelta(minutes=i),
            )
            for i in range(count)
        ],
        batch_size=1000,
    )
    if replies_per_post:
        replies = []
        for i, post in enumerate(posts):
            for j in range(replies_per_post):
                replies.append(
                    Post(
                        consultation=consultation,
                        author=authors[(i + j + 1) % len(authors)],
                        parent=post,
                        root=post,
                        depth=1,
                        body=f"回复 {j + 1}：同意，另外要考虑施工期间的出行安全。",
                        created_at=post.created_at + dt.timedelta(minutes=j + 1),
                    )
                )
        Post.objects.bulk_create(replies, batch_size=1000)
        for post in posts:
            post.reply_count = replies_per_post
        Post.objects.bulk_update(posts, ["reply_count"], batch_size=1000)
    return posts
