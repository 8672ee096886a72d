from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    """Field work without a signal (离线外勤): the installable web app of the field pages,
    the field copy kept on the phone, and the records a phone sends when the signal
    returns."""

    name = "outpost.fieldwork"
    label = "fieldwork"
    verbose_name = _("Offline field work")  # 离线外勤

    def ready(self) -> None:
        from outpost.core.shell import register_todo_source
        from outpost.fieldwork.todo import TODO_SOURCES

        for source in TODO_SOURCES:
            register_todo_source(source)
