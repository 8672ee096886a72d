from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import Role

# The app's menu entries: (group, label, url name, permission needed[, roles whose phone
# bottom bar shows it]).
MENU = [
    (
        None,
        _("Daily briefing"),
        "briefing:dashboard",
        "briefing.view_dailysnapshot",
        {Role.STATION_LEADER, Role.ANALYST},
    ),
]


class BriefingConfig(AppConfig):
    name = "outpost.briefing"
    label = "briefing"
    verbose_name = _("Daily briefing")  # 每日会商研判调度

    def ready(self) -> None:
        from outpost.briefing.exports import EXPORTS
        from outpost.briefing.todo import TODO_SOURCES
        from outpost.core.exports.base import register_export
        from outpost.core.scheduler import PeriodicJob, register_periodic_job
        from outpost.core.shell import register_menu, register_todo_source

        for definition in EXPORTS:
            register_export(definition)
        register_menu(MENU, order=1)
        for source in TODO_SOURCES:
            register_todo_source(source)
        # The day's figures are frozen ten minutes after midnight, China time.
        register_periodic_job(
            PeriodicJob(
                "snapshots_take", "10 0 * * *", "outpost.briefing.tasks.snapshots_take_task"
            )
        )
