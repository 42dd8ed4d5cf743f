"""The Django admin shows fidelity records read-only: every change goes through the fidelity
screens and services, which check permission and write the audit trail."""

from django.contrib import admin

from .models import ActionItem, Review, ScaleVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScaleVersion)
class ScaleVersionAdmin(ReadOnlyAdmin):
    """Load versions with `ipsworks load_fidelity_scale FILE` or the Fidelity > scale page,
    which check the file first."""

    list_display = ["title", "code", "version", "is_current", "loaded_at"]
    readonly_fields = [f.name for f in ScaleVersion._meta.fields]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["site", "kind", "status", "visit_start", "total", "band_label"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Review._meta.fields]


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ["review", "item", "owner", "due_date", "status"]
    readonly_fields = [f.name for f in ActionItem._meta.fields]
