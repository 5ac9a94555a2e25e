"""API tokens in the admin without their secrets.

DRF's own token admin lists every key in clear, and a key is a password: anyone who reads the
list can act as every integration. Here the list shows whose token it is, when it was made and
its first four characters (enough to tell two apart); the key itself is shown only once, to its
owner, on the portal's token page, or printed by ``manage.py api_token``.
"""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy

admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created", "key_hint")
    list_display_links = None
    search_fields = ("user__username",)
    ordering = ("-created",)

    @admin.display(description=_("key"))
    def key_hint(self, obj) -> str:
        return f"{obj.key[:4]}…"

    def lookup_allowed(self, lookup, value, request=None):
        """Only the owner's fields: ``?key__startswith=ab`` answered "1 token" or "0 tokens", which
        reveals a whole key in about 300 requests. Anything else is Django's 400."""
        return lookup.startswith("user__") and super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False  # a key made here would be shown in the confirmation message

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the confirmation page names the token by its key; revoke with api_token

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:authtoken_tokenproxy_changelist"))
