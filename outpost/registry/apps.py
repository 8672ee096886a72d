from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import Role

# The navigation group of the app's entries, and the entries:
# (group, label, url name, permission needed[, roles whose phone bottom bar shows it]).
REGISTRY = _("Registry")
MENU = [
    (REGISTRY, _("My grid"), "registry:my_grid", "registry.add_visit", {Role.GRID_WORKER}),
    (
        REGISTRY,
        _("Households"),
        "registry:household_list",
        "registry.view_household",
        {Role.GRID_WORKER, Role.AUXILIARY_POLICE, Role.COMMUNITY_CADRE},
    ),
    (
        REGISTRY,
        _("Residents"),
        "registry:resident_list",
        "registry.view_resident",
        {Role.ANALYST},
    ),
    (REGISTRY, _("Campaigns"), "registry:campaign_list", "registry.view_campaign"),
    (REGISTRY, _("Duplicates"), "registry:duplicate_list", "registry.change_resident"),
    (REGISTRY, _("Exports"), "registry:export", "registry.view_resident"),
]


class RegistryConfig(AppConfig):
    name = "outpost.registry"
    label = "registry"
    verbose_name = _("Population registry")

    def ready(self) -> None:
        from outpost.core.privacy import register_processing
        from outpost.registry.privacy import DECLARATIONS as PRIVACY

        register_processing(*PRIVACY)
        from outpost.core.retention import register_retention_kind
        from outpost.registry.retention import RETENTION_KINDS

        for kind in RETENTION_KINDS:
            register_retention_kind(kind)
        from outpost.core.subject_requests.holdings import (
            register_person_finder,
            register_person_holdings,
        )
        from outpost.registry.holdings import FINDER, HOLDINGS

        register_person_holdings(HOLDINGS)
        register_person_finder(FINDER)
        from outpost.core.timeline import register_timeline_source
        from outpost.registry.timeline import registry_events

        register_timeline_source(registry_events)
        from outpost.core.exports.base import register_export
        from outpost.core.shell import (
            HomeTile,
            register_home_tile,
            register_menu,
            register_todo_source,
        )
        from outpost.registry.exports import EXPORTS
        from outpost.registry.selectors import household_list, resident_list
        from outpost.registry.todo import TODO_SOURCES

        for definition in EXPORTS:
            register_export(definition)
        register_menu(MENU, order=2)
        for source in TODO_SOURCES:
            register_todo_source(source)
        register_home_tile(
            HomeTile(
                _("Households"),
                "registry:household_list",
                "registry.view_household",
                household_list,
                order=10,
            )
        )
        register_home_tile(
            HomeTile(
                _("Residents"),
                "registry:resident_list",
                "registry.view_resident",
                resident_list,
                order=20,
            )
        )
