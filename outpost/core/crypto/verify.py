"""Is this key ring the one the database was written with? (密钥校验)

Each key's check value (``core.KeyCheck``: a known text encrypted with a data key, or
indexed with an index key) is written when the key is first used with the database. A
start reads them back: a key that does not decrypt its check value, or a database written
with keys the ring does not hold at all, refuses the start with a message saying which
key, before anything is read or written with the wrong one.
"""

from __future__ import annotations

from django.db import DatabaseError, transaction

from outpost.core.crypto import cipher, keys
from outpost.core.crypto.keys import KeyConfigurationError

CHECK_TEXT = "outpost-key-check"


def _wrong(key_id: str, ring: keys.KeyRing) -> KeyConfigurationError:
    return KeyConfigurationError(
        f"The key {key_id!r} ({ring.source}) is not the key this database was encrypted "
        "with (its check value does not match): with it nothing could be read, and what "
        "is written would be lost. Restore the key file this database was written with "
        "(OUTPOST_KEY_FILE, or var/keys.json outside production)."
    )


def check_rows(ring: keys.KeyRing, rows) -> None:
    """Raise ``KeyConfigurationError`` unless every check row of a key the ring holds
    matches, and the current keys are known to the database (or it has no check rows)."""
    known = {row.key_id: row for row in rows}
    for row in known.values():
        if row.kind == "data" and ring.data_key(row.key_id) is not None:
            try:
                ok = cipher.decrypt(row.value) == CHECK_TEXT
            except cipher.DecryptionError:
                ok = False
            if not ok:
                raise _wrong(row.key_id, ring)
        elif row.kind == "index" and ring.index_key(row.key_id) is not None:
            if cipher.index_value(CHECK_TEXT, key_id=row.key_id) != row.value:
                raise _wrong(row.key_id, ring)
    current = (ring.current_data_id, ring.current_index_id)
    if known and not all(key_id in known for key_id in current):
        held = {k for k, _ in ring.data_keys} | {k for k, _ in ring.index_keys}
        if not held & known.keys():
            raise KeyConfigurationError(
                f"This database was encrypted with the keys {', '.join(sorted(known))}, "
                f"which the key ring does not hold ({ring.source} holds "
                f"{', '.join(sorted(held))}). "
                "Restore the key file this database was written with."
            )


def verify_keys(*, write: bool = True) -> keys.KeyRing:
    """Load the key ring and hold it to the database's check values; with ``write``, add
    the check values of keys the database does not know yet (a new database, a rotation).
    Raises ``KeyConfigurationError``; a database without the table yet is not checked."""
    from outpost.core.models import KeyCheck

    ring = keys.ring()
    try:
        rows = list(KeyCheck.objects.all())
    except DatabaseError:  # not migrated yet: migrate writes the check values
        return ring
    check_rows(ring, rows)
    if write:
        record_check_values(ring, known={row.key_id for row in rows})
    return ring


def record_check_values(ring: keys.KeyRing, *, known: set[str] | None = None) -> None:
    from outpost.core.models import KeyCheck

    if known is None:
        known = set(KeyCheck.objects.values_list("key_id", flat=True))
    new = [
        KeyCheck(key_id=key_id, kind="data", value=cipher.encrypt(CHECK_TEXT, key_id=key_id))
        for key_id, _ in ring.data_keys
        if key_id not in known
    ] + [
        KeyCheck(key_id=key_id, kind="index", value=cipher.index_value(CHECK_TEXT, key_id=key_id))
        for key_id, _ in ring.index_keys
        if key_id not in known
    ]
    if new:
        with transaction.atomic():
            KeyCheck.objects.bulk_create(new, ignore_conflicts=True)
