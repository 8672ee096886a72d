from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import Role

# The navigation group of the app's entries, and the entries:
# (group, label, url name, permission needed[, roles whose phone bottom bar shows it]).
SCREENING = _("Screening")
MENU = [
    (SCREENING, _("Feeds"), "screening:feed_list", "screening.view_feed"),
    (
        SCREENING,
        _("Screening runs"),
        "screening:run_list",
        "screening.view_screeningrun",
        {Role.ANALYST},
    ),
    (
        SCREENING,
        _("Matches to review"),
        "screening:review_list",
        "screening.add_matchdecision",
        {Role.POLICE_OFFICER},
    ),
    (
        SCREENING,
        _("Concealed-travel discrepancies"),
        "screening:discrepancy_list",
        "screening.view_traveldiscrepancy",
    ),
    (
        SCREENING,
        _("Risk designations"),
        "screening:designation_list",
        "screening.view_riskdesignation",
    ),
]


class ScreeningConfig(AppConfig):
    name = "outpost.screening"
    label = "screening"
    verbose_name = _("Data matching")

    def ready(self) -> None:
        from outpost.core.privacy import register_processing
        from outpost.screening.privacy import DECLARATIONS as PRIVACY

        register_processing(*PRIVACY)
        from outpost.core.retention import register_retention_kind
        from outpost.screening.retention import RETENTION_KINDS

        for kind in RETENTION_KINDS:
            register_retention_kind(kind)
        from outpost.core.subject_requests.holdings import register_person_holdings
        from outpost.screening.holdings import HOLDINGS

        register_person_holdings(HOLDINGS)
        from outpost.core.timeline import register_timeline_source
        from outpost.screening.timeline import screening_events

        register_timeline_source(screening_events)
        from outpost.core.recovery import register_recovery_handler
        from outpost.core.shell import register_menu, register_todo_source
        from outpost.screening.todo import TODO_SOURCES

        register_recovery_handler(
            "outpost.screening.tasks.feed_parse_task",
            "outpost.screening.services.feeds.feed_interrupted",
        )
        register_recovery_handler(
            "outpost.screening.tasks.screening_run_task",
            "outpost.screening.services.runs.screening_run_interrupted",
        )
        register_menu(MENU, order=3)
        for source in TODO_SOURCES:
            register_todo_source(source)
