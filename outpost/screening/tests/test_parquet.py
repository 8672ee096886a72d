"""A run's residents and feed rows exported to Parquet for the engine: decrypted a column at
a time, in batches, into a private directory removed when the run ends."""

import datetime
import stat

import pyarrow.parquet as pq
import pytest

from outpost.registry.models import Resident
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory
from outpost.screening.models import FeedRow
from outpost.screening.services import parquet
from outpost.screening.services.parquet import (
    feed_rows_to_parquet,
    private_workdir,
    residents_present,
    residents_to_parquet,
)
from outpost.screening.tests.factories import FeedFactory, FeedRowFactory

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


def test_feed_rows_are_written_in_clear_in_the_order_of_their_feeds(
    district, monkeypatch, tmp_path
):
    monkeypatch.setattr(parquet, "EXPORT_BATCH", 2)
    first, second = FeedFactory(unit=district.station), FeedFactory(unit=district.station)
    made = [
        FeedRowFactory(feed=second, row_number=2, name="李娜", id_number="", phone="139 0000 0000"),
        FeedRowFactory(feed=first, row_number=3, name="张伟", phone=""),
        FeedRowFactory(feed=first, row_number=2, name="王芳"),
    ]
    path = tmp_path / "feed.parquet"
    rows = FeedRow.objects.filter(feed__in=[first, second])
    assert feed_rows_to_parquet(rows, path) == 3
    written = pq.read_table(path).to_pylist()
    order = [made[2], made[1], made[0]] if first.pk < second.pk else [made[0], made[2], made[1]]
    assert [row["row_id"] for row in written] == [row.pk for row in order]
    for row, stored in zip(written, order, strict=True):
        assert row["name"] == stored.name
        assert (row["id_number"] or "") == stored.id_number
        assert (row["phone"] or "") == stored.phone  # as the feed gave it: the engine normalises


def test_the_run_directory_is_private_and_removed_even_when_the_run_fails():
    with pytest.raises(RuntimeError), private_workdir() as workdir:
        (workdir / "residents.parquet").write_text("IDs in clear")
        assert stat.S_IMODE(workdir.stat().st_mode) == 0o700
        raise RuntimeError("the engine failed")
    assert not workdir.exists()
