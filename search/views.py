"""One search page over the published pages the visitor may see, with Chinese word segmentation."""

from __future__ import annotations

from django.apps import apps
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from wagtail.models import Page, PageViewRestriction
from wagtail.search.query import PlainText

from core import chinese
from core.highlight import highlight, highlight_terms

PER_PAGE = 10

# The result types one may filter by: (key, model label, label). Apps that are not installed
# yet, or do not define the model, are left out.
TYPES = [
    ("policy", "home.PolicyPage", _("Policy documents")),
    ("study", "home.StudyPage", _("Study material")),
    ("news", "home.NewsPage", _("News")),
    ("consultation", "consultation.ConsultationPage", _("Consultations")),
    ("survey", "surveys.SurveyPage", _("Surveys")),
    ("section", "home.BranchPage", _("Organisations")),
]


def available_types() -> list[tuple[str, type, str]]:
    found = []
    for key, label, name in TYPES:
        try:
            found.append((key, apps.get_model(label), name))
        except LookupError:
            continue
    return found


def visible_pages(request):
    """Live pages, without those behind a view restriction the visitor does not pass, and without
    consultations whose audience leaves the visitor out (members-only, residents of some grids)."""
    pages = Page.objects.live()
    for restriction in PageViewRestriction.objects.select_related("page"):
        if not restriction.accept_request(request):
            pages = pages.not_descendant_of(restriction.page, inclusive=True)
    hidden = hidden_page_ids(request.user)
    if hidden:
        pages = pages.exclude(pk__in=hidden)
    return pages


def hidden_page_ids(user) -> set[int]:
    """Pages whose own audience rule leaves `user` out (search reads every app; none imports search)."""
    if not apps.is_installed("consultation"):
        return set()
    from consultation.rules import hidden_consultation_ids

    return hidden_consultation_ids(user)


def search(request):
    query = chinese.clean_query(request.GET.get("q", ""))
    terms = chinese.query_terms(query)
    marked = highlight_terms(query)
    types = available_types()
    selected = request.GET.get("type", "")
    pages = visible_pages(request)
    for key, model, _name in types:
        if key == selected:
            pages = pages.type(model)
            break
    else:
        selected = ""
    results = Page.objects.none()
    if terms:
        results = pages.search(PlainText(" ".join(terms), operator="and"), order_by_relevance=True)
    page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
    type_names = {model: name for _key, model, name in types}
    items = []
    found = list(page.object_list)
    # One query per page type for the whole results page, not one per result.
    specifics = Page.objects.filter(pk__in=[result.pk for result in found]).specific().in_bulk()
    for result in found:
        specific = specifics.get(result.pk) or result.specific
        text = specific.search_snippet_text() if hasattr(specific, "search_snippet_text") else result.search_description
        items.append(
            {
                "page": specific,
                "type": _type_name(specific, type_names),
                "date": getattr(specific, "display_date", None) or result.first_published_at,
                "snippet": highlight(text or "", marked),
                "title": highlight(result.title, marked, length=200),
            }
        )
    return render(
        request,
        "search/search.html",
        {
            "query": query,
            "terms": terms,
            "results": page,
            "items": items,
            "types": [(key, name) for key, _model, name in types],
            "selected_type": selected,
            "max_length": chinese.MAX_QUERY_LENGTH,
        },
    )


def _type_name(page, type_names) -> str:
    for model, name in type_names.items():
        if isinstance(page, model):
            return name
    return page._meta.verbose_name
