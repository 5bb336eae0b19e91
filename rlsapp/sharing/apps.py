from django.apps import AppConfig


class SharingConfig(AppConfig):
    """One person's records shared between accounts: members and their roles, invitations,
    leaving, removing and transferring ownership (issue 15)."""

    name = "rlsapp.sharing"
