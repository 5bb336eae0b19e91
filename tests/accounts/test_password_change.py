"""After a password change, the calendar feed's address can be changed too: whoever knew
the old password may have copied that address, which works without signing in."""

from django.urls import reverse

from rlsapp.reminders.models import CalendarFeed
from tests.conftest import PASSWORD

NEW = "a-new-long-passphrase"


def change_password(client):
    return client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )


def test_with_a_calendar_feed_the_done_page_offers_a_new_address(owner_client, owner):
    owner_client.post(reverse("calendar_regenerate"))
    old_token = CalendarFeed.objects.get(user=owner).token_hash

    page = change_password(owner_client).content.decode()

    assert "Your new password is in use" in page
    assert f'action="{reverse("calendar_regenerate")}"' in page
    owner_client.post(reverse("calendar_regenerate"))
    assert CalendarFeed.objects.get(user=owner).token_hash != old_token


def test_without_a_calendar_feed_there_is_nothing_to_offer(owner_client):
    page = change_password(owner_client).content.decode()
    assert "Your new password is in use" in page
    assert reverse("calendar_regenerate") not in page
