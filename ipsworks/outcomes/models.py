"""Monthly summary tables and programme target settings.

``MonthlySiteSummary`` holds one row per site and calendar month with the counts the dashboards
need. It is derived data: :mod:`ipsworks.outcomes.summaries` refreshes it inside the transaction
of every caseload write (the ``records_changed`` signal), and ``ipsworks rebuild_summaries``
recomputes it from scratch. Each column equals the metric of the same key in
:mod:`ipsworks.outcomes.metrics` for that site and month (a property test checks this).
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

# Summary columns: each is the metric of the same key for one site and one month.
SUMMARY_FIELDS = (
    "referrals",
    "referrals_in_work",
    "people_engaged",
    "job_starts",
    "competitive_job_starts",
    "people_into_work",
    "applications",
    "employer_contacts",
)


class MonthlySiteSummary(models.Model):
    site = models.ForeignKey(
        "organisation.Site", on_delete=models.CASCADE, related_name="monthly_summaries"
    )
    month = models.DateField(help_text="First day of the calendar month.")
    referrals = models.PositiveIntegerField(default=0)
    referrals_in_work = models.PositiveIntegerField(default=0)
    people_engaged = models.PositiveIntegerField(default=0)
    job_starts = models.PositiveIntegerField(default=0)
    competitive_job_starts = models.PositiveIntegerField(default=0)
    people_into_work = models.PositiveIntegerField(default=0)
    applications = models.PositiveIntegerField(default=0)
    employer_contacts = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["site", "month"]
        constraints = [
            models.UniqueConstraint(fields=["site", "month"], name="one_summary_per_site_month")
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.month:%Y-%m}"


class Trajectory(models.TextChoices):
    LINEAR = "linear", "Straight line from the start to the target"
    RAMPED = "ramped", "Ramped from staffing (slower in the first year)"


class TargetSettings(models.Model):
    """How a programme's sites are judged against their targets.

    Targets themselves live on each site (referral and job-start targets over its
    implementation period). These settings choose the monthly trajectory towards them and the
    thresholds between "on track", "behind" and "far behind".
    """

    programme = models.OneToOneField(
        "organisation.Programme", on_delete=models.CASCADE, related_name="target_settings"
    )
    trajectory = models.CharField(
        max_length=10, choices=Trajectory.choices, default=Trajectory.LINEAR
    )
    year1_jobs_per_specialist = models.DecimalField(
        "job starts per full-time specialist in year 1",
        max_digits=4,
        decimal_places=1,
        default=Decimal("11.0"),
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text="Planning assumption for a new specialist (usually 10 to 12 a year).",
    )
    year2_jobs_per_specialist = models.DecimalField(
        "job starts per full-time specialist in year 2",
        max_digits=4,
        decimal_places=1,
        default=Decimal("16.5"),
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text="Planning assumption once established (usually 15 to 18 a year).",
    )
    on_track_ratio = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.90"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
        help_text="On track when job starts so far reach this share of the trajectory.",
    )
    behind_ratio = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.75"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
        help_text="Behind (not far behind) when job starts reach at least this share.",
    )
    no_contact_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Warn when a specialist has logged no employer contact for this many days.",
    )

    class Meta:
        verbose_name_plural = "target settings"

    def __str__(self) -> str:
        return f"Target settings for {self.programme}"
