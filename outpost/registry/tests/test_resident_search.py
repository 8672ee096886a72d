"""Finding people: the last four digits of an ID number or phone within the user's scope,
and the residents list's filters, which combine and keep the count equal to the rows."""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from outpost.core.identity import mask_phone
from outpost.keypersons.tests.factories import KeyPersonFactory
from outpost.registry.choices import ResidenceType
from outpost.registry.models import Resident
from outpost.registry.selectors import resident_list
from outpost.registry.tests.factories import (
    CampaignFactory,
    HouseholdFactory,
    ResidentFactory,
    VisitFactory,
    VisitMemberFactory,
    id_number_ending_in_x,
)

pytestmark = pytest.mark.usefixtures("english")


def _resident(grid, **values):
    return ResidentFactory(household=HouseholdFactory(unit=grid), **values)


def _names(response) -> set[str]:
    return {resident.name for resident in response.context["object_list"]}


def _count(response) -> int:
    text = re.search(r'data-testid="result-count">([\d,]+)', response.content.decode()).group(1)
    return int(text.replace(",", ""))


def _list(client, **params):
    return client.get(reverse("registry:resident_list"), params)


# ---------------------------------------------------------------------------- last four


def test_last_four_of_a_phone_lists_every_match_in_scope_masked(client, officer_a, district):
    first = _resident(district.grid_a1, name="王一", phone="13800005678")
    second = _resident(district.grid_a2, name="王二", phone="13911115678")
    _resident(district.grid_b1, name="乙社区王三", phone="13722225678")
    _resident(district.grid_a1, name="李四", phone="13800001234")
    client.force_login(officer_a)
    response = _list(client, q="5678")
    assert _names(response) == {"王一", "王二"}
    page = response.content.decode()
    assert first.phone not in page and second.phone not in page
    assert mask_phone(first.phone) in page


def test_last_four_of_an_id_number_finds_the_person(client, officer_a, district):
    resident = _resident(district.grid_a1, name="赵五")
    _resident(district.grid_b1, name="乙社区同尾号", id_number=_same_ending(resident.id_number))
    client.force_login(officer_a)
    response = _list(client, q=resident.id_number[-4:])
    assert _names(response) == {"赵五"}
    assert resident.id_number not in response.content.decode()


def _same_ending(id_number: str) -> str:
    """Another valid-looking 18-character number with the same last four characters."""
    return "110101" + "19800101" + id_number[-4:]


def test_an_id_ending_in_x_is_found_typed_in_lower_case(client, officer_a, district):
    number = id_number_ending_in_x()
    _resident(district.grid_a1, name="钱六", id_number=number)
    client.force_login(officer_a)
    assert _names(_list(client, q=number[-4:].lower())) == {"钱六"}


def test_a_grid_worker_finds_only_in_their_grid(client, grid_worker_a1, district):
    _resident(district.grid_a1, name="本网格", phone="13800009999")
    _resident(district.grid_a2, name="邻网格", phone="13900009999")
    client.force_login(grid_worker_a1)
    assert _names(_list(client, q="9999")) == {"本网格"}


def test_the_last_four_search_seeks_an_index(officer_a, district):
    _resident(district.grid_a1, phone="13800004321")
    queryset = resident_list(user=officer_a, query="4321")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        else:
            # A table of a few rows is read whole; the question is whether an index serves.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "last4" in plan


def test_the_last_four_follow_a_corrected_phone(officer_a, district):
    resident = _resident(district.grid_a1, phone="13800001111")
    Resident.objects.filter(pk=resident.pk).update(phone="13800002222")
    assert list(resident_list(user=officer_a, query="2222")) == [resident]
    assert not resident_list(user=officer_a, query="1111").exists()


# ---------------------------------------------------------------------------- filters


