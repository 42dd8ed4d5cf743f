"""Forms for planning, scoring, consensus, corrections, action plans and file uploads."""

from django import forms

from ipsworks.core.concurrency import SeenMixin
from ipsworks.core.forms import DateInput, NhsFormMixin, small_file

from .models import ActionStatus, PrepKind, ReviewKind


class PlanForm(NhsFormMixin, forms.Form):
    site = forms.ChoiceField(label="Site")
    kind = forms.ChoiceField(
        label="Kind of review",
        choices=ReviewKind.choices,
        help_text="An independent review is done by reviewers from outside the service; a "
        "self-assessment by the site's own staff.",
    )
    reviewer_1 = forms.ChoiceField(label="First reviewer")
    reviewer_2 = forms.ChoiceField(label="Second reviewer")
    visit_start = forms.DateField(label="Visit starts", widget=DateInput)
    visit_end = forms.DateField(label="Visit ends", widget=DateInput)
    period_start = forms.DateField(
        label="Records from",
        widget=DateInput,
        required=False,
        help_text="Start of the period the figures from the records cover. Leave empty for "
        "the six months before the visit.",
    )
    period_end = forms.DateField(
        label="Records to",
        widget=DateInput,
        required=False,
        help_text="Leave empty for the day before the visit.",
    )
    documents_requested = forms.CharField(
        label="Documents to request",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="One per line, for example job descriptions or supervision records.",
    )
    interview_schedule = forms.CharField(
        label="Interview schedule",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="One interview per line, for example 'Tuesday 10:00 team supervisor'.",
    )

    def __init__(self, *args, sites=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "Choose a site")] + [(s.slug, s.name) for s in sites]
        choices = [("", "Choose a person")] + [(str(u.pk), u.username) for u in people]
        self.fields["reviewer_1"].choices = choices
        self.fields["reviewer_2"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("reviewer_1") and data.get("reviewer_1") == data.get("reviewer_2"):
            self.add_error("reviewer_2", "Choose a different person from the first reviewer.")
        start, end = data.get("visit_start"), data.get("visit_end")
        if start and end and end < start:
            self.add_error("visit_end", "The visit cannot end before it starts.")
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The records period cannot end before it starts.")
        return data


class PrepTaskForm(NhsFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=PrepKind.choices)
    description = forms.CharField(label="Description", max_length=300)
    scheduled_for = forms.DateTimeField(
        label="When",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="For interviews and observations.",
    )


class FindingsForm(SeenMixin, NhsFormMixin, forms.Form):
    strengths = forms.CharField(
        label="Strengths", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    recommendations = forms.CharField(
        label="Recommendations", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )


class CorrectionForm(NhsFormMixin, forms.Form):
    # The agreed scores as the page showed them (selectors.agreed_fingerprint).
    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    item = forms.TypedChoiceField(label="Item", coerce=int)
    new_score = forms.TypedChoiceField(
        label="Corrected score", coerce=int, choices=[(n, n) for n in range(1, 6)]
    )
    reason = forms.CharField(
        label="Reason for the correction",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the review and in the audit trail.",
    )

    def __init__(self, *args, items=(), **kwargs):
        # Shown on the results page beside ActionForm: each needs ids of its own.
        kwargs.setdefault("auto_id", "correction-%s")
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(i.number, f"{i.number}. {i.title}") for i in items]


class ActionForm(NhsFormMixin, forms.Form):
    item = forms.TypedChoiceField(label="Item", coerce=int, required=False, empty_value=None)
    action = forms.CharField(label="Action", widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(label="Owner", max_length=200, help_text="A role or a name.")
    due_date = forms.DateField(label="Due date", widget=DateInput)

    def __init__(self, *args, items=(), **kwargs):
        kwargs.setdefault("auto_id", "action-%s")  # see CorrectionForm
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "Whole service")] + [
            (i.number, f"{i.number}. {i.title}") for i in items
        ]


class ActionStatusForm(NhsFormMixin, forms.Form):
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices)


class SheetUploadForm(NhsFormMixin, forms.Form):
    sheet = forms.FileField(
        label="Score sheet",
        help_text="A .csv or .xlsx file with the columns item, score, rationale; every item once.",
    )

    def clean_sheet(self):
        return small_file(self.cleaned_data["sheet"])


class ScaleUploadForm(NhsFormMixin, forms.Form):
    scale_file = forms.FileField(
        label="Scale file (JSON)",
        help_text="A fidelity scale in the ipsworks JSON format, with a new version number.",
    )
    make_current = forms.BooleanField(
        label="Use this version for new reviews", required=False, initial=True
    )

    def clean_scale_file(self):
        return small_file(self.cleaned_data["scale_file"])
