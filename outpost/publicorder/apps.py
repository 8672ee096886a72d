from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The navigation group of the module (社会面管控), and its entries:
# (group, label, url name, permission needed).
PUBLIC_ORDER = _("Public order")
MENU = [
    (PUBLIC_ORDER, _("Venues"), "publicorder:venue_list", "publicorder.view_venue"),
    (
        PUBLIC_ORDER,
        _("Closure campaigns"),
        "publicorder:campaign_list",
        "publicorder.view_closurecampaign",
    ),
    (PUBLIC_ORDER, _("Large events"), "publicorder:event_list", "publicorder.view_largeevent"),
    (PUBLIC_ORDER, _("Patrol log"), "publicorder:patrol_log", "publicorder.view_patrol"),
    (PUBLIC_ORDER, _("Patrol routes"), "publicorder:route_list", "publicorder.view_patrolroute"),
    (PUBLIC_ORDER, _("Incidents"), "publicorder:incidents", "publicorder.view_incidentcount"),
]

# The app's periodic jobs: (name, cron schedule in China time, task).
PERIODIC_JOBS = [
    ("patrols_sweep", "10 0 * * *", "outpost.publicorder.tasks.patrols_sweep_task"),
]


class PublicOrderConfig(AppConfig):
    name = "outpost.publicorder"
    label = "publicorder"
    verbose_name = PUBLIC_ORDER

    def ready(self) -> None:
        from outpost.core.exports.base import register_export
        from outpost.core.privacy import register_processing
        from outpost.core.retention import register_retention_kind
        from outpost.core.scheduler import PeriodicJob, register_periodic_job
        from outpost.core.shell import register_menu, register_todo_source
        from outpost.publicorder.exports import EXPORTS
        from outpost.publicorder.privacy import DECLARATIONS
        from outpost.publicorder.retention import RETENTION_KINDS
        from outpost.publicorder.todo import TODO_SOURCES

        register_processing(*DECLARATIONS)
        for kind in RETENTION_KINDS:
            register_retention_kind(kind)
        register_menu(MENU, order=9)
        for source in TODO_SOURCES:
            register_todo_source(source)
        for definition in EXPORTS:
            register_export(definition)
        for job in PERIODIC_JOBS:
            register_periodic_job(PeriodicJob(*job))
