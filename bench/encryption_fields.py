"""Encrypted model fields compared (issue 16 item 1): encrypt and decrypt the demo district's
116,782 resident ID numbers through each candidate's own field (``get_db_prep_save`` and
``from_db_value``, the calls the ORM makes per value), in a fresh child process each.
Also: the stored size of one ID, and what reading a value under another key does.

Candidates other than ours are not dependencies; install each into a directory of its own
(two of them ship a package of the same name) and name it on the command line:

    .venv/bin/pip install --no-deps --target /tmp/cand_fernet django-fernet-encrypted-fields==0.4.0
    .venv/bin/pip install --no-deps --target /tmp/cand_emf django-encrypted-model-fields==0.6.5
    .venv/bin/pip install --no-deps --target /tmp/cand_search django-searchable-encrypted-fields==0.2.1 pycryptodome
    .venv/bin/python bench/encryption_fields.py --fernet /tmp/cand_fernet --emf /tmp/cand_emf \\
        --searchable /tmp/cand_search
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))


def _ids() -> list[str]:
    from outpost.demo.district import plan_demo_district

    plan = plan_demo_district(scale=1.0, seed=2020)
    return [r.id_number for r in plan.residents if r.id_number]


def _field(candidate: str, settings):
    if candidate == "ours":
        from outpost.core.crypto import keys
        from outpost.core.crypto.fields import EncryptedCharField

        settings.OUTPOST_DATA_KEYS = json.dumps(keys.generate_ring_json())
        keys.reset()
        return EncryptedCharField(max_length=18)
    if candidate == "fernet":
        from encrypted_fields.fields import EncryptedCharField

        return EncryptedCharField(max_length=18)
    if candidate == "emf":
        from encrypted_model_fields import fields

        fields.CRYPTER = fields.get_crypter()
        return fields.EncryptedCharField(max_length=18)
    from encrypted_fields.fields import EncryptedCharField

    return EncryptedCharField(max_length=18)


def _other_key(candidate: str, settings) -> None:
    """Switch the candidate to another key (as a start with the wrong key file would)."""
    if candidate == "ours":
        from outpost.core.crypto import keys

        settings.OUTPOST_DATA_KEYS = json.dumps(keys.generate_ring_json())
        keys.reset()
    elif candidate == "fernet":
        settings.SALT_KEY = "another-salt"
    elif candidate == "emf":
        settings.FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()
    else:
        settings.FIELD_ENCRYPTION_KEYS = [os.urandom(32).hex()]


def run(candidate: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outpost.settings")
    os.environ.setdefault("OUTPOST_VAR_DIR", tempfile.gettempdir())
    import django
    from django.conf import settings

    django.setup()
    settings.SALT_KEY = "bench-salt"
    settings.FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()
    settings.FIELD_ENCRYPTION_KEYS = [os.urandom(32).hex()]
    from django.db import connection

    ids = _ids()
    field = _field(candidate, settings)
    started = time.perf_counter()
    stored = [field.get_db_prep_save(v, connection) for v in ids]
    encrypt = time.perf_counter() - started
    started = time.perf_counter()
    if candidate == "ours":
        from outpost.core.crypto.cipher import decrypt_many

        read = decrypt_many(stored)
        bulk = time.perf_counter() - started
        started = time.perf_counter()
    read = [field.from_db_value(v, None, connection) for v in stored]
    decrypt = time.perf_counter() - started
    assert read == ids
    _other_key(candidate, settings)
    field = _field(candidate, settings) if candidate != "ours" else field
    try:
        shown = field.from_db_value(stored[0], None, connection)
        wrong_key = "returns the ciphertext" if shown == stored[0] else f"returns {shown!r}"
    except Exception as exc:  # what each library raises is the finding
        wrong_key = f"raises {type(exc).__name__}"
    size = (
        len(stored[0]) if not isinstance(stored[0], bytes | memoryview) else len(bytes(stored[0]))
    )
    result = {
        "values": len(ids),
        "encrypt": encrypt,
        "decrypt": decrypt,
        "size": size,
        "wrong_key": wrong_key,
    }
    if candidate == "ours":
        result["decrypt_bulk"] = bulk
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fernet", help="directory with django-fernet-encrypted-fields")
    parser.add_argument("--emf", help="directory with django-encrypted-model-fields")
    parser.add_argument("--searchable", help="directory with django-searchable-encrypted-fields")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run(args.run)))
        return
    candidates = [("ours", None)] + [
        (name, path)
        for name, path in (
            ("fernet", args.fernet),
            ("emf", args.emf),
            ("searchable", args.searchable),
        )
        if path
    ]
    print(f"{'candidate':12} {'encrypt':>9} {'decrypt':>9} {'µs/value':>9} {'bytes':>6}  wrong key")
    for name, path in candidates:
        env = dict(os.environ)
        if path:
            env["PYTHONPATH"] = os.pathsep.join([path, str(PROJECT_DIR)])
        out = subprocess.run(
            [sys.executable, __file__, "--run", name],
            check=True,
            capture_output=True,
            text=True,
            cwd=PROJECT_DIR,
            env=env,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        per = r["decrypt"] / r["values"] * 1e6
        print(
            f"{name:12} {r['encrypt']:8.2f}s {r['decrypt']:8.2f}s {per:9.2f} {r['size']:6}  "
            f"{r['wrong_key']}"
        )
        if "decrypt_bulk" in r:
            print(
                f"{'  (bulk)':12} {'':9} {r['decrypt_bulk']:8.2f}s "
                f"{r['decrypt_bulk'] / r['values'] * 1e6:9.2f}   decrypt_many, the engine's path"
            )


if __name__ == "__main__":
    main()
