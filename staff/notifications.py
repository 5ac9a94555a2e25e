"""Alerts, their deliveries and the case e-mails: read here; failed sends show their error."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from notifications.digests import digest_send_to
from notifications.emails import outbound_send
from notifications.models import Alert, Delivery, DigestDay, OutboundEmail, SendState
from staff.readonly import OfficeScoped, ReadOnlyAdmin


class ReadOnly(ReadOnlyAdmin, admin.ModelAdmin):
    pass


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ("email", "state", "attempts", "sent_at", "last_error")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(OfficeScoped, ReadOnly):
    list_display = ("created_at", "level", "application", "stage", "deadline", "fanned_out")
    list_filter = ("level", "raised_on")
    list_select_related = ("application", "stage__application")
    search_fields = ("application__reference",)
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(OfficeScoped, ReadOnly):
    case_path = "alert__application"

    list_display = ("email", "alert", "state", "attempts", "sent_at", "last_error")
    list_filter = ("state", "alert__level")
    list_select_related = ("alert",)
    search_fields = ("email", "alert__application__reference")
    actions = ["send_now"]

    @admin.action(description=_("Send the digest of these addresses now"), permissions=["view"])
    def send_now(self, request, queryset):
        for email in sorted(set(queryset.exclude(state=SendState.SENT).values_list("email", flat=True))):
            try:
                digest_send_to(email)
                messages.success(request, _("Sent to %(e)s.") % {"e": email})
            except Exception as exc:
                messages.error(request, f"{email}: {exc}")


@admin.register(DigestDay)
class DigestDayAdmin(ReadOnly):
    """Each address's daily digest, one row a working day: whether the mail server took it, how
    many cases it listed, and the error of a failed attempt (the sweep retries those every 15
    minutes the same day)."""

    list_display = ("day", "email", "state", "cases", "sent_at", "last_error")  # attempts: on the row's page
    list_filter = ("state", "day")
    search_fields = ("email",)
    date_hierarchy = "day"


@admin.register(OutboundEmail)
class OutboundEmailAdmin(OfficeScoped, ReadOnly):
    list_display = ("created_at", "to", "subject", "event", "state", "attempts", "last_error")
    list_filter = ("state", "event")
    search_fields = ("to", "application__reference", "subject")
    actions = ["send_now"]

    @admin.action(description=_("Send these e-mails now"), permissions=["view"])
    def send_now(self, request, queryset):
        for email in queryset.exclude(state=SendState.SENT):
            try:
                outbound_send(email.pk)
            except Exception as exc:
                messages.error(request, f"{email.to}: {exc}")
