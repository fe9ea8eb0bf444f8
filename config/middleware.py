from django.conf import settings
from django.core.exceptions import BadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """zh-hans unless the visitor picked another language with the switcher.

    The browser's Accept-Language is ignored on purpose: residents share phones and public
    terminals set to English, and the site's language is Chinese until someone chooses.
    """

    def process_request(self, request) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RefuseNullCharactersMiddleware:
    """Query strings and form data with a NUL character are refused (400) before any view runs.

    No keyboard types one, and PostgreSQL cannot store one in a text column: without this, every view
    that stores text from a form (posts, survey answers, ballot notes) failed with a server error on
    PostgreSQL. Django's form fields already refuse NUL; this covers the views that read request.POST.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            raise BadRequest("NUL character in the request's parameters")
        return self.get_response(request)


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in data.getlist(key)) for key in data)


class AdminAccessMiddleware:
    """A signed-in person without admin access gets a 403 page in their language, not a login redirect.

    Wagtail answers such a person on /admin/ with a redirect to the login page; allauth sends a
    signed-in person straight on to `next`, the admin page again: the browser gave up with "too many
    redirects". Only that redirect is replaced; every other answer of the admin stays as it was.
    """

    LOGIN_PREFIXES = ("/accounts/login/", "/admin/login/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 302
            and request.path.startswith("/admin/")
            and response.get("Location", "").startswith(self.LOGIN_PREFIXES)
            and request.user.is_authenticated
        ):
            from django.shortcuts import render

            return render(request, "403_admin.html", status=403)
        return response
