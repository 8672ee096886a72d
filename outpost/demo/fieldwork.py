"""The demo district's door-to-door work (演示数据·入户排查): one open screening campaign over
the whole station, and the grid workers' visits of its first days.

About 60 % of the households are visited over the days of the demo, by the grid worker of
their grid, between 09:30 and 17:30: most visits find the family at home, some find nobody
(to be visited again), a few members are away, and a few declare travel in the last 14 days.
Arrivals that the screening runs find declare their trip when their household is visited
after they came back, except a handful of travellers from Hubei who say they stayed home:
the run that finds them raises a concealed-travel discrepancy to verify (出行信息不一致).

Seed data written with `bulk_create`, like the rest of the demo: no history rows.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass

from outpost.core.choices import Role
from outpost.demo.clock import at as _at
from outpost.registry.choices import HealthStatus, MemberPresence, Transport, VisitOutcome
from outpost.registry.models import Campaign, Household, Resident, Visit, VisitMember
from outpost.registry.screened import screened_refresh

BATCH_SIZE = 1000
CAMPAIGN_NAME = "新冠肺炎疫情防控入户排查"
VISITED_SHARE = 0.6  # of the households, over the demo's days
NOBODY_HOME_SHARE = 0.08
AWAY_SHARE = 0.06  # of the members met at a completed visit
LOCAL_TRAVEL_SHARE = 0.01  # members who declare a trip from a place of no designated risk
CAMPAIGN_DAYS_AHEAD = 7  # the campaign runs a week past today
# Trips declared by people who are not arrivals of the screening: places of low risk.
LOCAL_TRIPS = (("沈阳市", "210100"), ("北京市", "110000"), ("丹东市", "210600"))


@dataclass(slots=True)
class DeclaredTrip:
    """What an arrival says at the door: the place and the day back, or nothing (concealed)."""

    place: str
    region_code: str
    returned_on: datetime.date
    transport: str
    concealed: bool = False


def demo_campaign_open(
    *, station, leader_id: int, first_day: datetime.date, today: datetime.date
) -> Campaign:
    """The station's open campaign, from the first day of the demo to a week past today."""
    campaign = Campaign.objects.create(
        name=CAMPAIGN_NAME,
        unit=station,
        start_date=first_day,
        end_date=today + datetime.timedelta(days=CAMPAIGN_DAYS_AHEAD),
        created_by_id=leader_id,
    )
    campaign.scope_units.add(station)
    return campaign


class DemoVisits:
    """Plans which households are visited on which day, and writes one day at a time (so a
    screening run of a morning meets the declarations made before it)."""

    def __init__(
        self,
        *,
        rng: random.Random,
        campaign: Campaign,
        days: list[datetime.date],
        now: datetime.datetime,
        grid_worker_of,
    ) -> None:
        self.rng = rng
        self.campaign = campaign
        self.now = now
        self.grid_worker_of = grid_worker_of
        self.members_of: dict[int, list[int]] = defaultdict(list)
        self.household_of: dict[int, int] = {}
        for pk, household_id in (
            Resident.objects.filter(is_active=True, household__isnull=False)
            .order_by("pk")
            .values_list("pk", "household_id")
        ):
            self.members_of[household_id].append(pk)
            self.household_of[pk] = household_id
        households = list(Household.objects.order_by("pk").values_list("pk", "unit_id"))
        rng.shuffle(households)
        visited = households[: round(len(households) * VISITED_SHARE)]
        working_days = [d for d in days if _at(d, 9, 30) <= now]
        self.plan: dict[datetime.date, list[tuple[int, int]]] = defaultdict(list)
        for n, household in enumerate(visited):
            if working_days:
                self.plan[working_days[n % len(working_days)]].append(household)
        self.unit_of = dict(households)
        self.visited: set[int] = set()
        self.trips: dict[int, DeclaredTrip] = {}
        self.visits = 0
        self.members = 0

    def declare(self, resident_id: int, trip: DeclaredTrip) -> None:
        """What `resident_id` will say of their trip when their household is visited."""
        self.trips[resident_id] = trip

    def visit_home_of(self, resident_id: int, day: datetime.date) -> None:
        """Visit the household of `resident_id` on `day` instead of its planned day."""
        household_id = self.household_of.get(resident_id)
        if household_id is None:
            return
        for planned in self.plan.values():
            planned[:] = [h for h in planned if h[0] != household_id]
        self.plan[day].append((household_id, self.unit_of[household_id]))

    def write_day(self, day: datetime.date) -> None:
        rng = self.rng
        end_of_work = min(_at(day, 17, 30), self.now)
        start = _at(day, 9, 30)
        if end_of_work <= start:
            return
        span = int((end_of_work - start).total_seconds())
        visits, outcomes = [], []
        for household_id, unit_id in self.plan.get(day, []):
            if household_id in self.visited:
                continue
            worker = self.grid_worker_of(unit_id)
            if worker is None:
                continue
            self.visited.add(household_id)
            outcome = (
                VisitOutcome.NOBODY_HOME
                if rng.random() < NOBODY_HOME_SHARE
                else VisitOutcome.COMPLETED
            )
            visits.append(
                Visit(
                    unit_id=unit_id,
                    campaign=self.campaign,
                    household_id=household_id,
                    visited_by_id=worker,
                    visited_at=start + datetime.timedelta(seconds=rng.randrange(span)),
                    outcome=outcome,
                    phone_confirmed=outcome == VisitOutcome.COMPLETED,
                )
            )
            outcomes.append(outcome)
        Visit.objects.bulk_create(visits, batch_size=BATCH_SIZE)
        members = []
        for visit in visits:
            if visit.outcome != VisitOutcome.COMPLETED:
                continue
            for resident_id in self.members_of.get(visit.household_id, []):
                members.append(self._member(visit, resident_id, day))
        VisitMember.objects.bulk_create(members, batch_size=BATCH_SIZE)
        screened_refresh(
            household_ids=[visit.household_id for visit in visits],
            resident_ids=[member.resident_id for member in members],
        )
        self.visits += len(visits)
        self.members += len(members)

    def _member(self, visit: Visit, resident_id: int, day: datetime.date) -> VisitMember:
        rng = self.rng
        trip = self.trips.get(resident_id)
        member = VisitMember(
            visit=visit,
            resident_id=resident_id,
            presence=MemberPresence.AWAY if rng.random() < AWAY_SHARE else MemberPresence.PRESENT,
            health_status=HealthStatus.HEALTHY,
            phone_confirmed=True,
        )
        if trip is not None and trip.returned_on <= day:
            member.presence = MemberPresence.PRESENT
            if not trip.concealed:
                member.travelled = True
                member.origin_place = trip.place
                member.origin_region_code = trip.region_code
                member.returned_on = trip.returned_on
                member.transport = trip.transport
        elif trip is None and rng.random() < LOCAL_TRAVEL_SHARE:
            place, code = rng.choice(LOCAL_TRIPS)
            member.travelled = True
            member.origin_place = place
            member.origin_region_code = code
            member.returned_on = day - datetime.timedelta(days=rng.randrange(2, 12))
            member.transport = rng.choice((Transport.TRAIN, Transport.CAR, Transport.BUS))
        return member


def grid_workers_by_unit(staff) -> dict[int, int]:
    """The grid worker of each grid (the demo has exactly one per grid)."""
    return {
        unit_id: ids[0]
        for (role, unit_id), ids in staff.by_role_unit.items()
        if role == Role.GRID_WORKER and ids
    }
