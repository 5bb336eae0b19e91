from django import forms

from rlsapp.domain import formats, recheck
from rlsapp.tracking.lab_entry import RegionDateField

from .services import snooze_range


class SnoozeForm(forms.Form):
    """Snooze by a week, two weeks, or to a chosen date (tomorrow to a year ahead)."""

    weeks = forms.TypedChoiceField(
        choices=[("", "—"), (1, "1 week"), (2, "2 weeks")], coerce=int, required=False
    )

    def __init__(self, *args, today, region, remind_on=None, skip_weekends=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.today, self.region = today, region
        self.remind_on = remind_on or today  # the re-check's date: weeks count from it
        self.skip_weekends = skip_weekends  # the person's setting
        self.earliest, self.latest = snooze_range(today)
        # Typed the account's region's way (or ISO), as every other date in the app.
        self.fields["until"] = RegionDateField(
            region=region, label="Snooze until", required=False, ahead=True
        )

    def range_message(self):
        earliest = formats.format_date(self.earliest, self.region)
        latest = formats.format_date(self.latest, self.region)
        return f"Snooze until: enter a date from {earliest} to {latest}."

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until and not self.earliest <= until <= self.latest:
            read = formats.format_date(until, self.region)
            raise forms.ValidationError(f"{self.range_message()} Read: {read}.")
        return until

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        weeks, until = cleaned.get("weeks"), cleaned.get("until")
        if weeks and until:
            raise forms.ValidationError("Choose 1 week, 2 weeks or a date, not both.")
        if not weeks and not until:
            raise forms.ValidationError("Choose 1 week, 2 weeks or a date. " + self.range_message())
        return cleaned

    def snooze_until(self):
        weeks = self.cleaned_data.get("weeks")
        if weeks:
            return recheck.snoozed_by_weeks(self.remind_on, self.today, weeks, self.skip_weekends)
        return self.cleaned_data["until"]


class ReminderSettingsForm(forms.Form):
    """The account's reminder settings on one page. Days ahead and weekends are settings of
    each person (the re-check rules read them there); this form sets them for everyone the
    account tracks, and leaves days ahead alone when left blank."""

    email_reminders = forms.BooleanField(
        label="Email me when a re-check is due",
        required=False,
        help_text="Sent in the morning of the re-check date. When this is off, re-checks still "
        "show on each person's page, on the worklist, and in your calendar if you add it below.",
    )
    days_ahead = forms.IntegerField(
        label="Days ahead",
        required=False,
        min_value=0,
        max_value=120,
        help_text="When your results predict ferritin falling below the threshold, the "
        "re-check is set this many days before that day (default 14).",
        error_messages={
            "min_value": "Days ahead: enter a whole number from 0 to 120.",
            "max_value": "Days ahead: enter a whole number from 0 to 120.",
            "invalid": "Days ahead: enter a whole number from 0 to 120.",
        },
    )
    skip_weekends = forms.BooleanField(
        label="Move a re-check that falls on a Saturday or Sunday to the Monday",
        required=False,
    )
    calendar_names = forms.BooleanField(
        label="Show the person's name and the reason in calendar entries",
        required=False,
        help_text="Off (the default), entries say only “Ferritin re-check” with a link back "
        "here: calendar services and anyone who sees your calendar learn nothing more.",
    )

    @classmethod
    def initial_for(cls, user, people):
        """Today's values; days ahead only when everyone has the same."""
        lead = {p.reminder_lead_days for p in people}
        return {
            "email_reminders": user.email_reminders,
            "days_ahead": lead.pop() if len(lead) == 1 else None,
            "skip_weekends": bool(people) and all(p.skip_weekends for p in people),
            "calendar_names": user.calendar_names,
        }
