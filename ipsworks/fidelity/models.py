"""Fidelity reviews on a versioned scale: the scale, reviews, each reviewer's scores, the agreed
(consensus) scores with the evidence suggestion kept beside them, corrections and action plans.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class ScaleVersion(models.Model):
    """One version of the fidelity scale, loaded from a file (see data/ips25_v1.json)."""

    code = models.CharField(max_length=40)
    version = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    source = models.TextField(blank=True)
    min_score = models.PositiveSmallIntegerField(default=1)
    max_score = models.PositiveSmallIntegerField(default=5)
    bands = models.JSONField(help_text="Scoring bands: key, label, min and max total.")
    definition = models.JSONField(help_text="The whole file as loaded, kept for the record.")
    is_current = models.BooleanField(default=False, help_text="Used for new reviews.")
    loaded_at = models.DateTimeField(default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-loaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], name="fidelity_scale_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @property
    def sections(self) -> list[dict]:
        return self.definition["sections"]

    @property
    def max_total(self) -> int:
        return self.max_score * self.items.count()


class ScaleItem(models.Model):
    scale = models.ForeignKey(ScaleVersion, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField()
    section_key = models.CharField(max_length=40)
    section_title = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    question = models.TextField(blank=True)
    anchors = models.JSONField(help_text="Score (as text) -> what that score looks like.")
    data_sources = models.JSONField(default=list)
    measure = models.JSONField(
        null=True, blank=True, help_text="A figure from the records and its cut-offs, if any."
    )
    needs_check = models.BooleanField(
        default=False, help_text="Thresholds to confirm against the official manual."
    )

    class Meta:
        ordering = ["scale", "number"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "number"], name="fidelity_item_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def anchor_list(self) -> list[tuple[int, str]]:
        return sorted(((int(k), v) for k, v in self.anchors.items()), reverse=True)


class ReviewKind(models.TextChoices):
    INDEPENDENT = "independent", "Independent review"
    SELF = "self", "Self-assessment"


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    SCORING = "scoring", "Scoring"
    FINALISED = "finalised", "Finalised"


class Review(models.Model):
    # What the findings form edits: scores, status and totals change with other actions.
    SEEN_FIELDS = ("strengths", "recommendations")

    site = models.ForeignKey(
        "organisation.Site", on_delete=models.PROTECT, related_name="fidelity_reviews"
    )
    scale = models.ForeignKey(ScaleVersion, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(max_length=20, choices=ReviewKind.choices)
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED
    )
    reviewer_1 = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="fidelity_reviews_first"
    )
    reviewer_2 = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="fidelity_reviews_second"
    )
    visit_start = models.DateField(help_text="First day of the review visit.")
    visit_end = models.DateField(help_text="Last day of the review visit.")
    period_start = models.DateField(help_text="Start of the period the records are drawn from.")
    period_end = models.DateField(help_text="End of the period the records are drawn from.")
    documents_requested = models.TextField(blank=True)
    interview_schedule = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    total = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    band_key = models.CharField(max_length=40, blank=True, editable=False)
    band_label = models.CharField(max_length=200, blank=True, editable=False)
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visit_start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reviewer_1=models.F("reviewer_2")),
                name="fidelity_two_different_reviewers",
            ),
            models.CheckConstraint(
                condition=models.Q(visit_end__gte=models.F("visit_start")),
                name="fidelity_visit_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="fidelity_period_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.site} ({self.visit_start:%B %Y})"

    @property
    def is_finalised(self) -> bool:
        return self.status == ReviewStatus.FINALISED

    def reviewers(self) -> list:
        return [self.reviewer_1, self.reviewer_2]


class PrepKind(models.TextChoices):
    DOCUMENT = "document", "Document requested"
    INTERVIEW = "interview", "Interview"
    OBSERVATION = "observation", "Observation"


class PrepTask(models.Model):
    """One line of the preparation checklist: a document to request or an interview to hold."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="prep_tasks")
    kind = models.CharField(max_length=20, choices=PrepKind.choices)
    description = models.CharField(max_length=300)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["review", "kind", "scheduled_for", "id"]

    def __str__(self) -> str:
        return self.description


SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class ReviewerScore(models.Model):
    """One reviewer's own score for one item, scored independently before consensus."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reviewer_scores")
    item = models.ForeignKey(ScaleItem, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(validators=SCORE_VALIDATORS)
    rationale = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["review", "item__number", "reviewer_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "item", "reviewer"], name="fidelity_one_score_per_reviewer"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="fidelity_reviewer_score_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"Item {self.item.number}: {self.score}"


class ItemResult(models.Model):
    """The agreed score for an item, why, and the score the records suggested (kept both)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ScaleItem, on_delete=models.PROTECT, related_name="+")
    agreed_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=SCORE_VALIDATORS
    )
    reason = models.TextField(blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    suggested_score = models.PositiveSmallIntegerField(null=True, blank=True)
    evidence = models.JSONField(
        null=True, blank=True, help_text="The figure from the records and its underlying numbers."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["review", "item__number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="fidelity_one_result_per_item")
        ]

    def __str__(self) -> str:
        return f"Item {self.item.number}: agreed {self.agreed_score}"


class Correction(models.Model):
    """A change to a finalised review's agreed score, with the reason (also audited)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="corrections")
    item = models.ForeignKey(ScaleItem, on_delete=models.PROTECT, related_name="+")
    old_score = models.PositiveSmallIntegerField()
    new_score = models.PositiveSmallIntegerField(validators=SCORE_VALIDATORS)
    reason = models.TextField()
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "corrected_at"]

    def __str__(self) -> str:
        return f"Item {self.item.number}: {self.old_score} to {self.new_score}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class ActionItem(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="actions")
    item = models.ForeignKey(
        ScaleItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.TextField()
    owner = models.CharField(max_length=200, help_text="Who will do it (a role or a name).")
    due_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["review", "due_date", "id"]

    def __str__(self) -> str:
        return self.action[:80]

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status != ActionStatus.DONE and self.due_date < today
