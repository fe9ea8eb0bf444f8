"""The consultation page as it is displayed: its context for the viewer (stage, thread page, vote, ratings,
opinion map), one page of the thread, and the opinion map drawn as a picture."""

from __future__ import annotations

import datetime as dt
import math

from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery, Window
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultation import conf
from consultation import rules as consultation_rules
from consultation.fragments import render_posts
from consultation.models import (
    Audience,
    ConsultationPage,
    OutcomeRating,
    Post,
    Satisfaction,
    Stage,
    StatementVote,
    Vote,
)
from consultation.opinion_map import axis_statements, place, stack_points
from consultation.outcome import satisfaction_rate
from consultation.voting import vote_tally
from core import cache as page_cache

SORTS = {"newest": gettext_lazy("Newest"), "supported": gettext_lazy("Most supported")}


def thread_page(consultation: ConsultationPage, user, *, sort: str = "newest", number=1):
    """One page of top-level posts with all their replies, in a fixed number of queries."""
    top = (
        Post.objects.filter(consultation=consultation, parent=None)
        .visible_to(user)
        .select_related("author")
        .with_reaction_of(user)
        .sorted(sort)
    )
    page = _page_with_count(top, conf.get("POSTS_PER_PAGE"), number)
    posts = list(page.object_list)
    by_parent: dict[int, list[Post]] = {}
    if posts:
        replies = (
            Post.objects.filter(root__in=[p.pk for p in posts])
            .visible_to(user)
            .select_related("author")
            .with_reaction_of(user)
            .order_by("created_at", "pk")
        )
        for reply in replies:
            by_parent.setdefault(reply.parent_id, []).append(reply)
    prepare(consultation, user, [*posts, *(r for rs in by_parent.values() for r in rs)], by_parent)
    return page, posts


def _page_with_count(posts, per_page: int, number) -> DjangoPage:
    """The page `number` of `posts`, counted in the same query (a window count over the whole filter).

    Only a page past the end (or a number that is not one) takes the paginator's usual queries.
    """
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 0
    if wanted >= 1:
        start = (wanted - 1) * per_page
        rows = list(posts.annotate(total_count=Window(Count("pk")))[start : start + per_page])
        if rows or wanted == 1:
            paginator = Paginator(posts, per_page)
            paginator.count = rows[0].total_count if rows else 0  # a cached property: no COUNT query
            return DjangoPage(rows, wanted, paginator)
    return Paginator(posts, per_page).get_page(number)


def prepare(consultation, user, posts, by_parent) -> None:
    """What the post template reads besides the post: its replies and whether the viewer may edit it."""
    window = dt.timedelta(minutes=consultation.edit_window_minutes)
    now = timezone.now()
    user_id = user.pk if user.is_authenticated else None
    for post in posts:
        post.children = by_parent.get(post.pk, [])
        post.can_edit = (
            post.author_id == user_id and post.status != Post.Status.HIDDEN and now - post.created_at <= window
        )


