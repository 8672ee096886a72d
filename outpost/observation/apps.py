from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import Role

# The navigation group of the app's entries, and the entries:
# (group, label, url name, permission needed[, roles whose phone bottom bar shows it]).
OBSERVATION = _("Observation")
# Everyone who handles alerts has them in the phone's bottom bar.
FIELD_AND_STATION = {
    Role.STATION_LEADER,
    Role.POLICE_OFFICER,
    Role.AUXILIARY_POLICE,
    Role.COMMUNITY_CADRE,
    Role.GRID_WORKER,
    Role.MEDICAL_STAFF,
}
MENU = [
    (
        OBSERVATION,
        _("Observation"),
        "observation:episode_list",
        "observation.view_episode",
        {Role.MEDICAL_STAFF},
    ),
    (
        OBSERVATION,
        _("Isolation sites"),
        "observation:site_list",
        "observation.view_isolationsite",
        {Role.MEDICAL_STAFF},
    ),
    (
        OBSERVATION,
        _("Alerts"),
        "observation:alert_list",
        "observation.view_alert",
        FIELD_AND_STATION,
    ),
]


# The app's periodic jobs: (name, cron schedule in China time, task).
PERIODIC_JOBS = [
    (
        "missed_check_ins_sweep",
        "*/5 * * * *",
        "outpost.observation.tasks.missed_check_ins_sweep_task",
    ),
    ("reminders_send", "*/5 * * * *", "outpost.observation.tasks.reminders_send_task"),
    ("alerts_escalate", "* * * * *", "outpost.observation.tasks.alerts_escalate_task"),
    ("episodes_release_due", "0 7 * * *", "outpost.observation.tasks.episodes_release_due_task"),
    ("site_days_close", "5 0 * * *", "outpost.observation.tasks.site_days_close_task"),
]


class ObservationConfig(AppConfig):
    name = "outpost.observation"
    label = "observation"
    verbose_name = _("Medical observation")  # 隔离观察

    def ready(self) -> None:
        from outpost.core.privacy import register_processing
        from outpost.observation.privacy import DECLARATIONS as PRIVACY

        register_processing(*PRIVACY)
        from outpost.core.retention import register_retention_kind
        from outpost.observation.retention import RETENTION_KINDS

        for kind in RETENTION_KINDS:
            register_retention_kind(kind)
        from outpost.core.subject_requests.holdings import register_person_holdings
        from outpost.observation.holdings import HOLDINGS

        register_person_holdings(HOLDINGS)
        from outpost.core.timeline import register_timeline_source
        from outpost.observation.timeline import observation_events

        register_timeline_source(observation_events)
        from outpost.core.exports.base import register_export
        from outpost.core.scheduler import PeriodicJob, register_periodic_job
        from outpost.core.shell import register_menu, register_todo_source
        from outpost.observation.exports import EXPORTS
        from outpost.observation.todo import TODO_SOURCES

        for definition in EXPORTS:
            register_export(definition)
        register_menu(MENU, order=5)
        for source in TODO_SOURCES:
            register_todo_source(source)
        for job in PERIODIC_JOBS:
            register_periodic_job(PeriodicJob(*job))
