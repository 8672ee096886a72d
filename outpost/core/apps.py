from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import Role

# Core's menu entries: (group, label, url name, permission needed[, roles whose phone
# bottom bar shows it]). "Home" has no group:
# it stands before the groups; the apps add theirs between it and Admin.
ADMIN = _("Admin")
# The roles whose phone bottom bar shows an entry (see `shell.MenuEntry.primary_for`).
EVERY_ROLE = {"*"}
ADMINISTRATOR = {Role.ADMINISTRATOR}
# People's requests (个人信息权利请求): officers and administrators.
PRIVACY = _("Personal information")
MENU_HOME = [(None, _("Home"), "home", None, EVERY_ROLE)]
MENU = [
    (PRIVACY, _("People's requests"), "core:subject_request_list", "core.view_subjectrequest"),
    (ADMIN, _("Units"), "core:unit_list", None, ADMINISTRATOR),
    (ADMIN, _("Access log"), "core:access_log", "core.view_accesslog", ADMINISTRATOR),
    (ADMIN, _("Processing register"), "core:processing_register", "core.view_accesslog"),
    (ADMIN, _("Imports"), "core:import_list", "core.add_importjob", ADMINISTRATOR),
    (ADMIN, _("Users"), "core:user_list", "core.view_staffprofile", ADMINISTRATOR),
    (ADMIN, _("Lockouts"), "core:lockout_list", "core.change_staffprofile"),
    (ADMIN, _("API tokens"), "core:api_tokens", None),
    (ADMIN, _("Retention"), "core:retention_policies", "core.view_retentionpolicy"),
    (ADMIN, _("Legal holds"), "core:legal_holds", "core.view_legalhold"),
]


class CoreConfig(AppConfig):
    name = "outpost.core"
    label = "core"
    verbose_name = _("Organisation and permissions")

    def ready(self) -> None:
        from outpost.core.privacy import register_processing
        from outpost.core.privacy_declarations import DECLARATIONS as PRIVACY

        register_processing(*PRIVACY)
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from outpost.core import checks  # noqa: F401  (registers the deploy checks)
        from outpost.core.accounts.services import on_login_failed
        from outpost.core.i18n import language_restore_at_login
        from outpost.core.imports.todo import TODO_SOURCES
        from outpost.core.recovery import register_recovery_handler
        from outpost.core.roles import roles_sync_after_migrate
        from outpost.core.scheduler import PeriodicJob, register_periodic_job
        from outpost.core.shell import register_menu, register_todo_source

        # Connected after axes's own receiver (axes is the earlier app): the failure is
        # already counted when the per-username alert threshold is looked at.
        user_login_failed.connect(on_login_failed, dispatch_uid="outpost.lockout_alert")
        user_logged_in.connect(language_restore_at_login, dispatch_uid="outpost.language")

        # Role groups need the permissions that exist only after every app has migrated.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="outpost.roles_sync")
        for step in ("inspect", "validate", "commit"):
            register_recovery_handler(
                f"outpost.core.tasks.import_job_{step}_task",
                "outpost.core.imports.steps.import_job_interrupted",
            )
        from outpost.core.access_log import AccessLogExport
        from outpost.core.exports.base import register_export
        from outpost.core.privacy import ProcessingRegisterExport

        register_export(AccessLogExport())
        register_export(ProcessingRegisterExport())
        from outpost.core.subject_requests.exports import PersonHoldingsExport
        from outpost.core.subject_requests.todo import TODO_SOURCES as REQUEST_TODO_SOURCES

        register_export(PersonHoldingsExport())
        for source in REQUEST_TODO_SOURCES:
            register_todo_source(source)
        register_menu(MENU_HOME, order=0)
        register_menu(MENU, order=90)
        for source in TODO_SOURCES:
            register_todo_source(source)
        register_periodic_job(PeriodicJob("prune", "0 3 * * *", "outpost.core.tasks.prune_task"))
        register_periodic_job(
            PeriodicJob("retention_purge", "30 2 * * *", "outpost.core.tasks.retention_purge_task")
        )
        from outpost.core.retention import register_retention_kind
        from outpost.core.retention.kinds import RETENTION_KINDS

        for kind in RETENTION_KINDS:
            register_retention_kind(kind)
        register_periodic_job(
            PeriodicJob(
                "planner_statistics", "17 * * * *", "outpost.core.tasks.planner_statistics_task"
            )
        )
