"""Changes to an account's own settings (the records' services are tracking/services).

Like every service, it says what changed: a new region moves the account's page-cache
version on (tracking/versions.py), so that its cached pages are drawn again with numbers
and dates the new way."""

from django.db import transaction

from rlsapp.tracking.versions import bump_account_version


@transaction.atomic
def save_account_settings(account, changed_fields) -> None:
    """Save `account` as its settings form changed it (`changed_fields`: the form's names)."""
    account.save()
    if "region" in changed_fields:
        bump_account_version(account.pk)
