"""People who use ipsworks (staff, never service users) and the roles they hold."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from ipsworks.organisation.models import Programme, Site, Team

from .roles import SITE_ROLES, Role


class User(AbstractUser):
    """A member of staff. Service users never have accounts and are never named."""

    # Changes by itself at every sign-in: not an edit that an admin's change form could undo.
    SEEN_EXCLUDE = ("last_login",)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        full = self.get_full_name()
        return full or self.username


class MembershipQuerySet(models.QuerySet):
    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(models.Q(start_date__isnull=True) | models.Q(start_date__lte=on)).filter(
            models.Q(end_date__isnull=True) | models.Q(end_date__gte=on)
        )


class Membership(models.Model):
    """A role held by a user in a programme, and for site roles at one site (and team)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=40, choices=Role.choices)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="memberships")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    fte = models.DecimalField(
        "full-time equivalent",
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("1.00"))],
        help_text="Share of a full-time post (1.00 is full time). Used for per-specialist figures.",
    )
    start_date = models.DateField(null=True, blank=True, help_text="First day in post.")
    end_date = models.DateField(null=True, blank=True, help_text="Last day in post, if left.")

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["programme__name", "site__name", "role", "user__username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
            )
        ]

    def __str__(self) -> str:
        where = self.site.name if self.site_id else self.programme.name
        return f"{self.user} – {self.get_role_display()} – {where}"

    def clean(self) -> None:
        if self.role in SITE_ROLES and not self.site_id:
            raise ValidationError({"site": "A site role needs the site it is held at."})
        if self.role not in SITE_ROLES and self.site_id:
            raise ValidationError({"site": "This role spans the programme: leave the site empty."})
        if self.team_id and self.team.site_id != self.site_id:
            raise ValidationError({"team": "The team must belong to the membership's site."})
        if self.site_id and self.site.programme_id != self.programme_id:
            raise ValidationError({"site": "The site must belong to the membership's programme."})
