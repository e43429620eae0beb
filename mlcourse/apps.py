"""Django app config; the `plugin_app` dict lets Open edX install the app from our entry points alone."""
from django.apps import AppConfig


class MlcourseConfig(AppConfig):
    """Holds the models behind the mlcourse XBlocks (participants, exchanges, reviews)."""

    name = "mlcourse"
    verbose_name = "mlcourse: mutual learning"
    default_auto_field = "django.db.models.BigAutoField"

    # Read by edx-django-utils' plugin framework in the LMS and Studio. No URLs or settings are needed:
    # the blocks reach the app through their handlers, so only the app itself (models, migrations) is plugged in.
    plugin_app = {}

    def ready(self):
        from .signals import connect_platform_signals  # noqa: PLC0415

        connect_platform_signals()  # the retirement pipeline, when running inside Open edX
