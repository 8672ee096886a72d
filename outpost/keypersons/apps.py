from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KeyPersonsConfig(AppConfig):
    name = "outpost.keypersons"
    label = "keypersons"
    verbose_name = _("Key persons")  # 重点人员

    def ready(self) -> None:
        from outpost.core.exports.base import register_export
        from outpost.keypersons.exports import EXPORTS

        for definition in EXPORTS:
            register_export(definition)
