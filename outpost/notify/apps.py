from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# (name, cron schedule in China time, task).
PERIODIC_JOBS = [
    ("notify_outbound_sweep", "* * * * *", "outpost.notify.tasks.outbound_sweep_task"),
]


class NotifyConfig(AppConfig):
    name = "outpost.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from outpost.core.scheduler import PeriodicJob, register_periodic_job
        from outpost.notify import checks  # noqa: F401  (registers the deployment check)

        for job in PERIODIC_JOBS:
            register_periodic_job(PeriodicJob(*job))
        from outpost.core.privacy import register_processing
        from outpost.notify.privacy import DECLARATIONS as PRIVACY

        register_processing(*PRIVACY)
        from outpost.core.retention import register_retention_kind
        from outpost.notify.retention import RETENTION_KINDS

        for kind in RETENTION_KINDS:
            register_retention_kind(kind)
        from outpost.core.messaging import register_message_senders
        from outpost.core.shell import register_shell_counter
        from outpost.notify.selectors import inbox_unread_count

        # The header's inbox badge (base.html reads `inbox_unread`).
        register_shell_counter("inbox_unread", inbox_unread_count)
        # Core's lockout alerts, password-reset mails and export and import notices go out
        # through notify.
        register_message_senders(
            alert="outpost.notify.services.staff_alert_send",
            email="outpost.notify.services.email_send",
            notice="outpost.notify.services.staff_notice_send",
        )
