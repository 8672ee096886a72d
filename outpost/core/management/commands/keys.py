"""`outpost keys generate FILE | check | rotate`: the keys of encryption at rest."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from outpost.core.crypto import keys, rotation, verify
from outpost.core.crypto.keys import KeyConfigurationError


class Command(BaseCommand):
    help = "Encryption keys: generate a key file, check the keys, or rotate them."
    requires_system_checks = []  # the keys are what this command checks and repairs

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser("generate", help="write a new key file (never overwrites)")
        generate.add_argument("file")
        sub.add_parser("check", help="check the keys against the database")
        rotate = sub.add_parser(
            "rotate",
            help="add new keys and re-encrypt every row (run again to finish an interrupted one)",
        )
        rotate.add_argument("--batch-size", type=int, default=rotation.DEFAULT_BATCH)
        rotate.add_argument("--pause", type=float, default=0.0, help="seconds between batches")

    def handle(self, *args, action, **options):
        try:
            if action == "generate":
                self._generate(Path(options["file"]))
            elif action == "check":
                ring = verify.verify_keys()
                self.stdout.write(
                    f"Keys OK ({ring.source}): data key {ring.current_data_id}, "
                    f"index key {ring.current_index_id}"
                    + (
                        " — a rotation is unfinished: run `outpost keys rotate`."
                        if ring.rotating
                        else ""
                    )
                )
            else:
                self._rotate(options["batch_size"], options["pause"])
        except KeyConfigurationError as exc:
            raise CommandError(str(exc)) from None

    def _generate(self, path: Path) -> None:
        if path.exists():
            raise CommandError(f"{path} exists: a key file is never overwritten.")
        keys.write_key_file(path, keys.generate_ring_json())
        self.stdout.write(f"Wrote {path} (mode 0600). Keep a copy apart from the backups.")

    def _rotate(self, batch_size: int, pause: float) -> None:
        was = keys.ring().rotating

        def progress(label, done, total):
            self.stdout.write(f"{label}: {done:,} / {total:,}", ending="\n")
            self.stdout.flush()

        if was:
            self.stdout.write("Finishing the rotation that was interrupted.")
        counts = rotation.rotate(batch_size=batch_size, progress=progress, pause=pause)
        ring = keys.ring()
        self.stdout.write(
            f"Rotation done: {sum(counts.values()):,} rows now under data key "
            f"{ring.current_data_id} and index key {ring.current_index_id}. The old keys stay "
            "in the key file for older backups."
        )
