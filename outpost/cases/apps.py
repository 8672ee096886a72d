from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The navigation group of the module (打击查处) and its entries:
# (group, label, url name, permission needed).
ENFORCEMENT_CASES = _("Enforcement cases")
MENU = [
    (ENFORCEMENT_CASES, _("Case ledger"), "cases:list", "cases.view_case"),
    (ENFORCEMENT_CASES, _("Seized items"), "cases:item_list", "cases.view_seizeditem"),
    (ENFORCEMENT_CASES, _("Case figures"), "cases:figures", "cases.view_case"),
]


class CasesConfig(AppConfig):
    name = "outpost.cases"
    label = "cases"
    verbose_name = ENFORCEMENT_CASES

    def ready(self) -> None:
        from outpost.cases.exports import EXPORTS
        from outpost.cases.privacy import DECLARATIONS
        from outpost.cases.retention import RETENTION_KINDS
        from outpost.cases.todo import TODO_SOURCES
        from outpost.core.exports.base import register_export
        from outpost.core.privacy import register_processing
        from outpost.core.retention import register_retention_kind
        from outpost.core.shell import register_menu, register_todo_source

        register_processing(*DECLARATIONS)
        for kind in RETENTION_KINDS:
            register_retention_kind(kind)
        register_menu(MENU, order=10)
        for source in TODO_SOURCES:
            register_todo_source(source)
        for export in EXPORTS:
            register_export(export)
