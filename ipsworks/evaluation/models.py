"""Evaluation: site visits, interview and focus-group records, a codebook of themes and coded
excerpts (anonymised quotes). Nobody interviewed is ever named: records hold roles and counts.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from ipsworks.organisation.models import Programme, Site


class ParticipantRole(models.TextChoices):
    EMPLOYMENT_SPECIALIST = "employment_specialist", "Employment specialist"
    TEAM_LEADER = "team_leader", "Team leader"
    IMPLEMENTATION_MANAGER = "implementation_manager", "Implementation manager"
    CLINICIAN = "clinician", "Clinician"
    CLINICAL_MANAGER = "clinical_manager", "Clinical manager"
    SENIOR_LEADER = "senior_leader", "Senior leader"
    COMMISSIONER = "commissioner", "Commissioner or external stakeholder"
    SERVICE_USER = "service_user", "Service user"


# Everyone who is not a service user counts as "staff" in the counts table (as in the seed's
# Table 2, where commissioners and other stakeholders are counted with staff).
STAFF_ROLES = frozenset(r for r in ParticipantRole if r != ParticipantRole.SERVICE_USER)


class InterviewFormat(models.TextChoices):
    INTERVIEW = "interview", "Individual interview"
    FOCUS_GROUP = "focus_group", "Focus group"


class EvaluationVisit(models.Model):
    """One of the evaluators' visits to a site (the seed had three per site)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="evaluation_visits")
    number = models.PositiveSmallIntegerField(
        "visit number",
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="1 for the first visit to this site, 2 for the second, and so on.",
    )
    date = models.DateField(help_text="The day of the visit (the first day, if it ran longer).")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evaluation_visits",
        help_text="The evaluator who led the visit.",
    )
    notes = models.TextField(blank=True, help_text="Practical notes only. Do not name anyone.")

    class Meta:
        ordering = ["site__name", "number"]
        constraints = [
            models.UniqueConstraint(fields=["site", "number"], name="evaluation_visit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.site.name}, visit {self.number}"


class Interview(models.Model):
    """An interview or focus group held on a visit: a format, a role and a head count."""

    visit = models.ForeignKey(EvaluationVisit, on_delete=models.CASCADE, related_name="interviews")
    format = models.CharField(max_length=20, choices=InterviewFormat.choices)
    participant_role = models.CharField(
        "participants' role",
        max_length=40,
        choices=ParticipantRole.choices,
        help_text="Record a mixed group as one record per role.",
    )
    participants = models.PositiveSmallIntegerField(
        "number of participants",
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        default=1,
    )
    notes = models.TextField(blank=True, help_text="Practical notes only. Do not name anyone.")

    class Meta:
        ordering = ["visit__site__name", "visit__number", "id"]

    def __str__(self) -> str:
        role = self.get_participant_role_display()
        return f"{self.get_format_display()}: {self.participants} × {role}"

    @property
    def is_staff(self) -> bool:
        return self.participant_role in STAFF_ROLES


class Theme(models.Model):
    """A codebook entry. Themes nest: a theme with a parent is a sub-theme."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="themes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, help_text="What belongs under this theme.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"], name="theme_name_unique_in_programme"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Excerpt(models.Model):
    """An anonymised quote from an interview, with the speaker's role (never a name)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="excerpts")
    visit = models.ForeignKey(
        EvaluationVisit, on_delete=models.SET_NULL, null=True, blank=True, related_name="excerpts"
    )
    speaker_role = models.CharField(max_length=40, choices=ParticipantRole.choices)
    text = models.TextField(
        "quote",
        help_text="Remove names, places and anything else that could identify a person.",
    )
    memo = models.TextField(blank=True, help_text="The evaluator's analytic note.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site__name", "id"]

    def __str__(self) -> str:
        return f"Excerpt {self.pk} ({self.site.name})"


class Coding(models.Model):
    """One coder's reading of one excerpt: the themes they applied (possibly none).

    A Coding with no themes means "I read it and no theme applies"; no Coding at all means the
    coder has not coded the excerpt yet. Agreement only compares excerpts both coders coded.
    """

    excerpt = models.ForeignKey(Excerpt, on_delete=models.CASCADE, related_name="codings")
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="codings"
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="codings")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["excerpt_id", "coder__username"]
        constraints = [
            models.UniqueConstraint(fields=["excerpt", "coder"], name="coding_unique_per_coder")
        ]

    def __str__(self) -> str:
        return f"{self.excerpt} coded by {self.coder}"
