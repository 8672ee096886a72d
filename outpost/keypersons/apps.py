from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KeyPersonsConfig(AppConfig):
    name = "outpost.keypersons"
    label = "keypersons"
    verbose_name = _("Key persons")  # 重点人员
