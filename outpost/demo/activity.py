"""The demo district's activity (演示数据): the last days of the work at the station, so that
an officer opening the demo finds dashboards, lists and trends to look at.

`build_demo_activity` writes into a freshly built demo district, day by day from the first
simulated day up to `now`: each morning's screening run and the arrivals it found, the key
persons made of them with their four-on-one teams, the contact log, observation episodes at
home or at the isolation hotel (rooms, check-ins twice a day, fever and missed-check-in
alerts), one dispatch order, and at the end of each past day the briefing's snapshots. The
order matters: a snapshot counts what exists at its moment (who is under management, which
rooms are occupied), so each day is written before it is frozen.

Everything comes from one `random.Random(seed)` (same seed and `now`, same activity) and is
written with `bulk_create` and a few updates per day: like the district, it is seed data, so
no history rows are written for it. Times that the models set on insert (created, recorded)
are written back to the simulated moment.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.briefing.services import snapshots_take
from outpost.core.choices import Role
from outpost.core.models import StaffProfile, Unit
from outpost.demo.clock import at as _at
from outpost.demo.district import (
    FULL_RESIDENTS,
    REFERENCE_DATE,
    STATION_CODE,
    DemoDistrictError,
    _apportion,
)
from outpost.demo.enterprise_activity import build_enterprise_activity
from outpost.demo.feeds import ORIGINS, DemoFeeds, FeedPerson, demo_designations_open
from outpost.demo.fieldwork import (
    DeclaredTrip,
    DemoVisits,
    demo_campaign_open,
    grid_workers_by_unit,
)
from outpost.dispatch.choices import ItemResult, MatchStatus, OrderStatus
from outpost.dispatch.models import DispatchItem, DispatchOrder
from outpost.keypersons.choices import (
    ContactChannel,
    ContactOutcome,
    KeyPersonCategory,
    KeyPersonStatus,
    MemberStatus,
    SourceType,
)
from outpost.keypersons.models import ContactEntry, KeyPerson, KeyPersonSource, TeamMember, TeamRole
from outpost.observation.choices import (
    AlertKind,
    AlertOutcome,
    AlertStatus,
    CheckInSource,
    EndReason,
    EpisodeKind,
    EpisodeStatus,
    RoomStatus,
    SiteStaffRole,
    Symptom,
)
from outpost.observation.models import (
    Alert,
    CheckIn,
    Episode,
    IsolationSite,
    ObservationPlan,
    ObservationPolicy,
    Room,
    RoomStay,
    SiteStaff,
)
from outpost.registry.choices import Transport
from outpost.registry.models import Resident
from outpost.screening.choices import LinkStatus
from outpost.screening.models import OriginCategory, ScreeningResult, ScreeningRun

BATCH_SIZE = 1000

# The station's arrivals by origin category at full scale (DESIGN.md): 63 from Wuhan, 48
# from Hubei outside Wuhan, 1,223 from elsewhere.
FULL_ARRIVALS = (("wuhan", 63), ("hubei_outside_wuhan", 48), ("elsewhere", 1223))
# Residents whose ID number was issued in Wuhan (4201) or elsewhere in Hubei (42) are the
# likely arrivals of those categories.
ID_PREFIXES = {"wuhan": ("4201",), "hubei_outside_wuhan": ("42",)}

HOTEL_NAME = "海景酒店隔离点"
HOTEL_ADDRESS = "大连市沙河口区中山路588号"
HOTEL_FLOORS = range(2, 8)  # six floors of guest rooms above the lobby
ROOMS_PER_FLOOR = 20
HOTEL_OUT_OF_SERVICE = ("720",)  # one room kept out of service (its plumbing)
CENTRALIZED_SHARE = 0.08  # of the episodes: about 100 at full scale
FEVER_CLINICS = ("大连市中心医院发热门诊", "大连医科大学附属第二医院发热门诊")
TRANSFERS = (2, 25)  # the fever alerts (by order raised) that end in a transfer

# Chances per person-day or per check-in.
FEVER_CHANCE = 0.004
MISSED_CHANCE = 0.005
SKIPPED_CONTACT_CHANCE = 0.015
OVERDUE_SHARE = 0.03  # key persons whose contacts stopped a day or two ago (overdue now)
INCOMPLETE_TEAM_SHARE = 0.03  # under management with one place still only proposed
IDENTIFIED_SHARE = 0.04  # identified, no observation yet, team proposed only

CONTACT_NOTES = (
    "电话联系，体温正常，无不适",
    "本人在家，情况稳定",
    "已提醒按时上报体温",
    "家属代为接听，情况正常",
    "生活物资已送达",
    "询问健康状况，无发热咳嗽",
)
# Travellers of these categories are the ones a concealed trip matters for.
CONCEALING_CATEGORIES = ("wuhan", "hubei_outside_wuhan")
ARRIVAL_LAGS = (0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 5, 6, 8, 10)  # days from arrival to screening


@dataclass
class ActivitySummary:
    days: int
    screening_runs: int = 0
    arrivals: Counter = field(default_factory=Counter)
    key_persons: int = 0
    team_members: int = 0
    contacts: int = 0
    episodes: int = 0
    centralized: int = 0
    room_stays: int = 0
    check_ins: int = 0
    fever_alerts: int = 0
    missed_alerts: int = 0
    dispatch_items: int = 0
    snapshots: int = 0
    visits: int = 0
    visit_members: int = 0
    feed_rows: int = 0
    to_review: int = 0
    discrepancies: int = 0
    enterprise_rows: int = 0  # the enterprise platform's parts, all together

    @property
    def rows_written(self) -> int:
        return (
            self.screening_runs
            + sum(self.arrivals.values())
            + 2 * self.key_persons  # with their origin sources
            + self.team_members
            + self.contacts
            + self.episodes
            + self.room_stays
            + self.check_ins
            + self.fever_alerts
            + self.missed_alerts
            + self.dispatch_items
            + self.snapshots
            + self.visits
            + self.visit_members
            + self.feed_rows
            + self.enterprise_rows
        )

    def line(self) -> str:
        return _(
            "%(days)d days of activity: %(arrivals)s arrivals, %(key_persons)s key persons, "
            "%(contacts)s contacts, %(episodes)s observations (%(centralized)s at the hotel), "
            "%(check_ins)s check-ins, %(alerts)s fever alerts, %(snapshots)s daily snapshots."
        ) % {
            "days": self.days,
            "arrivals": f"{sum(self.arrivals.values()):,}",
            "key_persons": f"{self.key_persons:,}",
            "contacts": f"{self.contacts:,}",
            "episodes": f"{self.episodes:,}",
            "centralized": f"{self.centralized:,}",
            "check_ins": f"{self.check_ins:,}",
            "alerts": f"{self.fever_alerts:,}",
            "snapshots": f"{self.snapshots:,}",
        }

    def fieldwork_line(self) -> str:
        return _(
            "%(visits)s door-to-door visits in the open campaign, %(rows)s feed rows matched, "
            "%(review)s matches to review, %(discrepancies)s concealed trips to verify."
        ) % {
            "visits": f"{self.visits:,}",
            "rows": f"{self.feed_rows:,}",
            "review": f"{self.to_review:,}",
            "discrepancies": f"{self.discrepancies:,}",
        }


# ---------------------------------------------------------------------------- the people


@dataclass(slots=True, eq=False)
class _Stay:
    episode: Episode
    room: Room
    row: RoomStay | None = None


@dataclass(slots=True, eq=False)
class _Person:
    resident_id: int
    unit_id: int
    code: str  # origin category code
    arrival: datetime.date
    identified_on: datetime.date
    fate: str  # "episode", "managed" or "identified"
    place: str = ""  # where they came from, as the feed and their declaration say
    region_code: str = ""
    centralized: bool = False
    home_kind: str = EpisodeKind.HOME_ISOLATION
    chain: bool = False  # continue into home monitoring after the first episode
    overdue_from: datetime.date | None = None  # no contact from this day on
    incomplete: bool = False
    team: dict[int, int] = field(default_factory=dict)  # team role id -> worker id
    row: KeyPerson | None = None
    managed: bool = False
    closed: bool = False
    episode: Episode | None = None
    stay: _Stay | None = None


def _check_in_times(per_day: int) -> list[str]:
    """The policy's times for the default; otherwise spread from 08:00 to 20:00."""
    if per_day == len(ObservationPolicy.current().check_in_times):
        return list(ObservationPolicy.current().check_in_times)
    if per_day == 1:
        return ["08:00"]
    step = 12 * 60 // (per_day - 1)
    return [
        f"{(8 * 60 + n * step) // 60:02d}:{(8 * 60 + n * step) % 60:02d}" for n in range(per_day)
    ]


