from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "outpost.registry"
    label = "registry"
    verbose_name = _("Population registry")

    def ready(self) -> None:
        from outpost.core.exports.base import register_export
        from outpost.registry.exports import EXPORTS

        for definition in EXPORTS:
            register_export(definition)
