from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from rlsapp.tracking import compiled


class ConfirmedEmailBackend(ModelBackend):
    """Django's password check, for accounts whose email address is confirmed only.

    Applies both to signing in and to every request of a session (get_user), so an
    account that is not confirmed can neither sign in nor hold a session.
    """

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and getattr(user, "email_confirmed", False)

    def get_user(self, user_id):
        """As ModelBackend's, with the account's query compiled once per thread and, on
        PostgreSQL, prepared (tracking/compiled.py): every signed-in request runs it."""
        user_id = int(user_id)
        if not -(2**63) <= user_id < 2**63:  # no row has it (the ORM's own lookup says so too)
            return None
        model = get_user_model()
        found = compiled.instances(
            "signed-in account",
            lambda account: model._default_manager.filter(pk=account),
            prepared=True,  # its one parameter is the id
            account=user_id,
        )
        if not found:
            return None
        return found[0] if self.user_can_authenticate(found[0]) else None
