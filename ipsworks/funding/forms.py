from django import forms

from ipsworks.core.concurrency import SeenMixin
from ipsworks.core.forms import DateInput, NhsFormMixin

from .models import Post, SiteFunding, Stakeholder
from .selectors import EARLIEST_YEAR, LATEST_YEAR


def _checked_year(value, what: str):
    """Dates far outside the service's calendar would break the alert window and timeline."""
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise forms.ValidationError(f"Enter {what} in the years {EARLIEST_YEAR} to {LATEST_YEAR}.")
    return value


class PostForm(SeenMixin, NhsFormMixin, forms.ModelForm):
    class Meta:
        model = Post
        fields = [
            "role",
            "title",
            "fte",
            "funding_type",
            "funder",
            "start_date",
            "end_date",
            "recurrent",
            "successor",
            "notes",
        ]
        widgets = {
            "start_date": DateInput(format="%Y-%m-%d"),
            "end_date": DateInput(format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.site = site
        choices = Post.objects.filter(site=site)
        if self.instance.pk:
            choices = choices.exclude(pk=self.instance.pk)
        successor = self.fields["successor"]
        successor.queryset = choices
        successor.empty_label = "None recorded"
        successor.label_from_instance = lambda p: f"{p}, from {p.start_date:%d %b %Y}"

    def clean_start_date(self):
        return _checked_year(self.cleaned_data.get("start_date"), "a start date")

    def clean_end_date(self):
        return _checked_year(self.cleaned_data.get("end_date"), "an end date")


class StatusForm(SeenMixin, NhsFormMixin, forms.ModelForm):
    class Meta:
        model = SiteFunding
        fields = ["status", "at_risk", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}


class StakeholderForm(SeenMixin, NhsFormMixin, forms.ModelForm):
    class Meta:
        model = Stakeholder
        fields = ["kind", "organisation", "contact_role", "engagement", "last_contact", "notes"]
        widgets = {
            "last_contact": DateInput(format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.site = site

    def clean_last_contact(self):
        return _checked_year(self.cleaned_data.get("last_contact"), "the date of last contact")
