"""Making, stopping and finding an account's secret calendar address (the one write path
for CalendarFeed). Only the token's hash is stored (rlsapp/tokens.py)."""

from rlsapp import tokens

from .models import CalendarFeed


def new_calendar_address(user) -> tuple[CalendarFeed, str]:
    """A new secret calendar address for the account (the old one stops working): the feed
    and its token, which exists only in this answer (the feed keeps its hash)."""
    token = tokens.new_token()
    feed, _ = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": tokens.digest(token)}
    )
    return feed, token


def stop_calendar(user) -> None:
    CalendarFeed.objects.filter(user=user).delete()


def find_calendar_feed(token: str) -> CalendarFeed | None:
    """The active account's feed for a presented token, or None (also, without a lookup,
    for a token that could never have been made: too long, or other characters)."""
    hashed = tokens.digest_if_well_formed(token)
    if hashed is None:
        return None
    feeds = CalendarFeed.objects.filter(token_hash=hashed, user__is_active=True)
    return feeds.select_related("user").first()
