import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Fieldset, Layout, Row
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from rlsapp.domain import units

from .models import Infusion, LabDraw, LabResult, Patient, SymptomScore
from .versions import one_bump_at_the_end

EARLIEST_DATE = datetime.date(1950, 1, 1)


def check_past_date(value, label="Date"):
    """Refuse future dates and typos from another century, naming the accepted range."""
    today = timezone.localdate()
    if value > today:
        raise forms.ValidationError(
            f"{label} cannot be in the future: enter a date from {EARLIEST_DATE:%Y-%m-%d} "
            f"to today ({today:%Y-%m-%d})."
        )
    if value < EARLIEST_DATE:
        raise forms.ValidationError(
            f"{label} must be from {EARLIEST_DATE:%Y-%m-%d} to today ({today:%Y-%m-%d})."
        )
    return value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class RangeMessagesMixin:
    """Give numeric model fields one message naming the whole accepted range.

    The bounds come from the model field's validators, so the form and the
    model cannot disagree about them.
    """

    range_units: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            validators = self._meta.model._meta.get_field(name).validators
            low = max(
                (v.limit_value for v in validators if type(v) is MinValueValidator), default=None
            )
            high = min(
                (v.limit_value for v in validators if type(v) is MaxValueValidator), default=None
            )
            if low is None or high is None:
                continue
            unit = self.range_units.get(name, "")
            message = f"{field.label}: enter a number from {low:g} to {high:g}{unit}."
            field.validators = [
                v
                for v in field.validators
                if not isinstance(v, (MinValueValidator, MaxValueValidator))
            ] + [MinValueValidator(low, message), MaxValueValidator(high, message)]
            field.error_messages["invalid"] = message
            field.widget.attrs.update({"min": low, "max": high})


class EditConflict(Exception):
    """Someone else saved the record after this form was opened."""


CONFLICT_MESSAGE = (
    "This record was changed elsewhere (another tab, device or person) after you opened it, "
    "so your changes were NOT saved, to avoid overwriting theirs. Reload the page to see the "
    "current version, then make your change again."
)


