from django import forms

from ipsworks.core.forms import NhsFormMixin


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            if not data:
                return [single(None, initial)]
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(NhsFormMixin, forms.Form):
    month = forms.ChoiceField(label="Month the return is for")
    files = MultipleFileField(
        label="Return file",
        help_text=(
            "An .xlsx, .xls or .ods workbook, or the CSV files caseload.csv and jobs.csv "
            "(choose both), or a .zip of them."
        ),
        error_messages={"required": "Choose the return file to upload."},
    )

    def __init__(self, *args, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in months]


class ReopenForm(NhsFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the month being re-opened?",
        help_text="This is kept in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Say why the month is being re-opened."},
    )
