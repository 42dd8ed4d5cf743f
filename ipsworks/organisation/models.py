"""Programme -> site -> team: the organisations an IPS programme runs through."""

from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Programme(models.Model):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    default_implementation_months = models.PositiveSmallIntegerField(
        default=18, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    default_referral_target = models.PositiveIntegerField(default=120)
    default_job_start_target = models.PositiveIntegerField(default=60)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """One IPS service, usually hosted by an NHS trust, with its own targets."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    host_organisation = models.CharField(max_length=200, blank=True)
    start_date = models.DateField(help_text="The day the IPS service started taking referrals.")
    implementation_months = models.PositiveSmallIntegerField(
        default=18,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="How long the set-up period with targets lasts, in months.",
    )
    referral_target = models.PositiveIntegerField(
        default=120, help_text="People to be referred over the implementation period."
    )
    job_start_target = models.PositiveIntegerField(
        default=60, help_text="Job starts to be reached over the implementation period."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"], name="site_name_unique_in_programme"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def end_date(self) -> date:
        """The last day of the implementation period."""
        from ipsworks.core.dates import add_months

        return add_months(self.start_date, self.implementation_months)


class Team(models.Model):
    """A clinical team (for example a community mental health team) a specialist works in."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["site__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="team_name_unique_in_site")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.site.name})"
