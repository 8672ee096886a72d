"""Key rotation (`outpost keys rotate`) and the encryption of rows written before
encryption at rest (the data migrations).

Rotation first writes the key file with a new data key and a new index key in front (the
old ones stay: they read what is not re-encrypted yet, and old backups), marked
``rotating``; then re-encrypts and re-indexes, model by model, the rows whose ciphertext
or index value is not under the current key, in batches of one transaction each, printing
progress. Every ciphertext names its key, so a rotation killed at any moment (even
``kill -9``) has left each row under the old key or the new one, both in the ring, and
running the command again finishes the rows left; only then is ``rotating`` cleared.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.apps import apps as global_apps
from django.db import models, transaction
from django.db.models import ExpressionWrapper, F, Q

from outpost.core.crypto import cipher, keys, verify
from outpost.core.crypto.fields import BlindIndexField, derived_fields, encrypted_fields
from outpost.core.crypto.keys import KeyConfigurationError

DEFAULT_BATCH = 1000


def raw(field_name: str) -> ExpressionWrapper:
    """The stored text of an encrypted column, not decrypted (ciphertext)."""
    return ExpressionWrapper(F(field_name), output_field=models.TextField())


def encrypted_models(app_registry=global_apps) -> list[type[models.Model]]:
    return [m for m in app_registry.get_models() if encrypted_fields(m) or derived_fields(m)]


def _next_id(prefix: str, ids) -> str:
    numbers = [int(i[1:]) for i in ids if i.startswith(prefix) and i[1:].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def start_rotation(ring: keys.KeyRing) -> keys.KeyRing:
    """Put a new data key and a new index key in front in the key file (atomically)."""
    if ring.path is None:
        raise KeyConfigurationError(
            "Rotation writes the key file, but the keys come from OUTPOST_DATA_KEYS. Put "
            "them in a file (OUTPOST_KEY_FILE) for the rotation, then back if you wish."
        )
    content = ring.to_json()
    data_id = _next_id("k", [k for k, _ in ring.data_keys])
    index_id = _next_id("i", [k for k, _ in ring.index_keys])
    content["data_keys"].insert(0, {"id": data_id, "key": _b64(keys.new_key())})
    content["index_keys"].insert(0, {"id": index_id, "key": _b64(keys.new_key())})
    content["rotating"] = True
    keys.write_key_file(ring.path, content)
    keys.reset()
    new = keys.ring()
    verify.record_check_values(new)
    return new


def _b64(key: bytes) -> str:
    import base64

    return base64.b64encode(key).decode()


def finish_rotation(ring: keys.KeyRing) -> None:
    content = ring.to_json()
    content["rotating"] = False
    keys.write_key_file(ring.path, content)
    keys.reset()


def _pending(model, ring: keys.KeyRing) -> tuple[dict, Q]:
    """Annotations and condition of the rows not entirely under the current keys."""
    annotations, condition = {}, Q()
    data_prefix = f"{cipher.PREFIX}{ring.current_data_id}{cipher.PREFIX}"
    for field in encrypted_fields(model):
        alias = f"_raw_{field.attname}"
        annotations[alias] = raw(field.attname)
        condition |= ~Q(**{alias: ""}) & ~Q(**{f"{alias}__startswith": data_prefix})
    index_prefix = f"{ring.current_index_id}."
    for field in derived_fields(model):
        if isinstance(field, BlindIndexField):
            condition |= ~Q(**{field.attname: ""}) & ~Q(
                **{f"{field.attname}__startswith": index_prefix}
            )
    return annotations, condition


def reencrypt_model(
    model,
    ring: keys.KeyRing,
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[str, int, int], None] | None = None,
    pause: float = 0.0,
) -> int:
    """Re-encrypt and re-index the rows of ``model`` not under the current keys; the
    number of rows rewritten."""
    annotations, condition = _pending(model, ring)
    if not condition:
        return 0
    manager = model._base_manager
    pending = manager.annotate(**annotations).filter(condition)
    total = pending.count()
    if not total:
        return 0
    label = model._meta.label
    fields = [f.attname for f in encrypted_fields(model)] + [
        f.attname for f in derived_fields(model)
    ]
    sources = [f.attname for f in encrypted_fields(model)] + [
        model._meta.get_field(f.source).attname for f in derived_fields(model)
    ]
    pk = model._meta.pk.attname
    done, last = 0, None
    while True:
        batch = pending.order_by(pk)
        if last is not None:
            batch = batch.filter(**{f"{pk}__gt": last})
        pks = list(batch.values_list(pk, flat=True)[:batch_size])
        if not pks:
            break
        with transaction.atomic():
            rows = list(manager.filter(**{f"{pk}__in": pks}).only(pk, *set(sources)))
            manager.bulk_update(rows, fields, batch_size=batch_size)
        done += len(rows)
        last = pks[-1]
        if progress:
            progress(label, done, total)
        if pause:
            time.sleep(pause)
    return done


def rotate(
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[str, int, int], None] | None = None,
    pause: float = 0.0,
) -> dict[str, int]:
    """Rotate the keys (or finish a rotation that was interrupted); rows per model."""
    ring = verify.verify_keys()
    if not ring.rotating:
        ring = start_rotation(ring)
    counts = {}
    for model in encrypted_models():
        counts[model._meta.label] = reencrypt_model(
            model, ring, batch_size=batch_size, progress=progress, pause=pause
        )
    finish_rotation(ring)
    return counts


def encrypt_existing(apps, app_label: str, model_names, *, batch_size: int = DEFAULT_BATCH):
    """For a data migration: encrypt the plain values of the given models (and their
    historical models) and fill their derived columns, in batches. Values already
    encrypted are read and written back, so the migration may run again safely."""
    verify.verify_keys(write=True)
    for name in model_names:
        for model_name in (name, f"Historical{name}"):
            try:
                model = apps.get_model(app_label, model_name)
            except LookupError:
                continue
            _encrypt_model(model, batch_size)


def _encrypt_model(model, batch_size: int) -> None:
    enc = encrypted_fields(model)
    derived = derived_fields(model)
    pk = model._meta.pk.attname
    manager = model._base_manager
    annotations = {f"_raw_{f.attname}": raw(f.attname) for f in enc}
    last = None
    while True:
        rows = manager.order_by(pk).annotate(**annotations)
        if last is not None:
            rows = rows.filter(**{f"{pk}__gt": last})
        values = list(rows.values_list(pk, *annotations)[:batch_size])
        if not values:
            break
        objs = []
        for row in values:
            obj = model(**{pk: row[0]})
            for field, stored in zip(enc, row[1:], strict=True):
                setattr(obj, field.attname, _plain(field, stored))
            objs.append(obj)
        with transaction.atomic():
            manager.bulk_update(objs, [f.attname for f in enc + derived], batch_size=batch_size)
        last = values[-1][0]


def _plain(field, stored):
    if stored is None:
        return None
    stored = str(stored)
    if cipher.is_token(stored):
        return field.from_text(cipher.decrypt(stored))
    return field.from_text(stored)
