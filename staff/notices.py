"""Notices in the admin: read-only (an issued notice never changes); a supervisor may issue a
corrected notice, which gets a new number and names the one it corrects."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from notices.models import Notice, ProductData
from review.exceptions import ApplicationError
from review.selectors import applications_visible_to
from services import notices as service
from services import product_data
from staff.readonly import StaffReadsScoped


@admin.register(Notice)
class NoticeAdmin(StaffReadsScoped, admin.ModelAdmin):
    list_display = ("number", "title", "application", "issued_on", "corrects", "download")
    list_filter = ("kind", "issued_on")
    list_select_related = ("application", "corrects")
    search_fields = ("number", "application__reference", "application__product_name")
    date_hierarchy = "issued_on"
    fields = ("number", "title", "kind", "application", "stage", "clock_stop", "issued_on", "issued_by",
              "sha256", "corrects", "download")
    readonly_fields = fields
    actions = ["issue_correction"]

    def get_queryset(self, request):
        visible = applications_visible_to(request.user)
        return super().get_queryset(request).defer("pdf").filter(application__in=visible.values("pk"))

    @admin.display(description=_("PDF"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("portal:notice", args=[obj.pk]), _("Download"))

    @admin.action(description=_("Issue a corrected notice (new number; the old one stays on record)"))
    def issue_correction(self, request, queryset):
        for notice in queryset.select_related("application"):
            try:
                new = service.notice_correct(notice=notice, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return
            self.message_user(request, _("%(new)s corrects %(old)s.") % {"new": new.number, "old": notice.number})


@admin.register(ProductData)
class ProductDataAdmin(StaffReadsScoped, admin.ModelAdmin):
    """The product data the certificate will print: the applicant enters it (portal, API); the
    reviewer reads it against the dossier and marks it checked (action)."""

    list_display = ("application", "checked_by", "checked_on", "updated_at")
    list_select_related = ("application", "checked_by")
    search_fields = ("application__reference", "application__product_name")
    readonly_fields = [f.name for f in ProductData._meta.fields if f.name != "id"]
    actions = ["mark_checked"]

    def get_queryset(self, request):
        visible = applications_visible_to(request.user)
        return super().get_queryset(request).filter(application__in=visible.values("pk"))

    @admin.action(description=_("Mark the product data as checked against the dossier"))
    def mark_checked(self, request, queryset):
        for data in queryset.select_related("application"):
            try:
                product_data.product_data_check(application=data.application, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return
        self.message_user(request, _("Product data marked as checked."))