def page_context(consultation: ConsultationPage, request) -> dict:
    user = request.user
    # State, organisation and opinion map in one query, before the permissions read the organisation.
    opinion_map = consultation.load_display_state()
    if not user.has_perm("consultation.view_consultation", consultation):
        return {"can_view": False, "stage_choices": Stage, "restricted": True}
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "newest"
    state = consultation.state
    page, posts = thread_page(consultation, user, sort=sort, number=request.GET.get("page") or 1)
    _keep_until_edit_window_ends(request, consultation, posts)
    # Outcomes, implementation updates and ratings come after the decision: no queries before it.
    decided = state.stage not in (Stage.COLLECTING, Stage.DELIBERATING, Stage.VOTING)
    can_manage = user.has_perm("consultation.manage_consultation", consultation)
    can_take_part = user.has_perm("consultation.take_part", consultation)
    render_posts(request, consultation, posts, can_take_part=can_take_part, can_manage=can_manage)
    context = {
        "can_view": True,
        "can_manage": can_manage,
        "can_take_part": can_take_part,
        # In the vote's electorate (not a permission, see rules.py): who is offered the ballot.
        "is_eligible": consultation_rules.is_eligible(user, consultation),
        "state": state,
        "stage": state.stage,
        "stage_label": Stage(state.stage).label,
        "stage_steps": _stage_steps(consultation, state.stage),
        "stage_plans": list(consultation.stage_plans.all()),
        "transitions": list(consultation.transitions.select_related("actor")),
        "next_stage": consultation.next_stage(),
        "stage_choices": [(s, Stage(s).label) for s in consultation.stage_sequence()],
        "sort": sort,
        "sorts": SORTS,
        "thread_page": page,
        "posts": posts,
        "max_length": conf.get("MAX_POST_LENGTH"),
        "max_depth": conf.get("MAX_REPLY_DEPTH"),
        "post_kinds": Post.Kind.choices,
        "outcome": getattr(consultation, "outcome", None) if decided else None,
        "updates": list(consultation.implementation_updates.select_related("created_by")[:50]) if decided else [],
        "live": user.is_authenticated,
        "now": timezone.now(),
    }
    if consultation.voting_enabled:
        context.update(_vote_context(consultation, user, state.stage))
    if decided and (
        state.stage in (Stage.RATING, Stage.ARCHIVED)
        or OutcomeRating.objects.filter(consultation=consultation).exists()
    ):
        counts = OutcomeRating.objects.filter(consultation=consultation).counts()
        context["rating_counts"] = [(code, label, counts.get(code, 0)) for code, label in Satisfaction.choices]
        context["rating_total"] = sum(counts.values())
        rate = satisfaction_rate(counts)
        context["satisfaction_rate"] = None if rate is None else round(rate * 100, 1)
        context["satisfaction_choices"] = Satisfaction.choices
        if user.is_authenticated:
            context["my_rating"] = OutcomeRating.objects.filter(consultation=consultation, user=user).first()
    if consultation.opinion_map_enabled:
        context.update(_statement_context(consultation, user, opinion_map))
    if can_manage:
        context["moderation_count"] = Post.objects.filter(consultation=consultation, status=Post.Status.HELD).count()
    return context


def _keep_until_edit_window_ends(request, consultation, posts) -> None:
    """A copy of the page kept for this viewer (core/cache.py) must not outlive an "edit" button on it."""
    window = dt.timedelta(minutes=consultation.edit_window_minutes)
    now = timezone.now()
    pending = list(posts)
    while pending:
        post = pending.pop()
        pending.extend(post.children)
        if post.can_edit:
            page_cache.limit_timeout(request, (post.created_at + window - now).total_seconds())


def _stage_steps(consultation, current):
    sequence = consultation.stage_sequence()
    position = sequence.index(current) if current in sequence else -1
    return [
        {"code": code, "label": Stage(code).label, "done": i < position, "current": i == position}
        for i, code in enumerate(sequence)
    ]


def _electorate_rule(consultation) -> str:
    """Who may vote and how 应到 is counted, in words."""
    if consultation.audience == Audience.BRANCHES:
        names = "、".join(o.name for o in consultation.eligible_organizations.all()) or "—"
        rule = _("Members of %(names)s and of the branches below, as on the roster (with or without an account).")
    elif consultation.audience == Audience.GRIDS:
        names = "、".join(g.name for g in consultation.eligible_grids.all()) or "—"
        rule = _("Residents of %(names)s with a confirmed residence, and members whose roster grid is one of them.")
    else:
        return _("No electorate is defined: the organisers must choose grids or organisations before the vote.")
    rule = rule % {"names": names}
    if consultation.electorate_size:
        rule += " " + _("The organisers set the number due at %(n)d to include people without an account.") % {
            "n": consultation.electorate_size
        }
    return rule


def _vote_context(consultation, user, stage):
    options, tally = vote_tally(consultation)
    closed = consultation.stage_sequence().index(stage) > consultation.stage_sequence().index(Stage.VOTING)
    my_vote = Vote.objects.filter(consultation=consultation, voter=user).first() if user.is_authenticated else None
    winner = next((option.label for option in options if str(option.pk) == tally.leader), None)
    return {
        "electorate_rule": _electorate_rule(consultation),
        "winner": winner if closed and tally.passed else None,
        "vote_options": options,
        "vote_open": stage == Stage.VOTING,
        "vote_closed": closed,
        "my_vote": my_vote,
        # Results stay hidden until the vote closes; only the number of ballots is shown meanwhile.
        "tally": tally if closed else None,
        "ballots_cast": tally.participants,
        "eligible_count": tally.eligible,
    }


