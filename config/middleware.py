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
