from django.apps import AppConfig
from django.db.backends.signals import connection_created


class TrackingConfig(AppConfig):
    name = "rlsapp.tracking"

    def ready(self):
        from . import timestamps

        connection_created.connect(timestamps.use_c_parser)
