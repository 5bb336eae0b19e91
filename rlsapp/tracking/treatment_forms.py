"""Forms for oral iron courses, RLS medicines and a medicine's events.

The rules are treatment_rules' (the services check them again before saving), so a form,
an import and the admin refuse the same records with the same messages, each naming its
field. Saving goes through services.save_treatment.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.db import models
from django.utils import timezone

from rlsapp.domain import formats, medicines

from . import services, treatment_rules
from .forms import DateInput, RangeMessagesMixin, VersionCheckMixin, region_numbers
from .lab_entry import RegionDateField
from .treatments import Medication, MedicationEvent, OralIronCourse


def _formfield(model_field, **kwargs):
    """Every treatment form's widgets: dates with the date picker, notes in a short box."""
    if isinstance(model_field, models.DateField) and not isinstance(
        model_field, models.DateTimeField
    ):
        kwargs["widget"] = DateInput()
    elif isinstance(model_field, models.TextField):
        kwargs["widget"] = forms.Textarea(attrs={"rows": 2})
    return model_field.formfield(**kwargs)


class TreatmentMeta:
    formfield_callback = staticmethod(_formfield)
    # By field name, for whichever form has the field (an event's dose help names its
    # medicine's unit: MedicationEventForm sets it).
    help_texts = {
        "product_other": "Only when the product is “Other”.",
        "schedule_other": "Only when the schedule is “Other”.",
        "drug_other": "Only when the medicine is “Other”.",
        "dose": "The total per day when started; record later changes as dose changes.",
    }


