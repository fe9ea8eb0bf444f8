"""Residents' requests on the site: report, follow, rate; handle; the public board; photos through a check."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from appeals import conf, dispatch, handling
from appeals.forms import RatingForm, ReportForm, VolunteerForm
from appeals.models import Appeal, Category, Entry, Level, Photo, Status, Volunteer, worker_lookup
from core import params
from core.private_files import private_file_response
from organizations import residents, roles
from organizations.models import Grid, Organization
from surveys.charts import bar_chart


def _appeal(appeal_id) -> Appeal:
    appeal = (
        Appeal.objects.filter(pk=params.object_id(str(appeal_id)))
        .select_related("category", "grid", "grid__community", "unit", "reporter", "complains_about", "consultation")
        .first()
    )
    if appeal is None:
        raise Http404
    return appeal


def _home_grid(user) -> Grid | None:
    grids = residents.grids_of(user)
    return Grid.objects.filter(pk__in=grids).order_by("pk").first() if grids else None


def _last_place(user, grid: Grid | None) -> str:
    """The building the resident named last time in this grid: not typed again."""
    if grid is None:
        return ""
    return (
        Appeal.objects.filter(reporter=user, grid=grid).exclude(place="").values_list("place", flat=True).first() or ""
    )


def similar_open(grid: Grid | None, user, limit: int | None = None):
    """Open public requests in the grid, others' first by +1s: a resident adds +1 instead of repeating them."""
    if grid is None:
        return Appeal.objects.none()
    return (
        Appeal.objects.public()
        .open()
        .filter(grid=grid)
        .exclude(reporter=user)
        .select_related("category")
        .order_by("-support_count", "-created_at")[: limit or conf.get("SIMILAR_SHOWN")]
    )


@login_required
def index(request):
    """My requests, and the way to report a new one."""
    mine = Paginator(
        Appeal.objects.filter(reporter=request.user).select_related("category", "grid"), conf.get("PER_PAGE")
    ).get_page(request.GET.get("page"))
    is_handler = Appeal.objects.for_handler(request.user).exists() or _handles_anything(request.user)
    return render(request, "appeals/appeal_index.html", {"appeals": mine, "is_handler": is_handler})


def _handles_anything(user) -> bool:
    from appeals.models import GridDuty

    return (
        user.is_superuser
        or GridDuty.objects.filter(worker=user).exists()
        or roles.organizations_with_role(user, *roles.Role).exists()
    )


@login_required
def report(request):
    grid = _home_grid(request.user)
    initial = {"grid": grid, "place": _last_place(request.user, grid)}
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal = handling.report(
                request.user,
                category=data["category"],
                grid=data["grid"],
                description=data["description"],
                place=data["place"],
                show_name=data["show_name"],
                share_location=data["share_location"],
                complaint=data["complains_about"],
                uploads=request.FILES.getlist("photos"),
            )
        except (handling.ActionError, handling.photos.PhotoError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Thank you. Your request #%(id)d is with %(unit)s.") % {"id": appeal.pk, "unit": appeal.unit}
            )
            return redirect("appeals:detail", appeal.pk)
    shown_grid = form.cleaned_data.get("grid") if form.is_bound and hasattr(form, "cleaned_data") else grid
    return render(
        request,
        "appeals/appeal_form.html",
        {"form": form, "similar": similar_open(shown_grid, request.user), "max_photos": conf.get("MAX_PHOTOS")},
    )


@login_required
@require_POST
def support(request, appeal_id):
    appeal = _appeal(appeal_id)
    if not (_publicly_visible(appeal) or request.user.has_perm("appeals.view_appeal", appeal)):
        raise Http404
    try:
        added = handling.support(appeal, request.user)
    except handling.ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("+1 added. You will see its progress here.") if added else _("You already added +1.")
        )
    return redirect("appeals:detail", appeal.pk)


def _publicly_visible(appeal: Appeal) -> bool:
    """What the public board may show (as AppealQuerySet.public, for one request)."""
    return not appeal.hidden and appeal.category.is_public and appeal.status != Status.MERGED


def _timeline(appeal: Appeal, *, internal: bool):
    entries = appeal.entries.select_related("unit").prefetch_related(
        Prefetch("photos", queryset=Photo.objects.order_by("pk"))
    )
    if not internal:
        entries = entries.filter(public=True)
    return list(entries)


