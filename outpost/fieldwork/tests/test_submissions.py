"""Records recorded offline and sent later: each stored exactly once by its key, in order,
with its recorded time; every refusal has a reason, per record; the same services as the
online forms."""

import datetime
import json
import uuid

import pytest
from django.utils import timezone

from outpost.core.audit import save_audited
from outpost.fieldwork.choices import SubmissionFlag
from outpost.fieldwork.models import FieldSubmission
from outpost.keypersons.choices import KeyPersonStatus
from outpost.keypersons.models import ContactEntry
from outpost.registry.models import Visit
from outpost.registry.selectors import campaign_progress
from outpost.registry.tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/fieldwork/submissions"


def china(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).isoformat()


def visit(grid, household, *, at, key=None, outcome="completed", note=""):
    members = [
        {"resident_id": r.pk, "presence": "present", "health_status": "healthy"}
        for r in household.members.all()
    ]
    return {
        "key": str(key or uuid.uuid4()),
        "kind": "visit",
        "recorded_at": china(at),
        "body": {
            "household_id": household.pk,
            "campaign_id": grid.campaign.pk,
            "outcome": outcome,
            "note": note,
            "members": members if outcome == "completed" else [],
        },
    }


def contact(key_person, *, at, key=None):
    return {
        "key": str(key or uuid.uuid4()),
        "kind": "contact",
        "recorded_at": china(at),
        "body": {"key_person_id": key_person.pk, "channel": "door_visit", "outcome": "reached"},
    }


def send(client, records, *, sent_at=None):
    body = {"records": records}
    if sent_at is not None:
        body["sent_at"] = china(sent_at)
    return client.post(URL, json.dumps(body), content_type="application/json")


def test_three_visits_and_a_contact_sent_twice_are_stored_once_with_their_recorded_times(
    client, grid
):
    client.force_login(grid.worker)
    earlier = timezone.now() - datetime.timedelta(minutes=40)
    records = [
        visit(grid, h, at=earlier + datetime.timedelta(minutes=i))
        for i, h in enumerate(grid.households)
    ]
    records.append(contact(grid.key_person, at=earlier + datetime.timedelta(minutes=5)))

    first = send(client, records)
    assert first.status_code == 200
    outcomes = first.json()["outcomes"]
    assert [o["status"] for o in outcomes] == ["stored"] * 4
    again = send(client, records).json()["outcomes"]
    assert [o["status"] for o in again] == ["replayed"] * 4
    assert [o["record_id"] for o in again] == [o["record_id"] for o in outcomes]

    assert Visit.objects.count() == 3
    assert ContactEntry.objects.count() == 1
    stored = Visit.objects.get(household=grid.households[1])
    assert stored.visited_at == earlier + datetime.timedelta(minutes=1)
    assert ContactEntry.objects.get().contacted_at == earlier + datetime.timedelta(minutes=5)
    assert FieldSubmission.objects.count() == 4


def test_the_same_key_with_a_changed_body_is_refused_and_changes_nothing(client, grid):
    client.force_login(grid.worker)
    at = timezone.now() - datetime.timedelta(minutes=5)
    key = uuid.uuid4()
    send(client, [visit(grid, grid.households[0], at=at, key=key, note="第一次")])
    changed = send(client, [visit(grid, grid.households[0], at=at, key=key, note="改过的")])
    outcome = changed.json()["outcomes"][0]
    assert (outcome["status"], outcome["code"]) == ("conflict", 409)
    assert "此编号下已保存了另一条内容不同的记录" in outcome["detail"]
    assert Visit.objects.get().note == "第一次"


def test_a_recorded_time_in_the_future_is_refused_naming_the_field(client, grid):
    client.force_login(grid.worker)
    future = timezone.now() + datetime.timedelta(hours=2)
    outcome = send(client, [visit(grid, grid.households[0], at=future)]).json()["outcomes"][0]
    assert (outcome["status"], outcome["code"]) == ("refused", 422)
    assert outcome["errors"][0]["field"] == "recorded_at"
    assert not Visit.objects.exists()
    assert not FieldSubmission.objects.exists()


