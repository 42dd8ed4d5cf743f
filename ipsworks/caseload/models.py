"""Case-level records: pseudonymous service users, their referral episodes, dated job-search
activities and jobs. No names or contact details are stored anywhere.

Every model here declares ``SCOPE`` so that :func:`ipsworks.accounts.scoping.scoped_cases`
(the one site-scoping selector) can narrow any query to what a user may see.
Each record has a ``version`` that services bump on every change (optimistic concurrency).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from ipsworks.accounts.scoping import ScopePaths


class AgeBand(models.TextChoices):
    UNDER_18 = "16-17", "16 to 17"
    A18_20 = "18-20", "18 to 20"
    A21_22 = "21-22", "21 to 22"
    A23_24 = "23-24", "23 to 24"
    A25_34 = "25-34", "25 to 34"
    A35_44 = "35-44", "35 to 44"
    A45_54 = "45-54", "45 to 54"
    A55_64 = "55-64", "55 to 64"
    A65_PLUS = "65+", "65 or over"


# The youngest age in each band: decides which minimum-wage rate applies.
AGE_BAND_MIN_AGE = {
    "16-17": 16,
    "18-20": 18,
    "21-22": 21,
    "23-24": 23,
    "25-34": 25,
    "35-44": 35,
    "45-54": 45,
    "55-64": 55,
    "65+": 65,
}


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Another gender"
    NOT_STATED = "not_stated", "Prefers not to say"


class Ethnicity(models.TextChoices):
    WHITE = "white", "White"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    OTHER = "other", "Other ethnic group"
    NOT_STATED = "not_stated", "Not stated"


class DiagnosisGroup(models.TextChoices):
    PSYCHOSIS = "psychosis", "Psychosis, including schizophrenia"
    BIPOLAR = "bipolar", "Bipolar disorder"
    DEPRESSION_ANXIETY = "depression_anxiety", "Severe depression or anxiety"
    PERSONALITY = "personality", "Personality disorder"
    OTHER = "other", "Other"
    NOT_STATED = "not_stated", "Not recorded"


class EmploymentStatus(models.TextChoices):
    OUT_OF_WORK = "out_of_work", "Out of work"
    IN_WORK = "in_work", "In work, needing support to keep the job"


class DischargeReason(models.TextChoices):
    IN_WORK_SUSTAINED = "in_work", "In work and no longer needs support"
    DISENGAGED = "disengaged", "Stopped engaging"
    DECLINED = "declined", "Chose to leave the service"
    MOVED = "moved", "Moved away or transferred"
    HEALTH = "health", "Health reasons"
    OTHER = "other", "Other"


class ActivityKind(models.TextChoices):
    APPLICATION = "application", "Job application"
    EMPLOYER_CONTACT = "employer_contact", "Employer contact by the specialist"
    EMPLOYER_INTERVIEW = "employer_interview", "Interview or meeting with an employer"
    BENEFITS_PLANNING = "benefits_planning", "Work-incentives (benefits) planning session"
    IN_WORK_SUPPORT = "in_work_support", "In-work support contact"


class OccupationGroup(models.TextChoices):
    """The nine major groups of the UK Standard Occupational Classification 2020."""

    MANAGERS = "1", "1 Managers, directors and senior officials"
    PROFESSIONAL = "2", "2 Professional occupations"
    ASSOCIATE = "3", "3 Associate professional and technical occupations"
    ADMIN = "4", "4 Administrative and secretarial occupations"
    SKILLED_TRADES = "5", "5 Skilled trades occupations"
    CARING = "6", "6 Caring, leisure and other service occupations"
    SALES = "7", "7 Sales and customer service occupations"
    OPERATIVES = "8", "8 Process, plant and machine operatives"
    ELEMENTARY = "9", "9 Elementary occupations"


class JobEndReason(models.TextChoices):
    RESIGNED_BETTER_JOB = "better_job", "Left for another job"
    RESIGNED = "resigned", "Resigned"
    DISMISSED = "dismissed", "Dismissed"
    CONTRACT_ENDED = "contract_ended", "Temporary contract ended"
    HEALTH = "health", "Health reasons"
    OTHER = "other", "Other"


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ServiceUser(VersionedModel):
    """A person using the IPS service, known only by a site-local pseudonymous ID."""

    site = models.ForeignKey(
        "organisation.Site", on_delete=models.PROTECT, related_name="service_users"
    )
    reference = models.CharField(
        "service user ID",
        max_length=40,
        help_text="The site's own pseudonymous ID for this person. Never a name or NHS number.",
    )
    age_band = models.CharField(max_length=8, choices=AgeBand.choices, blank=True)
    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(max_length=20, choices=Ethnicity.choices, blank=True)
    diagnosis_group = models.CharField(
        "primary diagnosis group", max_length=30, choices=DiagnosisGroup.choices, blank=True
    )
    is_synthetic = models.BooleanField(
        default=False, help_text="Made up for the demo; not a real person's record."
    )

    SCOPE = ScopePaths(site="site", team="episodes__team", specialist="episodes__specialist")

    class Meta:
        ordering = ["site", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "reference"], name="service_user_id_unique_in_site"
            )
        ]
        indexes = [
            # IDs are matched without regard to case (a return's "a101" is A101): the returns
            # importer looks people up by LOWER(reference) a chunk of rows at a time.
            models.Index(models.F("site"), Lower("reference"), name="service_user_id_any_case"),
        ]

    def __str__(self) -> str:
        return self.reference


class Episode(VersionedModel):
    """One referral to the service, from acceptance onto the caseload to discharge."""

    service_user = models.ForeignKey(ServiceUser, on_delete=models.CASCADE, related_name="episodes")
    site = models.ForeignKey("organisation.Site", on_delete=models.PROTECT, related_name="+")
    referral_date = models.DateField(
        help_text="The day the specialist received and accepted the referral onto the caseload."
    )
    referral_source = models.CharField(
        max_length=200, blank=True, help_text="The team or service that made the referral."
    )
    team = models.ForeignKey(
        "organisation.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="episodes",
        help_text="The clinical team the person's specialist works in.",
    )
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="episodes",
    )
    employment_status = models.CharField(
        "employment status at referral",
        max_length=20,
        choices=EmploymentStatus.choices,
        default=EmploymentStatus.OUT_OF_WORK,
    )
    profile_started = models.DateField(
        "vocational profile started",
        null=True,
        blank=True,
        help_text="Usually the first face-to-face meeting. Counts the person as engaged.",
    )
    discharge_date = models.DateField(null=True, blank=True)
    discharge_reason = models.CharField(max_length=20, choices=DischargeReason.choices, blank=True)

    SCOPE = ScopePaths(site="site", team="team", specialist="specialist")

    class Meta:
        ordering = ["-referral_date", "-id"]
        indexes = [
            models.Index(fields=["site", "referral_date"]),
            models.Index(fields=["specialist", "discharge_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.service_user} referred {self.referral_date:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.discharge_date is None


class Activity(VersionedModel):
    """A dated piece of job-search or support work for one person."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="activities")
    site = models.ForeignKey("organisation.Site", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=ActivityKind.choices)
    date = models.DateField()
    face_to_face = models.BooleanField(
        default=False, help_text="For employer contacts: met the employer in person."
    )
    matches_preferences = models.BooleanField(
        null=True,
        blank=True,
        help_text="For employer contacts: the job fits the person's stated preferences.",
    )
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        help_text="Who did the work (defaults to the episode's specialist).",
    )
    employer = models.CharField(max_length=200, blank=True)

    SCOPE = ScopePaths(site="site", team="episode__team", specialist="episode__specialist")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["site", "kind", "date"]),
            models.Index(fields=["specialist", "kind", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date:%d/%m/%Y}"


class Job(VersionedModel):
    """A paid job a person started while on the caseload."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="jobs")
    site = models.ForeignKey("organisation.Site", on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    employer = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200)
    occupation_group = models.CharField(max_length=2, choices=OccupationGroup.choices, blank=True)
    hours_per_week = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("80"))],
    )
    hourly_pay = models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    open_to_anyone = models.BooleanField(
        default=True,
        help_text="Advertised to anyone, not set aside for people with disabilities.",
    )
    minimum_wage = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
        help_text="The minimum hourly rate the pay was compared with, on the start date.",
    )
    is_competitive = models.BooleanField(
        default=False,
        editable=False,
        help_text="Open to anyone and paid at least the minimum wage on the start date.",
    )
    end_date = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=JobEndReason.choices, blank=True)

    SCOPE = ScopePaths(site="site", team="episode__team", specialist="episode__specialist")

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["site", "start_date"])]

    def __str__(self) -> str:
        return f"{self.job_title} at {self.employer} from {self.start_date:%d/%m/%Y}"


class MinimumWageRate(models.Model):
    """An hourly minimum-wage rate in force from a date, for an age range.

    Shipped with the UK rates (data/minimum_wage_uk.csv) and editable by administrators.
    """

    country = models.CharField(max_length=2, default="GB")
    valid_from = models.DateField()
    min_age = models.PositiveSmallIntegerField()
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    hourly_rate = models.DecimalField(max_digits=6, decimal_places=2)
    label = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["country", "-valid_from", "-min_age"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "valid_from", "min_age"], name="minimum_wage_unique_band"
            )
        ]

    def __str__(self) -> str:
        ages = f"{self.min_age}+" if self.max_age is None else f"{self.min_age}-{self.max_age}"
        return f"{self.country} {self.valid_from}: {ages} £{self.hourly_rate}"
