from django import forms

from ipsworks.core.forms import NhsFormMixin

from .services import LIFETIMES_DAYS

LIFETIME_LABELS = {30: "30 days", 90: "90 days", 365: "1 year"}


class NewTokenForm(NhsFormMixin, forms.Form):
    name = forms.CharField(
        label="What is the token for?",
        max_length=60,
        help_text="For example, the name of the script or report that will use it.",
    )
    days = forms.TypedChoiceField(
        label="Stops working after",
        choices=[(d, LIFETIME_LABELS[d]) for d in LIFETIMES_DAYS],
        coerce=int,
        initial=90,
    )
