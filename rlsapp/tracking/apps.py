from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "rlsapp.tracking"

    def ready(self):
        from . import signals

        signals.connect()
