"""Encryption at rest, seen from outside: the database of a demo district, read as a file
(SQLite) or as a dump (`pg_dump`) without the key, shows no ID number, phone or
temperature, while the application reads them all."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess

import pytest
from django.db import connection
from django.utils import timezone

from outpost.core.models import StaffProfile
from outpost.demo.activity import build_demo_activity
from outpost.demo.district import build_demo_district
from outpost.dispatch.models import DispatchItem
from outpost.keypersons.models import KeyPerson
from outpost.observation.models import CheckIn
from outpost.registry.models import Household, Landlord, Resident
from outpost.screening.models import FeedRow

NOW = timezone.make_aware(datetime.datetime(2026, 2, 10, 15, 0))


def _secrets() -> dict[str, set[str]]:
    """What must not be readable in the dump, as the application reads it (decrypted)."""
    numbers = set()
    phones = set()
    for model, fields in (
        (Resident, ("id_number", "document_number", "phone")),
        (Landlord, ("id_number", "phone")),
        (Household, ("phone",)),
        (KeyPerson, ("id_number", "phone")),
        (DispatchItem, ("id_number", "phone")),
        (FeedRow, ("id_number", "phone")),
        (StaffProfile, ("phone",)),
    ):
        for row in model.objects.values_list(*fields):
            for field, value in zip(fields, row, strict=True):
                if value and len(value) >= 7:
                    (phones if field == "phone" else numbers).add(value)
    # A body temperature written as text (37.3 … 41.0) reads like other figures; the
    # fevers with their unit and the exact feverish readings are what must not show.
    temperatures = {f"{t} °C" for t in CheckIn.objects.values_list("temperature", flat=True)} | {
        str(t) for t in CheckIn.objects.values_list("temperature", flat=True) if t >= 38
    }
    return {"ID number": numbers, "phone": phones, "temperature": temperatures}


def _dump_bytes(tmp_path) -> bytes:
    if connection.vendor == "sqlite":
        target = tmp_path / "copy.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(target)])
        return target.read_bytes()
    pg_dump = shutil.which("pg_dump")
    if not pg_dump:
        pytest.skip("pg_dump is not installed")
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = [pg_dump, "--no-owner", "-h", settings.get("HOST") or "127.0.0.1"]
    if settings.get("PORT"):
        command += ["-p", str(settings["PORT"])]
    if settings.get("USER"):
        command += ["-U", settings["USER"]]
    command.append(settings["NAME"])
    return subprocess.run(command, check=True, capture_output=True, env=env).stdout


@pytest.mark.django_db(transaction=True)
def test_a_dump_of_the_demo_shows_no_id_phone_or_temperature(tmp_path):
    build_demo_district(scale=0.01, seed=2020, password="demo-test-password-1")
    build_demo_activity(days=3, key_persons=40, now=NOW)
    secrets = _secrets()
    assert len(secrets["ID number"]) > 500 and len(secrets["phone"]) > 500
    assert secrets["temperature"]
    assert FeedRow.objects.exists() and DispatchItem.objects.exists()

    dump = _dump_bytes(tmp_path)

    assert len(dump) > 100_000
    assert Resident.objects.order_by("pk").first().name.encode() in dump  # names are kept clear
    for what, values in secrets.items():
        shown = sorted(v for v in values if v.encode() in dump)
        assert not shown, f"{what} readable in the dump: {shown[:5]}"
