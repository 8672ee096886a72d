from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "outpost.screening"
    label = "screening"
    verbose_name = _("Data matching")

    def ready(self) -> None:
        from outpost.core.recovery import register_recovery_handler

        register_recovery_handler(
            "outpost.screening.tasks.feed_parse_task",
            "outpost.screening.services.feeds.feed_interrupted",
        )
        register_recovery_handler(
            "outpost.screening.tasks.screening_run_task",
            "outpost.screening.services.runs.screening_run_interrupted",
        )
