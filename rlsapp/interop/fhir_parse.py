"""Read a FHIR R4 Bundle from a patient portal or another health-record app (pure).

Observations with a LOINC code rlsapp tracks become lab results (converted to
the stored unit, grouped by date and lab into draws); MedicationAdministration
and MedicationStatement resources for IV iron become infusions; rlsapp's own
symptom-score Observations come back as symptom scores. Everything else is
skipped and counted, by resource type, for the preview.

Only the fields rlsapp uses are read and each is checked; a resource that is
malformed in those fields becomes a row error naming its entry number.
"""

from __future__ import annotations

import datetime

from rlsapp.domain import entry as lab_entry
from rlsapp.domain import formats, regions, rules, units

from . import as_entered, fhir_medications, fhir_units, parsed, vocab
from .csv import DOSE_RANGE_MG, MAX_ENTERED_VALUE, MAX_NOTE, MAX_TEXT
from .dates import DateError, parse_date
from .fhir_bundle import as_utf8, check_bundle, iter_entries
from .fhir_bundle import text as _text
from .fhir_export import (
    AFTER_INFUSION_URL,
    CALCULATED_METHOD_TEXT,
    LEFT_OUT_NOTE_URL,
    LEFT_OUT_URL,
    ONSET_CODE_TEXT,
    REACTION_PREFIX,
    SYMPTOM_CODE_TEXT,
)

# An Observation without effective[x] is dated by `issued`, when the lab released it.
ISSUED_NOTE = (
    "Some results have no collection date (effectiveDateTime): the day the lab issued them "
    "was used, and the blood may have been drawn a day or more before."
)
SKIPPED_STATUSES = {"entered-in-error", "cancelled", "not-done", "registered", "stopped"}
# Fields that are matched or parsed are measured first, so that none can make parsing
# slower than linear: a value with its unit ("<0.5 µmol/L"), a unit, a time of day.
MAX_VALUE_STRING = 64
MAX_UNIT = 32
MAX_TIME = 32


class EntryError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _codings(concept) -> list[dict]:
    if not isinstance(concept, dict):
        return []
    codings = concept.get("coding") or []
    return [c for c in codings if isinstance(c, dict)] if isinstance(codings, list) else []


def _concept_names(concept) -> list[str]:
    names = [_text(c.get("display")) for c in _codings(concept)]
    if isinstance(concept, dict):
        names.insert(0, _text(concept.get("text")))
    return [n for n in names if n]


def _notes(resource) -> list[str]:
    notes = resource.get("note") or []
    if not isinstance(notes, list):
        return []
    return [_text(n.get("text")) for n in notes if isinstance(n, dict) and _text(n.get("text"))]


def _draw_marks(resource) -> tuple[bool, str, str]:
    """(after the infusion, left-out reason, its note) from rlsapp's own extensions."""
    found = {}
    extensions = resource.get("extension")
    for extension in extensions if isinstance(extensions, list) else ():
        if isinstance(extension, dict) and isinstance(extension.get("url"), str):
            found.setdefault(extension["url"], extension)
    after = found.get(AFTER_INFUSION_URL, {}).get("valueBoolean") is True
    code = found.get(LEFT_OUT_URL, {}).get("valueCode", "")
    reason = rules.left_out_reason(code) if isinstance(code, str) else None
    if reason is None:
        accepted = ", ".join(c for c, _words in rules.LEFT_OUT_CHOICES)
        raise EntryError(
            "extension", f"left out of the fits for {parsed.excerpt(code)}; accepted: {accepted}."
        )
    note = _text(found.get(LEFT_OUT_NOTE_URL, {}).get("valueString"), rules.LEFT_OUT_NOTE_MAX)
    return after, reason, note if reason else ""


def _date(resource, today, *fields) -> datetime.date:
    for name in fields:
        value = resource.get(name)
        if isinstance(value, dict):  # a Period
            value = value.get("start")
        if isinstance(value, str) and value.strip():
            # The date as written: a time zone shift must not move a morning draw a day.
            try:
                return parse_date(value.strip()[:10], "dmy", today)
            except DateError as error:
                raise EntryError(name, str(error)) from None
    raise EntryError(fields[0], "no date: effectiveDateTime (or a period start) is required.")


