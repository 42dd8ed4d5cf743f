from django.contrib import admin

from .models import MonthlySiteSummary, TargetSettings


@admin.register(TargetSettings)
class TargetSettingsAdmin(admin.ModelAdmin):
    """Read only: settings change through /outcomes/settings/ (the audited
    ``update_target_settings`` service), never here."""

    list_display = ["programme", "trajectory", "on_track_ratio", "behind_ratio"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MonthlySiteSummary)
class MonthlySiteSummaryAdmin(admin.ModelAdmin):
    """Derived data: read only (rebuild with `ipsworks rebuild_summaries`)."""

    list_display = ["site", "month", "referrals", "job_starts", "people_into_work"]
    list_filter = ["site"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
