"""The dashboard shows a unit's figures with their changes, its parts, trends, and the
list behind every figure; a user sees their own subtree only."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from outpost.briefing.tests.factories import snapshot_of
from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.keypersons.tests.factories import key_person_in, managed_key_person_in

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def leader(district):
    return staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")


def _figure(response, key):
    content = response.content.decode()
    start = content.index(f'data-figure="{key}"')
    value_at = content.index('class="figure-value">', start) + len('class="figure-value">')
    return int(content[value_at : content.index("<", value_at)])


def test_leader_sees_the_station_figures_live_with_deltas_and_the_offices(client, district, leader):
    key_person_in(district.grid_a1)
    managed_key_person_in(district.grid_b1)
    snapshot_of(district.station, days_ago=1, key_persons=1)
    snapshot_of(district.station, days_ago=7, key_persons=5)
    client.force_login(leader)

    response = client.get(reverse("briefing:dashboard"))

    assert response.status_code == 200
    assert _figure(response, "key_persons") == 2
    content = response.content.decode()
    assert "(+1 / -3)" in content  # one more than yesterday, three fewer than a week ago
    assert "counted just now" in content
    assert district.office.name in content  # drill-down row
    assert content.count("<svg") == 2  # the two trend charts, inline, no script


def test_a_past_day_comes_from_its_snapshot(client, district, leader):
    snapshot_of(district.station, days_ago=2, key_persons=7)
    key_person_in(district.grid_a1)
    client.force_login(leader)
    day = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()

    response = client.get(reverse("briefing:dashboard"), {"day": day})

    assert _figure(response, "key_persons") == 7
    assert "as frozen at day close" in response.content.decode()


def test_a_community_officer_sees_their_community_and_not_the_other(client, district, officer_a):
    key_person_in(district.grid_a1)
    client.force_login(officer_a)

    own = client.get(reverse("briefing:dashboard"))
    other = client.get(reverse("briefing:dashboard"), {"unit": district.community_b.pk})
    above = client.get(reverse("briefing:dashboard"), {"unit": district.station.pk})

    assert own.status_code == 200 and district.community_a.name in own.content.decode()
    assert district.grid_a1.name in own.content.decode()
    assert other.status_code == 404 and above.status_code == 404


def test_a_figure_opens_the_rows_it_counts_masked(client, district, leader):
    person = managed_key_person_in(district.grid_a1)
    key_person_in(district.grid_b1)
    client.force_login(leader)

    dashboard = client.get(reverse("briefing:dashboard"), {"unit": district.community_a.pk})
    rows = client.get(
        reverse("briefing:figure_rows"),
        {"key": "key_persons", "unit": district.community_a.pk},
    )

    assert _figure(dashboard, "key_persons") == 1
    content = rows.content.decode()
    assert person.display_name in content
    assert "1 row you may see." in content
    assert person.resident.phone not in content and person.resident.masked_phone in content


def test_an_unknown_figure_is_a_404(client, district, leader):
    client.force_login(leader)
    response = client.get(reverse("briefing:figure_rows"), {"key": "nonsense"})
    assert response.status_code == 404


def test_a_grid_worker_has_no_briefing(client, district, grid_worker_a1):
    client.force_login(grid_worker_a1)
    assert client.get(reverse("briefing:dashboard")).status_code == 403
