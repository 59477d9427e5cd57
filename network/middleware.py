"""A signed-in person's own language (network.User.language), remembered across devices."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation


class PersonLanguageMiddleware:
    """After LocaleMiddleware (cookie, then browser) and AuthenticationMiddleware: a person who
    chose a language sees it everywhere they sign in. Visitors without a session cookie are
    not looked up (no query); a blank choice leaves LocaleMiddleware's answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and request.session.session_key and user.is_authenticated:
            language = getattr(user, "language", "")
            if language and language != translation.get_language():
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
