from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservationConfig(AppConfig):
    name = "outpost.observation"
    label = "observation"
    verbose_name = _("Medical observation")  # 隔离观察
