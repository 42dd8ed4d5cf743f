from django import forms

from ipsworks.core.concurrency import SeenMixin
from ipsworks.core.forms import NhsFormMixin

from .models import TargetSettings


class TargetSettingsForm(SeenMixin, NhsFormMixin, forms.ModelForm):
    class Meta:
        model = TargetSettings
        fields = [
            "trajectory",
            "year1_jobs_per_specialist",
            "year2_jobs_per_specialist",
            "on_track_ratio",
            "behind_ratio",
            "no_contact_days",
        ]
        labels = {
            "trajectory": "Trajectory towards each site's job-start target",
            "on_track_ratio": "On-track threshold (share of the trajectory, 0.01 to 1)",
            "behind_ratio": "Behind threshold (share of the trajectory, 0.01 to 1)",
            "no_contact_days": "Days without an employer contact before a specialist is flagged",
        }

    def clean(self):
        data = super().clean()
        on_track, behind = data.get("on_track_ratio"), data.get("behind_ratio")
        if on_track is not None and behind is not None and behind > on_track:
            self.add_error(
                "behind_ratio", "The behind threshold must not be above the on-track threshold."
            )
        return data
