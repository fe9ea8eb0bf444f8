from django.contrib.sites.requests import RequestSite
from django.template.response import TemplateResponse

from wagtail.contrib.sitemaps import Sitemap


def sitemap(request):
    """sitemap.xml for the request's site: every live, public page with its last change."""
    return TemplateResponse(
        request,
        "home/sitemap.xml",
        {"urls": Sitemap(request).get_urls(site=RequestSite(request), protocol=request.scheme)},
        content_type="application/xml",
    )
