from django.apps import AppConfig


class SharingConfig(AppConfig):
    """One person's records shared between accounts: members and their roles, invitations,
    leaving, removing and transferring ownership (issue 15)."""

    name = "rlsapp.sharing"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, pre_delete

        from rlsapp.tracking.models import Patient

        from .services import forget_invitations_to, tell_members_of_erasure

        # Every deletion of an account (its own page, the admin, the shell).
        post_delete.connect(
            forget_invitations_to, sender=get_user_model(), dispatch_uid="forget_invitations_to"
        )
        # Every erasure of a person (an account's deletion, the admin, after the undo).
        pre_delete.connect(
            tell_members_of_erasure, sender=Patient, dispatch_uid="tell_members_of_erasure"
        )
