"""The dashboard maps the units below, coloured by a chosen figure: one linked area per
unit, a legend, the same in a table, links that open."""

import re

import pytest
from django.urls import reverse

from outpost.briefing.maps import count_classes
from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.keypersons.tests.factories import key_person_in

pytestmark = pytest.mark.usefixtures("english")


def square(west: float, south: float, size: float = 0.01) -> dict:
    ring = [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def mapped(district):
    for n, unit in enumerate((district.community_a, district.community_b)):
        unit.boundary = square(121.6 + n * 0.01, 38.9)
        unit.save(update_fields=["boundary"])
    return district


@pytest.fixture
def leader(district):
    return staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")


def test_the_map_has_one_linked_area_per_unit_below_and_its_links_open(client, mapped, leader):
    key_person_in(mapped.grid_a1)
    client.force_login(leader)
    url = reverse("briefing:dashboard")

    response = client.get(url, {"unit": mapped.office.pk, "map": "key_persons"})

    content = response.content.decode()
    svg = content[content.index("<svg", content.index('data-testid="map"')) :]
    svg = svg[: svg.index("</svg>")]
    areas = re.findall(r'<a href="([^"]+)" data-unit="(\d+)"><path', svg)
    assert sorted(int(pk) for _href, pk in areas) == sorted(
        [mapped.community_a.pk, mapped.community_b.pk]
    )
    for href, _pk in areas:
        assert client.get(url + href.replace("&amp;", "&")).status_code == 200
    assert "<script" not in svg
    legend = content[content.index('data-testid="map-legend"') :]
    assert ">0</li>" in legend and ">1</li>" in legend  # 0 and 1 key person
    table = content[content.index('data-testid="map-table"') :]
    assert mapped.community_a.name in table and mapped.community_b.name in table


def test_areas_take_the_colour_of_their_class(client, mapped, leader):
    key_person_in(mapped.grid_a1)
    client.force_login(leader)

    content = client.get(
        reverse("briefing:dashboard"), {"unit": mapped.office.pk, "map": "key_persons"}
    ).content.decode()

    fills = dict(re.findall(r'data-unit="(\d+)"><path d="[^"]+" fill="(#[0-9a-f]+)"', content))
    assert fills[str(mapped.community_a.pk)] != fills[str(mapped.community_b.pk)]


def test_screening_progress_is_the_default_and_units_without_boundary_are_listed(
    client, district, leader
):
    district.community_a.boundary = square(121.6, 38.9)
    district.community_a.save(update_fields=["boundary"])
    client.force_login(leader)

    content = client.get(
        reverse("briefing:dashboard"), {"unit": district.office.pk}
    ).content.decode()

    assert "Map · Screening progress" in content
    assert "Not on the map (no boundary):" in content
    assert district.community_b.name in content


def test_no_boundary_no_map(client, district, leader):
    client.force_login(leader)

    content = client.get(reverse("briefing:dashboard")).content.decode()

    assert 'data-testid="map"' not in content


def test_count_classes_cover_zero_to_the_most():
    classes = count_classes([0, 3, 17], ("a", "b", "c", "d", "e"))
    assert classes[0].label == "0"
    assert classes[-1].high == 17
    assert all(any(c.holds(v) for c in classes) for v in range(18))


def test_labels_keep_what_sets_siblings_apart():
    from types import SimpleNamespace

    from outpost.briefing.maps import short_names

    def units(*names):
        return [SimpleNamespace(pk=n, name=name) for n, name in enumerate(names)]

    assert list(short_names(units("新生社区警务室", "锦华社区警务室")).values()) == ["新生", "锦华"]
    grids = short_names(units("新生社区第1网格", "新生社区第10网格", "新生社区第11网格"))
    assert list(grids.values()) == ["1", "10", "11"]
    assert list(short_names(units("甲社区")).values()) == ["甲社区"]
