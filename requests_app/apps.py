from django.apps import AppConfig


class RequestsAppConfig(AppConfig):
    name = "requests_app"
