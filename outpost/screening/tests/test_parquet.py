"""A run's residents exported to Parquet for the engine: decrypted a column at a time, in
batches, into a private directory removed when the run ends."""

import datetime
import stat

import pyarrow.parquet as pq
import pytest

from outpost.registry.models import Resident
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory
from outpost.screening.services import parquet
from outpost.screening.services.parquet import (
    private_workdir,
    residents_present,
    residents_to_parquet,
)

pytestmark = pytest.mark.django_db


def test_residents_are_written_in_clear_a_batch_at_a_time(district, monkeypatch, tmp_path):
    monkeypatch.setattr(parquet, "EXPORT_BATCH", 2)  # three batches, the last one short
    household = HouseholdFactory(unit=district.grid_a1)
    made = [
        ResidentFactory(household=household, name="张伟", phone="13812345678"),
        ResidentFactory(household=household, name="李娜", phone=""),
        ResidentFactory(household=household, name="王芳", id_number="", birth_date=None),
        ResidentFactory(household=household, name="买买提·艾力"),
        ResidentFactory(household=household, name="赵六", birth_date=datetime.date(1990, 5, 5)),
    ]
    path = tmp_path / "residents.parquet"
    assert residents_to_parquet(Resident.objects.filter(household=household), path) == 5
    written = pq.read_table(path)
    assert written.num_rows == 5 and pq.ParquetFile(path).metadata.num_row_groups == 3
    rows = {row["resident_id"]: row for row in written.to_pylist()}
    for resident in made:
        row = rows[resident.pk]
        assert row["name"] == resident.name
        assert (row["id_number"] or "") == resident.id_number  # not the stored ciphertext
        assert (row["phone"] or "") == resident.phone
        assert row["birth_date"] == resident.birth_date
    assert rows[made[0].pk]["phone"] == "13812345678"
    assert residents_present(path, {made[1].pk, made[3].pk, 10**9}) == {made[1].pk, made[3].pk}
    assert residents_present(path, set()) == set()


def test_the_run_directory_is_private_and_removed_even_when_the_run_fails():
    with pytest.raises(RuntimeError), private_workdir() as workdir:
        (workdir / "residents.parquet").write_text("IDs in clear")
        assert stat.S_IMODE(workdir.stat().st_mode) == 0o700
        raise RuntimeError("the engine failed")
    assert not workdir.exists()