def test_grid_filter(client, officer_a, district):
    _resident(district.grid_a1, name="一网格")
    _resident(district.grid_a2, name="二网格")
    client.force_login(officer_a)
    response = _list(client, grid=district.grid_a2.pk)
    assert _names(response) == {"二网格"}
    assert _count(response) == 1


def test_a_grid_outside_the_scope_is_refused_not_used(client, officer_a, district):
    _resident(district.grid_a1, name="一网格")
    client.force_login(officer_a)
    response = _list(client, grid=district.grid_b1.pk)
    assert "Select a valid choice" in response.content.decode()
    assert _names(response) == {"一网格"}


def test_population_type_filter(client, officer_a, district):
    _resident(district.grid_a1, name="常住", residence_type=ResidenceType.PERMANENT)
    _resident(district.grid_a1, name="流动", residence_type=ResidenceType.FLOATING)
    client.force_login(officer_a)
    response = _list(client, residence_type=ResidenceType.FLOATING)
    assert _names(response) == {"流动"}
    assert _count(response) == 1


def test_age_band_filter(client, officer_a, district):
    today = timezone.localdate()
    _resident(district.grid_a1, name="孩子", birth_date=today.replace(year=today.year - 10))
    _resident(district.grid_a1, name="成人", birth_date=today.replace(year=today.year - 40))
    _resident(
        district.grid_a1,
        name="刚满六十",
        birth_date=today.replace(year=today.year - 60),
    )
    _resident(
        district.grid_a1,
        name="明天满六十",
        birth_date=today.replace(year=today.year - 60) + datetime.timedelta(days=1),
    )
    client.force_login(officer_a)
    assert _names(_list(client, age_band="0-17")) == {"孩子"}
    assert _names(_list(client, age_band="18-59")) == {"成人", "明天满六十"}
    assert _names(_list(client, age_band="60-79")) == {"刚满六十"}


def test_key_person_filter(client, officer_a, district):
    key = _resident(district.grid_a1, name="重点")
    _resident(district.grid_a1, name="普通")
    KeyPersonFactory(resident=key)
    client.force_login(officer_a)
    assert _names(_list(client, key_person="yes")) == {"重点"}
    assert _names(_list(client, key_person="no")) == {"普通"}


def test_visited_in_campaign_filter(client, officer_a, district):
    campaign = CampaignFactory(unit=district.community_a, scope_units=[district.community_a])
    seen = _resident(district.grid_a1, name="已排查")
    _resident(district.grid_a1, name="未排查")
    VisitMemberFactory(
        visit=VisitFactory(household=seen.household, campaign=campaign), resident=seen
    )
    client.force_login(officer_a)
    assert _names(_list(client, campaign=campaign.pk, visited="yes")) == {"已排查"}
    response = _list(client, campaign=campaign.pk, visited="no")
    assert _names(response) == {"未排查"}
    assert _count(response) == 1


def test_filters_combine_and_the_count_is_the_rows(client, officer_a, district):
    for n in range(3):
        _resident(district.grid_a1, name=f"甲流动{n}", residence_type=ResidenceType.FLOATING)
    _resident(district.grid_a2, name="乙流动", residence_type=ResidenceType.FLOATING)
    _resident(district.grid_a1, name="甲常住", residence_type=ResidenceType.PERMANENT)
    client.force_login(officer_a)
    response = _list(client, grid=district.grid_a1.pk, residence_type=ResidenceType.FLOATING)
    assert _names(response) == {"甲流动0", "甲流动1", "甲流动2"}
    assert _count(response) == 3


def test_a_later_page_keeps_the_filters(client, officer_a, district):
    for n in range(51):
        _resident(district.grid_a1, name=f"甲{n:02d}", residence_type=ResidenceType.FLOATING)
    _resident(district.grid_a1, name="常住者", residence_type=ResidenceType.PERMANENT)
    client.force_login(officer_a)
    response = _list(client, residence_type=ResidenceType.FLOATING, page=2)
    assert _names(response) == {"甲50"}
    assert _count(response) == 51
