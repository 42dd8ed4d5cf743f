"""The monthly return cycle and the files sites send.

- :class:`MonthlyReturn`: one site's return for one month: submitted (by the implementation
  manager), locked (by the programme manager) and re-opened (with a reason). A return is due by
  the 15th day of the following month (``DUE_DAY``).
- :class:`ReturnImport`: one uploaded file (or set of CSV files) for a site and month, its
  check results (counts, row-level errors and warnings, changes) and whether it was applied.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models

from ipsworks.core.dates import add_months

DUE_DAY = 15


def due_date(month: date) -> date:
    """The last day a return for `month` counts as on time: the 15th of the next month."""
    return add_months(month.replace(day=1), 1).replace(day=DUE_DAY)


class ReturnStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    LATE = "late", "Submitted late"
    MISSING = "missing", "Missing"
    DUE = "due", "Not yet due"


class MonthlyReturn(models.Model):
    site = models.ForeignKey(
        "organisation.Site", on_delete=models.PROTECT, related_name="monthly_returns"
    )
    month = models.DateField(help_text="The first day of the month the return covers.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopen_reason = models.TextField(blank=True, help_text="Why the month was last re-opened.")

    class Meta:
        ordering = ["site__name", "month"]
        constraints = [
            models.UniqueConstraint(fields=["site", "month"], name="one_return_per_site_month")
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.month:%B %Y}"

    @property
    def due_date(self) -> date:
        return due_date(self.month)

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def status(self, today: date) -> str:
        return status_of(self.month, self.submitted_at.date() if self.submitted_at else None, today)


def status_of(month: date, submitted_on: date | None, today: date) -> str:
    due = due_date(month)
    if submitted_on is not None:
        return ReturnStatus.SUBMITTED if submitted_on <= due else ReturnStatus.LATE
    return ReturnStatus.MISSING if today > due else ReturnStatus.DUE


def month_last_day(month: date) -> date:
    return add_months(month.replace(day=1), 1) - timedelta(days=1)


class ReturnImport(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to be checked"
        CHECKING = "checking", "Being checked"
        CHECKED = "checked", "Checked: ready to accept"
        INVALID = "invalid", "Has errors: nothing applied"
        APPLYING = "applying", "Being applied"
        APPLIED = "applied", "Accepted and applied"
        FAILED = "failed", "Could not be processed"
        DISCARDED = "discarded", "Discarded"

    site = models.ForeignKey("organisation.Site", on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    files = models.JSONField(default=list, help_text="[{name, path, sha256, size}]")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the file (or of the files).")
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "month"])]

    def __str__(self) -> str:
        return f"Return file for {self.site} {self.month:%B %Y}"

    @property
    def file_names(self) -> str:
        return ", ".join(f["name"] for f in self.files)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))

    @property
    def is_busy(self) -> bool:
        return self.state in {self.State.QUEUED, self.State.CHECKING, self.State.APPLYING}
