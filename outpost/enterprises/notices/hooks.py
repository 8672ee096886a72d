"""What the notices register with the project, called from the enterprises app's
``ready()``: processing declarations, retention, menu entries, home to-do lines and the
escalation job."""

from django.utils.translation import gettext_lazy as _

from outpost.core.choices import Role

# The menu group of the enterprises module (企业平安之家) and the notices' entries:
# (group, label, url name, permission needed[, roles whose phone bottom bar shows it]).
ENTERPRISES = _("Enterprise Safe Home")
MENU = [
    (
        ENTERPRISES,
        _("Notices"),
        "enterprise_notices:list",
        "enterprises.view_notice",
        {Role.ENTERPRISE_LIAISON},
    ),
    (
        ENTERPRISES,
        _("Notice calls to make"),
        "enterprise_notices:calls",
        "enterprises.change_noticereceipt",
    ),
]
# (name, cron schedule in China time, task).
PERIODIC_JOBS = [
    ("notices_escalate", "*/5 * * * *", "outpost.enterprises.notices.tasks.notices_escalate_task")
]


def ready() -> None:
    from outpost.core.privacy import register_processing
    from outpost.core.retention import register_retention_kind
    from outpost.core.scheduler import PeriodicJob, register_periodic_job
    from outpost.core.shell import register_menu, register_todo_source
    from outpost.enterprises.notices.privacy import DECLARATIONS
    from outpost.enterprises.notices.retention import RETENTION_KINDS
    from outpost.enterprises.notices.todo import TODO_SOURCES

    register_processing(*DECLARATIONS)
    for kind in RETENTION_KINDS:
        register_retention_kind(kind)
    register_menu(MENU, order=7.1)
    for source in TODO_SOURCES:
        register_todo_source(source)
    for job in PERIODIC_JOBS:
        register_periodic_job(PeriodicJob(*job))
    _panel_register()


def _panel_register() -> None:
    """The notices' panel on the enterprise's page, once the page's panel registry
    (`outpost.enterprises.panels`, on the foundation's branch) is there."""
    try:
        from outpost.enterprises.panels import register_enterprise_panel
    except ImportError:
        return
    from outpost.enterprises.notices.panel import PANEL_TEMPLATE, notices_panel

    register_enterprise_panel(PANEL_TEMPLATE, notices_panel, order=10)