def test_a_phone_clock_an_hour_fast_is_noted_and_its_times_put_right(client, grid):
    client.force_login(grid.worker)
    now = timezone.now()
    phone = now + datetime.timedelta(hours=1)  # what the phone believes
    answer = send(
        client,
        [visit(grid, grid.households[0], at=phone - datetime.timedelta(minutes=10))],
        sent_at=phone,
    ).json()
    assert answer["outcomes"][0]["status"] == "stored"
    assert 3590 <= answer["clock_offset_seconds"] <= 3600
    assert "偏差 60 分钟" in answer["clock_note"]
    stored = Visit.objects.get()
    assert abs(stored.visited_at - (now - datetime.timedelta(minutes=10))) < datetime.timedelta(
        seconds=10
    )
    assert 3590 <= FieldSubmission.objects.get().clock_offset_seconds <= 3600


def test_a_phone_clock_centuries_off_is_refused_naming_its_clock_not_a_server_error(client, grid):
    client.force_login(grid.worker)
    record = visit(grid, grid.households[0], at=timezone.now())
    record["recorded_at"] = "0001-01-02T00:00:00+08:00"
    body = {"sent_at": "2733-06-30T07:24:06+08:00", "records": [record]}
    answer = client.post(URL, json.dumps(body), content_type="application/json")
    assert answer.status_code == 200
    outcome = answer.json()["outcomes"][0]
    assert (outcome["status"], outcome["code"]) == ("refused", 422)
    assert outcome["errors"][0]["field"] == "sent_at"
    assert not Visit.objects.exists()


def test_a_visit_whose_campaign_closed_meanwhile_is_refused_with_the_reason(client, grid):
    client.force_login(grid.worker)
    grid.campaign.is_closed = True
    grid.campaign.save()
    at = timezone.now() - datetime.timedelta(minutes=5)
    outcome = send(client, [visit(grid, grid.households[0], at=at)]).json()["outcomes"][0]
    assert (outcome["status"], outcome["code"]) == ("refused", 422)
    assert grid.campaign.name in outcome["detail"]
    assert not Visit.objects.exists()


def test_a_visit_recorded_before_the_campaign_started_is_refused(client, grid):
    client.force_login(grid.worker)
    before = timezone.now() - datetime.timedelta(days=5)
    outcome = send(client, [visit(grid, grid.households[0], at=before)]).json()["outcomes"][0]
    assert outcome["status"] == "refused"
    assert "campaign" in {e["field"] for e in outcome["errors"]}


def test_a_household_moved_to_another_grid_is_refused_as_out_of_reach(client, grid):
    client.force_login(grid.worker)
    household = grid.households[0]
    record = visit(grid, household, at=timezone.now() - datetime.timedelta(minutes=5))
    household.unit = grid.district.grid_b1
    household.save()
    outcome = send(client, [record]).json()["outcomes"][0]
    assert (outcome["status"], outcome["code"]) == ("refused", 404)
    assert "已不在您的辖区内" in outcome["detail"]
    assert not Visit.objects.exists()


def test_a_deactivated_user_cannot_send_and_nothing_is_stored(client, grid):
    client.force_login(grid.worker)
    grid.worker.is_active = False
    grid.worker.save()
    response = send(client, [visit(grid, grid.households[0], at=timezone.now())])
    assert response.status_code == 401
    assert not Visit.objects.exists()


def test_a_record_of_another_account_is_refused(client, grid, second_worker_a1):
    client.force_login(grid.worker)
    record = visit(grid, grid.households[0], at=timezone.now())
    record["recorded_by"] = second_worker_a1.pk
    outcome = send(client, [record]).json()["outcomes"][0]
    assert (outcome["status"], outcome["code"]) == ("refused", 403)
    assert not Visit.objects.exists()


