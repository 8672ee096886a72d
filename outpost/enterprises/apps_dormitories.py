"""What the dormitory coordination registers from ``EnterprisesConfig.ready()``: its
processing-register entries, retention kind, holdings, menu entries and to-do lines."""

from django.utils.translation import gettext_lazy as _

from outpost.core.choices import Role

# The menu group of the enterprise module (企业平安之家), shared with its other parts.
ENTERPRISES = _("Enterprise Safe Home")
MENU = [
    (
        ENTERPRISES,
        _("Dormitory offers"),
        "dormitories:offer_list",
        "enterprises.view_dormitoryoffer",
        {Role.ENTERPRISE_LIAISON},
    ),
    (
        ENTERPRISES,
        _("Dormitory requests"),
        "dormitories:request_list",
        "enterprises.view_dormitoryrequest",
    ),
    (ENTERPRISES, _("Dormitory guests"), "dormitories:stay_list", "enterprises.view_dormitorystay"),
]


def dormitories_ready() -> None:
    from outpost.core.privacy import register_processing
    from outpost.core.retention import register_retention_kind
    from outpost.core.shell import register_menu, register_todo_source
    from outpost.core.subject_requests.holdings import register_person_holdings
    from outpost.enterprises.holdings_dormitories import HOLDINGS
    from outpost.enterprises.privacy_dormitories import DECLARATIONS
    from outpost.enterprises.retention_dormitories import RETENTION_KINDS
    from outpost.enterprises.todo_dormitories import TODO_SOURCES

    register_processing(*DECLARATIONS)
    for kind in RETENTION_KINDS:
        register_retention_kind(kind)
    register_person_holdings(HOLDINGS)
    register_menu(MENU, order=7.4)
    for source in TODO_SOURCES:
        register_todo_source(source)