class VersionCheckMixin:
    """Optimistic locking: an edit saves only if the record's version is the one it was opened at.

    The form carries the version in a hidden field; save() bumps it with a conditional UPDATE
    inside the transaction, so of two concurrent saves exactly one wins and the other raises
    EditConflict (the view tells the user). Forms with a layout set render_hidden_fields.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A CharField: a tampered value becomes a conflict, not an invisible field error.
            self.fields["version"] = forms.CharField(
                widget=forms.HiddenInput, initial=self.instance.version, required=False
            )

    def _seen_version(self):
        try:
            version = int(self.cleaned_data.get("version") or "")
        except ValueError:
            return None
        # Out of the column's range would be a database error on some engines.
        return version if 1 <= version < 2**31 else None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self._seen_version() != self.instance.version:
            raise forms.ValidationError(CONFLICT_MESSAGE, code="conflict")
        return cleaned

    def claim_version(self):
        if not self.instance.pk:
            return
        seen = self._seen_version()
        claimed = seen is not None and type(self.instance).objects.filter(
            pk=self.instance.pk, version=seen
        ).update(version=seen + 1)
        if not claimed:
            raise EditConflict
        self.instance.version = seen + 1

    def save(self, commit=True):
        with one_bump_at_the_end():
            self.claim_version()
            return super().save(commit)


class PatientForm(VersionCheckMixin, RangeMessagesMixin, forms.ModelForm):
    range_units = {
        "ferritin_threshold": " µg/L",
        "first_recheck_weeks": " weeks",
        "routine_recheck_weeks": " weeks",
        "reminder_lead_days": " days",
        "due_soon_days": " days",
        "population_slope": " µg/L per week",
    }

    class Meta:
        model = Patient
        fields = [
            "name",
            "sex",
            "birth_date",
            "ferritin_threshold",
            "first_recheck_weeks",
            "routine_recheck_weeks",
            "reminder_lead_days",
            "due_soon_days",
            "use_population_slope",
            "population_slope",
        ]
        widgets = {"birth_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_hidden_fields = True
        self.helper.layout = Layout(
            Fieldset("Person", "name", Row(Column("sex"), Column("birth_date"))),
            Fieldset(
                "Re-check settings",
                "ferritin_threshold",
                Row(Column("first_recheck_weeks"), Column("routine_recheck_weeks")),
                Row(Column("reminder_lead_days"), Column("due_soon_days")),
                "use_population_slope",
                "population_slope",
            ),
        )

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        return value and check_past_date(value, "Birth date")


class LabDrawForm(VersionCheckMixin, forms.ModelForm):
    """A draw with any of the analytes, each typed as the lab printed it, in its unit."""

    class Meta:
        model = LabDraw
        fields = ["drawn_on", "lab_name", "note"]
        widgets = {"drawn_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        existing = self.instance.result_map() if self.instance.pk else {}
        rows = []
        for code, analyte in units.ANALYTES.items():
            result = existing.get(code)
            low, high = analyte.minimum, analyte.maximum
            self.fields[code] = forms.CharField(
                label=analyte.label,
                required=False,
                max_length=32,
                initial=result.entered_value if result and not result.calculated else "",
                help_text=f"Accepted: {low:g}–{high:g} {analyte.display_unit}",
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )
            self.fields[f"{code}_unit"] = forms.ChoiceField(
                label="Unit",
                required=False,
                choices=analyte.unit_choices(),
                initial=result.entered_unit if result else analyte.display_unit,
            )
            rows.append(
                Row(
                    Column(code, css_class="col-7 col-md-8"),
                    Column(f"{code}_unit", css_class="col-5 col-md-4"),
                    css_class="analyte-row",
                )
            )
        self.fields["tsat"].help_text += "; left blank, it is calculated from iron and TIBC."
        if not self.instance.pk:
            self.initial.setdefault("drawn_on", timezone.localdate())
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_hidden_fields = True
        self.helper.layout = Layout(
            Row(Column("drawn_on"), Column("lab_name")),
            HTML(
                '<p class="form-text">Type each result as the lab printed it and pick its unit; '
                "“&lt;5” or “&gt;1500” are kept as such. Leave the others blank.</p>"
            ),
            Div(*rows, css_class="analytes"),
            "note",
        )
        self.measurements: dict[str, units.Measurement] = {}
        self.calculated_tsat = False

    def clean_drawn_on(self):
        return check_past_date(self.cleaned_data["drawn_on"], "Date drawn")

    def clean(self):
        cleaned = super().clean()
        self.measurements = {}
        self.calculated_tsat = False
        for code in units.ANALYTES:
            text = (cleaned.get(code) or "").strip()
            unit = cleaned.get(f"{code}_unit") or units.ANALYTES[code].display_unit
            if not text:
                continue
            try:
                self.measurements[code] = units.measure(code, text, unit)
            except units.UnitError as error:
                self.add_error(code, str(error))
        if not self.measurements and not self.errors:
            raise forms.ValidationError("Enter at least one result (for example ferritin).")
        self._add_calculated_tsat()
        return cleaned

    def _add_calculated_tsat(self):
        iron, tibc = self.measurements.get("iron"), self.measurements.get("tibc")
        if "tsat" in self.measurements or not (iron and tibc) or self.errors:
            return
        if not (iron.is_exact and tibc.is_exact):
            return
        value = units.transferrin_saturation(iron.value, tibc.value)
        if not units.ANALYTES["tsat"].minimum <= value <= units.ANALYTES["tsat"].maximum:
            self.add_error("tsat", "Iron and TIBC give a transferrin saturation outside 0.5–100 %.")
            return
        text = units.format_value("tsat", value, precise=True)
        self.measurements["tsat"] = units.Measurement("tsat", value, "", text, "%")
        self.calculated_tsat = True

    @one_bump_at_the_end()
    def save(self, commit=True):
        draw = super().save(commit=False)
        draw.patient = self.patient
        draw.save()
        draw.results.exclude(analyte__in=self.measurements).delete()
        existing = {r.analyte: r for r in draw.results.all()}
        for code, m in self.measurements.items():
            result = existing.get(code) or LabResult(draw=draw)
            result.set_measurement(m, calculated=self.calculated_tsat and code == "tsat").save()
        return draw


class InfusionForm(VersionCheckMixin, RangeMessagesMixin, forms.ModelForm):
    range_units = {"dose_mg": " mg"}

    class Meta:
        model = Infusion
        fields = ["given_on", "product", "product_other", "dose_mg", "reaction", "notes"]
        widgets = {
            "given_on": DateInput(),
            "reaction": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.patient = patient
        if not self.instance.pk:
            self.initial.setdefault("given_on", timezone.localdate())
        self.fields["product_other"].help_text = "Only when the product is “Other”."
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_hidden_fields = True
        self.helper.layout = Layout(
            Row(Column("given_on"), Column("dose_mg")),
            Row(Column("product"), Column("product_other")),
            "reaction",
            "notes",
        )

    def clean_given_on(self):
        return check_past_date(self.cleaned_data["given_on"], "Date given")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("product") == "other" and not cleaned.get("product_other", "").strip():
            self.add_error("product_other", "Name the product when you choose “Other”.")
        return cleaned


class SymptomScoreForm(VersionCheckMixin, RangeMessagesMixin, forms.ModelForm):
    class Meta:
        model = SymptomScore
        fields = ["recorded_on", "severity", "onset_time", "note"]
        widgets = {
            "recorded_on": DateInput(),
            "onset_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.patient = patient
        self.fields["severity"].widget.attrs["step"] = 1
        if not self.instance.pk:
            self.initial.setdefault("recorded_on", timezone.localdate())
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_recorded_on(self):
        return check_past_date(self.cleaned_data["recorded_on"])