def test_a_contact_logged_after_the_key_person_was_released_is_stored_and_flagged(
    client, grid, officer_a
):
    at = timezone.now() - datetime.timedelta(minutes=30)
    grid.key_person.status = KeyPersonStatus.RELEASED
    grid.key_person.closed_on = timezone.localdate()
    grid.key_person.closed_reason = "观察期满"
    save_audited(grid.key_person, acting_user=officer_a)
    client.force_login(grid.worker)
    outcome = send(client, [contact(grid.key_person, at=at)]).json()["outcomes"][0]
    assert (outcome["status"], outcome["flag"]) == ("stored", SubmissionFlag.CLOSED_KEY_PERSON)
    assert ContactEntry.objects.get().contacted_at == at

    # The officer of the community finds it on the home page's to-do and marks it seen.
    client.force_login(officer_a)
    home = client.get("/").content.decode()
    assert "需查看的离线补发记录" in home
    flags = client.get("/fieldwork/flags/")
    assert flags.status_code == 200
    assert grid.key_person.get_absolute_url() in flags.content.decode()
    submission = FieldSubmission.objects.get()
    assert client.post(f"/fieldwork/flags/{submission.pk}/seen/").status_code == 302
    submission.refresh_from_db()
    assert submission.flag_seen_by == officer_a


def test_two_workers_at_one_door_offline_keep_both_accounts_with_the_later_current(
    client, grid, second_worker_a1
):
    household = grid.households[0]
    now = timezone.now()
    client.force_login(grid.worker)
    later = send(client, [visit(grid, household, at=now - datetime.timedelta(minutes=5))])
    assert later.json()["outcomes"][0]["status"] == "stored"
    client.force_login(second_worker_a1)
    earlier = send(
        client,
        [visit(grid, household, at=now - datetime.timedelta(minutes=50), outcome="nobody_home")],
    ).json()["outcomes"][0]
    assert (earlier["status"], earlier["flag"]) == ("stored", SubmissionFlag.LATER_ACCOUNT_KEPT)

    current = Visit.objects.get()
    assert (current.visited_by, current.outcome) == (grid.worker, "completed")
    accounts = {(h.visited_by_id, h.outcome) for h in current.history.all()}
    assert (second_worker_a1.pk, "nobody_home") in accounts
    assert (grid.worker.pk, "completed") in accounts
    progress = campaign_progress(
        user=grid.worker, campaign=grid.campaign, base=grid.district.grid_a1
    )
    assert progress.base.visited == 1


def test_a_queue_of_500_records_gets_one_clear_outcome_each_nothing_lost_nothing_twice(
    client, grid
):
    client.force_login(grid.worker)
    households = [HouseholdFactory(unit=grid.district.grid_a1) for _ in range(100)]
    at = timezone.now() - datetime.timedelta(minutes=20)
    first = [visit(grid, h, at=at, outcome="nobody_home") for h in households]
    replays = [dict(r) for r in first]
    conflicts = [{**r, "body": {**r["body"], "note": "另一个"}} for r in first]
    future = [
        visit(grid, h, at=timezone.now() + datetime.timedelta(days=1), outcome="nobody_home")
        for h in households
    ]
    other = [visit(grid, grid.other_household, at=at, outcome="nobody_home") for _ in range(100)]
    records = []
    for i in range(100):
        records += [first[i], replays[i], conflicts[i], future[i], other[i]]
    assert len(records) == 500
    outcomes = send(client, records).json()["outcomes"]
    assert [o["key"] for o in outcomes] == [r["key"] for r in records]
    assert [o["status"] for o in outcomes] == [
        "stored",
        "replayed",
        "conflict",
        "refused",
        "refused",
    ] * 100
    assert Visit.objects.count() == 100
    assert FieldSubmission.objects.count() == 100


def test_more_than_500_records_in_one_request_are_refused_whole(client, grid):
    client.force_login(grid.worker)
    record = visit(grid, grid.households[0], at=timezone.now())
    response = send(client, [dict(record, key=str(uuid.uuid4())) for _ in range(501)])
    assert response.status_code == 422
    assert not Visit.objects.exists()
