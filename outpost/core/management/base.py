"""The base of management commands that act as a user within a unit (STYLE rule 4).

``--user USERNAME`` names the acting user (default: the only active superuser, if there is
exactly one); ``--unit CODE`` the unit to act in (default: the user's own unit). The unit
must lie within the user's jurisdiction; both lookups fail with a `CommandError`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from outpost.core.models import Unit
from outpost.core.scoping import user_scope_unit


class ScopedCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--user",
            dest="username",
            default="",
            help=_("Act as this user (default: the only superuser)."),
        )
        parser.add_argument(
            "--unit",
            dest="unit_code",
            default="",
            help=_("Code of the unit to act in (default: the user's unit)."),
        )

    def acting_user(self, username: str):
        users = get_user_model().objects.filter(is_active=True)
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(_("No active user “%(name)s”.") % {"name": username})
            return user
        superusers = list(users.filter(is_superuser=True)[:2])
        if len(superusers) != 1:
            raise CommandError(_("Name the acting user with --user USERNAME."))
        return superusers[0]

    def acting_unit(self, user, code: str) -> Unit:
        if code:
            unit = Unit.objects.visible_to(user).filter(code=code).first()
            if unit is None:
                raise CommandError(
                    _("No unit with code “%(code)s” within the jurisdiction of %(user)s.")
                    % {"code": code, "user": user.username}
                )
            return unit
        unit = user_scope_unit(user)
        if unit is None:
            roots = list(Unit.objects.visible_to(user).filter(parent=None)[:2])
            if len(roots) != 1:
                raise CommandError(_("Name the unit with --unit CODE."))
            unit = roots[0]
        return unit
