from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail can be read, never edited, here or anywhere."""

    list_display = ["at", "actor_label", "action", "event", "entity", "entity_id", "site"]
    list_filter = ["action", "site"]
    search_fields = ["actor_label", "entity", "entity_id", "summary", "event"]

    def has_view_permission(self, request, obj=None):
        # The whole trail, every programme: superusers only. Others read the trail their
        # roles allow at /audit/ (audit.selectors.audit_events_for).
        return request.user.is_superuser

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