def detail(request, appeal_id):
    """The request as its reporter and handlers see it; anyone else sees the public version, if any."""
    appeal = _appeal(appeal_id)
    user = request.user
    full = user.has_perm("appeals.view_appeal", appeal)
    if not full:
        if not _publicly_visible(appeal):
            raise Http404
        appeal.public_entries = [e for e in _timeline(appeal, internal=False) if e.kind != Entry.Kind.RATING]
        return render(request, "appeals/appeal_public.html", {"appeal": appeal})
    may_handle = user.has_perm("appeals.handle", appeal)
    context = {
        "appeal": appeal,
        "entries": _timeline(appeal, internal=may_handle),
        "photos": list(appeal.photos.filter(entry__kind=Entry.Kind.REPORTED)),
        "may_handle": may_handle,
        "see_reporter": user.has_perm("appeals.see_reporter", appeal),
        "may_rate": user.has_perm("appeals.rate", appeal),
        "rating_form": RatingForm(),
        "overdue": appeal.is_overdue(),
    }
    if may_handle:
        context.update(
            transfer_targets=dispatch.transfer_targets(appeal),
            escalate_levels=[level for level in (Level.COMMUNITY, Level.STREET) if level > appeal.level],
            merge_candidates=Appeal.objects.open()
            .filter(grid=appeal.grid, category=appeal.category, merged_into=None)
            .exclude(pk=appeal.pk)
            .order_by("created_at")[:10],
            volunteers=Volunteer.objects.filter(community=appeal.grid.community_id).select_related("user")[:50],
        )
    return render(request, "appeals/appeal.html", context)


ACTIONS = {
    "accept": lambda a, u, p, f: handling.accept(a, u),
    "reply": lambda a, u, p, f: handling.reply(a, u, p.get("body", ""), public=True, uploads=f.getlist("photos")),
    "note": lambda a, u, p, f: handling.reply(a, u, p.get("body", ""), public=False),
    "finish": lambda a, u, p, f: handling.finish(a, u, p.get("body", ""), uploads=f.getlist("photos")),
    "reject": lambda a, u, p, f: handling.reject(a, u, p.get("body", "")),
    "object": lambda a, u, p, f: handling.object_to_dispatch(a, u, p.get("body", "")),
    "extend": lambda a, u, p, f: handling.extend(a, u, params.bounded(p.get("days"), maximum=31), p.get("body", "")),
    "escalate": lambda a, u, p, f: handling.escalate(
        a, u, params.bounded(p.get("level"), maximum=9), p.get("body", "")
    ),
    "transfer": lambda a, u, p, f: handling.transfer(a, u, _organization(p.get("unit")), p.get("body", "")),
    "merge": lambda a, u, p, f: handling.merge(a, u, _original(p.get("original"), u), p.get("body", "")),
    "hide": lambda a, u, p, f: handling.hide(a, u, True),
    "show": lambda a, u, p, f: handling.hide(a, u, False),
    "promote": lambda a, u, p, f: handling.promote(a, u),
    "offer": lambda a, u, p, f: handling.offer(a, u, True),
    "hours": lambda a, u, p, f: handling.record_hours(
        a, u, _volunteer(p.get("volunteer")), p.get("hours", ""), p.get("body", "")
    ),
}


def _organization(value) -> Organization:
    organization = Organization.objects.filter(pk=params.object_id(str(value or ""))).first()
    if organization is None:
        raise handling.ActionError(_("Choose where to send it."))
    return organization


def _original(value, user) -> Appeal:
    original = Appeal.objects.for_handler(user).filter(pk=params.object_id(str(value or ""))).first()
    if original is None:
        raise handling.ActionError(_("Choose the earlier request."))
    return original


def _volunteer(value) -> Volunteer:
    volunteer = Volunteer.objects.filter(pk=params.object_id(str(value or ""))).first()
    if volunteer is None:
        raise handling.ActionError(_("Choose the member."))
    return volunteer


