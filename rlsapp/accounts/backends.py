from django.contrib.auth.backends import ModelBackend


class ConfirmedEmailBackend(ModelBackend):
    """Django's password check, for accounts whose email address is confirmed only.

    Applies both to signing in and to every request of a session (get_user), so an
    account that is not confirmed can neither sign in nor hold a session.
    """

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and getattr(user, "email_confirmed", False)
