from review.selectors import applications_visible_to


class ReadOnlyAdmin:
    """For records written only by the workflow (log, certificates, alerts): viewable, never
    added, changed or deleted in the admin, whoever asks."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StaffReadsScoped(ReadOnlyAdmin):
    """Read-only, and every member of staff may read it (the queryset scopes the cases they see):
    no model permission to grant per group."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


class OfficeScoped:
    """Rows of cases: each reader sees those of the cases they may see (their office's; the
    national reader every office's), the same scope as the case list (docs/offices.md)."""

    case_path = "application"  # the lookup from the row to its case

    def get_queryset(self, request):
        visible = applications_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(**{f"{self.case_path}__in": visible})
