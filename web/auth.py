"""Sign-in helpers the portal and the admin share."""

from django.utils.translation import gettext as _


def still_signed_in(request):
    if request.user.is_authenticated:
        return _("You are still signed in. To sign out, use the sign-out button on the page.")
    return None
