from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "outpost.core"
    label = "core"
    verbose_name = _("Organisation and permissions")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from outpost.core import checks  # noqa: F401  (registers the deploy checks)
        from outpost.core.accounts.services import on_login_failed
        from outpost.core.i18n import language_restore_at_login
        from outpost.core.recovery import register_recovery_handler
        from outpost.core.roles import roles_sync_after_migrate

        # Connected after axes's own receiver (axes is the earlier app): the failure is
        # already counted when the per-username alert threshold is looked at.
        user_login_failed.connect(on_login_failed, dispatch_uid="outpost.lockout_alert")
        user_logged_in.connect(language_restore_at_login, dispatch_uid="outpost.language")

        # Role groups need the permissions that exist only after every app has migrated.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="outpost.roles_sync")
        for step in ("inspect", "validate", "commit"):
            register_recovery_handler(
                f"outpost.core.tasks.import_job_{step}_task",
                "outpost.core.imports.services.import_job_interrupted",
            )
