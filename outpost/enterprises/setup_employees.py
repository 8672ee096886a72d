"""What the employees' daily tests register with core (called from ``EnterprisesConfig.ready``):
their processing declarations, retention kinds, holdings, importers, menu entry and to-do
lines."""

from django.utils.translation import gettext_lazy as _

from outpost.core.choices import Role

ENTERPRISE_SAFE_HOME = _("Enterprise Safe Home")
MENU = [
    (
        ENTERPRISE_SAFE_HOME,
        _("Employee tests"),
        "enterprise_tests:unreported",
        "enterprises.view_dailytestreport",
        {Role.ENTERPRISE_LIAISON},
    ),
]


def register() -> None:
    from outpost.core.privacy import register_processing
    from outpost.core.retention import register_retention_kind
    from outpost.core.shell import register_menu, register_todo_source
    from outpost.core.subject_requests.holdings import register_person_holdings
    from outpost.enterprises import imports_employees  # noqa: F401  (registers the importers)
    from outpost.enterprises.holdings_employees import HOLDINGS
    from outpost.enterprises.privacy_employees import DECLARATIONS
    from outpost.enterprises.retention_employees import RETENTION_KINDS
    from outpost.enterprises.todo_employees import TODO_SOURCES

    register_processing(*DECLARATIONS)
    for kind in RETENTION_KINDS:
        register_retention_kind(kind)
    register_person_holdings(HOLDINGS)
    register_menu(MENU, order=7.6)
    for source in TODO_SOURCES:
        register_todo_source(source)
