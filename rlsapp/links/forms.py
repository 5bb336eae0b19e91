from django import forms

from . import services


class LinkForm(forms.Form):
    label = forms.CharField(
        label="For whom (optional)",
        max_length=60,
        required=False,
        help_text="Shown only to you, in this list and in the access log, e.g. “Dr Weber”.",
    )
    days = forms.TypedChoiceField(
        label="Works for",
        coerce=int,
        choices=[(d, f"{d} day{'s' if d > 1 else ''}") for d in services.DAYS_CHOICES],
        initial=services.DEFAULT_DAYS,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": "Choose how long the link works: 1, 7 or 30 days (got %(value)s).",
            "required": "Choose how long the link works: 1, 7 or 30 days.",
        },
    )
