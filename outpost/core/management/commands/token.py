"""``outpost token``: a user's personal API tokens (接口令牌) from the command line.

``outpost token create --user NAME --name "区卫健委数据对接" [--days 90]`` prints the key,
once; ``outpost token list --user NAME``; ``outpost token revoke --user NAME ID``.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from outpost.core import selectors
from outpost.core.management.base import ScopedCommand
from outpost.core.services import API_TOKEN_DEFAULT_DAYS, api_token_create, api_token_revoke


class Command(ScopedCommand):
    help = _("Create, list or revoke a user's personal API tokens.")

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        create = verbs.add_parser("create", help=_("Create a token and print its key once."))
        create.add_argument("--name", required=True, help=_("What the token is for."))
        create.add_argument(
            "--days",
            type=int,
            default=API_TOKEN_DEFAULT_DAYS,
            help=_("Valid for this many days (default 90, at most 365)."),
        )
        verbs.add_parser("list", help=_("List the user's tokens."))
        revoke = verbs.add_parser("revoke", help=_("Revoke one of the user's tokens."))
        revoke.add_argument("token_id", type=int)
        for verb in (create, verbs.choices["list"], revoke):
            verb.add_argument(
                "--user", dest="username", required=True, help=_("The token's owner.")
            )

    def handle(self, *args, verb, username, **options):
        user = self.acting_user(username)
        if verb == "create":
            try:
                token, key = api_token_create(
                    acting_user=user, name=options["name"], expires_in_days=options["days"]
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            self.stdout.write(key)
            self.stderr.write(
                _("Token %(id)d “%(name)s”, valid until %(until)s. The key is shown only now.")
                % {"id": token.pk, "name": token.name, "until": f"{token.expires_at:%Y-%m-%d}"}
            )
        elif verb == "list":
            for token in selectors.api_tokens(user=user):
                state = (
                    _("Revoked")
                    if token.revoked_at
                    else (_("In use") if token.is_usable() else _("Expired"))
                )
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "—"
                until = f"{token.expires_at:%Y-%m-%d}" if token.expires_at else "—"
                self.stdout.write(
                    f"{token.pk}\top_{token.prefix}…\t{token.name}\t{until}\t{used}\t{state}"
                )
        else:
            token = selectors.api_tokens(user=user).filter(pk=options["token_id"]).first()
            if token is None:
                raise CommandError(
                    _("%(user)s has no token %(id)d.")
                    % {"user": user.username, "id": options["token_id"]}
                )
            api_token_revoke(acting_user=user, token=token)
            self.stdout.write(_("Token %(id)d revoked.") % {"id": token.pk})
