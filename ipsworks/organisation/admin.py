"""Admin for programmes, sites and teams: every change is audited."""

from django.contrib import admin

from ipsworks.audit.admin_mixins import AuditedAdminMixin

from .models import Programme, Site, Team


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "default_referral_target", "default_job_start_target"]


@admin.register(Site)
class SiteAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "programme",
        "start_date",
        "referral_target",
        "job_start_target",
    ]
    list_filter = ["programme"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TeamInline]
