"""`outpost user`: manage logins from the command line, as an administrator would on the
Users page, with the same checks and the same account log.

    outpost user create LOGIN --name NAME --unit CODE --role ROLE [--role ROLE] [--phone P]
                        [--email E] [--user ADMIN]
    outpost user reset-password LOGIN [--user ADMIN]
    outpost user deactivate LOGIN [--user ADMIN]
    outpost user set-role LOGIN --role ROLE [--role ROLE] [--user ADMIN]
    outpost user unlock LOGIN [--user ADMIN]

``--user`` names the acting administrator (default: the only superuser). Create and
reset-password print a temporary password once.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser
from django.http import Http404
from django.utils.translation import gettext as _

from outpost.core.accounts import selectors, services
from outpost.core.choices import Role
from outpost.core.management.base import ScopedCommand


class Command(ScopedCommand):
    help = _("Create, deactivate, reset the password of, set the roles of or unlock a login.")

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, parser_class=CommandParser)

        def verb(name: str, help_text: str) -> CommandParser:
            sub = verbs.add_parser(name, help=help_text)
            sub.add_argument("login", help=_("Username of the login to act on."))
            sub.add_argument(
                "--user",
                dest="username",
                default="",
                help=_("Act as this administrator (default: the only superuser)."),
            )
            return sub

        create = verb("create", _("Create a login and print its temporary password."))
        create.add_argument("--name", required=True, help=_("Display name."))
        create.add_argument("--unit", dest="unit_code", required=True, help=_("Unit code."))
        create.add_argument("--phone", default="")
        create.add_argument("--email", default="")
        for sub in (create, verb("set-role", _("Give the login exactly these roles."))):
            sub.add_argument(
                "--role",
                dest="roles",
                action="append",
                required=True,
                choices=Role.values,
                help=_("A role; repeat for several."),
            )
        verb("reset-password", _("Give the login a new temporary password and print it."))
        verb("deactivate", _("Stop the login from logging in."))
        verb("unlock", _("Clear the login's lockouts from every address."))

    def handle(self, *args, verb: str, login: str, username: str, **options):
        acting = self.acting_user(username)
        try:
            if verb == "create":
                unit = self.acting_unit(acting, options["unit_code"])
                account, password = services.user_create(
                    acting_user=acting,
                    username=login,
                    display_name=options["name"],
                    unit=unit,
                    roles=options["roles"],
                    phone=options["phone"],
                    email=options["email"],
                )
                self.stdout.write(_("Created %(login)s.") % {"login": account.username})
                self._password(password)
                return
            account = selectors.get_manageable_user(
                user=acting, pk=self._pk(acting, login), action="change"
            )
            if verb == "reset-password":
                self._password(services.user_password_reset(acting_user=acting, user=account))
            elif verb == "deactivate":
                services.user_deactivate(acting_user=acting, user=account)
                self.stdout.write(_("Deactivated %(login)s.") % {"login": login})
            elif verb == "set-role":
                services.user_roles_set(acting_user=acting, user=account, roles=options["roles"])
                self.stdout.write(_("Roles of %(login)s set.") % {"login": login})
            elif verb == "unlock":
                cleared = services.lockout_clear(acting_user=acting, user=account)
                self.stdout.write(
                    _("Cleared %(n)d lockout records of %(login)s.")
                    % {"n": cleared, "login": login}
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except (PermissionDenied, Http404) as exc:
            raise CommandError(
                _("No login “%(login)s” within the jurisdiction of %(user)s.")
                % {"login": login, "user": acting.username}
            ) from exc

    @staticmethod
    def _pk(acting, login: str):
        account = selectors.manageable_users(user=acting, action="change").filter(username=login)
        found = account.values_list("pk", flat=True).first()
        if found is None:
            raise Http404
        return found

    def _password(self, password: str) -> None:
        self.stdout.write(
            _("Temporary password (shown once; change it after logging in): %(password)s")
            % {"password": password}
        )
