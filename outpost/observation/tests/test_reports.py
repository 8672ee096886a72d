"""The site daily report (每日信息通报): figures computed from the records, a closed day
frozen, today live, and the workbook."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from outpost.core.choices import AccessAction, Role
from outpost.core.masking import mask_name
from outpost.core.models import AccessLog
from outpost.core.tests.factories import staff_user
from outpost.core.tests.worker import run_queued_tasks
from outpost.observation.choices import (
    AlertOutcome,
    AlertStatus,
    EndReason,
    EpisodeStatus,
    RoomStatus,
)
from outpost.observation.exports import list_columns
from outpost.observation.models import Alert, Episode, Room, RoomStay, SiteDailyReport
from outpost.observation.services.reports import (
    site_day_close,
    site_day_figures,
    site_day_report,
    site_days_close,
)
from outpost.observation.tests.factories import (
    AlertFactory,
    CheckInFactory,
    IsolationSiteFactory,
    RoomFactory,
    centralized_episode_in,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = TODAY - datetime.timedelta(days=1)
CLINIC = "市第二医院发热门诊"


def at(day: datetime.date, hhmm: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.fromisoformat(hhmm)))


# The nightly job runs a few minutes after midnight.
CLOSING = at(TODAY, "00:05")


@pytest.fixture(autouse=True)
def _today():
    """Today as each test starts, not as the module was imported: a run that crosses
    midnight in China would otherwise test yesterday as today."""
    global TODAY, DAY, CLOSING
    TODAY = timezone.localdate()
    DAY = TODAY - datetime.timedelta(days=1)
    CLOSING = at(TODAY, "00:05")


def _stay(episode, room, checked_in_at, checked_out_at=None):
    return RoomStay.objects.create(
        episode=episode,
        room=room,
        checked_in_at=checked_in_at,
        checked_out_at=checked_out_at,
        checked_in_by=episode.created_by,
    )


def busy_day(grid, day=DAY):
    """A site on `day`: A and C arrive, B (there for three days) has a fever at 08:10, is
    taken to a fever clinic at 14:30 and leaves at 15:00. A reports twice, B once; C's only
    check-in of the day (18:00) is missing."""
    site = IsolationSiteFactory(unit=grid.parent)
    rooms = [
        RoomFactory(site=site),
        RoomFactory(site=site),
        RoomFactory(site=site),
        RoomFactory(site=site, status=RoomStatus.OUT_OF_SERVICE),
        RoomFactory(site=site),
    ]
    # The rooms were set up the week before (their history says when).
    Room.history.filter(site_id=site.pk).update(
        history_date=at(day, "00:00") - datetime.timedelta(days=7)
    )
    a = centralized_episode_in(grid, site=site, start_date=day)
    b = centralized_episode_in(
        grid,
        site=site,
        start_date=day - datetime.timedelta(days=3),
        check_in_times=["08:00"],
        status=EpisodeStatus.ENDED,
        ended_on=day,
        end_reason=EndReason.HOSPITAL,
    )
    c = centralized_episode_in(grid, site=site, start_date=day, check_in_times=["18:00"])
    # All three were registered before their stay began (slots count from registration).
    Episode.objects.filter(pk__in=[a.pk, b.pk, c.pk]).update(
        created_at=at(day, "00:00") - datetime.timedelta(days=4)
    )
    _stay(a, rooms[0], at(day, "09:00"))
    _stay(b, rooms[1], at(day, "10:00") - datetime.timedelta(days=3), at(day, "15:00"))
    rooms[1].status = RoomStatus.CLEANING  # after B left
    rooms[1].save()
    rooms[1].history.filter(status=RoomStatus.CLEANING).update(history_date=at(day, "15:00"))
    _stay(c, rooms[2], at(day, "10:00"))
    CheckInFactory(episode=a, taken_at=at(day, "08:05"))
    CheckInFactory(episode=a, taken_at=at(day, "18:10"))
    fever = CheckInFactory(episode=b, taken_at=at(day, "08:10"), temperature=Decimal("38.1"))
    AlertFactory(
        episode=b,
        check_in=fever,
        raised_at=at(day, "08:10"),
        status=AlertStatus.RESOLVED,
        acknowledged_at=at(day, "08:20"),
        resolved_at=at(day, "14:40"),
        outcome=AlertOutcome.FEVER_CLINIC,
        transfer_place=CLINIC,
        transferred_at=at(day, "14:30"),
    )
    return site, {"a": a, "b": b, "c": c}


def test_figures_of_a_day_count_arrivals_check_ins_alerts_and_transfers(district):
    site, _people = busy_day(district.grid_a1)

    figures = site_day_figures(site=site, day=DAY, now=CLOSING)

    assert (figures["arrivals"], figures["departures"], figures["occupancy"]) == (2, 1, 2)
    assert figures["room_moves"] == 0
    assert figures["rooms"] == {
        "total": 5,
        "occupied": 2,
        "free": 1,
        "cleaning": 1,
        "out_of_service": 1,
    }
    assert figures["check_ins"] == {"expected": 4, "done": 3, "missing": 1}
    fever = figures["alerts"]["fever"]
    assert fever["raised"] == 1
    assert fever["fever_clinic"] == 1
    assert fever["open"] == 0
    assert figures["alerts"]["missed_check_in"]["raised"] == 0
    assert [
        (t["place"], datetime.datetime.fromisoformat(t["at"])) for t in figures["transfers"]
    ] == [(CLINIC, at(DAY, "14:30"))]
    assert figures["episodes"]["started"] == 2
    assert figures["episodes"]["ended"]["hospital"] == 1


def test_a_move_between_rooms_is_neither_an_arrival_nor_a_departure(district):
    site = IsolationSiteFactory(unit=district.community_a)
    first, second = RoomFactory(site=site), RoomFactory(site=site)
    episode = centralized_episode_in(
        district.grid_a1, site=site, start_date=DAY - datetime.timedelta(days=2)
    )
    _stay(episode, first, at(DAY, "10:00") - datetime.timedelta(days=2), at(DAY, "11:00"))
    _stay(episode, second, at(DAY, "11:00"))

    figures = site_day_figures(site=site, day=DAY, now=CLOSING)

    assert (figures["arrivals"], figures["departures"], figures["room_moves"]) == (0, 0, 1)
    assert figures["occupancy"] == 1


def test_an_alert_resolved_after_the_day_counts_as_it_stood_at_the_end_of_the_day(district):
    site = IsolationSiteFactory(unit=district.community_a)
    episode = centralized_episode_in(district.grid_a1, site=site, start_date=DAY)
    AlertFactory(
        episode=episode,
        raised_at=at(DAY, "20:00"),
        status=AlertStatus.RESOLVED,
        acknowledged_at=at(DAY, "21:00"),
        resolved_at=at(TODAY, "07:00"),
        outcome=AlertOutcome.RETEST_NORMAL,
    )

    fever = site_day_figures(site=site, day=DAY, now=at(TODAY, "09:00"))["alerts"]["fever"]

    assert (fever["acknowledged"], fever["retest_normal"]) == (1, 0)


def test_closing_a_day_freezes_it_and_a_late_correction_does_not_change_it(district):
    site, people = busy_day(district.grid_a1)
    report = site_day_close(site=site, day=DAY, now=CLOSING)
    # Next morning someone types in C's reading of last night.
    CheckInFactory(episode=people["c"], taken_at=at(DAY, "19:00"))

    again = site_day_close(site=site, day=DAY, now=timezone.now())
    shown = site_day_report(site=site, day=DAY, now=timezone.now())

    assert again.pk == report.pk and again.closed_at == CLOSING
    assert shown.figures == report.figures
    assert shown.figures["check_ins"] == {"expected": 4, "done": 3, "missing": 1}
    assert site_day_figures(site=site, day=DAY, now=CLOSING)["check_ins"]["missing"] == 0


def test_a_day_is_closed_only_after_it_has_ended(district):
    site = IsolationSiteFactory(unit=district.community_a)

    with pytest.raises(ValidationError) as caught:
        site_day_close(site=site, day=TODAY, now=timezone.now())

    assert "day" in caught.value.message_dict
    assert not SiteDailyReport.objects.exists()


def test_today_is_live_and_never_stored(district):
    site = IsolationSiteFactory(unit=district.community_a)
    episode = centralized_episode_in(district.grid_a1, site=site)
    # Registered yesterday and reporting every hour: a slot of today is due whenever this runs.
    episode.check_in_times = [f"{hour:02d}:00" for hour in range(24)]
    episode.save(update_fields=["check_in_times"])
    Episode.objects.filter(pk=episode.pk).update(created_at=at(DAY, "00:00"))
    episode.refresh_from_db()
    before = site_day_report(site=site, day=TODAY, now=timezone.now())
    this_hour = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    CheckInFactory(episode=episode, taken_at=this_hour)  # the slot of this hour, done

    after = site_day_report(site=site, day=TODAY, now=timezone.now())

    assert before.closed_at is None and after.closed_at is None
    assert after.figures["check_ins"]["done"] == before.figures["check_ins"]["done"] + 1
    assert not SiteDailyReport.objects.exists()


def test_a_past_day_never_closed_is_closed_when_first_asked_for(district):
    site = IsolationSiteFactory(unit=district.community_a)
    day = TODAY - datetime.timedelta(days=5)

    report = site_day_report(site=site, day=day, now=timezone.now())

    assert report.pk is not None
    assert SiteDailyReport.objects.get(site=site, day=day).figures == report.figures


def test_a_day_still_to_come_has_no_report(district):
    site = IsolationSiteFactory(unit=district.community_a)

    with pytest.raises(ValidationError):
        site_day_report(site=site, day=TODAY + datetime.timedelta(days=1), now=timezone.now())


def test_the_nightly_job_closes_yesterday_for_every_site_in_use_once(district):
    in_use = IsolationSiteFactory(unit=district.community_a)
    IsolationSiteFactory(unit=district.community_b)
    closed_down = IsolationSiteFactory(unit=district.community_a, is_active=False)

    first = site_days_close(now=CLOSING)
    second = site_days_close(now=CLOSING + datetime.timedelta(minutes=1))

    assert len(first) == 2 and {r.pk for r in first} == {r.pk for r in second}
    assert SiteDailyReport.objects.filter(day=DAY).count() == 2
    assert SiteDailyReport.objects.filter(site=in_use, day=DAY, closed_at=CLOSING).exists()
    assert not SiteDailyReport.objects.filter(site=closed_down).exists()


# ---------------------------------------------------------------------------- the page


@pytest.mark.usefixtures("english")
def test_the_page_of_a_closed_day_shows_its_stamp_and_frozen_figures(client, officer_a, district):
    site, people = busy_day(district.grid_a1)
    site_day_close(site=site, day=DAY, now=CLOSING)
    CheckInFactory(episode=people["c"], taken_at=at(DAY, "19:00"))
    client.force_login(officer_a)

    response = client.get(reverse("observation:site_report", args=[site.pk]), {"day": DAY})

    assert response.status_code == 200
    assert response.context["report"].figures["check_ins"]["missing"] == 1
    content = response.content.decode()
    assert f"Closed at {CLOSING:%Y-%m-%d} 00:05" in content
    assert CLINIC in content


@pytest.mark.usefixtures("english")
def test_the_page_defaults_to_today_live_with_yesterday_one_click_away(client, officer_a, district):
    site = IsolationSiteFactory(unit=district.community_a)
    client.force_login(officer_a)

    response = client.get(reverse("observation:site_report", args=[site.pk]))

    content = response.content.decode()
    assert response.context["day"] == TODAY
    assert "Live figures as of" in content
    assert f'href="?day={DAY.isoformat()}"' in content
    assert not SiteDailyReport.objects.exists()


def test_another_communitys_site_report_is_a_404(client, officer_a, district):
    site = IsolationSiteFactory(unit=district.community_b)
    client.force_login(officer_a)

    assert client.get(reverse("observation:site_report", args=[site.pk])).status_code == 404


# ---------------------------------------------------------------------------- the workbook


def _download(client, site, day, reason="每日通报上报"):
    """Ask for the workbook as a user does, let the worker write it, and download it."""
    asked = client.post(
        reverse("observation:site_report_xlsx", args=[site.pk]),
        {"day": day.isoformat(), "purpose": "other", "reason": reason},
    )
    if asked.status_code != 302:
        return asked
    run_queued_tasks()
    download = client.get(asked["Location"] + "download/")
    response = HttpResponse(b"".join(download.streaming_content), status=download.status_code)
    response["Content-Disposition"] = download["Content-Disposition"]
    return response


def _cells(sheet):
    return [value for row in sheet.iter_rows(values_only=True) for value in row if value]


@pytest.mark.usefixtures("english")
def test_the_workbook_has_the_fixed_headings_and_masked_people_only(client, officer_a, district):
    site, people = busy_day(district.grid_a1)
    site_day_close(site=site, day=DAY, now=CLOSING)
    client.force_login(officer_a)

    response = _download(client, site, DAY)

    assert response.status_code == 200
    assert ".xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    figures, listing = workbook["Figures"], workbook["Alerts and transfers"]
    assert [c.value for c in figures[3]] == ["Section", "Item", "Figure"]
    with translation.override("en"):
        headings = [heading for heading, _w in list_columns()]
    assert [c.value for c in listing[3]] == headings
    person = people["b"].key_person
    cells = _cells(workbook["Alerts and transfers"]) + _cells(figures)
    assert person.masked_id_number in cells
    assert mask_name(person.display_name) in cells
    everything = " ".join(map(str, cells))
    assert person.display_name not in everything
    assert person.resident.id_number not in everything
    assert CLINIC in everything


@pytest.mark.usefixtures("english")
def test_the_workbook_of_a_closed_day_ignores_later_corrections(client, officer_a, district):
    site, people = busy_day(district.grid_a1)
    site_day_close(site=site, day=DAY, now=CLOSING)
    CheckInFactory(episode=people["c"], taken_at=at(DAY, "19:00"))
    client.force_login(officer_a)

    figures = load_workbook(io.BytesIO(_download(client, site, DAY).content))["Figures"]

    values = {row[1].strip(): row[2] for row in figures.iter_rows(min_row=4, values_only=True)}
    assert (values["Done"], values["Missing"]) == (3, 1)


def test_downloading_the_workbook_is_logged_with_its_reason(client, officer_a, district):
    site, _people = busy_day(district.grid_a1)
    client.force_login(officer_a)

    _download(client, site, DAY, reason="向分局报送")

    log = AccessLog.objects.get()
    assert (log.actor, log.action, log.reason, log.row_count) == (
        officer_a,
        AccessAction.EXPORT,
        "向分局报送",
        1,
    )


@pytest.mark.usefixtures("english")
def test_the_workbook_needs_a_reason(client, officer_a, district):
    site = IsolationSiteFactory(unit=district.community_a)
    client.force_login(officer_a)

    response = _download(client, site, DAY, reason="")

    assert response.status_code == 422
    assert "The purpose in your words (needed for Other): State the reason" in (
        response.content.decode()
    )
    assert not AccessLog.objects.exists()


def test_the_workbook_needs_the_export_permission(client, district):
    site = IsolationSiteFactory(unit=district.community_a)
    medical = staff_user(role=Role.MEDICAL_STAFF, unit=district.community_a)
    client.force_login(medical)

    assert _download(client, site, DAY).status_code == 403
    assert not AccessLog.objects.exists()


def test_only_the_sites_own_episodes_count(district):
    site = IsolationSiteFactory(unit=district.community_a)
    centralized_episode_in(district.grid_a1, site=site, start_date=DAY)
    centralized_episode_in(
        district.grid_a1, site=IsolationSiteFactory(unit=district.community_a), start_date=DAY
    )
    Episode.objects.update(created_at=at(DAY, "00:00"))

    figures = site_day_figures(site=site, day=DAY, now=CLOSING)

    assert figures["episodes"]["started"] == 1
    assert figures["check_ins"]["expected"] == 2


def _list_row(client, site):
    listing = load_workbook(io.BytesIO(_download(client, site, DAY).content))[
        "Alerts and transfers"
    ]
    return list(listing[4])


@pytest.mark.usefixtures("english")
def test_a_transfer_place_that_looks_like_a_formula_stays_text_in_the_workbook(
    client, officer_a, district
):
    site, _people = busy_day(district.grid_a1)
    Alert.objects.update(transfer_place='=HYPERLINK("http://evil.example")')
    site_day_close(site=site, day=DAY, now=CLOSING)
    client.force_login(officer_a)

    place = _list_row(client, site)[8]

    assert (place.data_type, place.value) == ("s", '=HYPERLINK("http://evil.example")')


@pytest.mark.usefixtures("english")
def test_a_control_character_in_a_transfer_place_does_not_break_the_workbook(
    client, officer_a, district
):
    site, _people = busy_day(district.grid_a1)
    Alert.objects.update(transfer_place="发热门诊\x07")
    site_day_close(site=site, day=DAY, now=CLOSING)
    client.force_login(officer_a)

    assert _list_row(client, site)[8].value == "发热门诊\ufffd"
