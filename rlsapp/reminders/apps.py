from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "rlsapp.reminders"
