from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservationConfig(AppConfig):
    name = "outpost.observation"
    label = "observation"
    verbose_name = _("Medical observation")  # 隔离观察

    def ready(self) -> None:
        from outpost.core.exports.base import register_export
        from outpost.observation.exports import EXPORTS

        for definition in EXPORTS:
            register_export(definition)
