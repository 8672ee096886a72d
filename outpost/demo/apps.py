from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo district and its `outpost demo` command; no models of its own."""

    name = "outpost.demo"
    label = "demo"
    verbose_name = _("Demo district")