def _statement_context(consultation, user, opinion_map):
    statements = consultation.statements.filter(approved=True)
    if user.is_authenticated:  # the viewer's own answer in the same query
        statements = statements.annotate(
            mine=Subquery(StatementVote.objects.filter(statement=OuterRef("pk"), user=user).values("value")[:1])
        )
    statements = list(statements)
    mine = {s.pk: s.mine for s in statements if getattr(s, "mine", None) is not None}
    answers = {StatementVote.AGREE: _("Agree"), StatementVote.DISAGREE: _("Disagree"), StatementVote.PASS: _("Pass")}
    for statement in statements:
        statement.my_vote = mine.get(statement.pk)
        statement.my_answer = answers.get(statement.my_vote)
    return {
        "statements": statements,
        "my_statement_votes": len(mine),
        "opinion_map": _map_view(opinion_map, statements, mine),
    }


PALETTE = ["#a8141a", "#1a5fb4", "#26a269", "#c64600", "#613583"]


def _svg(x: float, y: float) -> tuple[float, float]:
    """Map coordinates in [-1, 1] (y up) to the 300 × 300 picture (y down)."""
    return round(150 + x * 130, 1), round(150 - y * 130, 1)


def _map_view(opinion_map, statements, mine=None):
    if opinion_map is None or not opinion_map.result.get("groups"):
        return None
    by_id = {s.pk: s.text for s in statements}
    result = opinion_map.result
    # Participants who voted exactly alike fall on one point: draw it once, sized and labelled by its count.
    points = []
    for point in stack_points(result["coordinates"], result["labels"]):
        x, y = _svg(point["x"], point["y"])
        count = point["count"]
        points.append(
            {
                "x": x,
                "y": y,
                "count": count,
                "r": round(min(14.0, 4 + 2.5 * math.sqrt(count - 1)), 1),
                "color": PALETTE[point["group"] % len(PALETTE)],
                "group": point["group"] + 1,
            }
        )
    groups = []
    for index, group in enumerate(result["groups"]):
        groups.append(
            {
                "number": index + 1,
                "size": group["size"],
                "color": PALETTE[index % len(PALETTE)],
                "representative": [
                    {"text": by_id.get(r["statement"], "—"), "stance": r["stance"], "share": round(r["share"] * 100)}
                    for r in group["representative"]
                ],
            }
        )
    # The axes in words: the statement that moves people most along each, and which way agreeing goes.
    axes = []
    for number, axis in enumerate(axis_statements(result.get("projection"), result.get("statements", []))):
        if axis is None or axis["statement"] not in by_id:
            continue
        text = by_id[axis["statement"]]
        if number == 0:
            towards, away = (_("right"), _("left")) if axis["positive"] else (_("left"), _("right"))
        else:
            towards, away = (_("up"), _("down")) if axis["positive"] else (_("down"), _("up"))
        axes.append({"towards": towards, "away": away, "statement": text})
    # "You are here": the viewer's own answers placed with the map's projection (no one else's identity).
    me = None
    placed = place(result.get("projection"), result.get("statements", []), {k: v for k, v in (mine or {}).items()})
    if placed is not None and any(v != StatementVote.PASS for v in (mine or {}).values()):
        x, y = _svg(*placed)
        nearest = _nearest_group(result, placed)
        me = {"x": x, "y": y, "group": nearest + 1 if nearest is not None else None}
    return {
        "computed_at": opinion_map.computed_at,
        "participants": opinion_map.participant_count,
        "points": points,
        "dots": len(points),
        "groups": groups,
        "axes": axes,
        "me": me,
        "consensus": [by_id[s] for s in result.get("consensus", []) if s in by_id],
    }


def _nearest_group(result, placed) -> int | None:
    sums: dict[int, list[float]] = {}
    for (x, y), label in zip(result["coordinates"], result["labels"]):
        total = sums.setdefault(label, [0.0, 0.0, 0])
        total[0], total[1], total[2] = total[0] + x, total[1] + y, total[2] + 1
    if not sums:
        return None
    return min(
        sums, key=lambda g: (sums[g][0] / sums[g][2] - placed[0]) ** 2 + (sums[g][1] / sums[g][2] - placed[1]) ** 2
    )