@login_required
@require_POST
def act(request, appeal_id):
    appeal = _appeal(appeal_id)
    if not request.user.has_perm("appeals.handle", appeal):
        raise Http404
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("Unknown action."))
        return redirect("appeals:detail", appeal.pk)
    try:
        action(appeal, request.user, request.POST, request.FILES)
    except (handling.ActionError, handling.photos.PhotoError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Done."))
    if not request.user.has_perm("appeals.view_appeal", Appeal.objects.get(pk=appeal.pk)):
        return redirect("appeals:handle")
    return redirect("appeals:detail", appeal.pk)


@login_required
@require_POST
def rate(request, appeal_id):
    appeal = _appeal(appeal_id)
    if not request.user.has_perm("appeals.view_appeal", appeal):
        raise Http404
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose how satisfied you are."))
        return redirect("appeals:detail", appeal.pk)
    try:
        handling.rate(appeal, request.user, form.cleaned_data["rating"], form.cleaned_data["comment"])
    except handling.ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect("appeals:detail", appeal.pk)


@require_GET
def photo(request, photo_id):
    """A photo, only to the reporter and the handlers; never cached by a shared cache."""
    item = Photo.objects.filter(pk=params.object_id(str(photo_id))).select_related("appeal").first()
    if item is None or not request.user.has_perm("appeals.view_photo", item):
        raise Http404
    return private_file_response(item.image, as_attachment=False, content_type="image/jpeg")


HANDLER_TABS = ("here", "overdue", "area", "closed")


def handler_rows(user, tab: str, now: datetime.datetime):
    """The requests of a handler's list, in a fixed number of queries however many there are."""
    rows = Appeal.objects.for_handler(user).select_related("category", "grid", "unit")
    if tab == "here":
        direct = roles.organizations_with_role(user, *roles.Role).values("pk")
        from django.db.models import Q

        rows = rows.open().filter(Q(unit__in=direct) | worker_lookup(user))
        if user.is_superuser:
            rows = Appeal.objects.open().select_related("category", "grid", "unit")
    elif tab == "overdue":
        rows = rows.overdue(now)
    elif tab == "closed":
        rows = rows.exclude(status__in=[Status.PENDING, Status.IN_PROGRESS, Status.TRANSFERRED])
    else:
        rows = rows.open()
    return rows.order_by("accept_due" if tab != "closed" else "-created_at", "pk")


@login_required
def handle(request):
    if not _handles_anything(request.user):
        raise Http404
    tab = request.GET.get("tab", "here")
    tab = tab if tab in HANDLER_TABS else "here"
    now = timezone.now()
    page = Paginator(handler_rows(request.user, tab, now), conf.get("PER_PAGE")).get_page(request.GET.get("page"))
    return render(request, "appeals/handler_list.html", {"appeals": page, "tab": tab, "tabs": HANDLER_TABS, "now": now})


@login_required
@require_GET
def row(request, appeal_id):
    """One row of the handler list, exactly as after a reload: open lists fetch it when told live."""
    appeal = _appeal(appeal_id)
    if not request.user.has_perm("appeals.handle", appeal):
        raise Http404
    return render(request, "appeals/includes/appeal_row.html", {"appeal": appeal, "now": timezone.now()})


def _board_scope(community_code: str | None, grid_code: str | None):
    if grid_code:
        grid = get_object_or_404(Grid.objects.select_related("community"), code=grid_code)
        return Appeal.objects.public().filter(grid=grid), grid.name, grid.community, grid
    if community_code:
        community = get_object_or_404(Organization, code=community_code, kind=Organization.Kind.COMMUNITY)
        return Appeal.objects.public().filter(grid__community=community), community.name, community, None
    return Appeal.objects.public(), _("All communities"), None, None


# The monthly figures and the three rates aggregate every request of the scope (100,000 requests: about half
# a second on PostgreSQL): computed at most this often per scope and language, in the bounded page store.
BOARD_FIGURES_SECONDS = 300


def _board_figures(scope, title: str):
    today = timezone.localdate()
    since = today.replace(day=1) - datetime.timedelta(days=335)
    months = scope.monthly(since.replace(day=1))
    chart = (
        bar_chart(
            [(f"{m.month:%Y-%m}", m.count) for m in months],
            title=_("Requests per month"),
            desc=_("Requests per month, %(title)s") % {"title": title},
        )
        if months
        else ""
    )
    return months, scope.rates(), chart


def board(request, community_code: str | None = None, grid_code: str | None = None):
    """The public board: anonymised requests and their handling, with monthly figures and a chart."""
    scope, title, community, grid = _board_scope(community_code, grid_code)
    key = f"appeals:board:{grid.pk if grid else ''}:{community.pk if community else ''}:{get_language()}"
    months, rates, chart = caches["pages"].get_or_set(key, lambda: _board_figures(scope, title), BOARD_FIGURES_SECONDS)
    items = Paginator(
        scope.select_related("category", "grid", "reporter").prefetch_related(
            Prefetch(
                "entries",
                queryset=Entry.objects.filter(public=True).exclude(kind=Entry.Kind.RATING).select_related("unit"),
                to_attr="public_entries",
            )
        ),
        conf.get("PER_PAGE"),
    ).get_page(request.GET.get("page"))
    communities = Organization.objects.filter(kind=Organization.Kind.COMMUNITY).prefetch_related("grids")
    return render(
        request,
        "appeals/board.html",
        {
            "title": title,
            "community": community,
            "grid": grid,
            "months": months,
            "rates": rates,
            "chart": chart,
            "appeals": items,
            "communities": communities,
        },
    )


@login_required
def volunteer(request):
    """在职党员双报到: a member registers with the community where they live."""
    existing = Volunteer.objects.filter(user=request.user).first()
    if not roles.is_member(request.user):
        raise Http404
    form = VolunteerForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            handling.register_volunteer(
                request.user,
                community=data["community"],
                grid=data["grid"],
                workplace=data["workplace"],
                skills=data["skills"],
                availability=data["availability"],
            )
        except handling.ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("You are registered with your community. Thank you."))
            return redirect("appeals:volunteer")
    hours = existing.hours.select_related("appeal") if existing else []
    offered = (
        Appeal.objects.open()
        .filter(offered_to_volunteers=True, grid__community=existing.community_id)
        # Never a private or members-only matter, even one offered before that was refused.
        .filter(category__visibility=Category.Visibility.PUBLIC)
        .select_related("category", "grid")[:20]
        if existing
        else []
    )
    return render(
        request,
        "appeals/volunteer_form.html",
        {"form": form, "volunteer": existing, "hours": hours, "offered": offered},
    )
