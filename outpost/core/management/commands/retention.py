"""``outpost retention purge [--dry-run]`` and ``outpost retention verify``: the retention
purge on demand (the scheduler runs it nightly), and the check of the purge certificates'
hash chain (non-zero exit when it is broken)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.retention.chain import chain_verify
from outpost.core.retention.selectors import kind_label
from outpost.core.retention.services import BATCH_SIZE, retention_purge


class Command(BaseCommand):
    help = _("Purge the records whose retention period has ended, or verify the certificates.")

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        purge = verbs.add_parser("purge", help=_("Delete or anonymise what is due."))
        purge.add_argument(
            "--dry-run", action="store_true", help=_("Count what is due; change nothing.")
        )
        purge.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        verbs.add_parser("verify", help=_("Verify the chain of purge certificates."))

    def handle(self, *args, verb, **options):
        if verb == "verify":
            return self._verify()
        return self._purge(dry_run=options["dry_run"], batch_size=options["batch_size"])

    def _purge(self, *, dry_run: bool, batch_size: int) -> None:
        if batch_size < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        summary = retention_purge(now=timezone.now(), dry_run=dry_run, batch_size=batch_size)
        for key, entry in sorted(summary.counts.items()):
            self.stdout.write(
                _("%(kind)s: %(count)d %(action)s")
                % {
                    "kind": kind_label(key),
                    "count": entry["count"],
                    "action": _("to delete") if entry["action"] == "delete" else _("to anonymise"),
                }
                if dry_run
                else _("%(kind)s: %(count)d %(action)s")
                % {
                    "kind": kind_label(key),
                    "count": entry["count"],
                    "action": _("deleted") if entry["action"] == "delete" else _("anonymised"),
                }
            )
        for key, entry in sorted(summary.held.items()):
            self.stdout.write(
                _("%(kind)s: %(count)d kept under legal hold")
                % {"kind": kind_label(key), "count": entry["count"]}
            )
        if summary.certificate is not None:
            self.stdout.write(
                _("Certificate #%(number)d, hash %(hash)s")
                % {"number": summary.certificate.sequence, "hash": summary.certificate.record_hash}
            )

    def _verify(self) -> None:
        check = chain_verify()
        if not check.ok:
            raise CommandError(
                _("Chain broken at #%(number)d: %(problem)s")
                % {"number": check.broken_at, "problem": check.problem}
            )
        message = _("Chain verified: %(count)d certificates.") % {"count": check.checked}
        if check.in_progress:
            message += " " + _("#%(number)d in progress.") % {"number": check.in_progress}
        self.stdout.write(message)
