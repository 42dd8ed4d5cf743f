from django.contrib import admin, messages

from .models import ApiToken
from .services import revoke_api_token


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read only, with one action: revoke (audited), for a token that has leaked or whose
    owner has gone. Tokens are made by their owners, on the API tokens page or by command."""

    list_display = [
        "user",
        "name",
        "hint",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "name", "hint"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser  # tokens of every programme: superusers only

    def has_change_permission(self, request, obj=None):
        # The list (for the action), never the edit form; superusers only.
        return obj is None and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            revoke_api_token(actor=request.user, token=token)
        messages.success(request, f"{queryset.count()} token(s) revoked.")
