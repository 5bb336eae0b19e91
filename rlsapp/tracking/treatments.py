"""Oral iron courses and RLS medicines (with their dose changes and dated events).

Kept apart from models.py for its length; models.py imports these so Django finds them.
Codes, labels and dose limits come from rlsapp.domain.medicines; every write goes through
tracking/services/.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from simple_history.models import HistoricalRecords

from rlsapp.domain import medicines

from .models import Patient, PersonRecord


class TakenRecord(PersonRecord):
    """A treatment taken from a start date: listed newest first."""

    class Meta(PersonRecord.Meta):
        abstract = True
        ordering = ["-started_on", "-pk"]
        indexes = [models.Index(fields=["patient", "-started_on"])]


class OralIronCourse(TakenRecord):
    """A course of oral iron: ferritin rises while it is taken."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="oral_iron_courses")
    product = models.CharField(
        max_length=24, choices=medicines.IRON_PRODUCT_CHOICES, default="ferrous_sulfate"
    )
    product_other = models.CharField("other product", max_length=120, blank=True)
    elemental_mg = models.FloatField(
        "elemental iron per dose (mg)",
        default=65,
        validators=[
            MinValueValidator(medicines.ELEMENTAL_MIN_MG),
            MaxValueValidator(medicines.ELEMENTAL_MAX_MG),
        ],
        help_text="Iron itself, not the salt: ferrous sulfate 325 mg holds 65 mg.",
    )
    schedule = models.CharField(max_length=12, choices=medicines.SCHEDULE_CHOICES, default="daily")
    schedule_other = models.CharField("other schedule", max_length=120, blank=True)
    with_vitamin_c = models.BooleanField("taken with vitamin C", default=False)
    started_on = models.DateField("start date")
    ended_on = models.DateField("end date", null=True, blank=True, help_text="Blank: ongoing.")
    stop_reason = models.CharField("why stopped", max_length=200, blank=True)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    def __str__(self):
        end = f"{self.ended_on:%Y-%m-%d}" if self.ended_on else "ongoing"
        return (
            f"{self.product_label} {self.elemental_mg:g} mg from {self.started_on:%Y-%m-%d} ({end})"
        )

    @property
    def product_label(self):
        return medicines.iron_label(self.product, self.product_other)

    @property
    def schedule_label(self):
        if self.schedule == "other" and self.schedule_other:
            return self.schedule_other
        return medicines.SCHEDULES.get(self.schedule, self.schedule)

    @property
    def period(self):
        return medicines.Period(self.started_on, self.ended_on, self.product_label)


class Medication(TakenRecord):
    """An RLS medicine from its start to its stop, in its starting total daily dose."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="medications")
    drug = models.CharField("medicine", max_length=24, choices=medicines.DRUG_CHOICES)
    drug_other = models.CharField("other medicine", max_length=120, blank=True)
    dose = models.FloatField("starting dose (total per day)")
    dose_unit = models.CharField(
        "unit", max_length=8, choices=medicines.UNIT_CHOICES, default=medicines.MG
    )
    started_on = models.DateField("start date")
    stopped_on = models.DateField(
        "stop date", null=True, blank=True, help_text="Blank: still taken."
    )
    stop_reason = models.CharField("why stopped", max_length=200, blank=True)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    def __str__(self):
        return f"{self.drug_label} {self.dose_display} from {self.started_on:%Y-%m-%d}"

    @property
    def drug_label(self):
        return medicines.drug_label(self.drug, self.drug_other)

    @property
    def dose_display(self):
        return medicines.format_dose(self.dose, self.dose_unit)

    def dose_text(self, region=None):
        """The starting dose, written the region's way."""
        return medicines.format_dose(self.dose, self.dose_unit, region)

    @property
    def is_dopamine_agonist(self):
        return medicines.is_dopamine_agonist(self.drug)

    def current_dose_display(self, region=None):
        """The dose after the latest dose change (events prefetched or not), written the
        region's way when one is given."""
        changes = [e for e in self.events.all() if e.kind == medicines.DOSE_CHANGE and e.dose]
        if not changes:
            return self.dose_text(region)
        latest = max(changes, key=lambda e: (e.happened_on, e.pk))
        return medicines.format_dose(latest.dose, self.dose_unit, region)


class MedicationEvent(PersonRecord):
    """A dated event while a medicine is taken: a dose change, augmentation, a side effect."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="medication_events")
    medication = models.ForeignKey(Medication, on_delete=models.CASCADE, related_name="events")
    happened_on = models.DateField("date")
    kind = models.CharField("what happened", max_length=16, choices=medicines.EVENT_CHOICES)
    dose = models.FloatField(
        "new dose (total per day)",
        null=True,
        blank=True,
        help_text="For a dose change, in the medicine's unit.",
    )
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["happened_on", "pk"]
        indexes = [models.Index(fields=["medication", "happened_on"])]

    @property
    def what(self):
        """What happened, without its date, which pages write in the account's format."""
        return self.what_in(None)

    def what_in(self, region):
        """`what` with a new dose written the region's way."""
        text = medicines.EVENT_LABELS.get(self.kind, self.kind)
        if self.kind == medicines.DOSE_CHANGE and self.dose is not None:
            text += f" to {medicines.format_dose(self.dose, self.medication.dose_unit, region)}"
        return text

    def __str__(self):
        return f"{self.what} on {self.happened_on:%Y-%m-%d}"


TREATMENT_MODELS = (OralIronCourse, Medication, MedicationEvent)


@receiver(post_delete, sender=Patient)
def forget_deleted_patients_treatments(sender, instance, **kwargs):
    """As models.forget_deleted_patients_history: a deleted person's treatments leave no
    change history behind."""
    for model in TREATMENT_MODELS:
        model.history.filter(patient_id=instance.pk).delete()
