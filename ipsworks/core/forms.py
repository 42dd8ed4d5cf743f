"""Form helpers: NHS.UK design system classes and accessible hints/errors on every widget."""

from django import forms

WIDGET_CLASSES = {
    forms.Select: "nhsuk-select",
    forms.SelectMultiple: "nhsuk-select",
    forms.Textarea: "nhsuk-textarea",
    forms.CheckboxInput: "nhsuk-checkboxes__input",
    forms.ClearableFileInput: "nhsuk-file-upload",
    forms.FileInput: "nhsuk-file-upload",
}


class NhsFormMixin:
    """Adds design-system classes, error states and aria-describedby to each field's widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = next(
                (c for cls, c in WIDGET_CLASSES.items() if isinstance(widget, cls)), "nhsuk-input"
            )
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name, field in self.fields.items():
            bound = self[name]
            described = []
            if field.help_text:
                described.append(f"{bound.id_for_label}-hint")
            if self.errors.get(name):
                described.append(f"{bound.id_for_label}-error")
                suffix = {
                    "nhsuk-select": "nhsuk-select--error",
                    "nhsuk-textarea": "nhsuk-textarea--error",
                    "nhsuk-file-upload": "nhsuk-file-upload--error",
                }.get(field.widget.attrs.get("class", "").split()[-1], "nhsuk-input--error")
                if suffix not in field.widget.attrs["class"]:
                    field.widget.attrs["class"] += f" {suffix}"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)


class DateInput(forms.DateInput):
    """A native date picker. Its value must be ISO (YYYY-MM-DD) whatever the locale, or the
    browser shows the field empty and an edit would submit no date."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 - Django's own name
        super().__init__(attrs=attrs, format=format)


SMALL_FILE_BYTES = 2_000_000  # score sheets, scales, codebooks and counts: a few hundred rows


def small_file(upload, limit: int = SMALL_FILE_BYTES):
    """An uploaded file no larger than `limit`, checked before it is read (a bigger one is
    refused with a message, so it is never read into memory)."""
    if upload is not None and upload.size > limit:
        raise forms.ValidationError(
            f"The file is larger than {limit / 1_000_000:g} MB: this screen takes small files."
        )
    return upload
