from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "rlsapp.reminders"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
