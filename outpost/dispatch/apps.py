from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "outpost.dispatch"
    label = "dispatch"
    verbose_name = _("Dispatch orders")  # 调度指令
