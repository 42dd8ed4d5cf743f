"""Forms for the evaluation screens (NHS.UK design-system markup via NhsFormMixin)."""

from django import forms
from django.contrib.auth import get_user_model

from ipsworks.accounts.models import Membership
from ipsworks.accounts.roles import Role
from ipsworks.core.concurrency import SeenMixin
from ipsworks.core.forms import DateInput, NhsFormMixin, small_file

from .models import EvaluationVisit, InterviewFormat, ParticipantRole, Theme


def evaluator_choices(programme):
    ids = Membership.objects.active().filter(programme=programme, role=Role.EVALUATOR)
    return get_user_model().objects.filter(pk__in=ids.values("user_id")).order_by("username")


class VisitForm(SeenMixin, NhsFormMixin, forms.Form):
    site = forms.ModelChoiceField(queryset=None, help_text="The site visited.")
    number = forms.IntegerField(
        label="Visit number",
        min_value=1,
        max_value=20,
        help_text="1 for the first visit, and so on.",
    )
    date = forms.DateField(widget=DateInput, help_text="The day of the visit.")
    evaluator = forms.ModelChoiceField(
        queryset=None, required=False, help_text="The evaluator who led the visit."
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Practical notes only. Do not name anyone.",
    )

    def __init__(self, *args, sites, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["evaluator"].queryset = evaluator_choices(programme)


class InterviewForm(SeenMixin, NhsFormMixin, forms.Form):
    format = forms.ChoiceField(choices=InterviewFormat.choices)
    participant_role = forms.ChoiceField(
        label="Participants' role",
        choices=ParticipantRole.choices,
        help_text="For a group with mixed roles, add one record per role.",
    )
    participants = forms.IntegerField(
        label="Number of participants", min_value=1, max_value=200, initial=1
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Practical notes only. Do not name anyone.",
    )


class ThemeForm(SeenMixin, NhsFormMixin, forms.Form):
    name = forms.CharField(max_length=120)
    parent = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Sits under",
        help_text="Leave empty for a top-level theme.",
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What belongs under this theme, so two coders read it the same way.",
    )
    order = forms.IntegerField(
        min_value=0, max_value=999, initial=0, help_text="Lower numbers come first."
    )

    def __init__(self, *args, programme, theme=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Theme.objects.filter(programme=programme)
        if theme is not None:
            qs = qs.exclude(pk=theme.pk)
        self.fields["parent"].queryset = qs


class UploadForm(NhsFormMixin, forms.Form):
    file = forms.FileField(label="CSV file", help_text="A .csv file saved as UTF-8.")

    def clean_file(self):
        return small_file(self.cleaned_data["file"])

    def text(self) -> str:
        data = self.cleaned_data["file"].read()
        self.raw = data  # the bytes as uploaded (their SHA-256 goes into the audit trail)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "The file is not UTF-8 text: save it as CSV (UTF-8) and try again."
            ) from None


class ExcerptForm(SeenMixin, NhsFormMixin, forms.Form):
    site = forms.ModelChoiceField(queryset=None)
    visit = forms.ModelChoiceField(
        queryset=None, required=False, help_text="The visit the quote was collected on."
    )
    speaker_role = forms.ChoiceField(label="Speaker's role", choices=ParticipantRole.choices)
    text = forms.CharField(
        label="Quote",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Remove names, places and anything else that could identify a person.",
    )
    memo = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Your analytic note about the quote.",
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["visit"].queryset = EvaluationVisit.objects.filter(
            site__in=sites
        ).select_related("site")

    def clean(self):
        data = super().clean()
        site, visit = data.get("site"), data.get("visit")
        if site and visit and visit.site_id != site.pk:
            self.add_error("visit", "Choose one of the chosen site's visits.")
        return data


class ExcerptFilterForm(NhsFormMixin, forms.Form):
    text = forms.CharField(label="Words in the quote or memo", required=False)
    theme = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any theme")
    site = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any site")
    role = forms.ChoiceField(
        label="Speaker's role", required=False, choices=[("", "Any role"), *ParticipantRole.choices]
    )

    def __init__(self, *args, sites, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["theme"].queryset = themes


class AgreementForm(NhsFormMixin, forms.Form):
    coder_a = forms.ModelChoiceField(queryset=None, label="First coder", empty_label=None)
    coder_b = forms.ModelChoiceField(queryset=None, label="Second coder", empty_label=None)

    def __init__(self, *args, coders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coder_a"].queryset = coders
        self.fields["coder_b"].queryset = coders

    def clean(self):
        data = super().clean()
        if data.get("coder_a") and data.get("coder_a") == data.get("coder_b"):
            self.add_error("coder_b", "Choose two different coders.")
        return data
