"""`outpost keys generate FILE | check | rotate`: the keys of encryption at rest."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from outpost.core.crypto import keys, rotation, verify
from outpost.core.crypto.keys import KeyConfigurationError


class Command(BaseCommand):
    help = _("Encryption keys: write a new key file, check the keys, or rotate them.")
    requires_system_checks = []  # the keys are what this command checks and repairs

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser("generate", help=_("write a new key file (never over one)"))
        generate.add_argument("file")
        sub.add_parser("check", help=_("check the keys against the database"))
        rotate = sub.add_parser(
            "rotate",
            help=_("add new keys and re-encrypt every row (again: finish an interrupted one)"),
        )
        rotate.add_argument("--batch-size", type=int, default=rotation.DEFAULT_BATCH)
        rotate.add_argument("--pause", type=float, default=0.0, help=_("seconds between batches"))

    def handle(self, *args, action, **options):
        try:
            if action == "generate":
                self._generate(Path(options["file"]))
            elif action == "check":
                self._check()
            else:
                self._rotate(options["batch_size"], options["pause"])
        except KeyConfigurationError as exc:
            raise CommandError(str(exc)) from None

    def _generate(self, path: Path) -> None:
        if path.exists():
            raise CommandError(
                _("%(file)s exists: a key file is never overwritten.") % {"file": path}
            )
        keys.write_key_file(path, keys.generate_ring_json())
        self.stdout.write(
            _("Wrote %(file)s (mode 0600). Keep a copy apart from the backups.") % {"file": path}
        )

    def _check(self) -> None:
        ring = verify.verify_keys()
        self.stdout.write(
            _("Keys OK: data key %(data)s, index key %(index)s.")
            % {"data": ring.current_data_id, "index": ring.current_index_id}
        )
        if ring.rotating:
            self.stdout.write(_("A rotation is unfinished: run `outpost keys rotate` again."))

    def _rotate(self, batch_size: int, pause: float) -> None:
        def progress(label, done, total):
            self.stdout.write(f"{label}: {done:,} / {total:,}")
            self.stdout.flush()

        if keys.ring().rotating:
            self.stdout.write(_("Finishing the rotation that was interrupted."))
        counts = rotation.rotate(batch_size=batch_size, progress=progress, pause=pause)
        ring = keys.ring()
        self.stdout.write(
            _(
                "Rotation done: %(rows)s rows under data key %(data)s and index key %(index)s. "
                "The old keys stay in the key file for older backups."
            )
            % {
                "rows": f"{sum(counts.values()):,}",
                "data": ring.current_data_id,
                "index": ring.current_index_id,
            }
        )
