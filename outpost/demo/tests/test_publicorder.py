"""The demo's public order: the reference station's 106 venues of five kinds in the closure
campaign, routes with checkpoints and 14 days of patrols, two years of daily incidents;
the same every time."""

import datetime

import pytest
from django.db.models import Count

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.demo.publicorder import build_public_order
from outpost.publicorder.choices import ClosureState
from outpost.publicorder.models import ClosureEntry, IncidentCount, Patrol, PatrolCheckIn, Venue
from outpost.publicorder.selectors import campaign_counts, campaign_entries

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 2, 14)


def test_the_demo_writes_the_stations_106_venues_patrols_and_incidents(district):
    officer = staff_user(role=Role.POLICE_OFFICER, unit=district.community_a, username="o1")
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station, username="l1")
    written = build_public_order(
        seed=2020, today=TODAY, station=district.station, officer=officer, leader=leader,
        incident_days=60,
    )  # fmt: skip
    kinds = dict(Venue.objects.values_list("kind__code").annotate(n=Count("pk")))
    assert kinds == {"sports": 3, "bath": 28, "hotel": 25, "ktv": 22, "arcade": 28}
    campaign = ClosureEntry.objects.first().campaign
    rows = campaign_counts(campaign_entries(user=leader, campaign=campaign))
    assert sum(row.total for row in rows) == 106
    assert not ClosureEntry.objects.exclude(
        state__in=[ClosureState.CLOSED, ClosureState.INSPECTED]
    ).exists()
    days = set(Patrol.objects.values_list("day", flat=True))
    assert len(days) == 14 and max(days) == TODAY - datetime.timedelta(days=1)
    assert Patrol.objects.exclude(exception="").filter(acknowledged_at__isnull=True).exists()
    for patrol in Patrol.objects.all():
        assert patrol.check_ins.count() == patrol.checked_in
    assert IncidentCount.objects.count() == 60 * 1 * 4  # one police office, four categories
    assert written == (
        106 + 1 + 106 + 3 + 4 + 14 + Patrol.objects.count() + PatrolCheckIn.objects.count() + 240
    )
    first = list(Venue.objects.order_by("pk").values_list("name", "responsible_phone"))
    assert first[0][1].startswith("139")
