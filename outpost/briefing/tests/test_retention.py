"""Retention across the apps: what an anonymising purge keeps (the figures of past days and
the rows behind them), what it blanks (names, links, notes, readings, and the same in the
change history), what a legal hold keeps, and that anonymised records' pages still open
for every role."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from outpost.briefing.figures import figure_by_key
from outpost.briefing.reports import day_figures, figure_rows_of_day
from outpost.briefing.services import snapshots_take
from outpost.core.choices import Role
from outpost.core.models import AnonymisedRecord, LegalHold
from outpost.core.retention.services import retention_purge
from outpost.core.tests.factories import staff_user
from outpost.dispatch.choices import ItemResult
from outpost.dispatch.tests.factories import DispatchItemFactory, DispatchOrderFactory
from outpost.keypersons.choices import KeyPersonStatus
from outpost.keypersons.models import ContactEntry, KeyPerson
from outpost.keypersons.tests.factories import ContactEntryFactory, key_person_in
from outpost.observation.choices import AlertOutcome, AlertStatus, EndReason, EpisodeStatus
from outpost.observation.models import Alert, CheckIn, Episode
from outpost.observation.tests.factories import AlertFactory, CheckInFactory, EpisodeFactory

LONG_AGO = timezone.localdate() - datetime.timedelta(days=400)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _released_person(grid, *, day=LONG_AGO):
    """A key person released on `day` after 14 days of home isolation with readings, a fever
    alert transferred to a fever clinic, and a contact note."""
    key_person = key_person_in(
        grid,
        status=KeyPersonStatus.RELEASED,
        identified_on=day - datetime.timedelta(days=14),
        managed_from=day - datetime.timedelta(days=14),
        closed_on=day,
        closed_reason="观察期满，解除管控",
        source_note="王五举报",
    )
    episode = EpisodeFactory(
        key_person=key_person,
        start_date=day - datetime.timedelta(days=13),
        planned_end_date=day,
        status=EpisodeStatus.ENDED,
        ended_on=day,
        end_reason=EndReason.COMPLETED,
        end_note="家属张三陪同",
    )
    reading = CheckInFactory(
        episode=episode, taken_at=_at(day, 8), temperature=Decimal("38.2"), note="咳嗽"
    )
    AlertFactory(
        episode=episode,
        check_in=reading,
        raised_at=_at(day, 8),
        status=AlertStatus.RESOLVED,
        outcome=AlertOutcome.FEVER_CLINIC,
        transfer_place="市第三医院",
        transferred_at=_at(day, 9),
        resolved_at=_at(day, 9),
        note="由李四送医",
    )
    worker = User.objects.get_or_create(username="contact-worker")[0]
    ContactEntryFactory(key_person=key_person, worker=worker, note="电话号码13812345678已核实")
    return key_person, episode


@pytest.fixture
def released(district):
    return _released_person(district.grid_a1)


def test_anonymising_blanks_the_person_and_keeps_the_rows(released):
    key_person, episode = released
    resident = key_person.resident

    summary = retention_purge()

    key_person.refresh_from_db()
    episode.refresh_from_db()
    alert = Alert.objects.get(episode=episode)
    assert key_person.resident_id is None and key_person.name == "已匿名"
    assert key_person.closed_reason == "已匿名" and key_person.source_note == ""
    assert key_person.status == KeyPersonStatus.RELEASED  # what figures count stays
    assert episode.end_note == "" and episode.ended_on == LONG_AGO
    assert not CheckIn.objects.filter(episode=episode).exists()
    assert (alert.note, alert.transfer_place, alert.check_in_id) == ("", "已匿名", None)
    assert alert.outcome == AlertOutcome.FEVER_CLINIC
    assert ContactEntry.objects.get(key_person=key_person).note == ""
    assert summary.counts["keypersons.keyperson"]["count"] == 1
    assert summary.counts["observation.episode"]["count"] == 1
    assert summary.counts["observation.episode"]["from"] == LONG_AGO.isoformat()
    # The change history keeps none of it either.
    assert not key_person.history.filter(resident=resident).exists()
    assert not key_person.history.filter(closed_reason="观察期满，解除管控").exists()
    # Notes are encrypted at rest (not searchable): read every version.
    assert "家属张三陪同" not in [version.end_note for version in episode.history.all()]
    assert "由李四送医" not in [version.note for version in Alert.history.all()]
    assert not CheckIn.history.filter(episode_id=episode.pk).exists()


def test_an_anonymised_number_cannot_be_found_by_its_blind_index(released):
    key_person, _episode = released
    key_person.id_number = "110101199003077777"
    key_person.save(update_fields=["id_number"])
    assert KeyPerson.objects.filter(id_number="110101199003077777").exists()

    retention_purge()

    key_person.refresh_from_db()
    assert key_person.id_number == "" and key_person.id_number_index == ""
    assert not KeyPerson.objects.filter(id_number="110101199003077777").exists()
    assert not KeyPerson.history.filter(id_number="110101199003077777").exists()


def test_a_second_purge_finds_nothing_more(released):
    retention_purge()
    summary = retention_purge()
    assert summary.counts.get("keypersons.keyperson", {}).get("count", 0) == 0
    assert AnonymisedRecord.objects.filter(kind="keypersons.keyperson").count() == 1


def test_a_record_not_yet_due_is_kept(district):
    recent = timezone.localdate() - datetime.timedelta(days=30)
    key_person, episode = _released_person(district.grid_a1, day=recent)
    retention_purge()
    key_person.refresh_from_db()
    assert key_person.resident_id is not None
    assert CheckIn.objects.filter(episode=episode).exists()


def test_past_figures_and_their_rows_stay_after_a_purge(district, released):
    snapshots_take(day=LONG_AGO, now=_at(LONG_AGO + datetime.timedelta(days=1), 1))
    station = district.station
    keys = ("observation_released", "alerts_raised", "transfers")
    before = {line.figure.key: line.value for line in _lines(station)}
    frozen_before = {key: _rows_kept(station, key) for key in keys}

    retention_purge()

    after = {line.figure.key: line.value for line in _lines(station)}
    assert after == before
    assert before["observation_released"] == 1 and before["alerts_raised"] == 1
    assert {key: _rows_kept(station, key) for key in keys} == frozen_before


def _lines(unit):
    return [line for group in day_figures(unit=unit, day=LONG_AGO).groups for line in group.lines]


def _rows_kept(unit, key):
    figure = figure_by_key(key)
    rows = figure_rows_of_day(figure=figure, unit=unit, day=LONG_AGO)
    frozen = rows.frozen or []
    # (rows the figure counted, of those still there): anonymised rows are not deleted.
    return len(frozen), rows.query.model._base_manager.filter(pk__in=frozen).count()


def test_records_under_a_legal_hold_are_skipped_and_listed(district, admin_user, client):
    key_person, episode = _released_person(district.grid_a1)
    other, _other_episode = _released_person(district.grid_a2)
    hold = LegalHold.objects.create(
        model_label="registry.Resident",
        object_id=key_person.resident_id,
        unit=district.grid_a1,
        case_reference="2027-刑-042",
        reason="在办案件",
        opened_by=admin_user,
    )

    summary = retention_purge()

    key_person.refresh_from_db()
    other.refresh_from_db()
    assert key_person.resident_id is not None  # held
    assert CheckIn.objects.filter(episode=episode).exists()
    assert other.resident_id is None  # not held
    certificate = summary.certificate
    assert certificate.held["keypersons.keyperson"] == {"count": 1, "holds": [hold.pk]}
    assert certificate.held["observation.episode"] == {"count": 1, "holds": [hold.pk]}
    client.force_login(admin_user)
    page = client.get(reverse("core:purge_certificate", args=[certificate.pk])).content.decode()
    assert "2027-刑-042" in page
    assert key_person.get_absolute_url() not in page  # counts and holds, not whose records
    holds_page = client.get(reverse("core:legal_holds")).content.decode()
    assert key_person.resident.get_absolute_url() in holds_page

    hold.released_at = timezone.now()
    hold.save()
    retention_purge()
    key_person.refresh_from_db()
    assert key_person.resident_id is None


def test_dispatch_items_are_anonymised_with_the_orders_workbook(district, settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path
    order = DispatchOrderFactory(unit=district.station, deadline=_at(LONG_AGO, 18))
    order.file.save("order.xlsx", ContentFile(b"xlsx"), save=True)
    item = DispatchItemFactory(
        order=order,
        unit=district.grid_a1,
        result=ItemResult.MOVED_AWAY,
        moved_to="沈阳市和平区某小区",
        result_note="本人电话确认",
    )
    name = order.file.name

    retention_purge()

    item.refresh_from_db()
    order.refresh_from_db()
    assert (item.name, item.id_number, item.phone, item.resident_id) == ("已匿名", "", "", None)
    assert (item.values, item.moved_to, item.result_note) == ([], "已匿名", "")
    assert item.result == ItemResult.MOVED_AWAY
    assert not default_storage.exists(name) and order.file.name == ""


ROLES_AT = {
    Role.STATION_LEADER: "station",
    Role.POLICE_OFFICER: "community_a",
    Role.AUXILIARY_POLICE: "community_a",
    Role.COMMUNITY_CADRE: "community_a",
    Role.GRID_WORKER: "grid_a1",
    Role.MEDICAL_STAFF: "community_a",
    Role.ANALYST: "station",
    Role.ENTERPRISE_LIAISON: "community_a",
    Role.ADMINISTRATOR: "station",
}


@pytest.mark.parametrize("role", list(ROLES_AT))
def test_anonymised_pages_open_for_every_role(client, district, released, role):
    key_person, episode = released
    item = DispatchItemFactory(
        order=DispatchOrderFactory(unit=district.station, deadline=_at(LONG_AGO, 18)),
        unit=district.grid_a1,
    )
    retention_purge()
    user = staff_user(role=role, unit=getattr(district, ROLES_AT[role]), username=f"u-{role}")
    client.force_login(user)
    pages = [
        key_person.get_absolute_url(),
        episode.get_absolute_url(),
        reverse("observation:alert_detail", args=[Alert.objects.get(episode=episode).pk]),
        item.get_absolute_url(),
        reverse("keypersons:list"),
        reverse("observation:episode_list"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        if response.status_code == 200 and url == key_person.get_absolute_url():
            content = response.content.decode()
            assert "已匿名" in content
            assert KeyPerson.objects.get(pk=key_person.pk).name == "已匿名"
            assert "retention-due" in content


def test_a_record_page_says_when_it_is_due(client, district, admin_user):
    recent = timezone.localdate() - datetime.timedelta(days=10)
    key_person, episode = _released_person(district.grid_a1, day=recent)
    client.force_login(admin_user)
    page = client.get(episode.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    due = (recent + datetime.timedelta(days=180)).isoformat()
    assert due in page.content.decode()
    page = client.get(key_person.get_absolute_url()).content.decode()
    assert (recent + datetime.timedelta(days=365)).isoformat() in page


def test_an_open_episode_is_never_due(district):
    key_person = key_person_in(district.grid_a1, status=KeyPersonStatus.UNDER_MANAGEMENT)
    episode = EpisodeFactory(key_person=key_person, start_date=LONG_AGO)
    retention_purge()
    assert not AnonymisedRecord.objects.filter(kind="observation.episode").exists()
    assert Episode.objects.get(pk=episode.pk).status == EpisodeStatus.ACTIVE
