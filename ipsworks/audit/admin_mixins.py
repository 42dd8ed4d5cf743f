"""Auditing what administrators change in the Django admin.

Accounts, roles, programmes, sites and teams decide who may see which records, so a change
made to them in the admin is audited like any change made through the screens: who, when,
and the record before and after. Password hashes are never copied into the trail; a changed
password shows as ``"(changed)"``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from ipsworks.core.concurrency import fingerprint, values_fingerprint

from .models import AuditEvent
from .services import changed_fields, record, snapshot

HIDDEN_FIELDS = frozenset({"password"})


def admin_snapshot(obj: models.Model, old_password: str | None = None) -> dict:
    data = snapshot(obj)
    for name in HIDDEN_FIELDS & set(data):
        data[name] = "(changed)" if old_password not in (None, data[name]) else "(unchanged)"
    return data


def _site_of(obj: models.Model):
    """The site an admin change belongs to (for scoping the trail), if any."""
    from ipsworks.organisation.models import Site

    if isinstance(obj, Site):
        return obj
    return getattr(obj, "site", None) if getattr(obj, "site_id", None) else None


def _current(obj: models.Model) -> models.Model | None:
    return type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None


def _programme_of(obj: models.Model, snap: dict | None = None):
    """The programme an admin change belongs to (None for accounts: superusers only)."""
    from ipsworks.organisation.models import Programme

    if isinstance(obj, Programme):
        return obj.pk or (snap or {}).get("id")
    if getattr(obj, "programme_id", None):
        return obj.programme_id
    site = _site_of(obj)
    return site.programme_id if site is not None else (snap or {}).get("programme_id")


def audit_admin_change(request, obj, *, before: dict | None, old_password=None) -> None:
    after = admin_snapshot(obj, old_password)
    fields = changed_fields(before, after) if before is not None else []
    if before is not None and not fields:
        return  # saved without changes
    what = f"Changed {', '.join(fields)} of" if before is not None else "Added"
    record(
        actor=request.user,
        action=AuditEvent.Action.UPDATE if before is not None else AuditEvent.Action.CREATE,
        event="admin.saved",
        instance=obj,
        site=_site_of(obj),
        programme=_programme_of(obj),
        summary=f"{what} {obj._meta.verbose_name} {obj} in the admin",
        before=before,
        after=after,
    )


def audit_admin_delete(request, obj, before: dict) -> None:
    record(
        actor=request.user,
        action=AuditEvent.Action.DELETE,
        event="admin.deleted",
        entity=obj._meta.label,
        entity_id=before.get("id", ""),
        site=_site_of(obj),
        programme=_programme_of(obj, before),
        summary=f"Removed {obj._meta.verbose_name} {obj} in the admin",
        before=before,
    )


STALE_EDIT_MESSAGE = (
    "Someone else changed this record (or its rows below) after you opened this page, so "
    "nothing was saved. Open the record again to see it as it is now, then make your change."
)


class StaleEditGuardMixin:
    """For a ModelAdmin: refuse to save a change form opened before someone else saved the
    same record or one of its inline rows. The page carries a fingerprint of them as shown
    (``_ipsworks_seen``, added by templates/admin/change_form.html); the form's clean()
    compares it with the record as stored now and shows an error instead of overwriting."""

    def _seen_state(self, request, obj) -> str:
        parts = [fingerprint(obj)]
        for inline in self.get_inline_instances(request, obj):
            formset = inline.get_formset(request, obj)(
                instance=obj, queryset=inline.get_queryset(request)
            )
            parts += sorted(f"{row.pk}:{fingerprint(row)}" for row in formset.get_queryset())
        return values_fingerprint(*parts)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        posted = request.POST.get("_ipsworks_seen") if request.method == "POST" else None
        if posted:
            # The form is shown again with what was posted (an error, or a refusal): it keeps
            # the fingerprint of the record as first shown, so saving those values again is
            # refused too. Opening the record afresh shows it as it is now.
            context["ipsworks_seen"] = posted
        elif obj is not None and obj.pk is not None:
            current = type(obj)._default_manager.filter(pk=obj.pk).first()
            if current is not None:
                context["ipsworks_seen"] = self._seen_state(request, current)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        seen = request.POST.get("_ipsworks_seen") if request.method == "POST" else None
        if obj is None or obj.pk is None or not seen:
            return form_class
        admin, model, pk = self, type(obj), obj.pk

        class GuardedForm(form_class):
            def clean(self):
                data = super().clean()
                # The admin saves inside a transaction: lock the record so that two saves at
                # once are judged one after the other.
                current = model._default_manager.select_for_update().filter(pk=pk).first()
                if current is not None and admin._seen_state(request, current) != seen:
                    raise ValidationError(STALE_EDIT_MESSAGE, code="stale")
                return data

        GuardedForm.__name__ = form_class.__name__
        return GuardedForm


class AuditedAdminMixin(StaleEditGuardMixin):
    """For a ModelAdmin: audit every save and delete, its inlines' too, and refuse stale edits.
    (The admin already runs each of these inside a transaction, so the audit row commits or
    rolls back with it.)"""

    def save_model(self, request, obj, form, change):
        current = _current(obj) if change else None
        before = admin_snapshot(current) if current is not None else None
        old_password = getattr(current, "password", None)
        super().save_model(request, obj, form, change)
        audit_admin_change(request, obj, before=before, old_password=old_password)

    def delete_model(self, request, obj):
        before = admin_snapshot(obj)
        super().delete_model(request, obj)
        audit_admin_delete(request, obj, before)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_related(self, request, form, formsets, change):
        # Many-to-many choices (an account's groups and permissions, a group's permissions)
        # are saved here, after save_model: compare their ids before and after.
        obj = form.instance
        names = [f.name for f in obj._meta.many_to_many if f.name in form.fields]

        def ids():
            return {n: sorted(getattr(obj, n).values_list("pk", flat=True)) for n in names}

        before = ids() if change and names else {}
        super().save_related(request, form, formsets, change)
        after = ids() if names else {}
        if names and before != after:
            changed = [n for n in names if before.get(n) != after[n]]
            record(
                actor=request.user,
                action=AuditEvent.Action.UPDATE,
                event="admin.saved",
                instance=obj,
                site=_site_of(obj),
                programme=_programme_of(obj),
                summary=f"Changed {', '.join(changed)} of {obj._meta.verbose_name} {obj} in the "
                "admin",
                before={n: before.get(n, []) for n in changed},
                after={n: after[n] for n in changed},
            )

    def save_formset(self, request, form, formset, change):
        # Each inline record as stored, by the form's instance (deleting sets its pk to None).
        before = {}
        for inline_form in formset.initial_forms:
            current = _current(inline_form.instance)
            if current is not None:
                before[id(inline_form.instance)] = (current, admin_snapshot(current))
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit_admin_change(request, obj, before=None)
        for obj, _fields in formset.changed_objects:
            audit_admin_change(request, obj, before=before[id(obj)][1])
        for obj in formset.deleted_objects:
            current, snap = before[id(obj)]
            audit_admin_delete(request, current, snap)
