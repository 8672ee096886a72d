from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import Role

# The navigation group of the app's entries, and the entries:
# (group, label, url name, permission needed[, roles whose phone bottom bar shows it]).
DISPATCH = _("Dispatch")
MENU = [
    (
        DISPATCH,
        _("Dispatch orders"),
        "dispatch:order_list",
        "dispatch.view_dispatchorder",
        {Role.STATION_LEADER, Role.POLICE_OFFICER},
    ),
    (DISPATCH, _("My order items"), "dispatch:my_items", "dispatch.change_dispatchitem"),
]


class DispatchConfig(AppConfig):
    name = "outpost.dispatch"
    label = "dispatch"
    verbose_name = _("Dispatch orders")  # 调度指令

    def ready(self) -> None:
        from outpost.core.privacy import register_processing
        from outpost.dispatch.privacy import DECLARATIONS as PRIVACY

        register_processing(*PRIVACY)
        from outpost.core.retention import register_retention_kind
        from outpost.dispatch.retention import RETENTION_KINDS

        for kind in RETENTION_KINDS:
            register_retention_kind(kind)
        from outpost.core.subject_requests.holdings import register_person_holdings
        from outpost.dispatch.holdings import HOLDINGS

        register_person_holdings(HOLDINGS)
        from outpost.core.timeline import register_timeline_source
        from outpost.dispatch.timeline import dispatch_events

        register_timeline_source(dispatch_events)
        from outpost.core.exports.base import register_export
        from outpost.core.recovery import register_recovery_handler
        from outpost.core.shell import register_menu, register_todo_source
        from outpost.dispatch.exports import EXPORTS
        from outpost.dispatch.todo import TODO_SOURCES

        for definition in EXPORTS:
            register_export(definition)
        register_recovery_handler(
            "outpost.dispatch.tasks.order_process_task",
            "outpost.dispatch.services.order_interrupted",
        )
        register_menu(MENU, order=6)
        for source in TODO_SOURCES:
            register_todo_source(source)
