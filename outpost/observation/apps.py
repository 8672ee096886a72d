from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The navigation group of the app's entries, and the entries:
# (group, label, url name, permission needed).
OBSERVATION = _("Observation")
MENU = [
    (OBSERVATION, _("Observation"), "observation:episode_list", "observation.view_episode"),
    (
        OBSERVATION,
        _("Isolation sites"),
        "observation:site_list",
        "observation.view_isolationsite",
    ),
    (OBSERVATION, _("Alerts"), "observation:alert_list", "observation.view_alert"),
]


class ObservationConfig(AppConfig):
    name = "outpost.observation"
    label = "observation"
    verbose_name = _("Medical observation")  # 隔离观察

    def ready(self) -> None:
        from outpost.core.exports.base import register_export
        from outpost.core.shell import register_menu
        from outpost.observation.exports import EXPORTS

        for definition in EXPORTS:
            register_export(definition)
        register_menu(MENU, order=5)
