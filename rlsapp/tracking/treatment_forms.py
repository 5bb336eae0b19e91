"""Forms for oral iron courses, RLS medicines and a medicine's events.

The rules are treatment_rules' (the services check them again before saving), so a form,
an import and the admin refuse the same records with the same messages, each naming its
field. Saving goes through services.save_treatment.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone

from . import services, treatment_rules
from .forms import DateInput, RangeMessagesMixin, VersionCheckMixin
from .treatments import Medication, MedicationEvent, OralIronCourse


class TreatmentFormMixin(VersionCheckMixin):
    """Checks the whole record against treatment_rules once its fields are read."""

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        for field, message in treatment_rules.PROBLEMS_OF[type(self.instance)](
            self.instance
        ).items():
            self.add_error(field if field in self.fields else None, message)

    def save_through_service(self, instance, seen_version):
        services.save_treatment(instance, seen_version=seen_version)

    def _helper(self, *layout):
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_hidden_fields = True
        self.helper.layout = Layout(*layout)


class OralIronCourseForm(TreatmentFormMixin, RangeMessagesMixin, forms.ModelForm):
    range_units = {"elemental_mg": " mg"}

    class Meta:
        model = OralIronCourse
        fields = [
            "product",
            "product_other",
            "elemental_mg",
            "schedule",
            "schedule_other",
            "with_vitamin_c",
            "started_on",
            "ended_on",
            "stop_reason",
            "notes",
        ]
        widgets = {
            "started_on": DateInput(),
            "ended_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.patient = patient
        if not self.instance.pk:
            self.initial.setdefault("started_on", timezone.localdate())
        self.fields["product_other"].help_text = "Only when the product is “Other”."
        self.fields["schedule_other"].help_text = "Only when the schedule is “Other”."
        self._helper(
            Row(Column("product"), Column("product_other")),
            Row(Column("elemental_mg"), Column("schedule"), Column("schedule_other")),
            "with_vitamin_c",
            Row(Column("started_on"), Column("ended_on")),
            "stop_reason",
            "notes",
        )


class MedicationForm(TreatmentFormMixin, forms.ModelForm):
    class Meta:
        model = Medication
        fields = [
            "drug",
            "drug_other",
            "dose",
            "dose_unit",
            "started_on",
            "stopped_on",
            "stop_reason",
            "notes",
        ]
        widgets = {
            "started_on": DateInput(),
            "stopped_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.patient = patient
        if not self.instance.pk:
            self.initial.setdefault("started_on", timezone.localdate())
        self.fields["drug_other"].help_text = "Only when the medicine is “Other”."
        self.fields[
            "dose"
        ].help_text = "The total per day when started; record later changes as dose changes."
        self.fields["dose"].error_messages["invalid"] = "Starting dose: enter a number."
        self._helper(
            Row(Column("drug"), Column("drug_other")),
            Row(Column("dose"), Column("dose_unit")),
            Row(Column("started_on"), Column("stopped_on")),
            "stop_reason",
            "notes",
        )


class MedicationEventForm(TreatmentFormMixin, forms.ModelForm):
    class Meta:
        model = MedicationEvent
        fields = ["happened_on", "kind", "dose", "note"]
        widgets = {"happened_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, patient, medication=None, **kwargs):
        super().__init__(*args, **kwargs)
        if medication is not None:
            self.instance.medication = medication
        self.instance.patient = patient
        self.medication = self.instance.medication
        if not self.instance.pk:
            self.initial.setdefault("happened_on", timezone.localdate())
        self.fields[
            "dose"
        ].help_text = (
            f"Only for a dose change: the new total, in {self.medication.get_dose_unit_display()}."
        )
        self.fields["dose"].error_messages["invalid"] = "New dose: enter a number."
        self._helper(Row(Column("happened_on"), Column("kind"), Column("dose")), "note")
