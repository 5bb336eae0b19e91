from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "rlsapp.interop"
    verbose_name = "Import and export"
