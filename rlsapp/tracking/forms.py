from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from rlsapp.domain import formats, recheck, rules

from . import services
from .lab_entry import RegionDateField
from .models import Infusion, Patient, SymptomScore


def check_past_date(value, label="Date", region=None):
    """Refuse future dates and typos from another century, naming the accepted range and
    the date read, both written as the account's region types dates ('3.4.0025' shows as
    03.04.0025, the slipped year in view)."""
    write = region.dates.format if region else rules.iso_date
    problem = rules.date_problem(value, timezone.localdate(), write)
    if problem:
        raise forms.ValidationError(f"{label} {problem}. Read: {write(value)}.")
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


def region_numbers(form, names, region, accepts_unit=lambda name, unit: False) -> dict:
    """'6,6' in a decimal-comma region is 6.6: the fields `names` are read by the region's
    rules (Babel) and handed to the field as plain digits, then checked by the field as
    before; shown back the region's way. A unit typed after the number is kept only where
    `accepts_unit(name, unit text)` says so. Returns the text of each field it could not
    read that way (a comparator, a unit not accepted, not a number in the region's format),
    which the field then refuses."""
    for name in names:
        field = form.fields[name]
        field.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        value = form.initial.get(name, field.initial)
        if value not in (None, "") and not isinstance(value, str):
            form.initial[name] = formats.format_decimal(value, region, None, grouping=False)
    unread = {}
    if form.is_bound:
        data = form.data.copy()
        for name in names:
            text = str(data.get(name, "")).strip()
            if not text:
                continue
            try:
                reading = formats.read_number(text, region)
            except formats.NumberError:
                unread[name] = text
                continue
            if reading.comparator or (
                reading.unit_text and not accepts_unit(name, reading.unit_text)
            ):
                unread[name] = text
            else:
                data[name] = str(reading.value)
        form.data = data
    return unread


EditConflict = services.EditConflict


def conflict_message(what: str = "record") -> str:
    """The edit conflict's words, naming the kind of record (`what`: 'oral iron course')."""
    return (
        f"This {what} was changed elsewhere (another tab, device or person) after you opened "
        "it, so your changes were NOT saved, to avoid overwriting theirs. They are still in "
        "the form below: reload the page to see the current version, then make your change "
        "again."
    )


CONFLICT_MESSAGE = conflict_message()


class VersionCheckMixin:
    """Optimistic locking: an edit saves only if the record's version is the one it was opened at.

    The form carries the version in a hidden field and hands it to the service, which
    moves it on with a conditional UPDATE inside the transaction, so of two concurrent saves
    exactly one wins and the other raises EditConflict (the view tells the user). Forms with
    a layout set render_hidden_fields. save() calls `save_through_service`.
    """

    # Rendered by tracking/record_form.html or patient_form.html, whose error summary lists
    # the form-wide errors (templates/bootstrap5/errors.html then leaves them out).
    error_summary = True
    record_name = "record"  # what the conflict message calls it (the view names its kind)

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
            raise forms.ValidationError(conflict_message(self.record_name), code="conflict")
        return cleaned

    def save(self, commit=True):
        instance = super().save(commit=False)
        if commit:
            self.save_through_service(instance, self._seen_version() if instance.pk else None)
        return instance

    def save_through_service(self, instance, seen_version):
        services.save_record(instance, seen_version=seen_version)


# The clinical settings of the person form in plain words, each with its default, for
# someone who has never read a guideline (issue 16 item 3).
ADVANCED_HELP = {
    "ferritin_threshold": "Default 100. Ferritin is the blood test of the body's iron store; "
    "below this level restless legs often come back, so a re-check or infusion is due.",
    "first_recheck_weeks": "Default 8. How long after an infusion the first blood test is "
    "due; ferritin is falsely high in the first weeks after an infusion.",
    "routine_recheck_weeks": "Default 12. After that, a blood test about every 3 months.",
    "first_recheck_min_weeks": "Default 6. A test taken sooner is kept, but does not count "
    "as the first re-check.",
    "course_days": "Default 14. Two doses given this close together, such as 2 × 750 mg a "
    "week apart, count as one infusion.",
    "reminder_lead_days": "Default 14. When your results predict ferritin falling below the "
    "level above, the reminder comes this many days earlier.",
    "due_soon_days": "Default 14. A re-check this close is marked “due soon”.",
    "use_population_slope": "On by default. With fewer than two results after an infusion, "
    "the app borrows the average fall seen in a published study until yours are known.",
    "population_slope": "Default 6.6: the average weekly fall of ferritin after a first "
    "1000 mg infusion in that study (Earley et al. 2005).",
    "leave_out_oral_iron": "On by default. Iron tablets raise ferritin for a while; results "
    "taken during a course would make the fall look slower than it is.",
    "skip_weekends": "Off by default. On, a re-check date that falls on a Saturday or "
    "Sunday moves to the Monday after.",
}


