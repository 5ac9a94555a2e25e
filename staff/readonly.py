class ReadOnlyAdmin:
    """For records written only by the workflow (log, certificates, alerts): viewable, never
    added, changed or deleted in the admin, whoever asks."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
