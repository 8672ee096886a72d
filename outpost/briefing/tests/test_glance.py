"""The dashboard reads at a glance: shares that never round to a lie, threshold colours an
administrator sets, and a totals row that is the sum of the units' rows."""

import re

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from outpost.briefing.models import FigureThreshold
from outpost.briefing.shares import format_share
from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.keypersons.tests.factories import key_person_in

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def leader(district):
    return staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")


def test_one_screened_of_67010_is_not_zero_percent():
    assert format_share(1, 67_010) == "<0.1 %"
    assert format_share(67_009, 67_010) == ">99.9 %"
    assert format_share(0, 67_010) == "0 %"
    assert format_share(67_010, 67_010) == "100 %"
    assert format_share(1, 3) == "33.3 %"
    assert format_share(5, 0) == "–"


@given(total=st.integers(min_value=1, max_value=10**7), data=st.data())
def test_a_share_says_none_only_for_none_and_all_only_for_all(total, data):
    part = data.draw(st.integers(min_value=0, max_value=total))
    text = format_share(part, total)
    number = float(re.sub(r"[^0-9.]", "", text))
    assert (number == 0) == (part == 0)
    assert (text == "100 %") == (part == total)
    if 0 < part < total:
        assert 0 < number < 100 or text in ("<0.1 %", ">99.9 %")
        # Within rounding of the true share, on the right side of 0.1 and 99.9.
        assert abs(number - 100 * part / total) <= 0.1


def test_thresholds_colour_by_direction():
    worse_up = FigureThreshold(key="alerts_open", amber_at=1, red_at=5, higher_is_worse=True)
    assert [worse_up.colour(v) for v in (0, 1, 4, 5, 50)] == [
        "green",
        "amber",
        "amber",
        "red",
        "red",
    ]
    worse_down = FigureThreshold(
        key="persons_screened", amber_at=80, red_at=50, higher_is_worse=False
    )
    assert [worse_down.colour(v) for v in (100, 80.5, 80, 50, 0.001)] == [
        "green",
        "green",
        "amber",
        "red",
        "red",
    ]
    assert worse_up.colour(None) == ""


def _tile(content: str, key: str) -> str:
    start = content.index(f'data-figure="{key}"')
    return content[content.rindex("<a", 0, start) : content.index("</a>", start)]


def test_the_dashboard_colours_a_figure_by_its_threshold(client, district, leader):
    FigureThreshold.objects.update_or_create(
        key="key_persons", defaults={"amber_at": 1, "red_at": 2, "higher_is_worse": True}
    )
    key_person_in(district.grid_a1)
    client.force_login(leader)

    content = client.get(reverse("briefing:dashboard")).content.decode()

    tile = _tile(content, "key_persons")
    assert 'data-colour="amber"' in tile
    assert "Beyond the amber threshold" in tile

    key_person_in(district.grid_b1)
    content = client.get(reverse("briefing:dashboard")).content.decode()
    assert 'data-colour="red"' in _tile(content, "key_persons")


def test_an_administrator_edits_a_threshold_in_the_admin(client, district):
    admin = staff_user(role=Role.ADMINISTRATOR, unit=district.station, username="root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)

    response = client.post(
        reverse("admin:briefing_figurethreshold_add"),
        {"key": "key_persons", "amber_at": "3", "red_at": "9", "higher_is_worse": "on"},
    )

    assert response.status_code == 302
    assert FigureThreshold.objects.get(key="key_persons").red_at == 9


@pytest.mark.django_db
def test_red_before_amber_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        FigureThreshold(key="alerts_open", amber_at=5, red_at=1).clean()


def test_screened_shows_as_a_share_of_its_total(client, district, leader):
    from outpost.registry.tests.factories import ResidentFactory

    for _n in range(3):
        ResidentFactory(unit=district.grid_a1)
    client.force_login(leader)

    content = client.get(reverse("briefing:dashboard")).content.decode()

    tile = _tile(content, "persons_screened")
    assert "0 %" in tile and "of 3" in tile
    # No one screened: below the red threshold of the starting thresholds.
    assert 'data-colour="red"' in tile


def test_the_totals_row_is_the_sum_of_the_units(client, district, leader):
    key_person_in(district.grid_a1)
    key_person_in(district.grid_a2)
    key_person_in(district.grid_b1)
    client.force_login(leader)

    response = client.get(reverse("briefing:dashboard"), {"unit": district.office.pk})

    content = response.content.decode()
    table = content[content.index('data-testid="drill-down"') :]
    body = table[: table.index("<tfoot>")]
    foot = table[table.index("<tfoot>") : table.index("</tfoot>")]
    column = 'data-label="Key persons under management"'
    rows = [int(re.search(r">(\d+)<", cell).group(1)) for cell in body.split(column)[1:]]
    total = int(re.search(r">(\d+)<", foot.split(column)[1]).group(1))
    assert rows == [2, 1]
    assert total == sum(rows) == 3
