"""Posts in each IPS service, how they are funded, and the service's status after its grant.

A post is a funded position (never a person): its role, size (FTE), who pays for it and for
how long. When one source of money ends and another takes over, record a new post and name it
as the old post's successor, so that a post that "ended with no successor" can be found.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from ipsworks.organisation.models import Site


class PostRole(models.TextChoices):
    SPECIALIST = "specialist", "Employment specialist"
    TEAM_LEADER = "team_leader", "Team leader"
    IMPLEMENTATION_MANAGER = "implementation_manager", "Implementation manager"
    OTHER = "other", "Other"


class FundingType(models.TextChoices):
    GRANT = "grant", "Grant"
    TRUST = "trust", "Trust's own funds"
    COMMISSIONERS = "commissioners", "Commissioners"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    SECONDMENT = "secondment", "Secondment"
    OTHER = "other", "Other"


class Post(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="funded_posts")
    role = models.CharField(max_length=40, choices=PostRole.choices)
    title = models.CharField(
        "post description",
        max_length=200,
        blank=True,
        help_text="A short description of the post, such as the team it works in. No names.",
    )
    fte = models.DecimalField(
        "full-time equivalent",
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("20.00"))],
        help_text="Size of the post: 1.00 is one full-time post, 0.5 half-time.",
    )
    funding_type = models.CharField(max_length=20, choices=FundingType.choices)
    funder = models.CharField(
        max_length=200,
        blank=True,
        help_text="The organisation paying for the post, for example a council or a trust.",
    )
    start_date = models.DateField(help_text="First day this funding pays for the post.")
    end_date = models.DateField(
        null=True,
        blank=True,
        help_text="Last day this funding pays for the post. Leave empty if it has no end date.",
    )
    recurrent = models.BooleanField(
        "recurrent funding",
        default=False,
        help_text="Tick if the money is part of a recurring budget rather than a one-off.",
    )
    successor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name="continued by",
        help_text="The post that carries this one on when this funding ends, if there is one.",
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["site__name", "start_date", "role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="funding_post_end_after_start",
            )
        ]

    def __str__(self) -> str:
        label = self.title or self.get_role_display()
        return f"{label} ({self.fte:g} FTE, {self.get_funding_type_display()})"

    def clean(self) -> None:
        errors = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date must be on or after the start date."
        if self.successor_id:
            if self.pk and self.successor_id == self.pk:
                errors["successor"] = "A post cannot continue itself."
            elif self.successor.site_id != self.site_id:
                errors["successor"] = "The continuing post must be at the same site."
        if errors:
            raise ValidationError(errors)


class SustainabilityStatus(models.TextChoices):
    UNDECIDED = "undecided", "Not yet decided"
    CONTINUED = "continued", "Continued"
    PARTLY_CONTINUED = "partly_continued", "Partly continued"
    ENDED = "ended", "Ended"


class SiteFunding(models.Model):
    """What happened to a site's IPS service once its grant-funded period was over."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="funding_status")
    status = models.CharField(
        "status after the grant",
        max_length=20,
        choices=SustainabilityStatus.choices,
        default=SustainabilityStatus.UNDECIDED,
    )
    at_risk = models.BooleanField(
        "funding at risk",
        default=False,
        help_text="Tick if the service carries on but its money is not secure.",
    )
    notes = models.TextField(
        blank=True, help_text="What was kept, what was lost and why, in a few sentences."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["site__name"]

    def __str__(self) -> str:
        return f"{self.site}: {self.get_status_display()}"


class StakeholderKind(models.TextChoices):
    COMMISSIONERS = "commissioners", "Commissioners"
    BOARD_SPONSOR = "board_sponsor", "Trust board sponsor"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    DWP = "dwp", "Jobcentre Plus / DWP"
    VOLUNTARY = "voluntary", "Voluntary sector"
    EMPLOYERS = "employers", "Employers"


class Engagement(models.TextChoices):
    NOT_CONTACTED = "not_contacted", "Not yet contacted"
    INFORMED = "informed", "Kept informed"
    ENGAGED = "engaged", "Actively engaged"
    COMMITTED = "committed", "Committed support or money"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Stakeholder(models.Model):
    """An organisation (never a named person) whose support a site's IPS service needs."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="funding_stakeholders")
    kind = models.CharField("type", max_length=20, choices=StakeholderKind.choices)
    organisation = models.CharField(max_length=200)
    contact_role = models.CharField(
        "contact's role",
        max_length=200,
        blank=True,
        help_text="A job title such as 'Director of nursing'. Do not enter anyone's name.",
    )
    engagement = models.CharField(
        max_length=20, choices=Engagement.choices, default=Engagement.NOT_CONTACTED
    )
    last_contact = models.DateField("last contact", null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["site__name", "kind", "organisation"]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_kind_display()})"
