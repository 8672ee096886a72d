"""Likely duplicate persons (疑似重复人员): each rule, scope, the page and the API."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.registry.choices import DocumentType
from outpost.registry.duplicates import MatchReason, duplicate_pair_keys, duplicates_of
from outpost.registry.tests.factories import (
    HouseholdFactory,
    ResidentFactory,
    duplicate_pair,
    id_number_ending_in_x,
    valid_id_number,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


BORN = datetime.date(1979, 11, 2)


def resident(grid, **values):
    return ResidentFactory(household=HouseholdFactory(unit=grid), **values)


def pairs(user):
    return {(k.first_id, k.second_id): set(k.reasons) for k in duplicate_pair_keys(user=user)}


def key(a, b):
    return (min(a.pk, b.pk), max(a.pk, b.pk))


def test_same_id_number_written_with_a_small_x_is_a_duplicate(officer_a, district):
    number = id_number_ending_in_x()
    a = resident(district.grid_a1, id_number=number, name="王芳")
    b = resident(district.grid_a2, id_number=number[:-1] + "x", name="王方")
    assert pairs(officer_a) == {key(a, b): {MatchReason.SAME_ID}}


def test_id_number_filed_as_another_document_is_a_duplicate(officer_a, district):
    number = valid_id_number(4711, region="110101")
    a = resident(district.grid_a1, id_number=number)
    b = resident(
        district.grid_a1,
        id_number="",
        document_type=DocumentType.HK_MACAO_PERMIT,
        document_number=number,
    )
    assert pairs(officer_a) == {key(a, b): {MatchReason.SAME_ID}}


def test_old_15_digit_number_matches_its_18_digit_form(officer_a, district):
    number = valid_id_number(815, region="110101", born=datetime.date(1968, 5, 4))
    old = number[:6] + number[8:17]  # the 15-digit number it was upgraded from
    a = resident(district.grid_a1, id_number=number)
    b = resident(
        district.grid_a1, id_number="", document_type=DocumentType.PASSPORT, document_number=old
    )
    assert pairs(officer_a) == {key(a, b): {MatchReason.SAME_ID}}


def test_same_document_number_under_two_document_types_is_a_duplicate(officer_a, district):
    a = resident(
        district.grid_a1, id_number="", document_type="passport", document_number="E1234567"
    )
    b = resident(
        district.grid_a1,
        id_number="",
        document_type="foreigner_residence",
        document_number="e1234567",
    )
    assert pairs(officer_a) == {key(a, b): {MatchReason.SAME_ID}}


def test_same_name_and_birth_date_is_a_duplicate(officer_a, district):
    a = resident(district.grid_a1, name="李伟", birth_date=BORN)
    b = resident(district.grid_a2, name="李伟", birth_date=BORN)
    resident(district.grid_a1, name="李伟", birth_date=BORN + datetime.timedelta(days=1))
    resident(district.grid_a1, name="李卫", birth_date=BORN)
    assert pairs(officer_a) == {key(a, b): {MatchReason.NAME_BIRTH_DATE}}


def test_same_name_and_phone_is_a_duplicate(officer_a, district):
    a = resident(district.grid_a1, name="张敏", phone="13912345678")
    b = resident(district.grid_a1, name="张敏", phone="13912345678")
    resident(district.grid_a1, name="张明", phone="13912345678")
    resident(district.grid_a1, name="张敏", phone="")
    resident(district.grid_a1, name="张敏", phone="")
    assert pairs(officer_a) == {key(a, b): {MatchReason.NAME_PHONE}}


def test_a_pair_matching_several_rules_is_listed_once_with_every_reason(officer_a, district):
    a = resident(district.grid_a1, name="赵强", birth_date=BORN, phone="13700000001")
    b = resident(district.grid_a1, name="赵强", birth_date=BORN, phone="13700000001")
    assert pairs(officer_a) == {key(a, b): {MatchReason.NAME_BIRTH_DATE, MatchReason.NAME_PHONE}}


def test_three_records_of_one_person_give_three_pairs(officer_a, district):
    people = [resident(district.grid_a1, name="孙丽", birth_date=BORN) for _ in range(3)]
    assert set(pairs(officer_a)) == {
        key(people[0], people[1]),
        key(people[0], people[2]),
        key(people[1], people[2]),
    }


def test_merged_and_inactive_records_take_no_part(officer_a, district):
    a = resident(district.grid_a1, name="周杰", birth_date=BORN)
    resident(district.grid_a1, name="周杰", birth_date=BORN, is_active=False)
    resident(district.grid_a1, name="周杰", birth_date=BORN, merged_into=a)
    assert pairs(officer_a) == {}


def test_records_of_two_communities_are_paired_only_for_who_sees_both(
    officer_a, admin_user, district
):
    a = resident(district.grid_a1, name="吴刚", birth_date=BORN)
    b = resident(district.grid_b1, name="吴刚", birth_date=BORN)
    assert pairs(officer_a) == {}
    assert pairs(admin_user) == {key(a, b): {MatchReason.NAME_BIRTH_DATE}}


def test_duplicates_of_one_record_for_its_merge_screen(officer_a, district):
    number = id_number_ending_in_x()
    a = resident(district.grid_a1, name="郑洁", birth_date=BORN, id_number=number)
    b = resident(district.grid_a1, name="郑洁", birth_date=BORN, id_number=number[:-1] + "x")
    c = resident(district.grid_b1, name="郑洁", birth_date=BORN)  # another community
    found = {
        pair.second.pk: set(pair.reasons) for pair in duplicates_of(user=officer_a, resident=a)
    }
    assert found == {b.pk: {MatchReason.SAME_ID, MatchReason.NAME_BIRTH_DATE}}
    assert c.pk not in found


def test_duplicates_page_lists_pairs_masked_with_the_reason(client, officer_a, district):
    a = resident(district.grid_a1, name="钱进", phone="13612345678", id_number="210204198001010011")
    b = resident(district.grid_a1, name="钱进", phone="13612345678")
    client.force_login(officer_a)
    content = client.get(reverse("registry:duplicate_list")).content.decode()
    assert a.get_absolute_url() in content and b.get_absolute_url() in content
    assert f"{reverse('registry:resident_merge', args=[a.pk])}?with={b.pk}" in content
    assert "Same name and phone" in content
    assert "136****5678" in content
    assert "13612345678" not in content
    assert "210204198001010011" not in content


def test_duplicates_page_needs_the_right_to_change_residents(client, district):
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station)
    client.force_login(leader)
    assert client.get(reverse("registry:duplicate_list")).status_code == 403


def test_grid_worker_sees_the_duplicates_of_their_grid_only(client, grid_worker_a1, district):
    own = duplicate_pair(district.grid_a1)
    other = duplicate_pair(district.grid_a2)
    client.force_login(grid_worker_a1)
    content = client.get(reverse("registry:duplicate_list")).content.decode()
    assert own[0].name in content
    assert other[0].name not in content


def test_duplicates_page_query_count_does_not_grow_with_the_pairs(client, officer_a, district):
    client.force_login(officer_a)
    url = reverse("registry:duplicate_list")
    duplicate_pair(district.grid_a1)
    duplicate_pair(district.grid_a2, phone="13500000000")
    client.get(url)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(12):
        duplicate_pair(district.grid_a1 if i % 2 else district.grid_a2)
    resident(district.grid_a1, name="孙丽", birth_date=BORN)
    resident(district.grid_a1, name="孙丽", birth_date=BORN)
    resident(district.grid_a1, name="孙丽", birth_date=BORN)  # a group of three
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["pairs"]) == 2 + 12 + 3
    assert len(many) <= len(few) + 1  # the group of three costs one query
    assert len(many) <= 14


def test_api_lists_residents_with_their_likely_duplicates_masked(client, officer_a, district):
    a = resident(district.grid_a1, name="冯梅", phone="13312345678", birth_date=BORN)
    b = resident(district.grid_a1, name="冯梅", phone="13312345678", birth_date=BORN)
    resident(district.grid_b1, name="冯梅", phone="13312345678", birth_date=BORN)
    client.force_login(officer_a)
    body = client.get("/api/v1/registry/duplicates").json()
    assert body["count"] == 2
    by_id = {item["id"]: item for item in body["items"]}
    assert set(by_id) == {a.pk, b.pk}
    assert by_id[a.pk]["duplicates"] == [
        {"id": b.pk, "reasons": [MatchReason.NAME_BIRTH_DATE, MatchReason.NAME_PHONE]}
    ]
    assert by_id[a.pk]["phone_masked"] == "133****5678"
    assert "13312345678" not in str(body)
