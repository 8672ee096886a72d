from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import Role

WARTIME_DUTY = _("Wartime duty")  # 战时勤务
# (group, label, url name, permission needed[, roles whose phone bottom bar shows it]).
MENU = [
    (WARTIME_DUTY, _("On duty now"), "duty:now", "duty.view_shift"),
    (WARTIME_DUTY, _("Rosters"), "duty:roster_list", "duty.view_roster"),
    (
        WARTIME_DUTY,
        _("My shifts and swaps"),
        "duty:mine",
        "duty.add_swaprequest",
        {Role.POLICE_OFFICER, Role.MEDICAL_STAFF},
    ),
    (WARTIME_DUTY, _("Leave and freezes"), "duty:leave_list", "duty.view_leaverequest"),
    (WARTIME_DUTY, _("Pioneer post record"), "duty:pioneer", "duty.view_shift"),
]


class DutyConfig(AppConfig):
    name = "outpost.duty"
    label = "duty"
    verbose_name = WARTIME_DUTY

    def ready(self) -> None:
        from outpost.core.on_duty import register_on_duty_resolver
        from outpost.core.privacy import register_processing
        from outpost.core.retention import register_retention_kind
        from outpost.core.shell import register_menu, register_todo_source
        from outpost.duty.privacy import DECLARATIONS
        from outpost.duty.retention import RETENTION_KINDS
        from outpost.duty.selectors import on_duty_resolve
        from outpost.duty.todo import TODO_SOURCES

        register_processing(*DECLARATIONS)
        for kind in RETENTION_KINDS:
            register_retention_kind(kind)
        register_menu(MENU, order=11)
        for source in TODO_SOURCES:
            register_todo_source(source)
        register_on_duty_resolver(on_duty_resolve)
