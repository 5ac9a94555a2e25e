"""The user's language choice, kept on the user (docs/api.md#the-portal).

Anonymous visitors, and users who never chose, get LocaleMiddleware's choice (cookie, then the
browser's Accept-Language); once a signed-in user picks a language with the switcher it is saved on
their account and wins from then on, on every device.
"""

from django.conf import settings
from django.utils import translation
from django.views.i18n import set_language as django_set_language


class UserLanguageMiddleware:
    """Runs after AuthenticationMiddleware and LocaleMiddleware; overrides with the user's choice."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.codes = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in self.codes:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


def set_language(request):
    """Django's set_language, and remember the choice on the account."""
    response = django_set_language(request)
    code = request.POST.get("language")
    user = request.user
    if request.method == "POST" and user.is_authenticated and code in {c for c, _ in settings.LANGUAGES}:
        user.language = code
        user.save(update_fields=["language"])
    return response
