"""The briefing figures count what the station counts, per unit, rolled up the tree."""

import datetime

from django.utils import timezone

from outpost.briefing.figures import figure_list, subtree_figures
from outpost.briefing.models import DailySnapshot
from outpost.briefing.services import snapshots_take
from outpost.dispatch.choices import ItemResult
from outpost.dispatch.tests.factories import DispatchItemFactory
from outpost.keypersons.tests.factories import key_person_in, managed_key_person_in
from outpost.observation.choices import EpisodeKind
from outpost.observation.tests.factories import (
    AlertFactory,
    IsolationSiteFactory,
    RoomFactory,
    episode_in,
    stay_in,
)
from outpost.registry.tests.factories import (
    HouseholdFactory,
    ResidentFactory,
    VisitMemberFactory,
)
from outpost.screening.choices import LinkStatus
from outpost.screening.models import OriginCategory, ScreeningRun
from outpost.screening.tests.factories import ScreeningResultFactory


def _resident(grid):
    return ResidentFactory(household=HouseholdFactory(unit=grid))


def test_screening_counts_households_and_residents_visited(district):
    VisitMemberFactory(visit__household=HouseholdFactory(unit=district.grid_a1))
    _resident(district.grid_a1)
    _resident(district.grid_b1)

    figures = subtree_figures(root=district.station, day=timezone.localdate())

    assert figures[district.grid_a1.pk]["households_total"] == 2
    assert figures[district.grid_a1.pk]["households_screened"] == 1
    assert figures[district.grid_a1.pk]["persons_total"] == 2
    assert figures[district.grid_a1.pk]["persons_screened"] == 1
    # Rolled up: the community has its grids' rows, the station everyone's.
    assert figures[district.community_a.pk]["persons_total"] == 2
    assert figures[district.station.pk]["persons_total"] == 3
    assert figures[district.community_b.pk]["households_screened"] == 0


def test_arrivals_count_each_resident_once_in_the_category_of_the_latest_run(district):
    wuhan = OriginCategory.objects.get(code="wuhan")
    others = OriginCategory.objects.exclude(code="wuhan").first()
    resident = _resident(district.grid_a1)
    first = ScreeningResultFactory(
        resident=resident, category=others, status=LinkStatus.AUTO, arrival_date=None
    )
    later_run = ScreeningRun.objects.create(
        unit=district.grid_a1, created_by=first.run.created_by, status=first.run.status
    )
    today = timezone.localdate()
    ScreeningResultFactory(
        resident=resident,
        run=later_run,
        category=wuhan,
        status=LinkStatus.AUTO,
        arrival_date=today,
    )
    # A link still to be reviewed is not an arrival.
    ScreeningResultFactory(resident=_resident(district.grid_a1), category=wuhan)

    station = subtree_figures(root=district.station, day=today)[district.station.pk]

    assert station["arrivals_wuhan"] == 1
    assert station[f"arrivals_{others.code}"] == 0
    assert station["arrivals_new"] == 1
    assert {f.key for f in figure_list()} >= {
        f"arrivals_{code}" for code in OriginCategory.objects.values_list("code", flat=True)
    }


def test_dispatch_key_person_and_observation_figures(district):
    DispatchItemFactory(unit=district.grid_a1, result=ItemResult.FOUND_MANAGED)
    DispatchItemFactory(
        unit=district.grid_a1,
        order__deadline=timezone.now() - datetime.timedelta(hours=1),
    )
    key_person_in(district.grid_a1)
    managed_key_person_in(district.grid_a1, days=3)  # never contacted: overdue
    home = episode_in(district.grid_a1)
    AlertFactory(episode=home)
    stay_in(district.grid_b1)  # a centralized episode with a room, in community B
    RoomFactory(site=IsolationSiteFactory(unit=district.grid_b1))

    figures = subtree_figures(root=district.station, day=timezone.localdate())
    a, b = figures[district.community_a.pk], figures[district.community_b.pk]

    assert (a["dispatch_items"], a["dispatch_verified"], a["dispatch_overdue"]) == (2, 1, 1)
    # Three key persons in A (the episode's is one more), none with a full team.
    assert a["key_persons"] == 3
    assert a["key_persons_incomplete_team"] == 3
    assert a["contacts_overdue"] == 2
    assert (a["observation_home"], a["observation_centralized"]) == (1, 0)
    assert (b["observation_home"], b["observation_centralized"]) == (0, 1)
    assert a["observation_new"] == 1 and b["observation_new"] == 1
    assert a["alerts_open"] == 1 and b["alerts_open"] == 0
    assert (b["rooms_occupied"], b["rooms_total"]) == (1, 2)
    assert home.kind == EpisodeKind.HOME_ISOLATION


def test_snapshots_freeze_every_unit_once(district):
    _resident(district.grid_a1)
    day = timezone.localdate() - datetime.timedelta(days=1)

    written = snapshots_take(day=day)
    _resident(district.grid_a1)
    again = snapshots_take(day=day)

    assert written == 7 and again == 0  # the district fixture has seven units
    snapshot = DailySnapshot.objects.get(unit=district.station, day=day)
    assert snapshot.figures["persons_total"] == 1  # the later resident did not change it