class TreatmentFormMixin(VersionCheckMixin):
    """One course, medicine or event of a person, laid out by `rows`, checked against
    treatment_rules once its fields are read.

    `rows`: a field name, or a tuple of names side by side. A new record starts on today
    (`date_field`).
    """

    date_field = "started_on"
    rows = ()
    # Doses: typed and shown the account's region's way ('0,125' in Germany), a unit after
    # the number only where it is the field's own (`number_unit`).
    numbers = ()

    def __init__(self, *args, patient, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.patient = patient
        # Dates and numbers typed the signed-in account's region's way (or ISO), as on the
        # lab form; the owner's region where no account says (a form made outside a request).
        region = region or patient.owner.region_rules
        self.region = region
        self._read_numbers(region)
        for name, field in list(self.fields.items()):
            if isinstance(field, forms.DateField):
                hint = f"As {formats.date_hint(region)}."
                self.fields[name] = RegionDateField(
                    region=region,
                    label=field.label,
                    required=field.required,
                    help_text=f"{field.help_text} {hint}".strip() if field.help_text else hint,
                )
        if not self.instance.pk:
            self.initial.setdefault(self.date_field, timezone.localdate())
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_hidden_fields = True
        self.helper.layout = Layout(
            *(Row(*map(Column, row)) if isinstance(row, tuple) else row for row in self.rows)
        )

    def number_unit(self, name) -> str:
        """The unit code a number typed into `name` is in (medicines.UNIT_LABELS' codes)."""
        return medicines.MG

    def _read_numbers(self, region):
        def accepts(name, unit_text):
            return medicines.unit_code_for(unit_text) == self.number_unit(name)

        # Refused even where Python would read it ('0.125' in Germany): the region's
        # rules decide, as on the lab form, and the message says what was read.
        self.unread_numbers = {
            name: (
                f"{self.fields[name].label}: read “{text}”: enter a number in the "
                f"{region.adjective} format, for example {formats.example_numbers(region)}."
            )
            for name, text in region_numbers(self, self.numbers, region, accepts).items()
        }
        for name, message in self.unread_numbers.items():
            self.fields[name].error_messages["invalid"] = message

    def clean(self):
        for name, message in self.unread_numbers.items():
            if name not in self.errors:
                self.add_error(name, message)
        return super().clean()

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        # The rules' messages write dates as this form reads them.
        problems_of = treatment_rules.PROBLEMS_OF[type(self.instance)]
        for field, message in problems_of(self.instance, write=self.region.dates.format).items():
            self.add_error(field if field in self.fields else None, message)

    def save_through_service(self, instance, seen_version):
        services.save_treatment(instance, seen_version=seen_version)


def _fields(rows):
    """The form's fields, in the order its rows show them."""
    return [name for row in rows for name in (row if isinstance(row, tuple) else (row,))]


COURSE_ROWS = (
    ("product", "product_other"),
    ("elemental_mg", "schedule", "schedule_other"),
    "with_vitamin_c",
    ("started_on", "ended_on"),
    "stop_reason",
    "notes",
)
MEDICINE_ROWS = (
    ("drug", "drug_other"),
    ("dose", "dose_unit"),
    ("started_on", "stopped_on"),
    "stop_reason",
    "notes",
)
EVENT_ROWS = (("happened_on", "kind", "dose"), "note")


class OralIronCourseForm(TreatmentFormMixin, RangeMessagesMixin, forms.ModelForm):
    range_units = {"elemental_mg": " mg"}
    rows = COURSE_ROWS
    numbers = ("elemental_mg",)

    class Meta(TreatmentMeta):
        model = OralIronCourse
        fields = _fields(COURSE_ROWS)

    def clean(self):
        """A dose equal to the weight of a tablet of the product's salt is asked about
        (medicines.salt_weight), as the lab form asks about an unusual value: saved as the
        iron it holds, or kept as typed, only once answered. A dose saved before and not
        changed is not asked about again."""
        cleaned = super().clean()
        mg = cleaned.get("elemental_mg")
        question = medicines.salt_weight(cleaned.get("product") or "", mg)
        stored = self.instance.pk and (self.instance.product, self.instance.elemental_mg)
        if question is None or "elemental_mg" in self.errors or stored == (question.code, mg):
            return cleaned
        iron, keep = f"iron:{mg:g}", f"keep:{mg:g}"
        self.fields["elemental_check"] = forms.ChoiceField(
            label="Elemental iron per dose: which is it?",
            required=False,
            choices=[(iron, question.save_words), (keep, question.keep_words)],
            widget=forms.RadioSelect,
        )
        # Under the dose's row (COURSE_ROWS' second).
        self.helper.layout.insert(2, "elemental_check")
        answer = self.data.get(self.add_prefix("elemental_check"))
        if answer == iron:
            cleaned["elemental_mg"] = question.elemental
        elif answer != keep:
            self.add_error("elemental_mg", f"{question.words} Choose below which to save.")
        return cleaned


class MedicationForm(TreatmentFormMixin, forms.ModelForm):
    rows = MEDICINE_ROWS
    numbers = ("dose",)

    def number_unit(self, name):
        return self.data.get("dose_unit") or self.instance.dose_unit

    class Meta(TreatmentMeta):
        model = Medication
        fields = _fields(MEDICINE_ROWS)
        error_messages = {"dose": {"invalid": "Starting dose: enter a number."}}


class MedicationEventForm(TreatmentFormMixin, forms.ModelForm):
    date_field = "happened_on"
    rows = EVENT_ROWS
    numbers = ("dose",)

    def number_unit(self, name):
        # An edit is made without `medication`: the event's own.
        return (self.medication or self.instance.medication).dose_unit

    class Meta(TreatmentMeta):
        model = MedicationEvent
        fields = _fields(EVENT_ROWS)
        error_messages = {"dose": {"invalid": "New dose: enter a number."}}

    def __init__(self, *args, medication=None, **kwargs):
        # Set before the mixin reads the dose, whose unit is the medicine's.
        self.medication = medication
        super().__init__(*args, **kwargs)
        if medication is not None:
            self.instance.medication = medication
        self.medication = self.instance.medication
        # The help names the medicine's unit, so it is set per form, not in Meta.
        self.fields[
            "dose"
        ].help_text = (
            f"Only for a dose change: the new total, in {self.medication.get_dose_unit_display()}."
        )
