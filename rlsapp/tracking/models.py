from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from simple_history.models import HistoricalRecords

from rlsapp.domain import products, rules, units

from . import memberships
from .memberships import PatientQuerySet
from .result_queries import LabResultQuerySet


def _setting(field_class, label, default, bounds=None, help_text=""):
    """A per-person setting: its default and, for a number, the range a form accepts."""
    options = {"default": default, "help_text": help_text}
    if bounds:
        low, high = bounds
        options["validators"] = [MinValueValidator(low), MaxValueValidator(high)]
    return field_class(label, **options)


class Patient(models.Model):
    """A person whose iron is tracked: the signed-in user, or one of a clinician's patients."""

    SEX_CHOICES = [("", "Not stated"), ("F", "Female"), ("M", "Male")]

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patients"
    )
    name = models.CharField(max_length=120)
    sex = models.CharField(
        max_length=1,
        choices=SEX_CHOICES,
        blank=True,
        help_text="Used only to pick the reference range for hemoglobin and hematocrit.",
    )
    birth_date = models.DateField(null=True, blank=True)

    # Per-patient settings; defaults from shared/domain.md, all changeable.
    ferritin_threshold = _setting(
        models.FloatField,
        "ferritin threshold (µg/L)",
        100,
        (10, 1000),
        "Re-treatment threshold. 75 and 300 µg/L are drawn as reference lines.",
    )
    first_recheck_weeks = _setting(
        models.PositiveSmallIntegerField, "first re-check after an infusion (weeks)", 8, (1, 52)
    )
    first_recheck_min_weeks = _setting(
        models.PositiveSmallIntegerField,
        "earliest draw that counts as the first re-check (weeks after the infusion)",
        6,
        (1, 52),
        "An earlier draw is still shown, but the first re-check stays due.",
    )
    course_days = _setting(
        models.PositiveSmallIntegerField,
        "infusions this close form one course (days)",
        14,
        (1, 42),
        "A split-dose course (2 × 750 mg a week apart) counts as one infusion, "
        "dated from its last dose.",
    )
    routine_recheck_weeks = _setting(
        models.PositiveSmallIntegerField, "routine re-check interval (weeks)", 12, (1, 104)
    )
    reminder_lead_days = _setting(
        models.PositiveSmallIntegerField,
        "remind before a predicted fall below the threshold (days)",
        14,
        (0, 120),
    )
    due_soon_days = _setting(
        models.PositiveSmallIntegerField, "show a re-check as due soon (days ahead)", 14, (1, 90)
    )
    use_population_slope = _setting(
        models.BooleanField, "use the population decline when my own data are too thin", True
    )
    population_slope = _setting(
        models.FloatField,
        "population ferritin decline (µg/L per week)",
        6.6,
        (0.1, 50),
        "Earley et al. 2005 reported 6.6 µg/L per week after a first 1000 mg infusion.",
    )
    leave_out_oral_iron = _setting(
        models.BooleanField,
        "leave results taken during an oral iron course out of the decline fit",
        True,
        help_text="Ferritin rises during a course: such a rise is not a slower decline.",
    )
    skip_weekends = _setting(
        models.BooleanField, "move a re-check that falls on a weekend to the Monday", False
    )

    created = models.DateTimeField(auto_now_add=True)
    # Bumped on every save through a form; a stale version means someone else saved first.
    version = models.PositiveIntegerField(default=1, editable=False)
    # Moved on by the services in the same transaction as any change to this person's
    # records or reminders: pages cached under it (caching.py) never outlive their data.
    data_version = models.PositiveBigIntegerField(default=0, editable=False)
    # Set when the owner deletes the person: hidden at once, erased for good once the
    # time to undo has passed (services/people.py).
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PatientQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["data_version", "deleted_at"])

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["owner", "name"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Saved with its owner's membership: `owner` and the owner membership are one fact.

        A change of an existing person writes neither the data version nor the deleted mark:
        each has statements of its own (bump_person_versions; delete and undo), and an
        instance read before someone else moved one of them on would take it back (a
        version going back names a cached page that lacks the other change)."""
        if not self._state.adding and not args and not _forced(kwargs):
            kwargs["update_fields"] = _SAVED_ON_CHANGE
        super().save(*args, **kwargs)
        if self.owner_id != getattr(self, "owner_id_from_db", None):
            memberships.make_owner(self)
            self.owner_id_from_db = self.owner_id

    def get_absolute_url(self):
        return reverse("patient_detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Moving a patient to another owner (in the admin) must also move the previous
        # owner's data version on, or their cached pages would still show the patient.
        instance.owner_id_from_db = instance.__dict__.get("owner_id")
        return instance

    def reference_range(self, analyte_code):
        return units.ANALYTES[analyte_code].reference_range(self.sex)


def _forced(save_kwargs) -> bool:
    return any(save_kwargs.get(k) for k in ("update_fields", "force_insert", "force_update"))


_SAVED_ON_CHANGE = [
    field.name
    for field in Patient._meta.concrete_fields
    if not field.primary_key and field.name not in ("data_version", "deleted_at")
]


class PersonRecordQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(patient__in=Patient.objects.for_user(user))


class PersonRecord(models.Model):
    """A record that belongs to one person: draws, infusions, scores, courses, medicines.

    Each model declares its own `patient` (its reverse name differs) and its history.
    """

    created = models.DateTimeField(auto_now_add=True)
    # Bumped on every save through a form; a stale version means someone else saved first.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        abstract = True


class LabDrawQuerySet(PersonRecordQuerySet):
    def newest_first(self):
        return self.order_by("-drawn_on", "-pk")

    def with_results(self):
        return self.prefetch_related(
            models.Prefetch("results", queryset=LabResult.objects.order_by("pk"))
        )


# Why a draw is left out of the decline fits (issue 12 item 5); the chart draws it hollow.
LEFT_OUT_CHOICES = rules.LEFT_OUT_CHOICES


class LabDraw(PersonRecord):
    """One blood draw: a date, the lab, and the results measured in it."""

    # No index of its own: the (patient, -drawn_on, -id) index below serves every lookup
    # by person, and each new draw would update both.
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="draws", db_index=False
    )
    drawn_on = models.DateField("date drawn")
    lab_name = models.CharField(
        "lab or assay",
        max_length=120,
        blank=True,
        help_text="Ferritin assays differ (Beckman 100 ≈ Roche 158 µg/L): keep the lab's name.",
    )
    note = models.TextField(blank=True)
    # Usually a draw on an infusion's day is the pre-infusion baseline; this says otherwise.
    after_infusion = models.BooleanField(
        "taken after the infusion that day",
        default=False,
        help_text="Only for a draw on the day of an infusion: without it, the draw counts as "
        "the result from before the infusion (the baseline).",
    )
    # Blank: the draw enters the fits. Set through services.leave_out / services.put_back.
    left_out_reason = models.CharField(
        "left out of the decline fit because of",
        max_length=16,
        choices=LEFT_OUT_CHOICES,
        blank=True,
    )
    left_out_note = models.CharField(
        "about leaving it out", max_length=rules.LEFT_OUT_NOTE_MAX, blank=True
    )

    objects = LabDrawQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-drawn_on", "-pk"]
        # -id too: every "latest" lookup breaks ties on id, and without it PostgreSQL
        # sorts each patient's draws again.
        indexes = [models.Index(fields=["patient", "-drawn_on", "-id"])]

    def __str__(self):
        return f"Draw on {self.drawn_on:%Y-%m-%d}"

    @property
    def left_out_words(self) -> str:
        """'left out: illness (flu)', or '' for a draw not left out by hand."""
        return rules.left_out_by_hand_words(self.left_out_reason, self.left_out_note)

    def result_map(self):
        """{analyte code: LabResult}, using results read with the draw when present
        (prefetched, or LabResult.objects.recent_and_latest)."""
        preloaded = getattr(self, "preloaded_results", None)
        return {r.analyte: r for r in (preloaded if preloaded is not None else self.results.all())}

    def ordered_results(self):
        found = self.result_map()
        return [found[code] for code in units.ANALYTES if code in found]


class LabResult(models.Model):
    """One analyte in a draw, stored in its analyte's unit, with the lab's own text kept."""

    COMPARATOR_CHOICES = units.COMPARATOR_CHOICES

    # No index of its own: one_result_per_analyte (draw, analyte) serves every lookup by
    # draw, and each new result would update both.
    draw = models.ForeignKey(
        LabDraw, on_delete=models.CASCADE, related_name="results", db_index=False
    )
    analyte = models.CharField(max_length=16, choices=units.ANALYTE_CHOICES)
    value = models.FloatField(help_text="In the stored unit of the analyte.")
    comparator = models.CharField(max_length=2, choices=COMPARATOR_CHOICES, blank=True)
    entered_value = models.CharField(max_length=32)
    entered_unit = models.CharField(max_length=16)
    calculated = models.BooleanField(
        default=False,
        help_text="Computed by rlsapp (TSAT from iron and TIBC), not printed by the lab.",
    )

    objects = LabResultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["draw", "analyte"], name="one_result_per_analyte"),
        ]
        indexes = [
            models.Index(fields=["analyte", "draw"]),
            # Ferritin lookups (worklist, charts, reminders) answered from the index alone.
            models.Index(
                fields=["draw", "value", "comparator"],
                condition=models.Q(analyte="ferritin"),
                name="labresult_ferritin_by_draw",
            ),
        ]

    def __str__(self):
        return f"{self.info.label} {self.display}"

    def set_measurement(self, measurement, calculated=False):
        """Take the value, comparator and lab text of a parsed units.Measurement."""
        self.analyte = measurement.analyte
        self.value = measurement.value
        self.comparator = measurement.comparator
        self.entered_value = measurement.entered_value
        self.entered_unit = measurement.entered_unit
        self.calculated = calculated
        return self

    @property
    def info(self):
        return units.ANALYTES[self.analyte]

    @property
    def display(self):
        """The stored value with its unit, e.g. '<5 µg/L'."""
        return units.format_result(self.analyte, self.value, self.comparator)

    @property
    def entered_display(self):
        return f"{self.entered_value} {self.entered_unit}"

    @property
    def converted(self):
        """Whether the lab's unit differs from the unit the value is shown in."""
        return self.entered_unit not in (self.info.display_unit, self.info.unit)

    def flag(self, sex="", threshold=None):
        """('low' | 'high' | '', why) against the ferritin threshold and the reference range."""
        return units.flag(self.analyte, self.value, sex, threshold)


class Infusion(PersonRecord):
    PRODUCT_CHOICES = products.PRODUCT_CHOICES
    MIN_DOSE_MG = products.MIN_DOSE_MG
    MAX_DOSE_MG = products.MAX_DOSE_MG

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="infusions")
    given_on = models.DateField("date given")
    product = models.CharField(max_length=16, choices=PRODUCT_CHOICES, default="fcm")
    product_other = models.CharField("other product", max_length=120, blank=True)
    dose_mg = models.PositiveIntegerField(
        "dose (mg iron)",
        default=1000,
        validators=[MinValueValidator(MIN_DOSE_MG), MaxValueValidator(MAX_DOSE_MG)],
    )
    reaction = models.TextField("reaction, if any", blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_on", "-pk"]
        indexes = [models.Index(fields=["patient", "-given_on"])]

    def __str__(self):
        return f"{self.product_label} {self.dose_mg} mg on {self.given_on:%Y-%m-%d}"

    @property
    def product_label(self):
        return products.short_name(self.product, self.product_other)

    @property
    def product_full_name(self):
        return products.full_name(self.product, self.product_other)


class SymptomScore(PersonRecord):
    """A plain 0–10 self-rated severity (deliberately not the copyrighted IRLS scale)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="symptom_scores")
    recorded_on = models.DateField("date")
    severity = models.PositiveSmallIntegerField(
        "severity (0 = none, 10 = worst)",
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    onset_time = models.TimeField("evening symptoms began at", null=True, blank=True)
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_on", "-pk"]
        indexes = [models.Index(fields=["patient", "-recorded_on"])]

    def __str__(self):
        return f"Severity {self.severity} on {self.recorded_on:%Y-%m-%d}"


@receiver(post_delete, sender=Patient)
def forget_deleted_patients_history(sender, instance, **kwargs):
    """Deleting a person deletes their change history too: "deleted" must mean gone.

    Runs after the cascade, so it also removes the deletion records the cascade just wrote.
    """
    draw_ids = LabDraw.history.filter(patient_id=instance.pk).values("id")
    LabResult.history.filter(draw_id__in=draw_ids).delete()
    for model in (LabDraw, Infusion, SymptomScore):
        model.history.filter(patient_id=instance.pk).delete()
    Patient.history.filter(id=instance.pk).delete()


# Oral iron courses and RLS medicines live in their own module for length; imported here
# so that `from .models import ...` finds every record model.
from .access_log import AccessLogEntry  # noqa: E402, F401
from .memberships import Membership  # noqa: E402, F401
from .past_estimates import PastEstimates  # noqa: E402, F401
from .treatments import Medication, MedicationEvent, OralIronCourse  # noqa: E402, F401
