import datetime

from django import forms

from rlsapp.tracking.forms import DateInput

from .services import snooze_range


class SnoozeForm(forms.Form):
    """Snooze by a week, two weeks, or to a chosen date (tomorrow to a year ahead)."""

    weeks = forms.TypedChoiceField(
        choices=[("", "—"), (1, "1 week"), (2, "2 weeks")], coerce=int, required=False
    )
    until = forms.DateField(label="Snooze until", required=False, widget=DateInput())

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.earliest, self.latest = snooze_range(today)
        self.fields["until"].widget.attrs.update(
            {"min": self.earliest.isoformat(), "max": self.latest.isoformat()}
        )

    def range_message(self):
        return (
            f"Snooze until: enter a date from {self.earliest:%Y-%m-%d} to {self.latest:%Y-%m-%d}."
        )

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until and not self.earliest <= until <= self.latest:
            raise forms.ValidationError(self.range_message())
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
        return self.today + datetime.timedelta(weeks=weeks) if weeks else self.cleaned_data["until"]
