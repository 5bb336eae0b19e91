from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "rlsapp.web"
