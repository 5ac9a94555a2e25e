from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API (/api/v1/)."""

    name = "api"
    label = "rest_api"  # "api" is too generic a label to keep unique among apps
