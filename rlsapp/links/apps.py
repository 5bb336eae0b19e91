from django.apps import AppConfig


class LinksConfig(AppConfig):
    """Read-only links: a person's charts and report for someone without an account, for a
    limited time, revocable (issue 15 item 5)."""

    name = "rlsapp.links"

    def ready(self):
        from rlsapp.tracking.memberships import owner_changed

        from . import services

        owner_changed.connect(services.end_previous_owners_links, dispatch_uid="links-owner")
