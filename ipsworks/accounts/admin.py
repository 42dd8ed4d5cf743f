"""Admin for accounts and roles: every change is audited (they decide who sees what)."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction

from ipsworks.audit.admin_mixins import AuditedAdminMixin, admin_snapshot, audit_admin_change

from .models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    inlines = [MembershipInline]

    def user_change_password(self, request, id, form_url=""):
        """The admin's "set password" page saves through its own form, not save_model: audit
        it here (the hash itself never goes into the trail)."""
        with transaction.atomic():
            user = self.get_object(request, unquote(id))
            old_password = getattr(user, "password", None)
            before = admin_snapshot(user) if user is not None else None
            response = super().user_change_password(request, id, form_url)
            if user is not None:
                user.refresh_from_db()
                if user.password != old_password:
                    audit_admin_change(request, user, before=before, old_password=old_password)
        return response


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "role", "programme", "site", "team", "fte", "start_date", "end_date"]
    list_filter = ["role", "programme", "site"]


# Django's own group admin, audited like every other (groups carry admin permissions).
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdminMixin, BaseGroupAdmin):
    pass
