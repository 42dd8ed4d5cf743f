from django import forms

from ipsworks.core.forms import DateInput, NhsFormMixin

from .models import Post, SiteFunding, Stakeholder


class PostForm(NhsFormMixin, forms.ModelForm):
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


class StatusForm(NhsFormMixin, forms.ModelForm):
    class Meta:
        model = SiteFunding
        fields = ["status", "at_risk", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}


class StakeholderForm(NhsFormMixin, forms.ModelForm):
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