class _BundleReader:
    def __init__(self, entries, organisations: dict[str, str], today: datetime.date):
        self.today = today
        self.out = parsed.ParsedImport(source="fhir", layout="bundle")
        self.entries = entries  # an iterator: each entry is read once
        self.organisations = organisations
        self.draws: dict[tuple, parsed.ParsedDraw] = {}

    def read(self) -> parsed.ParsedImport:
        for number, entry in enumerate(self.entries, start=1):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict):
                self.out.error(number, "resource", "entry without a resource.")
                continue
            kind = str(resource.get("resourceType") or "unknown")[:40]
            try:
                if kind == "Observation":
                    self._observation(number, resource)
                elif kind == "MedicationStatement" and (
                    which := fhir_medications.kind_of(resource)
                ):
                    self._treatment(number, resource, which)
                elif kind in ("MedicationAdministration", "MedicationStatement"):
                    self._medication(number, resource, kind)
                else:
                    self.out.skipped[f"{kind} resources"] += 1
            except EntryError as error:
                self.out.error(number, f"{kind}.{error.field}", str(error))
        self.out.remove_unstorable_text()
        return self.out

    def _status_skipped(self, resource, kind) -> bool:
        status = resource.get("status")
        if isinstance(status, str) and status in SKIPPED_STATUSES:
            self.out.skipped[f"{kind} resources with status {status}"] += 1
            return True
        return False

    def _observation(self, number: int, resource: dict) -> None:
        if self._status_skipped(resource, "Observation"):
            return
        code = resource.get("code")
        if isinstance(code, dict) and code.get("text") == SYMPTOM_CODE_TEXT:
            self._symptom(number, resource)
            return
        analyte = fhir_units.analyte_of(code)
        if analyte is None:
            parts = fhir_units.tracked_components(resource)
            if not parts:
                self.out.skipped["Observations with a code rlsapp does not track"] += 1
                return
            # A panel (iron, TIBC and saturation as components of one Observation): each
            # tracked component is a result of it, all read before any is kept.
            day = self._draw_day(resource)
            read = [(a, part, self._quantity(a, part, number)) for a, part in parts]
            for a, part, result in read:
                if result is not None:
                    self._keep(number, part, a, day, result)
            return
        day = self._draw_day(resource)
        result = self._quantity(analyte, resource, number)
        if result is None:
            return
        self._keep(number, resource, analyte, day, result)

    def _draw_day(self, resource) -> datetime.date:
        day = _date(resource, self.today, "effectiveDateTime", "effectivePeriod", "issued")
        dated = resource.get("effectiveDateTime") or resource.get("effectivePeriod")
        if not dated and ISSUED_NOTE not in self.out.notes:
            self.out.notes.append(ISSUED_NOTE)
        return day

    def _keep(self, number, resource, analyte, day, result) -> None:
        """Add one read result to the draw of its day, lab and infusion mark."""
        method = resource.get("method")
        result.calculated = isinstance(method, dict) and method.get("text") == (
            CALCULATED_METHOD_TEXT
        )
        lab = self._lab_name(resource)
        notes = _notes(resource)
        after, reason, reason_note = _draw_marks(resource)
        key = (day, lab.casefold(), after)
        draw = self.draws.get(key)
        if draw is None:
            note = notes[0] if notes else ""
            draw = self.draws[key] = parsed.ParsedDraw([], day, lab, note, [], after)
            self.out.draws.append(draw)
        if reason and not draw.left_out_reason:
            draw.left_out_reason, draw.left_out_note = reason, reason_note
        earlier = next((r for r in draw.results if r.analyte == analyte), None)
        if earlier is not None:
            if (earlier.value, earlier.comparator) == (result.value, result.comparator):
                self.out.skipped["results repeated within the file"] += 1
                return
            raise EntryError(
                "code",
                f"a second {units.ANALYTES[analyte].label} result on {day:%Y-%m-%d}; rlsapp "
                "keeps one per draw.",
            )
        draw.results.append(result)
        draw.rows.append(number)

    def _quantity(
        self, analyte: str, resource: dict, number: int = 0
    ) -> parsed.ParsedResult | None:
        info = units.ANALYTES[analyte]
        quantity = resource.get("valueQuantity")
        if isinstance(quantity, dict):
            value = quantity.get("value")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise EntryError("valueQuantity.value", "the value must be a number.")
            unit, problem = fhir_units.quantity_unit(analyte, quantity)
            if problem:
                raise EntryError("valueQuantity.code", problem)
            if unit is None:
                given = quantity.get("code") or quantity.get("unit") or "none"
                raise EntryError(
                    "valueQuantity.unit",
                    f"unknown unit {parsed.excerpt(given, 20)} for {info.label}; accepted: "
                    f"{', '.join(info.units)}.",
                )
            comparator = quantity.get("comparator") or ""
            if (
                not isinstance(comparator, str)
                or comparator
                and comparator not in units.COMPARATORS
            ):
                raise EntryError("valueQuantity.comparator", "comparator must be <, <=, > or >=.")
            text, field = comparator + _plain(value), "valueQuantity.value"
        elif isinstance(resource.get("valueString"), str):
            text, unit = resource["valueString"].strip(), info.display_unit
            field = "valueString"
            if len(text) > MAX_VALUE_STRING:
                raise EntryError("valueString", parsed.too_long(text, MAX_VALUE_STRING))
            # Not `number`: that is the entry's, which the unusual list below names.
            number_text, unit_text = vocab.split_value_and_unit(text)
            if formats.not_a_unit(unit_text):  # '1e3' is no 1 in the unit 'e3'
                accepted = formats.accepted(regions.get("intl"))
                raise EntryError(field, f"read {parsed.excerpt(text, 20)}: {accepted}.")
            unit_text = vocab.without_flags(unit_text)  # "12 H": a flag, not a unit
            if unit_text:
                unit = fhir_units.unit_of(analyte, unit_text)
                if unit is None:
                    raise EntryError(
                        field,
                        f"unknown unit {parsed.excerpt(unit_text, 20)} for {info.label}; "
                        f"accepted: {', '.join(info.units)}.",
                    )
                text = number_text
            else:
                ranged = fhir_units.range_unit(analyte, resource)
                unit = ranged or info.display_unit
                if not ranged and len(set(info.units.values())) > 1:
                    # Said, as the CSV import says it: the value may be in another unit.
                    note = f"No unit given with a {info.label} valueString: read as {unit}."
                    if note not in self.out.notes:
                        self.out.notes.append(note)
        else:
            self.out.skipped["Observations without a value"] += 1
            return None
        if len(text) > MAX_ENTERED_VALUE:
            raise EntryError(field, "the value: " + parsed.too_long(text, MAX_ENTERED_VALUE))
        # FHIR writes decimals with a point and no grouping; a valueString that another
        # convention reads as another number ("1,050") is refused, never guessed.
        canonical = regions.get("intl")
        try:
            reading = formats.read_number(text, canonical)
        except formats.NumberError as error:
            raise EntryError(field, str(error)) from None
        if field == "valueString" and reading.ambiguous:
            raise EntryError(
                field,
                f"{formats.ambiguity_text(reading, canonical)}: write it without a grouping "
                "separator, or as a valueQuantity.",
            )
        try:
            m, unusual = lab_entry.check_value(
                analyte, reading.value, unit, reading.comparator, reading.entered, canonical
            )
        except units.UnitError as error:
            raise EntryError("valueQuantity", str(error)) from None
        if unusual and len(self.out.unusual) < parsed.ERRORS_KEPT:
            self.out.unusual.append(
                parsed.RowError(number, f"Observation.{field}", unusual.message)
            )
        entered = (m.entered_value, m.entered_unit)
        if field == "valueQuantity.value":  # as the lab printed it, when rlsapp exported it
            entered = as_entered.read_back(resource, analyte, m.value, m.comparator) or entered
        return parsed.ParsedResult(m.analyte, m.value, m.comparator, *entered)

    def _lab_name(self, resource: dict) -> str:
        performers = resource.get("performer") or []
        if not isinstance(performers, list):
            return ""
        for performer in performers:
            if not isinstance(performer, dict):
                continue
            name = _text(performer.get("display"), MAX_TEXT) or self.organisations.get(
                str(performer.get("reference"))
            )
            if name:
                return name
        return ""

    def _symptom(self, number: int, resource: dict) -> None:
        day = _date(resource, self.today, "effectiveDateTime", "effectivePeriod")
        severity = resource.get("valueInteger")
        if isinstance(severity, bool) or not isinstance(severity, int) or not 0 <= severity <= 10:
            raise EntryError("valueInteger", "severity must be a whole number from 0 to 10.")
        onset = None
        components = resource.get("component")
        for component in components if isinstance(components, list) else []:
            code = component.get("code") if isinstance(component, dict) else None
            if isinstance(code, dict) and code.get("text") == ONSET_CODE_TEXT:
                value = str(component.get("valueTime"))
                if len(value) > MAX_TIME:
                    raise EntryError("component.valueTime", parsed.too_long(value, MAX_TIME))
                try:
                    onset = datetime.time.fromisoformat(value)
                except ValueError:
                    raise EntryError("component.valueTime", "enter a time like 21:30:00.") from None
                # The clock time as written, as dates are: an offset says where the evening
                # was, not when in it symptoms began (and SQLite stores no offset).
                onset = onset.replace(tzinfo=None)
        notes = _notes(resource)
        self.out.symptoms.append(
            parsed.ParsedSymptom([number], day, severity, onset, notes[0] if notes else "")
        )

    def _treatment(self, number: int, resource: dict, which: str) -> None:
        """An oral iron course or an RLS medicine: fhir_medications reads it."""
        status = resource.get("status")
        if status in ("entered-in-error", "not-taken", "intended"):
            self.out.skipped[f"MedicationStatement resources with status {status}"] += 1
            return

        def read_date(text: str, field: str) -> datetime.date:
            try:
                return parse_date(text, "dmy", self.today)
            except DateError as error:
                raise EntryError(field, str(error)) from None

        try:
            if which == "course":
                self.out.courses.append(fhir_medications.read_course(number, resource, read_date))
            else:
                self.out.medicines.append(
                    fhir_medications.read_medicine(number, resource, read_date)
                )
        except fhir_medications.StatementError as error:
            raise EntryError(error.field, str(error)) from None

    def _medication(self, number: int, resource: dict, kind: str) -> None:
        if self._status_skipped(resource, kind):
            return
        concept = resource.get("medicationCodeableConcept")
        names = _concept_names(concept)
        reference = resource.get("medicationReference")
        if not names and isinstance(reference, dict):
            names = [_text(reference.get("display"))] if reference.get("display") else []
        dosage = resource.get("dosage")
        if kind == "MedicationStatement":
            dosages = dosage if isinstance(dosage, list) else []
            dosage = dosages[0] if dosages and isinstance(dosages[0], dict) else {}
        dosage = dosage if isinstance(dosage, dict) else {}
        route = dosage.get("route")
        route_codes = {str(c.get("code")) for c in _codings(route)}
        route_text = " ".join(_concept_names(route)).lower()
        intravenous = vocab.SNOMED_INTRAVENOUS in route_codes or "intravenous" in route_text
        stated_route = bool(route_codes or route_text)
        product = None
        for name in names:
            product = vocab.product_for_name(name)
            if product:
                break
        label = names[0] if names else ""
        # An iron rlsapp has no name for counts only when stated to be given intravenously:
        # oral iron (ferrous sulfate and the like) is no infusion.
        if product is None and intravenous and vocab.looks_like_iron(label):
            product = "other"
        if product is None or (stated_route and not intravenous):
            self.out.skipped[f"{kind} resources that are not IV iron"] += 1
            return
        day = _date(resource, self.today, "effectiveDateTime", "effectivePeriod", "dateAsserted")
        dose = self._dose(dosage, kind)
        reaction, other_notes = "", []
        for note in _notes(resource):
            if note.startswith(REACTION_PREFIX) and not reaction:
                reaction = note[len(REACTION_PREFIX) :]
            else:
                other_notes.append(note)
        self.out.infusions.append(
            parsed.ParsedInfusion(
                rows=[number],
                given_on=day,
                product=product,
                product_other=label[:MAX_TEXT] if product == "other" else "",
                dose_mg=dose,
                reaction=reaction,
                notes="\n".join(other_notes)[:MAX_NOTE],
            )
        )

    def _dose(self, dosage: dict, kind: str) -> int:
        dose = dosage.get("dose")
        if kind == "MedicationStatement":
            rates = dosage.get("doseAndRate")
            first = rates[0] if isinstance(rates, list) and rates else {}
            dose = first.get("doseQuantity") if isinstance(first, dict) else None
        field = "dosage.dose" if kind == "MedicationAdministration" else "dosage.doseAndRate"
        low, high = DOSE_RANGE_MG
        message = f"the dose must be in mg (or g), from {low} to {high} mg."
        if not isinstance(dose, dict):
            raise EntryError(field, message)
        value = dose.get("value")
        unit = str(dose.get("code") or dose.get("unit") or "")
        if len(unit) > MAX_UNIT:
            raise EntryError(field, "the dose unit: " + parsed.too_long(unit, MAX_UNIT))
        unit = vocab.unit_key(unit)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or unit not in ("mg", "g")
        ):
            raise EntryError(field, message)
        mg = value * (1000 if unit == "g" else 1)
        if not low <= mg <= high or mg != int(mg):
            raise EntryError(field, message)
        return int(mg)


def _plain(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return text or "0"


def parse_bundle(data: bytes, today: datetime.date | None = None) -> parsed.ParsedImport:
    """Parse an uploaded FHIR Bundle (UTF-8, or UTF-16 or UTF-32 with a byte order mark);
    raises ImportRefused for a file that cannot be used."""
    data = as_utf8(data)
    organisations = check_bundle(data)
    entries = iter_entries(data, {})
    return _BundleReader(entries, organisations, today or datetime.date.today()).read()
