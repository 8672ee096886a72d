from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "outpost.enterprises"
    label = "enterprises"
    verbose_name = _("Enterprise Safe Home")  # 企业平安之家

    def ready(self) -> None:
        from outpost.core.privacy import register_processing
        from outpost.core.retention import register_retention_kind
        from outpost.core.subject_requests.holdings import register_person_holdings
        from outpost.enterprises.holdings import HOLDINGS
        from outpost.enterprises.privacy import DECLARATIONS
        from outpost.enterprises.retention import RETENTION_KINDS

        register_processing(*DECLARATIONS)
        for kind in RETENTION_KINDS:
            register_retention_kind(kind)
        register_person_holdings(HOLDINGS)
        from outpost.enterprises.notices.hooks import ready as notices_ready

        notices_ready()
