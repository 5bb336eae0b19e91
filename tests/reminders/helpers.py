import datetime
import zoneinfo

from django.conf import settings

from rlsapp.domain.units import Measurement
from rlsapp.reminders.models import Reminder
from rlsapp.tracking import services
from rlsapp.tracking.models import Infusion, LabDraw


def add_ferritin(patient, day, value, comparator=""):
    """A ferritin result saved through the one write path, as the form saves it."""
    draw = LabDraw(patient=patient, drawn_on=day, lab_name="City Lab")
    ferritin = Measurement("ferritin", value, comparator, f"{comparator}{value:g}", "µg/L")
    services.save_draw(draw, {"ferritin": ferritin})
    return draw


def add_infusion(patient, day, product="derisomaltose"):
    infusion = Infusion(patient=patient, given_on=day, product=product, dose_mg=1000)
    return services.save_record(infusion)


def open_reminder(patient):
    return Reminder.objects.open().filter(patient=patient).first()


def local(day, hour=9, minute=0):
    """An aware datetime on `day` in the configured time zone."""
    return datetime.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )
