"""What requests and the donations ledger register in the enterprises app's ``ready()``:
the processing register, retention kinds, holdings, the ledger export, the menu entries and
the home to-do lines."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from outpost.core.choices import Role

# The enterprises module's menu group (企业平安之家) and this part's entries:
# (group, label, url name, permission needed[, roles whose phone bottom bar shows it]).
ENTERPRISES = _("Enterprise Safe Home")
MENU = [
    (
        ENTERPRISES,
        _("Requests"),
        "supplies:request_list",
        "enterprises.view_enterpriserequest",
        {Role.ENTERPRISE_LIAISON, Role.POLICE_OFFICER},
    ),
    (
        ENTERPRISES,
        _("File a request"),
        "supplies:request_new",
        "enterprises.add_enterpriserequest",
        {Role.ENTERPRISE_LIAISON},
    ),
    (ENTERPRISES, _("Supplies store"), "supplies:store", "enterprises.view_stock"),
    (ENTERPRISES, _("Supplies ledger"), "supplies:ledger", "enterprises.view_ledgerline"),
    (ENTERPRISES, _("Donors"), "supplies:donor_list", "enterprises.view_donor"),
]


def supplies_ready() -> None:
    from outpost.core.exports.base import register_export
    from outpost.core.privacy import register_processing
    from outpost.core.retention import register_retention_kind
    from outpost.core.shell import register_menu, register_todo_source
    from outpost.core.subject_requests.holdings import register_person_holdings
    from outpost.enterprises.supplies.exports import EXPORTS
    from outpost.enterprises.supplies.holdings import HOLDINGS
    from outpost.enterprises.supplies.privacy import DECLARATIONS
    from outpost.enterprises.supplies.retention import RETENTION_KINDS
    from outpost.enterprises.supplies.todo import TODO_SOURCES

    register_processing(*DECLARATIONS)
    for kind in RETENTION_KINDS:
        register_retention_kind(kind)
    register_person_holdings(HOLDINGS)
    for definition in EXPORTS:
        register_export(definition)
    register_menu(MENU, order=7.2)
    for source in TODO_SOURCES:
        register_todo_source(source)
