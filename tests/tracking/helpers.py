import datetime

from rlsapp.domain import units
from tests.reminders.helpers import add_episode

# An episode the after-infusion and leave-out tests share: an infusion on D0, then
# ferritin falling from 400 (week 6) to 300 (week 10).
D0 = datetime.date(2025, 1, 6)


def week(n):
    return D0 + datetime.timedelta(weeks=n)


def add_falling_episode(patient):
    add_episode(patient, D0, [(6, 400), (10, 300)])


def draw_post(drawn_on, **values):
    """POST data for the lab draw form: values as text, optionally (text, unit)."""
    data = {"drawn_on": str(drawn_on), "lab_name": "City Lab", "note": ""}
    for code, analyte in units.ANALYTES.items():
        value = values.get(code, "")
        text, unit = value if isinstance(value, tuple) else (value, analyte.display_unit)
        data[code] = text
        data[f"{code}_unit"] = unit
    return data


def patient_post(name="Alice", **overrides):
    """POST data for the patient form with the default settings of shared/domain.md."""
    return {
        "name": name,
        "sex": "",
        "ferritin_threshold": "100",
        "first_recheck_weeks": "8",
        "routine_recheck_weeks": "12",
        "first_recheck_min_weeks": "6",
        "course_days": "14",
        "reminder_lead_days": "14",
        "due_soon_days": "14",
        "use_population_slope": "on",
        "population_slope": "6.6",
    } | overrides
