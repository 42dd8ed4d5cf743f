from django.contrib import admin

from .models import ActionItem, Review, ScaleVersion


@admin.register(ScaleVersion)
class ScaleVersionAdmin(admin.ModelAdmin):
    """Read-only here: load versions with `ipsworks load_fidelity_scale FILE` or the
    Fidelity > scale page, which check the file first."""

    list_display = ["title", "code", "version", "is_current", "loaded_at"]
    readonly_fields = [f.name for f in ScaleVersion._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["site", "kind", "status", "visit_start", "total", "band_label"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Review._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(ActionItem)
