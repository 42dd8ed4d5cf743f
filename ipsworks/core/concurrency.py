"""Stopping one person's edit from silently overwriting another's.

An edit form carries a fingerprint of the record as it was when the form was opened (a hidden
``seen`` field: :class:`SeenMixin`). The service that saves the edit locks the record and calls
:func:`check_seen`; if the record has changed since, it raises :class:`EditConflict` and saves
nothing, and the page shows the record as it is now beside what the person had typed.

(Case records use a version number instead: ``caseload.services.ConflictError``.) A fingerprint
needs no extra column, so it works for every model as it is.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class EditConflict(Exception):
    """The record changed after the editor opened it; nothing was saved."""

    def __init__(self, instance: models.Model | None = None):
        self.instance = instance
        super().__init__(
            "Someone else changed this record after you opened it, so your changes were not saved."
        )


def fingerprint(instance: models.Model | None) -> str:
    """A short digest of the record's stored values except its id (so an unsaved default and
    the same default once saved match). A model whose rows other actions also change lists
    the fields an edit form covers in ``SEEN_FIELDS`` (only those count), or fields that change
    by themselves in ``SEEN_EXCLUDE`` (such as an account's last sign-in). None gives the
    digest of "no record"."""
    if instance is None:
        data: dict = {}
    else:
        only = getattr(type(instance), "SEEN_FIELDS", None)
        skip = getattr(type(instance), "SEEN_EXCLUDE", ())
        data = {
            f.attname: f.value_from_object(instance)
            for f in instance._meta.concrete_fields
            if not f.primary_key and (only is None or f.name in only) and f.name not in skip
        }
    text = json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def values_fingerprint(*values: Any) -> str:
    """A short digest of a few values as a page showed them (one row of a page that saves many
    rows at once, such as a review's scores): the row is written only if the person changed
    it, and refused if someone else changed it since the page was shown."""
    text = json.dumps(values, cls=DjangoJSONEncoder)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def check_seen(
    instance: models.Model | None, seen: str | None, wanted: dict[str, Any] | None = None
) -> None:
    """Raise EditConflict unless `seen` is the record's fingerprint now. Call it with the row
    locked (select_for_update) in the saving transaction. `seen` None skips the check (a
    command or a test that read the record in the same breath). `wanted` (field -> value
    about to be saved): a record that already holds exactly those values is no clash: the
    same save sent twice (a double click, a resent form) goes through as a no-op change."""
    if seen is None or seen == fingerprint(instance):
        return
    if (
        instance is not None
        and wanted
        and all(getattr(instance, name) == value for name, value in wanted.items())
    ):
        return
    raise EditConflict(instance)


class SeenMixin(forms.Form):
    """Adds the hidden ``seen`` field. Pass ``seen_record=`` (the record being edited, or None
    for "no record yet") when building the form for display."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, seen_record=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["seen"] = fingerprint(seen_record)

    def clean_seen(self) -> str | None:
        """None when the page sent no fingerprint (a form posted by a script): nothing to
        compare with, so the save goes ahead as before."""
        return self.cleaned_data.get("seen") or None

    def entries(self) -> list[tuple[str, str]]:
        """(label, value as typed) for each visible field: shown after a conflict so that
        nothing typed is lost."""
        out = []
        for bound in self.visible_fields():
            value = bound.value()
            if isinstance(bound.field, forms.BooleanField):
                shown = "Yes" if value else "No"
            elif hasattr(bound.field, "choices") and value not in (None, ""):
                labels = {str(k): v for k, v in bound.field.choices}
                shown = str(labels.get(str(value), value))
            else:
                shown = "" if value is None else str(value)
            out.append((str(bound.label), shown or "(blank)"))
        return out
