from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import Role

# The navigation group of the module, and its entries:
# (group, label, url name, permission needed[, roles whose phone bottom bar shows it]).
ENTERPRISE_SAFE_HOME = _("Enterprise Safe Home")  # 企业平安之家
MENU = [
    (
        ENTERPRISE_SAFE_HOME,
        _("My enterprise"),
        "enterprises:mine",
        "enterprises.act_for_enterprise",
        {Role.ENTERPRISE_LIAISON},
    ),
    (ENTERPRISE_SAFE_HOME, _("Enterprises"), "enterprises:list", "enterprises.view_enterprise"),
]


class EnterprisesConfig(AppConfig):
    name = "outpost.enterprises"
    label = "enterprises"
    verbose_name = ENTERPRISE_SAFE_HOME

    def ready(self) -> None:
        from outpost.core.privacy import register_processing
        from outpost.core.retention import register_retention_kind
        from outpost.core.shell import register_menu
        from outpost.core.subject_requests.holdings import register_person_holdings
        from outpost.enterprises.holdings import HOLDINGS
        from outpost.enterprises.privacy import DECLARATIONS
        from outpost.enterprises.retention import RETENTION_KINDS

        register_processing(*DECLARATIONS)
        for kind in RETENTION_KINDS:
            register_retention_kind(kind)
        register_person_holdings(HOLDINGS)
        register_menu(MENU, order=7)
        from outpost.enterprises.apps_dormitories import dormitories_ready

        dormitories_ready()
        from outpost.enterprises.setup_employees import register as employees_ready

        employees_ready()
        from outpost.enterprises.supplies.ready import supplies_ready

        supplies_ready()  # requests (诉求), donations and their ledger
        from outpost.enterprises.notices.hooks import ready as notices_ready

        notices_ready()
