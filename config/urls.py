from allauth.account.views import LoginView

from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import views as account_views
from config.views import favicon, healthz, status
from home import views as home_views
from search import views as search_views

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("status/", status, name="status"),
    path("favicon.ico", favicon, name="favicon"),
    # The admin's own login form is replaced by allauth's, so rate limits and MFA apply.
    path("admin/login/", LoginView.as_view(), name="wagtailadmin_login"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/profile/", account_views.profile, name="accounts_profile"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("search/", search_views.search, name="search"),
    path("notifications/", include("notifications.urls")),
    path("jobs/", include("jobs.urls")),
    # Where notifications lived while consultation held them: e-mails already sent link the settings here.
    path("consultations/notifications/", RedirectView.as_view(pattern_name="notifications:index", permanent=True)),
    path(
        "consultations/notifications/settings/",
        RedirectView.as_view(pattern_name="notifications:settings", permanent=True),
    ),
    path("consultations/", include("consultation.urls")),
    path("surveys/", include("surveys.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("appeals/", include("appeals.urls")),
    path("membership/", include("membership.urls")),
    path("accountability/", include("accountability.urls")),
    path("orglife/", include("orglife.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    path("sitemap.xml", home_views.sitemap, name="sitemap"),
    # Wagtail's front-end login form is Django's plain LoginView, without allauth's rate limits and MFA:
    # whoever reaches it (an old link, a private page) is sent to allauth's login.
    path("_util/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("", include(wagtail_urls)),
]
