"""Leaving a draw out of the decline fits, and putting it back (issue 12 item 5).

A left-out draw stays in every table, marked with its reason; the chart draws it hollow
and no fit or estimate uses it (tracking.fit_inputs). Writes go through services.leave_out
and services.put_back, with the version the form was opened at.
"""

from django import forms

from . import services
from .models import LEFT_OUT_CHOICES, LabDraw


class VersionField(forms.CharField):
    """The draw's version when the form was opened; a tampered value is a conflict."""

    def __init__(self, **kwargs):
        super().__init__(widget=forms.HiddenInput, required=False, **kwargs)


def seen_version(text) -> int | None:
    try:
        version = int(text or "")
    except ValueError:
        return None
    return version if 1 <= version < 2**31 else None


class LeaveOutForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why leave it out",
        choices=[("", "Choose a reason")] + LEFT_OUT_CHOICES,
        error_messages={"required": "Why leave it out: choose a reason."},
    )
    note = forms.CharField(
        label="Note (optional)",
        max_length=200,
        required=False,
        help_text="For example “flu that week” or “other lab, not comparable”.",
    )
    version = VersionField()

    def __init__(self, *args, draw: LabDraw, **kwargs):
        super().__init__(*args, **kwargs)
        self.draw = draw
        self.fields["version"].initial = draw.version
        self.fields["reason"].error_messages["invalid_choice"] = (
            "Why leave it out: choose illness, inflammation, wrong lab or other."
        )
        self.fields["note"].error_messages["max_length"] = (
            "Note: at most 200 characters (%(show_value)d typed)."
        )

    def save(self) -> LabDraw:
        """Raises services.EditConflict when the draw changed after the form was opened."""
        return services.leave_out(
            self.draw,
            self.cleaned_data["reason"],
            self.cleaned_data["note"],
            seen_version=seen_version(self.cleaned_data["version"]),
        )


class PutBackForm(forms.Form):
    version = VersionField()

    def __init__(self, *args, draw: LabDraw, **kwargs):
        super().__init__(*args, **kwargs)
        self.draw = draw
        self.fields["version"].initial = draw.version

    def save(self) -> LabDraw:
        return services.put_back(self.draw, seen_version=seen_version(self.cleaned_data["version"]))