class PatientForm(VersionCheckMixin, RangeMessagesMixin, forms.ModelForm):
    range_units = {
        "ferritin_threshold": " µg/L",
        "first_recheck_weeks": " weeks",
        "routine_recheck_weeks": " weeks",
        "first_recheck_min_weeks": " weeks",
        "course_days": " days",
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
            "first_recheck_min_weeks",
            "course_days",
            "reminder_lead_days",
            "due_soon_days",
            "use_population_slope",
            "population_slope",
            "leave_out_oral_iron",
            "skip_weekends",
        ]
        widgets = {"birth_date": DateInput()}

    # Settings that may hold decimals: typed and shown the account's region's way.
    REGION_NUMBERS = ("ferritin_threshold", "population_slope")

    def __init__(self, *args, region=None, ask_whose=False, **kwargs):
        super().__init__(*args, **kwargs)
        if ask_whose:
            # Asked once, with the account's first person: the app cannot tell a patient
            # tracking themselves from a clinician or a parent, and it speaks to the reader
            # as "you" only about their own records (memberships.is_me).
            self.fields["mine"] = forms.BooleanField(
                required=False,
                label="These are my own records: I am this person",
                help_text="The app then speaks to you as “you” and opens this page when you "
                "sign in. Leave it unticked for a patient or a family member; you can change "
                "it later on the person's page.",
            )
        if region is not None:  # the birth date typed the account's region's way, or ISO
            self.fields["birth_date"] = RegionDateField(
                region=region, label="Birth date", required=False
            )
            self._region_numbers(region)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_hidden_fields = True
        for name, words in ADVANCED_HELP.items():
            self.fields[name].help_text = words
        self.helper.layout = Layout(
            Fieldset(
                "Person",
                "name",
                *(["mine"] if ask_whose else []),
                Row(Column("sex"), Column("birth_date")),
            ),
            # Folded away at first; a mistake in one of these settings opens the section.
            HTML(
                '<details class="advanced-settings mb-3"'
                "{% if form.advanced_has_errors %} open{% endif %}>"
                '<summary class="fw-semibold">Advanced: re-check settings</summary>'
                '<p class="small text-body-secondary mt-2">The defaults suit most people '
                "treated with iron infusions for restless legs; change them only with your "
                "clinician. Each one says what it does.</p>"
            ),
            "ferritin_threshold",
            Row(Column("first_recheck_weeks"), Column("routine_recheck_weeks")),
            Row(Column("first_recheck_min_weeks"), Column("course_days")),
            Row(Column("reminder_lead_days"), Column("due_soon_days")),
            "use_population_slope",
            "population_slope",
            "leave_out_oral_iron",
            "skip_weekends",
            HTML("</details>"),
        )

    @property
    def advanced_has_errors(self):
        return self.is_bound and bool(set(self.errors) & set(ADVANCED_HELP))

    def _region_numbers(self, region):
        # A number it cannot read keeps the field's own message, which names the range.
        region_numbers(self, self.REGION_NUMBERS, region, accepts_unit=lambda name, unit: True)

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        region = getattr(self.fields["birth_date"], "region", None)
        return value and check_past_date(value, "Birth date", region)

    def save_through_service(self, instance, seen_version):
        services.save_person(instance, seen_version=seen_version)


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

    def __init__(self, *args, patient, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.patient = patient
        region = region or patient.owner.region_rules
        # The account's date format, not the browser's (issue 11).
        self.fields["given_on"] = RegionDateField(region=region, label="Date given")
        self._read_dose(region)
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
        return check_past_date(
            self.cleaned_data["given_on"], "Date given", self.fields["given_on"].region
        )

    def _read_dose(self, region):
        """'1,000' (US), '1.000' (German), '1 000 mg': the dose as a printout or a discharge
        letter writes it, read by the region's rules; a refusal says what was read."""
        field = self.fields["dose_mg"]
        typed = str(self.data.get("dose_mg", "")).strip() if self.is_bound else ""
        region_numbers(
            self, ("dose_mg",), region, accepts_unit=lambda name, unit: unit.casefold() == "mg"
        )
        if not typed:
            return
        limits = [v for v in field.validators if type(v) in (MinValueValidator, MaxValueValidator)]
        low, high = sorted(v.limit_value for v in limits)
        example = formats.format_decimal(1000, region, 0)
        message = (
            f"{field.label}: read “{typed}”: enter a number from {low} to {high} mg, whole, "
            f"in the {region.adjective} format (for example {example} or 500)."
        )
        field.error_messages["invalid"] = message
        for validator in limits:
            validator.message = message

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("product") == "other" and not cleaned.get("product_other", "").strip():
            self.add_error("product_other", "Name the product when you choose “Other”.")
        if not self.errors:
            self._check_repeat_fcm(cleaned)
        return cleaned

    def _check_repeat_fcm(self, cleaned) -> None:
        """A repeat ferric carboxymaltose course within 3 months (not the next dose of a
        split course) shows the phosphate note before saving (issue 12 item 8): the form
        comes back with the note and a box to tick. The tick answers this date only."""
        if self.instance.pk and not {"given_on", "product"} & set(self.changed_data):
            return  # an edit that moves neither the date nor the product asks nothing new
        patient = self.instance.patient
        earlier = [
            recheck.InfusionRecord(day, product)
            for day, product in patient.infusions.exclude(pk=self.instance.pk).values_list(
                "given_on", "product"
            )
        ]
        new = recheck.InfusionRecord(cleaned["given_on"], cleaned["product"])
        note = recheck.repeat_fcm_warning(earlier, new, patient.course_days)
        if not note:
            return
        answer = cleaned["given_on"].isoformat()
        self.fields["confirm_phosphate"] = forms.BooleanField(
            label="Save anyway: I have read the note about phosphate",
            required=False,
            widget=forms.CheckboxInput(attrs={"value": answer}),
        )
        self.helper.layout.append("confirm_phosphate")
        if self.data.get("confirm_phosphate") != answer:
            self.add_error(None, note)


class TapScale(forms.widgets.ChoiceWidget):
    """Radio buttons drawn as a row of buttons (0 to 10), one tap to choose. Not a
    RadioSelect subclass, so crispy-forms renders it with this template, not as a list."""

    input_type = "radio"
    template_name = "tracking/widgets/tap_scale.html"
    option_template_name = "django/forms/widgets/radio_option.html"

    def render(self, name, value, attrs=None, renderer=None):
        # The project's templates, not the form renderer's (which sees only app and Django
        # form templates).
        context = self.get_context(name, value, attrs)
        return mark_safe(render_to_string(self.template_name, context))


class SymptomScoreForm(VersionCheckMixin, RangeMessagesMixin, forms.ModelForm):
    class Meta:
        model = SymptomScore
        fields = ["recorded_on", "severity", "onset_time", "note"]
        widgets = {
            "recorded_on": DateInput(),
            "onset_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, patient, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.patient = patient
        self.fields["recorded_on"] = RegionDateField(
            region=region or patient.owner.region_rules, label="Date"
        )
        # A row of eleven buttons to tap, not a bare number box.
        self.fields["severity"].widget = TapScale(choices=[(n, str(n)) for n in range(11)])
        if not self.instance.pk:
            self.initial.setdefault("recorded_on", timezone.localdate())
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_recorded_on(self):
        return check_past_date(
            self.cleaned_data["recorded_on"], region=self.fields["recorded_on"].region
        )