def _plan_days() -> dict[str, int]:
    days = dict(ObservationPlan.objects.filter(category="").values_list("kind", "days"))
    for kind, default in (
        (EpisodeKind.CENTRALIZED, 14),
        (EpisodeKind.HOME_ISOLATION, 14),
        (EpisodeKind.HOME_MONITORING, 7),
    ):
        days.setdefault(kind, default)
    return days


class _Staff:
    """The demo staff by role and unit; each key person's team is drawn from the workers of
    its unit and the units above it (the nearest level that has one)."""

    def __init__(self) -> None:
        self.units = {u.pk: u for u in Unit.objects.all()}
        self.by_role_unit: dict[tuple[str, int], list[int]] = {}
        self.by_username: dict[str, int] = {}
        for user_id, username, unit_id, role in StaffProfile.objects.values_list(
            "user_id", "user__username", "unit_id", "user__groups__name"
        ).order_by("user_id"):
            self.by_username[username] = user_id
            self.by_role_unit.setdefault((role, unit_id), []).append(user_id)
        self.turn: Counter = Counter()

    def user(self, username: str, fallback_role: str = Role.STATION_LEADER) -> int:
        if username in self.by_username:
            return self.by_username[username]
        return next(
            ids[0] for (role, _u), ids in self.by_role_unit.items() if role == fallback_role
        )

    def nearest(self, role: str, unit_id: int) -> int | None:
        unit = self.units[unit_id]
        while unit is not None:
            workers = self.by_role_unit.get((role, unit.pk))
            if workers:
                self.turn[(role, unit.pk)] += 1
                return workers[self.turn[(role, unit.pk)] % len(workers)]
            unit = self.units.get(unit.parent_id)
        return None


# ---------------------------------------------------------------------------- the build


