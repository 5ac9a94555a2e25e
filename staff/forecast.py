"""The forecasts in the admin: the refreshes (read-only) and an action to recompute now."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forecast.models import Refresh, StageDistribution
from forecast.services import refresh


@admin.register(Refresh)
class RefreshAdmin(admin.ModelAdmin):
    list_display = ("version", "as_of", "computed_at", "groups", "stages_read", "seconds", "trigger")
    actions = ["refresh_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Recompute the forecasts now (from today's history)"),
                  permissions=["view"])
    def refresh_now(self, request, queryset):
        run = refresh(trigger=f"admin:{request.user.get_username()}")
        self.message_user(request, _("Forecasts recomputed: version %(v)s, %(g)s groups, from %(n)s stages, in "
                                     "%(s)s s.") % {"v": run.version, "g": run.groups, "n": run.stages_read,
                                                   "s": run.seconds}, messages.SUCCESS)


@admin.register(StageDistribution)
class StageDistributionAdmin(admin.ModelAdmin):
    list_display = ("kind", "level", "pack", "device_class", "category", "application_type", "pathway", "finished",
                    "running", "median_days", "p90_days", "supplement_share")
    list_filter = ("kind", "level")
    exclude = ("office_curve", "answer_curve")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
