from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rlsapp.accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete

        from rlsapp.middleware import note_sign_in

        from .signin_logs import forget_user

        # Every deletion of a user (account page, admin, shell) forgets its sign-in traces.
        post_delete.connect(forget_user, sender=self.get_model("User"), dispatch_uid="forget_user")
        user_logged_in.connect(note_sign_in, dispatch_uid="note_sign_in")