def build_demo_activity(
    *,
    seed: int = 2020,
    days: int = 14,
    key_persons: int | None = None,
    episodes: int | None = None,
    check_ins_per_day: int = 2,
    now: datetime.datetime | None = None,
) -> ActivitySummary:
    """Write `days` days of activity up to `now` into the demo district (built before, with
    no activity yet). `key_persons` defaults to the station's 1,334 arrivals scaled to the
    district; `episodes` to all of them but a few just identified. One transaction.

    For a bench at the briefing's target (5,000 key persons, 3,000 episodes, 60,000
    check-ins): ``key_persons=5000, episodes=3000, check_ins_per_day=3`` writes about 3,200
    episodes (chains included) and 63,000 check-ins over the default 14 days."""
    if days < 1:
        raise ValueError("days must be at least 1")
    if check_ins_per_day < 1:
        raise ValueError("check_ins_per_day must be at least 1")
    now = now or timezone.now()
    with transaction.atomic():
        station = Unit.objects.filter(code=STATION_CODE).first()
        if station is None:
            raise DemoDistrictError(_("Build the demo district first."))
        if KeyPerson.objects.exists() or ScreeningRun.objects.exists():
            raise DemoDistrictError(_("The database already holds key persons or screening runs."))
        summary = _Activity(
            seed=seed,
            days=days,
            key_persons=key_persons,
            episodes=episodes,
            times=_check_in_times(check_ins_per_day),
            now=now,
            station=station,
        ).run()
        summary.enterprise_rows = build_enterprise_activity(
            seed=seed, today=timezone.localdate(now)
        )
        return summary


