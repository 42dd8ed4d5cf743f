"""Admin: minimum-wage rates are reference data administrators edit here. Case records are
shown read-only (changes go through the caseload screens, whose services audit them)."""

from django.contrib import admin, messages

from . import services
from .models import Activity, Episode, Job, MinimumWageRate, ServiceUser


@admin.register(MinimumWageRate)
class MinimumWageRateAdmin(admin.ModelAdmin):
    list_display = ["country", "valid_from", "min_age", "max_age", "hourly_rate", "label"]
    list_filter = ["country"]
    ordering = ["country", "-valid_from", "-min_age"]
    actions = ["recheck_jobs"]

    @admin.action(description="Re-check every job against the current rates")
    def recheck_jobs(self, request, queryset):
        try:
            changed = services.recheck_minimum_wage(actor=request.user)
        except services.CaseloadPermissionError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"{changed} job(s) changed whether they count as competitive.")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, don't touch: every change must go through the audited services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceUser)
class ServiceUserAdmin(ReadOnlyAdmin):
    list_display = ["reference", "site", "age_band", "is_synthetic", "version"]
    list_filter = ["site", "is_synthetic"]
    search_fields = ["reference"]


@admin.register(Episode)
class EpisodeAdmin(ReadOnlyAdmin):
    list_display = ["service_user", "site", "referral_date", "specialist", "discharge_date"]
    list_filter = ["site"]
    list_select_related = ["service_user", "site", "specialist"]
    search_fields = ["service_user__reference"]


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["episode", "site", "start_date", "job_title", "is_competitive", "end_date"]
    list_filter = ["site", "is_competitive"]
    list_select_related = ["episode__service_user", "site"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["episode", "site", "kind", "date", "face_to_face", "specialist"]
    list_filter = ["site", "kind"]
    list_select_related = ["episode__service_user", "site", "specialist"]
