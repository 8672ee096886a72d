import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from outpost.keypersons.tests.factories import managed_key_person_in
from outpost.observation.choices import (
    AlertKind,
    AlertOutcome,
    CheckInSource,
    EndReason,
    EpisodeKind,
)
from outpost.observation.models import (
    Alert,
    CheckIn,
    Episode,
    IsolationSite,
    Room,
    RoomStay,
    SiteDailyReport,
)


def _registrar():
    return User.objects.get_or_create(username="observation-registrar")[0]


class IsolationSiteFactory(factory.django.DjangoModelFactory):
    """An isolation hotel (pass ``unit=``, usually the station)."""

    class Meta:
        model = IsolationSite

    name = factory.Sequence(lambda n: f"隔离酒店{n}")
    address = "长江路1号"


class RoomFactory(factory.django.DjangoModelFactory):
    """A free single room (pass ``site=``)."""

    class Meta:
        model = Room

    floor = "3"
    number = factory.Sequence(lambda n: f"3{n:02d}")


class EpisodeFactory(factory.django.DjangoModelFactory):
    """Home isolation of a key person under management, started today, 14 days, checked
    in at 08:00 and 18:00 (pass ``key_person=``)."""

    class Meta:
        model = Episode

    unit = factory.LazyAttribute(lambda o: o.key_person.unit)
    kind = EpisodeKind.HOME_ISOLATION
    start_date = factory.LazyFunction(timezone.localdate)
    planned_end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=13))
    check_in_times = factory.LazyFunction(lambda: ["08:00", "18:00"])
    created_by = factory.LazyFunction(_registrar)


class CheckInFactory(factory.django.DjangoModelFactory):
    """A normal temperature entered by staff just now (pass ``episode=``)."""

    class Meta:
        model = CheckIn

    unit = factory.LazyAttribute(lambda o: o.episode.unit)
    taken_at = factory.LazyFunction(timezone.now)
    temperature = Decimal("36.5")
    symptoms = factory.LazyFunction(list)
    source = CheckInSource.STAFF
    recorded_by = factory.LazyFunction(_registrar)


def episode_in(grid, **values) -> Episode:
    """An open episode of a new key person under management in `grid`."""
    return EpisodeFactory(key_person=managed_key_person_in(grid), **values)


def centralized_episode_in(grid, *, site: IsolationSite, **values) -> Episode:
    """Centralized isolation at `site` of a new key person of `grid` (no room yet)."""
    return episode_in(grid, kind=EpisodeKind.CENTRALIZED, site=site, **values)


class AlertFactory(factory.django.DjangoModelFactory):
    """An open fever alert raised just now by a 38.1 °C check-in (pass ``episode=``)."""

    class Meta:
        model = Alert

    unit = factory.LazyAttribute(lambda o: o.episode.unit)
    kind = AlertKind.FEVER
    check_in = factory.LazyAttribute(
        lambda o: CheckInFactory(episode=o.episode, temperature=Decimal("38.1"))
    )
    raised_at = factory.LazyFunction(timezone.now)


def stay_in(grid) -> RoomStay:
    """A person of `grid` checked into a room of a site of `grid`."""
    site = IsolationSiteFactory(unit=grid)
    episode = centralized_episode_in(grid, site=site)
    return RoomStay.objects.create(
        episode=episode,
        room=RoomFactory(site=site),
        checked_in_at=timezone.now(),
        checked_in_by=_registrar(),
    )


def daily_report_in(grid) -> SiteDailyReport:
    """Yesterday's closed report of a site of `grid`."""
    return SiteDailyReport.objects.create(
        site=IsolationSiteFactory(unit=grid),
        day=timezone.localdate() - datetime.timedelta(days=1),
        figures={"occupancy": 1},
        closed_at=timezone.now(),
    )


# For the route-walking scoping test: how to make one scoped row inside a given grid.
SCOPED_FACTORIES = {
    IsolationSite: lambda grid: IsolationSiteFactory(unit=grid),
    Room: lambda grid: RoomFactory(site=IsolationSiteFactory(unit=grid)),
    Episode: episode_in,
    CheckIn: lambda grid: CheckInFactory(episode=episode_in(grid)),
    Alert: lambda grid: AlertFactory(episode=episode_in(grid)),
    RoomStay: stay_in,
    SiteDailyReport: daily_report_in,
}


def episode_registered(grid, *, start_date: datetime.date, at: datetime.datetime, **values):
    """An episode of `grid` from `start_date`, registered at `at` (a controlled clock's
    moment: slots before registration are never counted as missed)."""
    episode = episode_in(grid, start_date=start_date, **values)
    Episode.objects.filter(pk=episode.pk).update(created_at=at)
    episode.refresh_from_db()
    return episode


# Scoped API writes: a body that makes the write succeed on the record the route names (the
# route-walking test sends it against another community's record and expects a 404).
WRITE_PAYLOADS = {
    "POST /api/v1/observation/episodes": lambda key_person: {
        "key_person_id": key_person.pk,
        "kind": EpisodeKind.HOME_ISOLATION,
    },
    "POST /api/v1/observation/episodes/{episode_id}/extend": lambda episode: {
        "new_end_date": episode.planned_end_date + datetime.timedelta(days=7),
        "reason": "复查未满期",
    },
    "POST /api/v1/observation/episodes/{episode_id}/end": lambda _episode: {
        "reason": EndReason.COMPLETED
    },
    "POST /api/v1/observation/episodes/{episode_id}/check-ins": lambda _episode: {
        "temperature": "36.6"
    },
    "POST /api/v1/observation/alerts/{alert_id}/acknowledge": lambda _alert: {},
    "POST /api/v1/observation/alerts/{alert_id}/resolve": lambda _alert: {
        "outcome": AlertOutcome.RETEST_NORMAL,
        "note": "复测体温正常",
    },
}
# Starting an episode needs a key person under management without one.
ROUTE_FACTORIES = {"POST /api/v1/observation/episodes": managed_key_person_in}


def fever_alert_at(episode: Episode, *, now: datetime.datetime, temperature="38.4") -> Alert:
    """A grid worker of the episode's unit records a fever at `now` through the service: the
    alert it raises, routed as a real one."""
    from outpost.core.choices import Role
    from outpost.core.tests.factories import staff_user
    from outpost.observation.services.checkins import check_in_record

    recorder = staff_user(role=Role.GRID_WORKER, unit=episode.unit, username=f"grid-{now:%d%H%M}")
    check_in, _created = check_in_record(
        episode=episode,
        temperature=temperature,
        source=CheckInSource.STAFF,
        acting_user=recorder,
        now=now,
        taken_at=now,
    )
    return Alert.objects.get(check_in=check_in)
