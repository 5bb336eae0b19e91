from django.apps import AppConfig


class ChartsConfig(AppConfig):
    name = "rlsapp.charts"
