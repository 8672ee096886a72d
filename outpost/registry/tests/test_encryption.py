"""Encryption at rest of residents' ID numbers and phones: stored as ciphertext, found by
their blind index, refused with the wrong key, rotated (and a rotation killed with
SIGKILL finished by running it again)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from django.conf import settings
from django.db import connection

from outpost.core.checks import check_encryption_keys
from outpost.core.crypto import cipher, keys
from outpost.core.crypto.keys import KeyConfigurationError, generate_ring_json, parse_ring
from outpost.core.crypto.rotation import raw
from outpost.core.crypto.verify import verify_keys
from outpost.keypersons.models import ContactEntry
from outpost.keypersons.tests.factories import SCOPED_FACTORIES
from outpost.registry.models import Resident, Visit
from outpost.registry.selectors import resident_list
from outpost.registry.tests.factories import VisitFactory, valid_id_number

PROJECT_DIR = Path(__file__).resolve().parents[3]


def _resident(unit, n: int, **fields) -> Resident:
    values = {
        "unit": unit,
        "name": f"加密居民{n}",
        "id_number": valid_id_number(n),
        "phone": f"139{n:08d}",
    }
    values.update(fields)
    return Resident.objects.create(**values)


def test_the_database_holds_ciphertext_and_the_search_still_finds(district, officer_a):
    resident = _resident(district.grid_a1, 7)
    stored_id, stored_phone = (
        Resident.objects.annotate(i=raw("id_number"), p=raw("phone"))
        .values_list("i", "p")
        .get(pk=resident.pk)
    )
    assert resident.id_number not in stored_id and stored_id.startswith("$k1$")
    assert resident.phone not in stored_phone
    # Two residents with one phone: two different ciphertexts, one index value.
    other = _resident(district.grid_a1, 8, phone=resident.phone)
    assert Resident.objects.annotate(p=raw("phone")).get(pk=other.pk).p != stored_phone

    for query in (resident.id_number, resident.phone, resident.phone[-4:], resident.id_number[-4:]):
        assert resident in list(resident_list(user=officer_a, query=query)), query
    assert Resident.objects.get(id_number=resident.id_number) == resident
    assert set(Resident.objects.filter(phone=resident.phone)) == {resident, other}


def test_the_notes_of_visits_and_of_key_person_contacts_are_stored_encrypted(district):
    """Work notes may mention health ("发烧两天"): they are read back as written and stored
    as ciphertext, in the rows and in the visit's change history."""
    note = "户主自述发烧两天，已提醒就医"
    visit = VisitFactory(note=note)
    contact = SCOPED_FACTORIES[ContactEntry](district.grid_a1)
    contact.note = note
    contact.save()
    stored = [
        Visit.objects.annotate(n=raw("note")).values_list("n", flat=True).get(pk=visit.pk),
        *visit.history.annotate(n=raw("note")).values_list("n", flat=True),
        ContactEntry.objects.annotate(n=raw("note")).values_list("n", flat=True).get(pk=contact.pk),
    ]
    assert len(stored) >= 3 and all(value.startswith("$k1$") for value in stored)
    assert not [value for value in stored if "发烧" in value]
    assert (
        Visit.objects.get(pk=visit.pk).note == ContactEntry.objects.get(pk=contact.pk).note == note
    )


def test_a_stored_value_that_does_not_decrypt_is_refused_not_shown(district):
    resident = _resident(district.grid_a1, 9)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_resident SET phone = %s WHERE id = %s",
            ["$k1$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", resident.pk],
        )
    with pytest.raises(cipher.DecryptionError):
        Resident.objects.get(pk=resident.pk)


def test_start_is_refused_without_a_key_in_production(settings):
    settings.PRODUCTION = True
    settings.OUTPOST_DATA_KEYS = ""
    settings.OUTPOST_KEY_FILE = ""
    errors = check_encryption_keys(None)
    assert [e.id for e in errors] == ["outpost.E005"]
    assert "OUTPOST_KEY_FILE" in errors[0].msg


def test_a_key_file_in_the_var_directory_is_refused_in_production(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    key_file = tmp_path / "keys.json"
    key_file.write_text(json.dumps(generate_ring_json()))
    settings.PRODUCTION = True
    settings.OUTPOST_DATA_KEYS = ""
    settings.OUTPOST_KEY_FILE = str(key_file)
    with pytest.raises(KeyConfigurationError, match="inside the var directory"):
        keys.load_ring()


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "not valid JSON"),
        ('{"data_keys": [], "index_keys": []}', "non-empty list"),
        ('{"data_keys": [{"id": "k1", "key": "c2hvcnQ="}], "index_keys": []}', "has 5 bytes"),
    ],
)
def test_a_malformed_key_file_is_refused_with_what_is_wrong(settings, tmp_path, content, message):
    key_file = tmp_path / "keys.json"
    key_file.write_text(content)
    settings.OUTPOST_DATA_KEYS = ""
    settings.OUTPOST_KEY_FILE = str(key_file)
    with pytest.raises(KeyConfigurationError, match=message):
        keys.load_ring()


