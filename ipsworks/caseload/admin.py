"""Admin: minimum-wage rates are reference data administrators edit here. Case records are
shown read-only (changes go through the caseload screens, whose services audit them)."""

from django.contrib import admin, messages
from django.db import transaction

from ipsworks.accounts.scoping import scoped_cases
from ipsworks.audit.admin_mixins import StaleEditGuardMixin
from ipsworks.audit.models import AuditEvent
from ipsworks.audit.services import record, snapshot

from . import services
from .models import Activity, Episode, Job, MinimumWageRate, ServiceUser


@admin.register(MinimumWageRate)
class MinimumWageRateAdmin(StaleEditGuardMixin, admin.ModelAdmin):
    list_display = ["country", "valid_from", "min_age", "max_age", "hourly_rate", "label"]
    list_filter = ["country"]
    ordering = ["country", "-valid_from", "-min_age"]
    actions = ["recheck_jobs"]

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        """A rate change is audited and every job is re-decided against the new table at once,
        so competitive-job figures never go stale."""
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        record(
            actor=request.user,
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            event="caseload.minimum_wage_rate_saved",
            instance=obj,
            summary=str(obj),
            before=before,
            after=snapshot(obj),
        )
        self._recheck(request)

    @transaction.atomic
    def delete_model(self, request, obj):
        before = snapshot(obj)
        label, pk = str(obj), obj.pk
        super().delete_model(request, obj)
        record(
            actor=request.user,
            action=AuditEvent.Action.DELETE,
            event="caseload.minimum_wage_rate_removed",
            entity="caseload.MinimumWageRate",
            entity_id=pk,
            summary=label,
            before=before,
        )
        self._recheck(request)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def _recheck(self, request):
        try:
            changed = services.recheck_minimum_wage(actor=request.user)
        except services.CaseloadPermissionError as exc:
            self.message_user(request, str(exc), messages.WARNING)
            return
        if changed:
            self.message_user(
                request, f"{changed} job(s) changed whether they count as competitive."
            )

    @admin.action(description="Re-check every job against the current rates")
    def recheck_jobs(self, request, queryset):
        try:
            changed = services.recheck_minimum_wage(actor=request.user)
        except services.CaseloadPermissionError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"{changed} job(s) changed whether they count as competitive.")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, don't touch: every change must go through the audited services. Lists are scoped
    like every other read of case records."""

    def get_queryset(self, request):
        return scoped_cases(request.user, super().get_queryset(request))

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
