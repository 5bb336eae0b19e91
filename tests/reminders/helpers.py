import datetime
import zoneinfo

from django.conf import settings

from rlsapp.reminders.models import Reminder
from rlsapp.tracking.models import Infusion, LabDraw, LabResult


def add_ferritin(patient, day, value, comparator=""):
    draw = LabDraw.objects.create(patient=patient, drawn_on=day, lab_name="City Lab")
    LabResult.objects.create(
        draw=draw,
        analyte="ferritin",
        value=value,
        comparator=comparator,
        entered_value=f"{comparator}{value:g}",
        entered_unit="µg/L",
    )
    return draw


def add_infusion(patient, day, product="derisomaltose"):
    return Infusion.objects.create(patient=patient, given_on=day, product=product, dose_mg=1000)


def open_reminder(patient):
    return Reminder.objects.open().filter(patient=patient).first()


def local(day, hour=9, minute=0):
    """An aware datetime on `day` in the configured time zone."""
    return datetime.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )
