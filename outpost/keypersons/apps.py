from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import Role

# The navigation group of the app's entries, and the entries:
# (group, label, url name, permission needed[, roles whose phone bottom bar shows it]).
KEY_PERSONS = _("Key persons")
MENU = [
    (
        KEY_PERSONS,
        _("My key persons"),
        "keypersons:mine",
        "keypersons.add_contactentry",
        {Role.GRID_WORKER, Role.AUXILIARY_POLICE, Role.COMMUNITY_CADRE, Role.MEDICAL_STAFF},
    ),
    (
        KEY_PERSONS,
        _("Key persons"),
        "keypersons:list",
        "keypersons.view_keyperson",
        {Role.STATION_LEADER, Role.POLICE_OFFICER, Role.AUXILIARY_POLICE, Role.ANALYST},
    ),
    (KEY_PERSONS, _("Coverage"), "keypersons:coverage", "keypersons.view_teammember"),
    (KEY_PERSONS, _("Overdue contacts"), "keypersons:overdue", "keypersons.view_contactentry"),
]


class KeyPersonsConfig(AppConfig):
    name = "outpost.keypersons"
    label = "keypersons"
    verbose_name = _("Key persons")  # 重点人员

    def ready(self) -> None:
        from outpost.core.privacy import register_processing
        from outpost.keypersons.privacy import DECLARATIONS as PRIVACY

        register_processing(*PRIVACY)
        from outpost.core.retention import register_retention_kind
        from outpost.keypersons.retention import RETENTION_KINDS

        for kind in RETENTION_KINDS:
            register_retention_kind(kind)
        from outpost.core.subject_requests.holdings import register_person_holdings
        from outpost.keypersons.holdings import HOLDINGS

        register_person_holdings(HOLDINGS)
        from outpost.core.timeline import register_timeline_source
        from outpost.keypersons.timeline import key_person_events

        register_timeline_source(key_person_events)
        from outpost.core.exports.base import register_export
        from outpost.core.shell import register_menu, register_todo_source
        from outpost.keypersons.exports import EXPORTS
        from outpost.keypersons.todo import TODO_SOURCES

        for definition in EXPORTS:
            register_export(definition)
        register_menu(MENU, order=4)
        for source in TODO_SOURCES:
            register_todo_source(source)
