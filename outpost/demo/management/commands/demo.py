"""`outpost demo`: build the demo district (演示辖区) and its last days of activity into an
empty database.

Prints the counts, the time taken, one line per kind of login and the shared password,
and saves the logins and password to ``<VAR_DIR>/demo-logins.txt`` (mode 600) so that
``outpost demo --if-empty`` (run by ``./dev start``) can show them again later.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from outpost.core.database import planner_statistics_refresh
from outpost.core.models import Unit
from outpost.demo.activity import build_demo_activity
from outpost.demo.district import DemoDistrictError, DemoSummary, build_demo_district

LOGINS_FILE_NAME = "demo-logins.txt"

# Short pinyin words from around Dalian; three of them and three digits make a password
# that is easy to read out and type (about 28 bits; good enough for a demo).
PASSWORD_WORDS = (
    "haibin binhai xinghai laohutan bangchui fujiazhuang heishijiao lingshui "
    "chunliu malan xinggong zhongshan xigang jinzhou lushun changhai "
    "haiou haiyang haiwan haidao shatan chaoxi langhua fanchuan "
    "yinghua huaishu qiuye chunfeng xiayu dongxue baiyun lanti "
    "dengta matou gangkou yuchuan chuanzhang shuishou yuwang beike "
    "pingguo caomei yingtao putao boluo xigua lizi taozi "
    "xiongmao songshu baige xique hudie qingting yanzi tianer"
).split()


def memorable_password() -> str:
    words = [secrets.choice(PASSWORD_WORDS) for _n in range(3)]
    return "-".join(words) + f"-{secrets.randbelow(900) + 100}"


def logins_file() -> Path:
    return Path(settings.VAR_DIR) / LOGINS_FILE_NAME


def logins_text(summary: DemoSummary, password: str) -> str:
    lines = [
        _("Outpost demo district: logins"),
        *summary.login_lines(),
        _("Password (the same for every demo login): %(password)s") % {"password": password},
    ]
    return "\n".join(lines) + "\n"


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by the owner only (the file holds a password)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(0o600)


class Command(BaseCommand):
    help = _(
        "Build the demo district (a station like Harbin Road, Dalian, early 2020) into an "
        "empty database and print its logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help=_("Share of the full-size district's households and residents (default 1.0)."),
        )
        parser.add_argument("--seed", type=int, default=2020, help=_("Random seed (default 2020)."))
        parser.add_argument(
            "--password",
            default="",
            help=_("Password for every demo login (default: a new random one)."),
        )
        parser.add_argument(
            "--days",
            type=int,
            default=14,
            help=_(
                "Days of activity up to today: arrivals, key persons, observation (default 14)."
            ),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_(
                "Build only when the database holds no units; otherwise print the saved "
                "logins and do nothing."
            ),
        )

    def handle(
        self, *args, scale: float, seed: int, password: str, if_empty: bool, days: int, **options
    ):
        if settings.PRODUCTION:
            # Every demo login shares one password, printed here: a demo's convenience only.
            raise CommandError(
                _(
                    "The demo district is neither built nor shown in production mode: its "
                    "logins share one printed password."
                )
            )
        if Unit.objects.exists():
            if not if_empty:
                raise CommandError(
                    _(
                        "The database already holds units; the demo district is only built "
                        "into an empty database."
                    )
                )
            path = logins_file()
            if path.exists():
                self.stdout.write(path.read_text(encoding="utf-8"), ending="")
            else:
                self.stdout.write(_("The database already holds data; no demo district built."))
            return
        if scale <= 0:
            raise CommandError(_("--scale must be greater than 0."))
        if days < 1:
            raise CommandError(_("--days must be at least 1."))

        password = password or memorable_password()
        self.stdout.write(
            _("Building the demo district (scale %(scale)s, seed %(seed)s)…")
            % {
                "scale": scale,
                "seed": seed,
            }
        )
        started = time.monotonic()
        # One transaction: a failure while writing the activity leaves an empty database,
        # so that `--if-empty` builds it all again rather than keeping half a demo.
        try:
            with transaction.atomic():
                summary = build_demo_district(scale=scale, seed=seed, password=password)
                elapsed = time.monotonic() - started
                self.stdout.write("\n".join(summary.count_lines()))
                self.stdout.write(
                    self.style.SUCCESS(
                        _("Demo district built in %(seconds).1f s (%(rows)s rows).")
                        % {"seconds": elapsed, "rows": f"{summary.rows_written:,}"}
                    )
                )
                self.stdout.write(_("Writing the last %(days)d days of activity…") % {"days": days})
                started = time.monotonic()
                activity = build_demo_activity(seed=seed, days=days)
        except DemoDistrictError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(activity.line())
        self.stdout.write(activity.fieldwork_line())
        self.stdout.write(
            self.style.SUCCESS(
                _("Activity written in %(seconds).1f s (%(rows)s rows).")
                % {"seconds": time.monotonic() - started, "rows": f"{activity.rows_written:,}"}
            )
        )

        planner_statistics_refresh()  # the tables went from empty to full
        text = logins_text(summary, password)
        path = logins_file()
        write_private(path, text)
        self.stdout.write("")
        self.stdout.write(text, ending="")
        self.stdout.write(_("Logins saved to %(path)s") % {"path": path})
