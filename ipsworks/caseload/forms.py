"""Forms for caseload screens. They only collect and tidy input: the rules live in rules.py and
are applied by the services (whose ValidationError messages are put back on these fields)."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name

from ipsworks.accounts.models import User
from ipsworks.core.forms import DateInput, NhsFormMixin
from ipsworks.organisation.models import Team
from ipsworks.organisation.selectors import site_specialists

from .models import (
    ActivityKind,
    AgeBand,
    DiagnosisGroup,
    DischargeReason,
    EmploymentStatus,
    Ethnicity,
    Gender,
    JobEndReason,
    OccupationGroup,
)


def _blank(choices, label="Not recorded"):
    return [("", label), *choices]


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's field-level messages on the form (unknown fields become form-level)."""
    for name, messages in exc.message_dict.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


class PlainMessages:
    """Error messages that name the field: "Enter the referral date", not "This field is
    required"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = str(field.label or pretty_name(name)).lower()
            if isinstance(field, forms.BooleanField):
                field.error_messages["required"] = "Tick the box to confirm."
            elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                field.error_messages["required"] = f"Choose the {label}."
            else:
                field.error_messages["required"] = f"Enter the {label}."
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = f"Enter the {label} as a real date."
            if isinstance(field, forms.DecimalField):
                field.error_messages["invalid"] = f"Enter the {label} as a number."


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class SpecialistChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class AssignmentMixin:
    """Specialist and team choices limited to one site."""

    def limit_to_site(self, site):
        ids = site_specialists(site).values_list("user_id", flat=True)
        self.fields["specialist"].queryset = User.objects.filter(pk__in=ids).order_by("username")
        self.fields["team"].queryset = Team.objects.filter(site=site)
        self.fields["team"].label_from_instance = lambda t: t.name


class EquityFields(forms.Form):
    age_band = forms.ChoiceField(choices=_blank(AgeBand.choices), required=False)
    gender = forms.ChoiceField(choices=_blank(Gender.choices), required=False)
    ethnicity = forms.ChoiceField(choices=_blank(Ethnicity.choices), required=False)
    diagnosis_group = forms.ChoiceField(
        label="Primary diagnosis group", choices=_blank(DiagnosisGroup.choices), required=False
    )


class ReferralForm(PlainMessages, NhsFormMixin, AssignmentMixin, EquityFields):
    reference = forms.CharField(
        label="Service user ID",
        max_length=40,
        help_text="The site's own pseudonymous ID, for example BRK-0042. Never a name or NHS "
        "number.",
    )
    referral_date = forms.DateField(
        widget=DateInput,
        help_text="The day you received the referral and accepted it onto the caseload.",
    )
    referral_source = forms.CharField(
        label="Referred by", max_length=200, required=False, help_text="The team or service."
    )
    specialist = SpecialistChoice(queryset=User.objects.none(), required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)
    employment_status = forms.ChoiceField(
        label="Employment status at referral",
        choices=EmploymentStatus.choices,
        initial=EmploymentStatus.OUT_OF_WORK,
    )
    profile_started = forms.DateField(
        label="Vocational profile started",
        widget=DateInput,
        required=False,
        help_text="Usually the first face-to-face meeting: counts the person as engaged.",
    )

    field_order = [
        "reference",
        "referral_date",
        "referral_source",
        "specialist",
        "team",
        "employment_status",
        "profile_started",
    ]

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_to_site(site)


class NewEpisodeForm(PlainMessages, NhsFormMixin, AssignmentMixin, forms.Form):
    referral_date = forms.DateField(widget=DateInput)
    referral_source = forms.CharField(label="Referred by", max_length=200, required=False)
    specialist = SpecialistChoice(queryset=User.objects.none(), required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)
    employment_status = forms.ChoiceField(
        label="Employment status at referral", choices=EmploymentStatus.choices
    )
    profile_started = forms.DateField(
        label="Vocational profile started", widget=DateInput, required=False
    )

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_to_site(site)


class EpisodeForm(VersionMixin, NewEpisodeForm):
    pass


class ServiceUserForm(PlainMessages, NhsFormMixin, VersionMixin, EquityFields):
    reference = forms.CharField(label="Service user ID", max_length=40)

    field_order = ["reference"]


class DischargeForm(PlainMessages, NhsFormMixin, VersionMixin):
    discharge_date = forms.DateField(widget=DateInput)
    discharge_reason = forms.ChoiceField(
        label="Reason", choices=_blank(DischargeReason.choices, "Choose a reason")
    )


class QuickActivityForm(PlainMessages, NhsFormMixin, forms.Form):
    """Log an application or an employer contact in one step."""

    date = forms.DateField(widget=DateInput)
    employer = forms.CharField(max_length=200, required=False)
    face_to_face = forms.BooleanField(label="Met the employer face to face", required=False)
    matches_preferences = forms.TypedChoiceField(
        label="Does the job fit what the person wants?",
        choices=[("", "Not recorded"), ("yes", "Yes"), ("no", "No")],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind != "employer_contact":
            del self.fields["face_to_face"]
            del self.fields["matches_preferences"]


class ActivityForm(PlainMessages, NhsFormMixin, forms.Form):
    """Log any other dated work: an interview, benefits planning or in-work support."""

    kind = forms.ChoiceField(
        label="What kind of work",
        choices=[
            ("", "Choose"),
            *[
                (k, label)
                for k, label in ActivityKind.choices
                if k not in {ActivityKind.APPLICATION, ActivityKind.EMPLOYER_CONTACT}
            ],
        ],
    )
    date = forms.DateField(widget=DateInput)
    employer = forms.CharField(max_length=200, required=False)


class JobStartForm(PlainMessages, NhsFormMixin, forms.Form):
    start_date = forms.DateField(label="Start date", widget=DateInput)
    employer = forms.CharField(max_length=200)
    job_title = forms.CharField(max_length=200)
    occupation_group = forms.ChoiceField(
        label="Occupation group (SOC 2020)",
        choices=_blank(OccupationGroup.choices),
        required=False,
    )
    hours_per_week = forms.DecimalField(
        label="Hours per week", max_digits=4, decimal_places=1, help_text="From 0 to 80."
    )
    hourly_pay = forms.DecimalField(
        label="Hourly pay in pounds", max_digits=6, decimal_places=2, help_text="For example 7.50"
    )
    open_to_anyone = forms.BooleanField(
        label="Open to anyone (not set aside for disabled people)", required=False, initial=True
    )


class JobForm(VersionMixin, JobStartForm):
    end_date = forms.DateField(label="End date", widget=DateInput, required=False)
    end_reason = forms.ChoiceField(
        label="Why it ended", choices=_blank(JobEndReason.choices, "Not ended"), required=False
    )


class JobEndForm(PlainMessages, NhsFormMixin, VersionMixin):
    end_date = forms.DateField(label="End date", widget=DateInput)
    end_reason = forms.ChoiceField(
        label="Why it ended", choices=_blank(JobEndReason.choices, "Choose a reason")
    )


class RemoveForm(PlainMessages, NhsFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is this record being removed?", max_length=300, widget=forms.Textarea
    )
    confirm = forms.BooleanField(label="I understand this removes every record of this person")
