"""An account's settings are saved by its service, which says what changed: a new region
redraws the account's cached pages (numbers and dates are written the region's way); a new
name alone does not."""

from rlsapp.accounts.services import save_account_settings


def version(account):
    account.refresh_from_db(fields=["data_version"])
    return account.data_version


def test_a_new_region_moves_the_accounts_page_version_on_and_a_name_does_not(owner):
    before = version(owner)
    owner.first_name = "Alice"
    save_account_settings(owner, ["first_name"])
    assert version(owner) == before
    owner.region = "DE"
    save_account_settings(owner, ["region"])
    assert version(owner) == before + 1
    owner.refresh_from_db()
    assert (owner.first_name, owner.region) == ("Alice", "DE")
