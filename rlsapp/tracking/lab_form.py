"""The lab draw form: the date and every result read by the account's region (issue 11).

Nothing is saved while a question is open: a number the other convention reads
differently (both readings offered), a value outside the usual band or a likely
wrong unit (the unit offered), or the same results already saved for that day.
A second draw on a day that has one is saved, and the view says so with a link.
"""

import functools
import math

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Layout, Row
from django import forms
from django.utils.html import format_html

from rlsapp.domain import formats, rules, units

from . import lab_entry, services
from .forms import VersionCheckMixin, check_past_date
from .models import LabDraw


def _analyte_fields(code: str, analyte: units.Analyte):
    """An analyte's text box, its unit's choice and the columns they sit in (initial values
    and the reference range, which depend on the person, are set per form)."""
    text = forms.CharField(
        label=analyte.label,
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    # Seen beside its result the label "Unit" is enough; heard alone (a screen reader's list
    # of the form's controls) seven selects were each "Unit", so the name says whose it is.
    unit = forms.ChoiceField(
        label="Unit",
        required=False,
        choices=analyte.unit_choices(),
        widget=forms.Select(attrs={"aria-label": f"{analyte.label} unit"}),
    )
    # Layout objects only name their fields and are not changed by rendering: shared.
    columns = (
        Column(code, css_class="col-7 col-md-8"),
        Column(f"{code}_unit", css_class="col-5 col-md-4"),
    )
    return text, unit, columns


def earlier_answers(code: str, result, text: str, unit: str, region) -> dict[str, str]:
    """The answers a saved result's text was saved with, when an edit leaves it as it was:
    which number it is (the reading that gives the stored value) and that an unusual value
    is right. Without them every edit of the draw (a note, the lab's name) asked again
    about a '1.050' already confirmed. A text that no longer reads as stored is asked."""
    if result is None or result.calculated:
        return {}
    if (text, unit) != (result.entered_value, result.entered_unit):
        return {}
    factor = units.ANALYTES[code].units.get(unit)
    try:
        reading = formats.read_number(text, region)
    except formats.NumberError:
        return {}
    # Only the region's own reading: a picked other reading was saved rewritten the
    # region's way, so a text that gives the stored value only another way was saved before
    # regions (entry.reread lists it) and is asked about.
    if factor and math.isclose(float(reading.value) * factor, result.value, rel_tol=1e-9):
        sep = lab_entry.SEP
        return {
            "reading": f"value{sep}{text}{sep}{reading.value}",
            "check": f"keep{sep}{text}{sep}{unit}",
        }
    return {}


def _own_copy(field):
    """A form's own copy of a field built at import, as Django's deepcopy of a declared field
    makes it (its own widget with its own attributes, messages and validators to change)
    but sharing a choice's choices, which no form changes and which that deepcopy rebuilds,
    for each of seven units, at a cost larger than the rest of the copy."""
    copied, widget = _shallow(field), _shallow(field.widget)
    copied.widget = widget
    widget.attrs = dict(field.widget.attrs)
    copied.error_messages = dict(field.error_messages)
    copied.validators = list(field.validators)
    return copied


def _shallow(thing):
    """copy.copy of a plain object (a field or widget: no __slots__, no __copy__), made
    directly rather than through its __reduce_ex__."""
    copied = object.__new__(type(thing))
    copied.__dict__.update(thing.__dict__)
    return copied


# Built once, not for every form: the same for every person and request.
ANALYTE_FIELDS = {code: _analyte_fields(code, analyte) for code, analyte in units.ANALYTES.items()}
DATE_AND_LAB = Row(Column("drawn_on"), Column("lab_name"))


class LabDrawForm(VersionCheckMixin, forms.ModelForm):
    """A draw with any of the analytes, each typed as the lab printed it, in its unit."""

    class Meta:
        model = LabDraw
        fields = ["drawn_on", "lab_name", "note", "after_infusion"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, patient, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.region = region or patient.owner.region_rules
        # No default: the date is the one on the report, never silently today.
        self.fields["drawn_on"] = lab_entry.RegionDateField(
            region=self.region, label="Date drawn", asked="the date on the report"
        )
        self.existing = existing = self.instance.result_map() if self.instance.pk else {}
        lab = self.instance.lab_name if self.instance.pk else ""
        # The person's earlier entries, read once: the units here and in clean(), and the
        # draws of the day typed (a bound form's date, when it reads).
        self.past = lab_entry.PastEntries(patient, self._typed_day(), self.instance.pk)
        self.default_units = self.past.units(self.region, lab)
        # The questions asked while cleaning, by analyte: shown under its row (helper).
        self.asked: dict[str, list[str]] = {code: [] for code in ANALYTE_FIELDS}
        for code, (text, unit_field, _) in ANALYTE_FIELDS.items():
            result = existing.get(code)
            unit = result.entered_unit if result else self.default_units[code]
            self.fields[code] = text = _own_copy(text)
            text.initial = result.entered_value if result and not result.calculated else ""
            text.help_text = self._reference_text(code, unit)
            self.fields[f"{code}_unit"] = unit_field = _own_copy(unit_field)
            unit_field.initial = unit
        self.fields["tsat"].help_text += " Left blank, it is calculated from iron and TIBC."
        # The model's note ("Beckman 100 ≈ Roche 158") is for the admin; a patient reads this.
        self.fields["lab_name"].help_text = (
            "The lab's name as on the report. Labs measure ferritin with different test "
            "kits, and the same blood can read 100 at one lab and about 158 at another, so "
            "results are best compared within one lab."
        )
        # "Taken after the infusion" matters only on an infusion's day: asked only of a
        # person with infusions (kinetics.in_episode: otherwise the baseline before it).
        # The access check may have read whether there are any (has_infusions).
        has_infusions = getattr(patient, "has_infusions", None)
        if has_infusions is None:
            has_infusions = patient.infusions.exists()
        if not has_infusions and not self.instance.after_infusion:
            del self.fields["after_infusion"]
        self.measurements: dict[str, units.Measurement] = {}
        self.calculated_tsat = False
        self.same_day: list[LabDraw] = []
        self.more_same_day = False

    @functools.cached_property
    def helper(self) -> FormHelper:
        """The layout, made when the form is shown (a form that saves never is): each
        analyte's row with the questions asked about it, the duplicate's box at the end."""
        helper = FormHelper()
        helper.form_tag = False
        helper.render_hidden_fields = True
        rows = [
            Row(
                *columns,
                *(Column(name, css_class="col-12 analyte-question") for name in self.asked[code]),
                css_class="analyte-row",
            )
            for code, (_, _, columns) in ANALYTE_FIELDS.items()
        ]
        helper.layout = Layout(
            DATE_AND_LAB,
            HTML(
                format_html(
                    '<p class="form-text">Type each result as the lab printed it, written the '
                    "{} way ({}), and pick its unit, or type the unit after the number "
                    "(“38 ng/ml”); “&lt;5” or “&gt;1500” are kept as such. Leave the "
                    "others blank. The region is set in your account settings.</p>",
                    self.region.adjective,
                    formats.example_numbers(self.region),
                )
            ),
            Div(*rows, css_class="analytes"),
            "note",
        )
        if "after_infusion" in self.fields:
            helper.layout.insert(1, "after_infusion")
        if "confirm_duplicate" in self.fields:
            helper.layout.append(Div("confirm_duplicate", css_class="mt-2"))
        return helper

    def _typed_day(self):
        """The date a bound form was sent with, if it reads (else None: clean() says why)."""
        if not self.is_bound:
            return None
        field = self.fields["drawn_on"]
        try:
            return field.clean(
                field.widget.value_from_datadict(self.data, self.files, self.add_prefix("drawn_on"))
            )
        except forms.ValidationError:
            return None

    def _reference_text(self, code: str, unit: str) -> str:
        """'Reference range 30–300 µg/L.' in the row's unit (not the hard limits, which look
        like a normal range and are not one)."""
        bounds = self.patient.reference_range(code)
        factor = units.ANALYTES[code].units.get(unit)
        if not bounds or not factor:
            return ""
        low, high = (formats.format_decimal(b / factor, self.region, 2) for b in bounds)
        return f"Reference range {low}–{high} {unit}."

    def clean_drawn_on(self):
        return check_past_date(self.cleaned_data["drawn_on"], "Date drawn", self.region)

    def clean_after_infusion(self):
        after = self.cleaned_data.get("after_infusion")
        drawn_on = self.cleaned_data.get("drawn_on")
        if after and drawn_on and not self.patient.infusions.filter(given_on=drawn_on).exists():
            raise forms.ValidationError(
                f"Taken after the infusion: no infusion is recorded on "
                f"{formats.format_date(drawn_on, self.region)}. Untick it, or record that "
                "day's infusion first."
            )
        return after

    def _ask(self, code: str, name: str, label: str, choices) -> None:
        """Show a question's choices under the analyte's row (added while cleaning, since
        the questions depend on what was typed)."""
        self.fields[name] = forms.ChoiceField(
            label=label, required=False, choices=choices, widget=forms.RadioSelect
        )
        self.asked[code].append(name)
        self.__dict__.pop("helper", None)  # made again with the question, if made already

    def clean(self):
        cleaned = super().clean()
        self.measurements = {}
        self.calculated_tsat = False
        for code, analyte in units.ANALYTES.items():
            text = (cleaned.get(code) or "").strip()
            if not text or code in self.errors:
                continue
            unit = cleaned.get(f"{code}_unit") or self.default_units[code]
            answers = earlier_answers(code, self.existing.get(code), text, unit, self.region)
            for kind in ("reading", "check"):
                answers[kind] = self.data.get(f"{code}_{kind}") or answers.get(kind, "")
            reader = lab_entry.ResultReader(code, text, unit, self.region, answers)
            if reader.reading_choices:
                self._ask(
                    code,
                    f"{code}_reading",
                    f"{analyte.label}: which number is on the report?",
                    reader.reading_choices,
                )
            if reader.check_choices:
                self._ask(
                    code, f"{code}_check", f"{analyte.label}: is that right?", reader.check_choices
                )
            if reader.error:
                self.add_error(code, reader.error)
            elif reader.questions:
                self.add_error(code, " ".join(reader.questions))
            else:
                self.measurements[code] = reader.measurement
        if not self.measurements and not self.errors:
            raise forms.ValidationError("Enter at least one result (for example ferritin).")
        if not self.errors:
            try:
                rules.calculated_tsat(self.measurements)
            except rules.TsatOutOfRange as error:
                self.add_error("tsat", str(error))
        if not self.errors:
            self._check_lab_units(cleaned.get("lab_name") or "")
        if not self.errors:
            self._check_same_day(cleaned.get("drawn_on"))
        return cleaned

    def _check_lab_units(self, lab_name: str) -> None:
        """A unit other than the one this lab printed for this person last time is asked
        about: labs rarely change units, and a unit left at its default is an easy slip."""
        last = self.past.lab_units(lab_name)
        for code, measurement in self.measurements.items():
            before, unit = last.get(code), measurement.entered_unit
            factors = units.ANALYTES[code].units
            if not before or factors[before] == factors[unit]:
                continue
            text = (self.cleaned_data.get(code) or "").strip()
            kept = f"labunit{lab_entry.SEP}{text}{lab_entry.SEP}{unit}"
            if self.data.get(f"{code}_labunit") == kept:
                continue
            label = units.ANALYTES[code].label
            self._ask(code, f"{code}_labunit", f"{label}: the unit", [(kept, f"{unit}, as picked")])
            self.add_error(
                code,
                f"{label}: last time {lab_name.strip()} printed it in {before}; this one is "
                f"in {unit}. Check the report: pick its unit above, or confirm {unit} below.",
            )

    def _check_same_day(self, drawn_on) -> None:
        """The same results on the same day are refused unless confirmed; another draw on a
        day that has one is saved and pointed out (self.same_day)."""
        past = self.past
        if drawn_on != past.day:
            past = lab_entry.PastEntries(self.patient, drawn_on, self.instance.pk)
        self.same_day, self.more_same_day = past.same_day, past.more_same_day
        twins = [d for d in self.same_day if lab_entry.identical(d, self.measurements)]
        if not twins:
            return
        confirmed = self.data.get("confirm_duplicate") == drawn_on.isoformat()
        self.fields["confirm_duplicate"] = forms.BooleanField(
            label="Save it anyway: this is a second draw with the same results",
            required=False,
            widget=forms.CheckboxInput(attrs={"value": drawn_on.isoformat()}),
        )
        self.__dict__.pop("helper", None)  # made again with the box, if made already
        if not confirmed:
            self.add_error(
                None, lab_entry.duplicate_message(twins, True, self.region, self.more_same_day)
            )

    def same_day_note(self):
        """After saving: the other draws of that day, linked, or None."""
        if not self.same_day:
            return None
        return lab_entry.duplicate_message(self.same_day, False, self.region, self.more_same_day)

    def save_through_service(self, instance, seen_version):
        instance.patient = self.patient
        self.calculated_tsat = services.save_draw(
            instance, self.measurements, seen_version=seen_version
        )
