"""What the account export adds to the records: each person's settings and the account's
own (issue 15 item 8; a copy of one's data holds what one set, not only what one entered).

Only the exporting account's own facts: no other member's address, no password hash,
no token (calendar feed, links, invitations), no internal counters."""

import datetime
import json

from django_otp import user_has_device

# A person's row less what is the app's bookkeeping or another account's.
_PERSON_BOOKKEEPING = {"id", "owner", "created", "version", "data_version", "deleted_at"}
_ACCOUNT_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "region",
    "email_reminders",
    "calendar_names",
    "date_joined",
    "last_login",
)


def _plain(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def person_settings(patient, role, gets_reminders) -> str:
    """settings.json of one person: their details and re-check settings as set, and this
    account's role and reminder choice for them."""
    fields = {
        field.name: _plain(getattr(patient, field.attname))
        for field in patient._meta.concrete_fields
        if field.name not in _PERSON_BOOKKEEPING
    }
    fields["your_role"] = role
    fields["you_get_reminders"] = gets_reminders
    return json.dumps(fields, indent=2, ensure_ascii=False)


def account_settings(user, me_folder) -> str:
    """account.json: the account's own settings (no password, no token)."""
    fields = {name: _plain(getattr(user, name)) for name in _ACCOUNT_FIELDS}
    fields["two_factor"] = user_has_device(user)
    fields["this_is_me"] = me_folder
    return json.dumps(fields, indent=2, ensure_ascii=False)