def test_start_is_refused_with_another_key_and_nothing_is_written(settings, district):
    verify_keys()  # the check values of the test's keys are in the database
    settings.OUTPOST_DATA_KEYS = json.dumps(generate_ring_json())  # same ids, other keys
    errors = check_encryption_keys(None)
    assert [e.id for e in errors] == ["outpost.E005"]
    assert "not the key this database was encrypted with" in errors[0].msg


# ---------------------------------------------------------------------------- rotation


def _child_env(key_file: Path, database_url: str, var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("OUTPOST_DATA_KEYS",)}
    env.update(
        OUTPOST_KEY_FILE=str(key_file),
        DATABASE_URL=database_url,
        OUTPOST_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="outpost.settings",
        PYTHONPATH=str(PROJECT_DIR),
    )
    return env


def _database_url(tmp_path: Path) -> tuple[str, Path | None]:
    """A database the child process can open with the test's rows in it."""
    if connection.vendor == "sqlite":
        copy = tmp_path / "copy.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(copy)])
        return f"sqlite:///{copy}", copy
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return (
        f"postgres://{s.get('USER') or ''}{password}@{s.get('HOST') or '127.0.0.1'}:"
        f"{s.get('PORT') or 5432}/{s['NAME']}",
        None,
    )


def _stored_ids(copy: Path | None) -> list[str]:
    if copy is not None:
        with sqlite3.connect(copy) as db:
            return [r[0] for r in db.execute("SELECT id_number FROM registry_resident")]
    return list(Resident.objects.annotate(i=raw("id_number")).values_list("i", flat=True))


def _read_with(key_file: Path, tokens: list[str]) -> list[str]:
    ring = parse_ring(key_file.read_text(), source="test")
    before = settings.OUTPOST_DATA_KEYS
    settings.OUTPOST_DATA_KEYS = json.dumps(ring.to_json())
    keys.reset()
    try:
        return cipher.decrypt_many(tokens)
    finally:
        settings.OUTPOST_DATA_KEYS = before
        keys.reset()


@pytest.mark.django_db(transaction=True)
def test_a_rotation_killed_mid_way_leaves_every_row_readable_and_finishes_when_run_again(
    district, tmp_path
):
    expected = sorted(valid_id_number(n) for n in range(1, 241))
    Resident.objects.bulk_create(
        Resident(unit=district.grid_a1, name=f"轮换{n}", id_number=valid_id_number(n))
        for n in range(1, 241)
    )
    verify_keys()
    key_file = tmp_path / "keys.json"
    key_file.write_text(json.dumps(keys.ring().to_json()))
    database_url, copy = _database_url(tmp_path)
    env = _child_env(key_file, database_url, tmp_path)
    command = [sys.executable, "manage.py", "keys", "rotate", "--batch-size", "20"]

    child = subprocess.Popen(
        [*command, "--pause", "0.3"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for line in child.stdout:
            if line.startswith("registry.Resident: 60 /"):
                child.send_signal(signal.SIGKILL)
                break
        else:
            pytest.fail("the rotation printed no progress on residents")
    finally:
        child.kill()
        child.wait()

    ring = json.loads(key_file.read_text())
    assert ring["rotating"] and [k["id"] for k in ring["data_keys"]] == ["k2", "k1"]
    stored = _stored_ids(copy)
    under = {cipher.token_key_id(t) for t in stored if t}
    assert under == {"k1", "k2"}  # half-way: some rows under each key
    assert sorted(_read_with(key_file, stored)) == expected  # every one readable

    done = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "registry.Resident: 180 / 180" in done.stdout  # the 60 rotated before are done
    assert not json.loads(key_file.read_text())["rotating"]
    stored = _stored_ids(copy)
    assert {cipher.token_key_id(t) for t in stored if t} == {"k2"}
    assert sorted(_read_with(key_file, stored)) == expected


def test_a_column_of_ciphertexts_decrypts_in_bulk_as_value_by_value():
    """The screening engine's bulk path (`decrypt_column`) reads what `decrypt` reads, under
    every key of the ring, blanks as blanks; a value that is not a ciphertext or fails its
    check raises the same error as `decrypt`, never a silent wrong value."""
    values = [valid_id_number(n) for n in range(1, 50)] + ["13800001111", "", None]
    tokens = [cipher.encrypt(v) if v else v for v in values]
    tokens[3] = cipher.encrypt(values[3], key_id="k1")
    assert cipher.decrypt_column(pa.array(tokens, pa.string())).to_pylist() == [
        v or None for v in values
    ]
    tampered = tokens[5][:-6] + ("A" if tokens[5][-6] != "A" else "B") + tokens[5][-5:]
    for bad in ("110101199003077777", tampered, "$k9$" + tokens[5].split("$")[2]):
        with pytest.raises(cipher.DecryptionError):
            cipher.decrypt(bad)
        with pytest.raises(cipher.DecryptionError):
            cipher.decrypt_column(pa.array([tokens[0], bad], pa.string()))
