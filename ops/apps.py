from django.apps import AppConfig


class OpsConfig(AppConfig):
    """The operators' commands (`manage.py seed_demo`, `load_calendar`, `reproject_cases`, ...):
    entry points like the interfaces, so they may call any service."""

    name = "ops"
