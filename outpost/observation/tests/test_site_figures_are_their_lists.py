"""DESIGN rule 7 for the site daily report: over a few random days at an isolation site
(seeded), every figure of the workbook equals the number of rows listed under it, check-ins
done and missing never exceed those expected, every missed check-in is one the sweep alerts
on, and a closed day stays as it was after later writes."""

import datetime
import io
import random
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.observation.choices import AlertKind, AlertOutcome, AlertStatus
from outpost.observation.exports import site_day_workbook
from outpost.observation.models import Alert, Episode, RoomStay
from outpost.observation.services.alerts import missed_check_ins_sweep
from outpost.observation.services.reports import day_bounds, site_day_close
from outpost.observation.tests.factories import (
    AlertFactory,
    CheckInFactory,
    IsolationSiteFactory,
    RoomFactory,
    centralized_episode_in,
)

SEED = 20200210
DAYS = 3


@pytest.fixture
def leader(district):
    return staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")


def _at(rng, day, earliest=0):
    start, _end = day_bounds(day)
    return start + datetime.timedelta(minutes=rng.randrange(earliest, 24 * 60))


def _day_at_the_site(rng, district, site, rooms, day, leader):
    """People arrive (registered the day before), some move or leave, most report twice a
    day at random times, a few have a fever and are taken to a clinic."""
    start, end = day_bounds(day)
    for _ in range(rng.randrange(1, 4)):
        free = [r for r in rooms if not RoomStay.objects.filter(room=r, checked_out_at=None)]
        if not free:
            break
        episode = centralized_episode_in(
            rng.choice([district.grid_a1, district.grid_a2]), site=site, start_date=day
        )
        Episode.objects.filter(pk=episode.pk).update(created_at=start - datetime.timedelta(hours=3))
        RoomStay.objects.create(
            episode=episode, room=free[0], checked_in_at=_at(rng, day), checked_in_by=leader
        )
    for stay in RoomStay.objects.filter(room__site=site, checked_out_at=None).order_by("pk"):
        episode = stay.episode
        for _ in range(rng.randrange(4)):  # 0 to 3 readings: some slots missed, some twice
            taken = _at(rng, day)
            if rng.random() < 0.15:
                check_in = CheckInFactory(episode=episode, taken_at=taken, temperature="38.2")
                transferred = rng.random() < 0.5
                AlertFactory(
                    episode=episode,
                    check_in=check_in,
                    raised_at=taken,
                    **(
                        {
                            "status": AlertStatus.RESOLVED,
                            "outcome": AlertOutcome.FEVER_CLINIC,
                            "transfer_place": "第三医院发热门诊",
                            "transferred_at": taken + datetime.timedelta(minutes=30),
                            "resolved_at": taken + datetime.timedelta(minutes=30),
                        }
                        if transferred
                        else {}
                    ),
                )
            else:
                CheckInFactory(episode=episode, taken_at=taken, temperature=Decimal("36.6"))
        leave = stay.checked_in_at + datetime.timedelta(hours=rng.randrange(1, 30))
        if rng.random() < 0.2 and leave < end:
            stay.checked_out_at = leave
            stay.save(update_fields=["checked_out_at"])
    # The sweep runs through the day as the scheduler runs it.
    for hour in range(0, 24, 2):
        missed_check_ins_sweep(now=start + datetime.timedelta(hours=hour, minutes=5))


@pytest.fixture
def closed_days(district, leader):
    rng = random.Random(SEED)
    site = IsolationSiteFactory(unit=district.community_a)
    rooms = [RoomFactory(site=site) for _ in range(8)]
    today = timezone.localdate()
    days = [today - datetime.timedelta(days=n) for n in range(DAYS, 0, -1)]
    for day in days:
        _day_at_the_site(rng, district, site, rooms, day, leader)
        missed_check_ins_sweep(now=day_bounds(day)[1] + datetime.timedelta(minutes=1))
    reports = [
        site_day_close(site=site, day=day, now=day_bounds(day)[1] + datetime.timedelta(minutes=5))
        for day in days
    ]
    return rng, site, rooms, reports


def _workbook_figures_and_lists(report, leader):
    with translation.override("en"):
        content, _rows = site_day_workbook(acting_user=leader, report=report, now=timezone.now())
    workbook = load_workbook(io.BytesIO(content))
    figures, section = {}, ""
    for row in workbook["Figures"].iter_rows(min_row=4, values_only=True):
        section = row[0] or section
        figures[f"{section}: {row[1].strip()}"] = row[2]
    listed = Counter(row[0] for row in workbook["Lists"].iter_rows(min_row=4, values_only=True))
    return figures, listed


def test_every_site_figure_is_as_long_as_its_list(leader, closed_days):
    _rng, _site, _rooms, reports = closed_days
    for report in reports:
        figures, listed = _workbook_figures_and_lists(report, leader)
        numbered = {label: value for label, value in figures.items() if value != ""}
        assert numbered
        for label, value in numbered.items():
            assert value == listed.get(label, 0), (report.day, label)


def test_check_ins_done_and_missed_are_shares_of_those_expected(closed_days):
    _rng, _site, _rooms, reports = closed_days
    for report in reports:
        check_ins = report.figures["check_ins"]
        assert check_ins["done"] + check_ins["missing"] <= check_ins["expected"], report.day
        assert check_ins["missing"] > 0 or check_ins["done"] > 0


def test_every_missed_check_in_is_one_the_sweep_alerted_on(closed_days):
    _rng, _site, _rooms, reports = closed_days
    alerted = {
        (episode_id, slot)
        for episode_id, slot in Alert.objects.filter(kind=AlertKind.MISSED_CHECK_IN).values_list(
            "episode_id", "slot_at"
        )
    }
    for report in reports:
        missing = {
            (episode_id, datetime.datetime.fromisoformat(slot))
            for episode_id, slot in report.figures["rows"]["check_ins.missing"]
        }
        assert missing <= alerted, report.day


def test_a_closed_site_day_keeps_its_figures_and_lists_after_later_writes(
    district, leader, closed_days
):
    rng, site, rooms, reports = closed_days
    before = [_workbook_figures_and_lists(report, leader) for report in reports]
    for report in reports:  # entered late, back-dated into the closed days
        _day_at_the_site(rng, district, site, rooms, report.day, leader)
    now = timezone.now()
    after = [
        _workbook_figures_and_lists(site_day_close(site=site, day=r.day, now=now), leader)
        for r in reports
    ]
    assert after == before
