from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The navigation group of the module, and its entries:
# (group, label, url name, permission needed[, roles whose phone bottom bar shows it]).
QA = _("Q&A")  # 网上答疑
MENU = [
    (QA, _("Questions to answer"), "inquiries:queue", "inquiries.view_question"),
    (QA, _("Log a question"), "inquiries:log", "inquiries.add_question"),
    (QA, _("FAQ"), "inquiries:faq_list", "inquiries.view_faqentry"),
    (QA, _("Public links"), "inquiries:links", "inquiries.add_question"),
]


class InquiriesConfig(AppConfig):
    name = "outpost.inquiries"
    label = "inquiries"
    verbose_name = QA

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from outpost.core.privacy import register_processing
        from outpost.core.retention import register_retention_kind
        from outpost.core.shell import register_menu, register_todo_source
        from outpost.enterprises.notices.models import Notice
        from outpost.inquiries.privacy import DECLARATIONS
        from outpost.inquiries.retention import RETENTION_KINDS
        from outpost.inquiries.services import on_notice_saved
        from outpost.inquiries.todo import TODO_SOURCES

        register_processing(*DECLARATIONS)
        for kind in RETENTION_KINDS:
            register_retention_kind(kind)
        register_menu(MENU, order=8)
        for source in TODO_SOURCES:
            register_todo_source(source)
        # A notice's new version makes the FAQ entries citing the old one stale; the
        # enterprises app knows nothing of the questions.
        post_save.connect(on_notice_saved, sender=Notice, dispatch_uid="inquiries_notice_saved")