class _Activity:
    def __init__(self, *, seed, days, key_persons, episodes, times, now, station) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.now = now
        self.today = timezone.localdate(now)
        self.days = [self.today - datetime.timedelta(days=n) for n in range(days - 1, -1, -1)]
        self.times = times
        self.slot_times = [datetime.time.fromisoformat(t) for t in times]
        self.station = station
        self.staff = _Staff()
        self.leader = self.staff.user("leader")
        self.analyst = self.staff.user("analyst", Role.ANALYST)
        self.plan_days = _plan_days()
        self.threshold = ObservationPolicy.current().fever_threshold
        self.categories = dict(OriginCategory.objects.values_list("code", "pk"))
        self.roles = list(TeamRole.objects.filter(is_active=True).order_by("order", "code"))
        self.summary = ActivitySummary(days=days)
        self.fever_count = 0
        self.person_of: dict[int, _Person] = {}
        self.ended_today: dict[int, Episode] = {}
        self.people = self._people(key_persons, episodes)

    # ------------------------------------------------------------------ planning

    def _people(self, wanted: int | None, episodes: int | None) -> list[_Person]:
        rows = self._adult_rows()
        if wanted is None:
            scale = Resident.objects.count() / FULL_RESIDENTS
            wanted = max(3, round(sum(n for _c, n in FULL_ARRIVALS) * scale))
        chosen = self._arrivals_by_category(rows, min(wanted, len(rows)))
        people = self._arrivals(chosen)
        if not people:
            return []
        self._fates(people, episodes)
        return sorted(people, key=lambda p: (p.identified_on, p.resident_id))

    def _adult_rows(self) -> list[tuple]:
        """(pk, unit, ID number) of the active adult residents, shuffled."""
        adult_born_by = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - 16)
        rows = list(
            Resident.objects.filter(
                is_active=True, merged_into__isnull=True, birth_date__lte=adult_born_by
            )
            .order_by("pk")
            .values_list("pk", "unit_id", "id_number")
        )
        self.rng.shuffle(rows)
        return rows

    def _arrivals_by_category(self, rows: list[tuple], wanted: int) -> dict[str, list[tuple]]:
        """``wanted`` residents shared out over the categories, in the full district's
        proportions: a category of a province takes residents born there first."""
        codes = [code for code, _n in FULL_ARRIVALS if code in self.categories]
        counts = _apportion(wanted, [n for code, n in FULL_ARRIVALS if code in self.categories])
        chosen: dict[str, list[tuple]] = {code: [] for code in codes}
        taken: set[int] = set()

        def take(code: str, count: int, fits) -> None:
            for row in rows:
                if len(chosen[code]) >= count:
                    break
                if row[0] not in taken and fits(row[2]):
                    chosen[code].append(row)
                    taken.add(row[0])

        for code, count in zip(codes, counts, strict=True):
            prefixes = ID_PREFIXES.get(code)
            if prefixes:
                take(code, count, lambda id_number, p=prefixes: id_number.startswith(p))
        for code, count in zip(codes, counts, strict=True):
            take(code, count, lambda id_number: not id_number.startswith("42"))
        return chosen

    def _arrivals(self, chosen: dict[str, list[tuple]]) -> list[_Person]:
        """The chosen residents as arrivals, each on a screening day, in a shuffled order."""
        rng = self.rng
        # Screening days: the morning run at 09:00 finds them; more early in the window
        # (people coming back after the Spring Festival), fewer later.
        screen_days = [d for d in self.days if _at(d, 9, 30) <= self.now]
        if not screen_days:
            return []
        weights = [1.6 - i / max(1, len(screen_days) - 1) for i in range(len(screen_days))]
        people = []
        for code, rows in chosen.items():
            for pk, unit_id, _id in rows:
                day = rng.choices(screen_days, weights=weights)[0]
                lag = rng.choice(ARRIVAL_LAGS)
                people.append(
                    _Person(
                        resident_id=pk,
                        unit_id=unit_id,
                        code=code,
                        arrival=day - datetime.timedelta(days=lag),
                        identified_on=day,
                        fate="episode",
                    )
                )
        rng.shuffle(people)
        return people

    def _fates(self, people: list[_Person], episodes: int | None) -> None:
        """Who is observed (and where), who is only identified or managed, who is late."""
        rng = self.rng
        # Who is observed: arrivals from Hubei first, then the others; a few are only
        # identified so far, the rest are under management with the contact log only.
        priority = {"wuhan": 0, "hubei_outside_wuhan": 1}
        ranked = sorted(people, key=lambda p: priority.get(p.code, 2))
        identified = max(1, round(len(people) * IDENTIFIED_SHARE))
        if episodes is None:
            episodes = len(people) - identified
        episodes = min(episodes, len(people))
        observed, others = ranked[:episodes], ranked[episodes:]
        for n, person in enumerate(others):
            person.fate = "identified" if n < identified else "managed"
        centralized = max(1, round(episodes * CENTRALIZED_SHARE)) if episodes >= 3 else 0
        for n, person in enumerate(observed):
            person.centralized = n < centralized
            # Home isolation for most; a few from low-risk places only monitor their health.
            if person.code not in priority and rng.random() < 0.1:
                person.home_kind = EpisodeKind.HOME_MONITORING
            if person.centralized:
                person.chain = rng.random() < 0.8
            else:
                person.chain = rng.random() < (0.5 if person.code in priority else 0.15)
        for person in people:
            if person.fate != "identified" and rng.random() < OVERDUE_SHARE:
                person.overdue_from = self.today - datetime.timedelta(days=rng.choice((1, 1, 2)))
            person.incomplete = person.fate != "identified" and rng.random() < INCOMPLETE_TEAM_SHARE

    # ------------------------------------------------------------------ the run

    def run(self) -> ActivitySummary:
        self.site, self.rooms = self._hotel()
        self.order_items = self._dispatch_order_plan()
        self._fieldwork()
        by_day: dict[datetime.date, list[_Person]] = {}
        for person in self.people:
            by_day.setdefault(person.identified_on, []).append(person)
        for day in self.days:
            self._morning(day)
            arrivals = by_day.get(day, [])
            if arrivals:
                self._screening(day, arrivals)
                self._teams(day, arrivals)
            self.visits.write_day(day)
            self._releases(day)
            self._starts(day, arrivals)
            self._check_ins(day)
            self._contacts(day)
            self._dispatch(day)
            if day < self.today:
                end = _at(day, 23, 59) + datetime.timedelta(seconds=59)
                self.summary.snapshots += snapshots_take(day=day, now=end)
        self._one_open_fever_alert()
        self.summary.visits = self.visits.visits
        self.summary.visit_members = self.visits.members
        self.summary.feed_rows = self.feeds.feed_rows
        self.summary.discrepancies = self.feeds.discrepancies
        self.summary.to_review = ScreeningResult.objects.filter(status=LinkStatus.REVIEW).count()
        return self.summary

    # ------------------------------------------------------------------ field work

    def _fieldwork(self) -> None:
        """The open campaign and its visits, the designations in force and the feeds; each
        arrival's place, declared at the door as the feed has it, or concealed by a few."""
        campaign = demo_campaign_open(
            station=self.station, leader_id=self.leader, first_day=self.days[0], today=self.today
        )
        demo_designations_open(first_day=self.days[0], today=self.today)
        self.visits = DemoVisits(
            rng=random.Random(f"{self.seed}-visits"),
            campaign=campaign,
            days=self.days,
            now=self.now,
            grid_worker_of=grid_workers_by_unit(self.staff).get,
        )
        self.feeds = DemoFeeds(
            rng=random.Random(f"{self.seed}-feeds"), station=self.station, analyst_id=self.analyst
        )
        rng = random.Random(f"{self.seed}-trips")
        for person in self.people:
            person.place, person.region_code = rng.choice(ORIGINS[person.code])
        # A few travellers from Hubei say at the door that they stayed home: their household
        # is visited after they came back and before the run that finds them.
        could_conceal = [
            p
            for p in self.people
            if p.code in CONCEALING_CATEGORIES and self.days[0] <= p.arrival < p.identified_on
        ]
        concealing = rng.sample(
            could_conceal, min(len(could_conceal), max(2, round(len(could_conceal) * 0.2)))
        )
        for person in self.people:
            self.visits.declare(
                person.resident_id,
                DeclaredTrip(
                    place=person.place,
                    region_code=person.region_code,
                    returned_on=person.arrival,
                    transport=Transport.TRAIN,
                    concealed=person in concealing,
                ),
            )
        for person in concealing:
            self.visits.visit_home_of(person.resident_id, person.arrival)

    # ------------------------------------------------------------------ the hotel

    def _hotel(self) -> tuple[IsolationSite, list[Room]]:
        site = IsolationSite.objects.create(
            unit=self.station, name=HOTEL_NAME, address=HOTEL_ADDRESS
        )
        rooms = Room.objects.bulk_create(
            [
                Room(
                    site=site,
                    floor=str(floor),
                    number=f"{floor}{n:02d}",
                    status=RoomStatus.OUT_OF_SERVICE
                    if f"{floor}{n:02d}" in HOTEL_OUT_OF_SERVICE
                    else RoomStatus.FREE,
                )
                for floor in HOTEL_FLOORS
                for n in range(1, ROOMS_PER_FLOOR + 1)
            ]
        )
        self.site_medics = [
            self.staff.user(name, Role.MEDICAL_STAFF) for name in ("doctor01", "doctor02")
        ]
        self.site_officer = self.staff.user("siteofficer01", Role.POLICE_OFFICER)
        SiteStaff.objects.bulk_create(
            [
                SiteStaff(site=site, user_id=user_id, role=role, on_duty_from=self.days[0])
                for user_id, role in (
                    *((medic, SiteStaffRole.MEDICAL) for medic in self.site_medics),
                    (self.site_officer, SiteStaffRole.OFFICER),
                )
            ]
        )
        self.cleaning_since: dict[int, datetime.date] = {}
        self.occupied: set[int] = set()
        return site, rooms

    def _morning(self, day: datetime.date) -> None:
        """Rooms cleaned since yesterday are free again; episodes past their planned end are
        due for release (the night job)."""
        cleaned = [
            pk
            for pk, since in self.cleaning_since.items()
            if since < day and _at(day, 8) <= self.now
        ]
        if cleaned:
            Room.objects.filter(pk__in=cleaned).update(status=RoomStatus.FREE)
            for pk in cleaned:
                del self.cleaning_since[pk]
        due = {
            p.episode.pk
            for p in self.people
            if p.episode is not None
            and p.episode.status == EpisodeStatus.ACTIVE
            and p.episode.planned_end_date < day
        }
        if due and _at(day, 0, 10) <= self.now:
            Episode.objects.filter(pk__in=due).update(status=EpisodeStatus.RELEASE_DUE)
            for p in self.people:
                if p.episode is not None and p.episode.pk in due:
                    p.episode.status = EpisodeStatus.RELEASE_DUE

    # ------------------------------------------------------------------ screening and teams

    def _screening(self, day: datetime.date, arrivals: list[_Person]) -> None:
        """The morning's feed and run (the engine links the arrivals, sends the mistyped
        rows to review, raises concealed travel), then the key persons made of the run."""
        run = self.feeds.run(
            day=day,
            arrivals=[
                FeedPerson(
                    resident_id=p.resident_id,
                    place=p.place,
                    region_code=p.region_code,
                    arrival=p.arrival,
                )
                for p in arrivals
            ],
            avoid={p.resident_id for p in self.people},
        )
        started = run.started_at
        by_code = Counter(p.code for p in arrivals)
        self.summary.screening_runs += 1
        self.summary.arrivals.update(by_code)

        identified_at = started + datetime.timedelta(minutes=30)
        rows = KeyPerson.objects.bulk_create(
            [
                KeyPerson(
                    unit_id=p.unit_id,
                    resident_id=p.resident_id,
                    category=KeyPersonCategory.RISK_REGION_ARRIVAL,
                    source_type=SourceType.SCREENING,
                    screening_run=run,
                    origin_category_id=self.categories[p.code],
                    arrival_date=p.arrival,
                    identified_on=day,
                    created_by_id=self.leader,
                )
                for p in arrivals
            ],
            batch_size=BATCH_SIZE,
        )
        for person, row in zip(arrivals, rows, strict=True):
            person.row = row
            self.person_of[row.pk] = person
        ids = [row.pk for row in rows]
        KeyPerson.objects.filter(pk__in=ids).update(created_at=identified_at)
        KeyPersonSource.objects.bulk_create(
            [
                KeyPersonSource(
                    key_person=p.row,
                    source_type=SourceType.SCREENING,
                    screening_run=run,
                    origin_category_id=self.categories[p.code],
                    arrival_date=p.arrival,
                    noted_by_id=self.leader,
                )
                for p in arrivals
            ],
            batch_size=BATCH_SIZE,
        )
        KeyPersonSource.objects.filter(key_person_id__in=ids).update(noted_at=identified_at)
        self.summary.key_persons += len(rows)

    def _teams(self, day: datetime.date, arrivals: list[_Person]) -> None:
        """Teams proposed at once and confirmed by the office's officer within the morning;
        a few places stay proposed, and the just-identified have proposals only."""
        proposed_at = _at(day, 9, 35)
        members = []
        for person in arrivals:
            officer = self.staff.nearest(Role.POLICE_OFFICER, person.unit_id) or self.leader
            open_place = self.rng.randrange(len(self.roles)) if person.incomplete else None
            confirmed_at = proposed_at + datetime.timedelta(minutes=self.rng.randint(20, 90))
            confirm = person.fate != "identified" and confirmed_at <= self.now
            for n, role in enumerate(self.roles):
                worker = self.staff.nearest(role.staff_role, person.unit_id)
                if worker is None:
                    continue
                person.team[role.pk] = worker
                confirmed = confirm and n != open_place
                members.append(
                    TeamMember(
                        key_person=person.row,
                        role=role,
                        worker_id=worker,
                        status=MemberStatus.CONFIRMED if confirmed else MemberStatus.PROPOSED,
                        assigned_by_id=officer,
                        assigned_at=proposed_at,
                        confirmed_by_id=officer if confirmed else None,
                        confirmed_at=confirmed_at if confirmed else None,
                    )
                )
        TeamMember.objects.bulk_create(members, batch_size=BATCH_SIZE)
        self.summary.team_members += len(members)

    # ------------------------------------------------------------------ observation

    def _free_room(self) -> Room | None:
        for room in self.rooms:
            if (
                room.status == RoomStatus.FREE
                and room.pk not in self.occupied
                and room.pk not in self.cleaning_since
            ):
                return room
        return None

    def _new_episode(self, person: _Person, kind: str, start: datetime.date, at, previous=None):
        if previous is None:
            end = person.arrival + datetime.timedelta(days=self.plan_days[kind] - 1)
        else:
            end = start + datetime.timedelta(days=self.plan_days[kind] - 1)
        episode = Episode(
            unit_id=person.unit_id,
            key_person=person.row,
            kind=kind,
            site=self.site if kind == EpisodeKind.CENTRALIZED else None,
            previous=previous,
            start_date=start,
            planned_end_date=max(start, end),
            check_in_times=self.times,
            created_by_id=person.team.get(self.roles[0].pk, self.leader)
            if self.roles
            else self.leader,
        )
        episode.demo_at = at  # created_at is set on insert; written back afterwards
        return episode

    def _starts(self, day: datetime.date, arrivals: list[_Person]) -> None:
        """New arrivals start observation between 10:00 and 17:00: at the hotel while it has
        free rooms, otherwise at home; those without observation come under management."""
        episodes, stays, managed = [], [], []
        for person in arrivals:
            if person.fate == "identified":
                continue
            at = _at(day, 10) + datetime.timedelta(minutes=self.rng.randrange(7 * 60))
            if at > self.now:
                continue  # still being arranged
            managed.append(person)
            if person.fate != "episode":
                continue
            kind = person.home_kind
            room = self._free_room() if person.centralized else None
            if room is not None:
                kind = EpisodeKind.CENTRALIZED
                self.occupied.add(room.pk)
            else:
                person.chain = person.chain and kind == EpisodeKind.HOME_ISOLATION
            episode = self._new_episode(person, kind, day, at)
            person.episode = episode
            episodes.append(episode)
            if room is not None:
                person.stay = _Stay(episode=episode, room=room)
                stays.append(person.stay)
        self._write_episodes(episodes, stays)
        for person in managed:
            person.managed = True
        if managed:
            KeyPerson.objects.filter(pk__in=[p.row.pk for p in managed]).update(
                status=KeyPersonStatus.UNDER_MANAGEMENT, managed_from=day
            )

    def _write_episodes(self, episodes: list[Episode], stays: list[_Stay]) -> None:
        if not episodes:
            return
        Episode.objects.bulk_create(episodes, batch_size=BATCH_SIZE)
        for episode in episodes:
            episode.created_at = episode.demo_at
        Episode.objects.bulk_update(episodes, ["created_at"], batch_size=BATCH_SIZE)
        rows = []
        for stay in stays:
            stay.row = RoomStay(
                episode=stay.episode,
                room=stay.room,
                checked_in_at=min(self.now, stay.episode.demo_at + datetime.timedelta(minutes=50)),
                checked_in_by_id=self.site_officer,
            )
            rows.append(stay.row)
        RoomStay.objects.bulk_create(rows)
        self.summary.episodes += len(episodes)
        self.summary.centralized += sum(e.kind == EpisodeKind.CENTRALIZED for e in episodes)
        self.summary.room_stays += len(rows)

    def _releases(self, day: datetime.date) -> None:
        """Episodes due for release are confirmed in the morning (most on the first day);
        the hotel's guests and some at home go on to home monitoring, the others are
        released and their key person's management ends."""
        ended, chained, stays_out, closed = [], [], [], []
        for person in self.people:
            episode = person.episode
            if episode is None or episode.status != EpisodeStatus.RELEASE_DUE:
                continue
            at = _at(day, 9, 30) + datetime.timedelta(minutes=self.rng.randrange(150))
            if at > self.now or (
                episode.planned_end_date == day - datetime.timedelta(days=1)
                and self.rng.random() < 0.15
            ):
                continue  # confirmed tomorrow
            episode.status = EpisodeStatus.ENDED
            episode.ended_on = day
            episode.end_reason = EndReason.COMPLETED
            episode.ended_at = at  # for the check-ins of its last day
            ended.append(episode)
            if person.stay is not None:
                person.stay.row.checked_out_at = at
                person.stay.row.checked_out_by_id = self.site_officer
                stays_out.append(person.stay.row)
                self.occupied.discard(person.stay.room.pk)
                self.cleaning_since[person.stay.room.pk] = day
                person.stay = None
            if person.chain and episode.previous_id is None:
                nxt = self._new_episode(
                    person, EpisodeKind.HOME_MONITORING, day, at, previous=episode
                )
                chained.append(nxt)
                person.episode = nxt
            else:
                closed.append(person)
        if ended:
            Episode.objects.bulk_update(ended, ["status", "ended_on", "end_reason"])
        if stays_out:
            RoomStay.objects.bulk_update(stays_out, ["checked_out_at", "checked_out_by"])
            Room.objects.filter(pk__in=[s.room_id for s in stays_out]).update(
                status=RoomStatus.CLEANING
            )
        self._write_episodes(chained, [])
        if closed:
            KeyPerson.objects.filter(pk__in=[p.row.pk for p in closed]).update(
                status=KeyPersonStatus.RELEASED,
                closed_on=day,
                closed_reason="观察期满，解除管控",
            )
            for person in closed:
                person.closed = True
        # The episodes ended today still report in the morning (see _check_ins).
        self.ended_today = {e.pk: e for e in ended}

    def _check_ins(self, day: datetime.date) -> None:
        rng = self.rng
        check_ins: list[CheckIn] = []
        missed: list[tuple[Episode, datetime.datetime]] = []
        episodes = [p.episode for p in self.people if p.episode is not None and not p.closed]
        episodes = [e for e in episodes if e.status != EpisodeStatus.ENDED]
        episodes += list(self.ended_today.values())
        seen = set()
        for episode in episodes:
            if episode.pk in seen or episode.start_date > day:
                continue
            seen.add(episode.pk)
            until = getattr(episode, "ended_at", None) if episode.pk in self.ended_today else None
            staff = episode.kind == EpisodeKind.CENTRALIZED
            for slot_time in self.slot_times:
                slot = datetime.datetime.combine(day, slot_time, tzinfo=_at(day, 0).tzinfo)
                if slot < episode.demo_at or (until is not None and slot >= until):
                    continue
                taken = slot + datetime.timedelta(minutes=rng.randint(-40, 50))
                taken = max(taken, episode.demo_at)
                if taken > self.now:
                    continue
                if rng.random() < MISSED_CHANCE:
                    missed.append((episode, slot))
                    continue
                fever = rng.random() < FEVER_CHANCE
                if fever:
                    temperature = Decimal(str(round(rng.uniform(37.3, 38.6), 1)))
                    symptoms = rng.choice(([Symptom.FEVER], [Symptom.FEVER, Symptom.COUGH], []))
                else:
                    temperature = Decimal(
                        str(round(min(37.1, max(36.2, rng.gauss(36.6, 0.22))), 1))
                    )
                    symptoms = [Symptom.COUGH] if rng.random() < 0.01 else []
                self_report = not staff and rng.random() < 0.85
                check_ins.append(
                    CheckIn(
                        unit_id=episode.unit_id,
                        episode=episode,
                        taken_at=taken,
                        temperature=temperature,
                        symptoms=symptoms,
                        source=CheckInSource.SELF_REPORT if self_report else CheckInSource.STAFF,
                        recorded_by_id=None
                        if self_report
                        else (rng.choice(self.site_medics) if staff else episode.created_by_id),
                    )
                )
        CheckIn.objects.bulk_create(check_ins, batch_size=BATCH_SIZE)
        if check_ins:
            CheckIn.objects.filter(pk__gte=min(c.pk for c in check_ins)).update(
                created_at=F("taken_at")
            )
        self.summary.check_ins += len(check_ins)
        alerts = [self._fever_alert(c) for c in check_ins if c.temperature >= self.threshold]
        alerts += [self._missed_alert(e, slot) for e, slot in missed]
        alerts = [a for a in alerts if a is not None]
        Alert.objects.bulk_create(alerts, batch_size=BATCH_SIZE)

    def _team_worker(self, episode: Episode) -> int:
        person = self.person_of[episode.key_person_id]
        return self.rng.choice(list(person.team.values()) or [self.leader])

    def _fever_alert(self, check_in: CheckIn) -> Alert:
        episode = check_in.episode
        raised = check_in.taken_at
        alert = Alert(
            unit_id=episode.unit_id,
            episode=episode,
            kind=AlertKind.FEVER,
            check_in=check_in,
            raised_at=raised,
        )
        responder = (
            self.rng.choice(self.site_medics)
            if episode.kind == EpisodeKind.CENTRALIZED
            else self._team_worker(episode)
        )
        acknowledged = raised + datetime.timedelta(minutes=self.rng.randint(4, 20))
        if acknowledged <= self.now:
            alert.status = AlertStatus.ACKNOWLEDGED
            alert.acknowledged_at = acknowledged
            alert.acknowledged_by_id = responder
        elif raised + datetime.timedelta(minutes=30) <= self.now:
            alert.escalated_at = raised + datetime.timedelta(minutes=30)
        resolved = acknowledged + datetime.timedelta(minutes=self.rng.randint(30, 90))
        if resolved <= self.now:
            alert.status = AlertStatus.RESOLVED
            alert.resolved_at = resolved
            alert.resolved_by_id = responder
            if self.fever_count in TRANSFERS:
                alert.outcome = AlertOutcome.FEVER_CLINIC
                alert.transfer_place = self.rng.choice(FEVER_CLINICS)
                alert.transferred_at = resolved
                alert.note = "120转运，发热门诊排查"
            elif self.rng.random() < 0.15:
                alert.outcome = AlertOutcome.FALSE_READING
                alert.note = "体温计读数有误，复测正常"
            else:
                alert.outcome = AlertOutcome.RETEST_NORMAL
                alert.note = "30分钟后复测正常"
        self.fever_count += 1
        self.summary.fever_alerts += 1
        return alert

    def _missed_alert(self, episode: Episode, slot: datetime.datetime) -> Alert | None:
        raised = slot + datetime.timedelta(minutes=ObservationPolicy.current().missed_after_minutes)
        if raised > self.now:
            return None  # the sweep raises it when the time comes
        alert = Alert(
            unit_id=episode.unit_id,
            episode=episode,
            kind=AlertKind.MISSED_CHECK_IN,
            slot_at=slot,
            raised_at=raised,
        )
        reached = raised + datetime.timedelta(minutes=self.rng.randint(10, 60))
        if reached <= self.now:
            worker = self._team_worker(episode)
            alert.status = AlertStatus.RESOLVED
            alert.acknowledged_at = alert.resolved_at = reached
            alert.acknowledged_by_id = alert.resolved_by_id = worker
            alert.outcome = AlertOutcome.REACHED
            alert.note = "电话联系本人，体温正常，忘记上报"
        self.summary.missed_alerts += 1
        return alert

    def _one_open_fever_alert(self) -> None:
        """The demo shows an open fever alert: the latest check-in is a fever if none is."""
        if Alert.objects.filter(kind=AlertKind.FEVER, status=AlertStatus.OPEN).exists():
            return
        check_in = (
            CheckIn.objects.filter(episode__status=EpisodeStatus.ACTIVE)
            .order_by("-taken_at", "-pk")
            .first()
        )
        if check_in is None:
            return
        check_in.temperature = Decimal("37.8")
        check_in.symptoms = [Symptom.FEVER]
        check_in.save(update_fields=["temperature", "symptoms"])
        replaced, _counts = Alert.objects.filter(check_in=check_in).delete()
        self.summary.fever_alerts -= replaced
        Alert.objects.create(
            unit_id=check_in.unit_id,
            episode_id=check_in.episode_id,
            kind=AlertKind.FEVER,
            check_in=check_in,
            raised_at=check_in.taken_at,
        )
        self.summary.fever_alerts += 1

    # ------------------------------------------------------------------ contacts

    def _contacts(self, day: datetime.date) -> None:
        """About one contact a day with each key person under management, by a member of the
        team; some days are skipped and a few people have gone without one since yesterday."""
        rng = self.rng
        entries = []
        channels = (
            (ContactChannel.PHONE, 60),
            (ContactChannel.DOOR_VISIT, 20),
            (ContactChannel.SMS, 10),
            (ContactChannel.VIDEO, 10),
        )
        outcomes = (
            (ContactOutcome.REACHED, 94),
            (ContactOutcome.NOT_REACHED, 5),
            (ContactOutcome.REFUSED, 1),
        )
        for person in self.people:
            if not person.managed or person.closed or not person.team:
                continue
            if person.overdue_from is not None and day >= person.overdue_from:
                continue
            if person.identified_on < day and rng.random() < SKIPPED_CONTACT_CHANCE:
                continue
            start = 11 * 60 if person.identified_on == day else 8 * 60 + 30
            at = _at(day, 0) + datetime.timedelta(minutes=rng.randint(start, 19 * 60 + 30))
            if at > self.now:
                continue
            worker = rng.choice(list(person.team.values()))
            outcome = rng.choices(*zip(*outcomes, strict=True))[0]
            entries.append(
                ContactEntry(
                    key_person=person.row,
                    worker_id=worker,
                    contacted_at=at,
                    channel=rng.choices(*zip(*channels, strict=True))[0],
                    outcome=outcome,
                    note=rng.choice(CONTACT_NOTES) if outcome == ContactOutcome.REACHED else "",
                    recorded_by_id=worker,
                )
            )
        ContactEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
        if entries:
            ContactEntry.objects.filter(pk__gte=min(e.pk for e in entries)).update(
                recorded_at=F("contacted_at")
            )
        self.summary.contacts += len(entries)

    # ------------------------------------------------------------------ dispatch

    def _dispatch_order_plan(self) -> list[tuple[DispatchItem, datetime.datetime | None]]:
        """One order from the health commission half-way through the window: a list of
        people to verify on the ground within two days, routed to the officers."""
        day = self.days[len(self.days) // 2]
        received = _at(day, 11)
        if received > self.now:
            return []
        rng = self.rng
        size = max(5, min(40, len(self.people) // 30))
        residents = list(
            Resident.objects.filter(is_active=True, merged_into__isnull=True)
            .exclude(phone="")
            .exclude(id_number="")
            .order_by("pk")
            .values_list("pk", "unit_id", "name", "id_number", "phone")[:20000]
        )
        picked = rng.sample(residents, min(size, len(residents)))
        headers = ["序号", "姓名", "身份证号", "联系电话", "来源地", "备注"]
        values = [
            [
                str(n),
                name,
                id_number,
                phone,
                rng.choice(("武汉市", "孝感市", "黄冈市")),
                "列车同车厢",
            ]
            for n, (_pk, _u, name, id_number, phone) in enumerate(picked, 1)
        ]
        order = DispatchOrder(
            unit=self.station,
            order_number=f"卫健发〔{day.year}〕{rng.randint(20, 90)}号",
            issuing_body="大连市卫生健康委员会",
            title="密切接触者落地核查名单",
            received_at=received,
            deadline=received + datetime.timedelta(hours=48),
            original_name="密切接触者落地核查名单.xlsx",
            sheet_name="Sheet1",
            header_row=0,
            headers=headers,
            mapping={"1": "name", "2": "id_number", "3": "phone"},
            status=OrderStatus.READY,
            progress=100,
            total_items=len(picked),
            created_by_id=self.leader,
        )
        order.file.save(order.original_name, ContentFile(_workbook(headers, values)), save=False)
        order.save()
        DispatchOrder.objects.filter(pk=order.pk).update(created_at=received)
        routed = received + datetime.timedelta(minutes=40)
        items = []
        for n, ((pk, unit_id, name, id_number, phone), row) in enumerate(
            zip(picked, values, strict=True), 1
        ):
            officer = self.staff.nearest(Role.POLICE_OFFICER, unit_id)
            item = DispatchItem(
                order=order,
                unit_id=unit_id,
                row_number=n,
                values=row,
                name=name,
                id_number=id_number,
                phone=phone,
                resident_id=pk,
                match_status=MatchStatus.AUTO,
                match_rule="id_exact",
                match_score=100,
                assigned_officer_id=officer,
                routed_at=routed,
            )
            items.append(item)
        DispatchItem.objects.bulk_create(items)
        self.summary.dispatch_items = len(items)
        # Most are verified within the deadline; a few late, a few not verified yet.
        late = max(2, len(items) // 12)
        ranks = list(range(len(items)))
        rng.shuffle(ranks)
        done: list[datetime.datetime | None] = []
        for rank in ranks:
            if rank < late:
                done.append(None)
            elif rank < 2 * late:
                done.append(routed + datetime.timedelta(hours=rng.randint(50, 80)))
            else:
                done.append(routed + datetime.timedelta(minutes=rng.randint(60, 44 * 60)))
        return list(zip(items, done, strict=True))

    def _dispatch(self, day: datetime.date) -> None:
        results = (
            (ItemResult.FOUND_NOT_KEY, 70),
            (ItemResult.ALREADY_HANDLED, 15),
            (ItemResult.NOT_FOUND, 10),
            (ItemResult.MOVED_AWAY, 5),
        )
        done = []
        for item, at in self.order_items:
            if at is None or timezone.localdate(at) != day or at > self.now:
                continue
            item.result = self.rng.choices(*zip(*results, strict=True))[0]
            item.moved_to = "沈阳市和平区" if item.result == ItemResult.MOVED_AWAY else ""
            item.result_note = "已电话及上门核实"
            item.result_at = at
            item.recorded_by_id = item.assigned_officer_id
            item.version = 1
            done.append(item)
        if done:
            DispatchItem.objects.bulk_update(
                done,
                ["result", "moved_to", "result_note", "result_at", "recorded_by", "version"],
            )


def _workbook(headers: list[str], rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = ["ActivitySummary", "build_demo_activity"]
