"""Merging two records of one person (合并重复人员): values, visits, history, refusals."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.registry.models import Resident, VisitMember
from outpost.registry.services import DUPLICATE, KEEP, resident_merge
from outpost.registry.tests.factories import (
    HouseholdFactory,
    ResidentFactory,
    VisitFactory,
    VisitMemberFactory,
    duplicate_pair,
    id_number_ending_in_x,
    valid_id_number,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def pair(district):
    keep, duplicate = duplicate_pair(district.grid_a1)
    Resident.objects.filter(pk=keep.pk).update(phone="", workplace="大连港")
    Resident.objects.filter(pk=duplicate.pk).update(phone="13912340000", workplace="")
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    return keep, duplicate


def test_merge_copies_the_chosen_values_and_deactivates_the_duplicate(officer_a, pair):
    keep, duplicate = pair
    resident_merge(
        acting_user=officer_a,
        keep=keep,
        duplicate=duplicate,
        field_choices={"phone": DUPLICATE, "workplace": KEEP},
    )
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    assert keep.phone == "13912340000"
    assert keep.workplace == "大连港"
    assert keep.is_active and keep.merged_into is None
    assert not duplicate.is_active
    assert duplicate.merged_into == keep
    assert duplicate.household is None  # left its household; the kept record stays in its own
    assert Resident.objects.filter(pk=duplicate.pk).exists()  # never deleted


def test_merge_writes_history_for_both_records_with_user_and_reason(officer_a, pair):
    keep, duplicate = pair
    resident_merge(acting_user=officer_a, keep=keep, duplicate=duplicate)
    for record, other in ((keep, duplicate), (duplicate, keep)):
        latest = record.history.latest()
        assert latest.history_user == officer_a
        assert str(other.pk) in latest.history_change_reason


def test_merge_moves_the_duplicates_visit_records(officer_a, pair):
    keep, duplicate = pair
    first = VisitMemberFactory(
        visit=VisitFactory(household=duplicate.household), resident=duplicate
    )
    second = VisitMemberFactory(
        visit=VisitFactory(household=duplicate.household), resident=duplicate
    )
    outcome = resident_merge(acting_user=officer_a, keep=keep, duplicate=duplicate)
    assert outcome.visits_moved == 2 and outcome.visits_left == 0
    assert set(VisitMember.objects.filter(resident=keep)) == {first, second}
    assert first.history.latest().history_user == officer_a


def test_the_kept_record_counts_as_screened_once_the_duplicates_visits_move_to_it(officer_a, pair):
    keep, duplicate = pair
    VisitMemberFactory(visit=VisitFactory(household=duplicate.household), resident=duplicate)
    assert not Resident.objects.get(pk=keep.pk).screened

    resident_merge(acting_user=officer_a, keep=keep, duplicate=duplicate)

    assert Resident.objects.get(pk=keep.pk).screened
    assert not Resident.objects.get(pk=duplicate.pk).screened  # no visit left on it


def test_a_visit_that_lists_both_keeps_one_row_each(officer_a, pair):
    """One row per person and visit: the kept record's row stays, the duplicate's is kept
    with the merged record instead of being deleted."""
    keep, duplicate = pair
    visit = VisitFactory(household=keep.household)
    VisitMemberFactory(visit=visit, resident=keep)
    shared = VisitMemberFactory(visit=visit, resident=duplicate)
    outcome = resident_merge(acting_user=officer_a, keep=keep, duplicate=duplicate)
    assert (outcome.visits_moved, outcome.visits_left) == (0, 1)
    shared.refresh_from_db()
    assert shared.resident == duplicate


def test_choosing_the_duplicates_household_moves_the_kept_record(officer_a, district, pair):
    keep, duplicate = pair
    Resident.objects.filter(pk=duplicate.pk).update(
        unit=district.grid_a2, relation_to_head="spouse"
    )
    duplicate.household.unit = district.grid_a2
    duplicate.household.save()
    duplicate.refresh_from_db()
    household = duplicate.household
    resident_merge(
        acting_user=officer_a,
        keep=keep,
        duplicate=duplicate,
        field_choices={"household": DUPLICATE},
    )
    keep.refresh_from_db()
    assert (keep.household, keep.relation_to_head, keep.unit) == (
        household,
        "spouse",
        district.grid_a2,
    )


def test_taking_the_duplicates_id_number_frees_it_and_sets_birth_date_and_sex(officer_a, pair):
    keep, duplicate = pair
    number = valid_id_number(9001, region="110101", born=datetime.date(1990, 6, 15))
    Resident.objects.filter(pk=duplicate.pk).update(id_number=number)
    duplicate.refresh_from_db()
    resident_merge(
        acting_user=officer_a,
        keep=keep,
        duplicate=duplicate,
        field_choices={"id_number": DUPLICATE},
    )
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    assert keep.id_number == number
    assert keep.birth_date == datetime.date(1990, 6, 15)
    assert keep.sex == ("M" if int(number[16]) % 2 else "F")
    assert duplicate.id_number == ""  # the number is unique: it now belongs to the kept record


def test_merging_a_record_with_itself_is_refused(officer_a, pair):
    keep, _duplicate = pair
    with pytest.raises(ValidationError, match="itself"):
        resident_merge(acting_user=officer_a, keep=keep, duplicate=keep)


@pytest.mark.parametrize("side", ["keep", "duplicate"])
def test_merging_an_already_merged_record_is_refused(officer_a, district, pair, side):
    keep, duplicate = pair
    third = ResidentFactory(household=HouseholdFactory(unit=district.grid_a1))
    resident_merge(acting_user=officer_a, keep=third, duplicate=pair[0 if side == "keep" else 1])
    with pytest.raises(ValidationError, match="already merged"):
        resident_merge(acting_user=officer_a, keep=keep, duplicate=duplicate)


def test_merging_with_a_record_of_another_community_is_a_404_and_changes_nothing(
    officer_a, district, pair
):
    keep, _duplicate = pair
    foreign = ResidentFactory(household=HouseholdFactory(unit=district.grid_b1), name=keep.name)
    with pytest.raises(Http404):
        resident_merge(acting_user=officer_a, keep=keep, duplicate=foreign)
    with pytest.raises(Http404):
        resident_merge(acting_user=officer_a, keep=foreign, duplicate=keep)
    foreign.refresh_from_db()
    assert foreign.is_active and foreign.merged_into is None


def test_a_merge_that_fails_half_way_leaves_both_records_as_they_were(officer_a, district, pair):
    """The kept record's number, made canonical (…x → …X), is a third record's: the
    merge is refused after the duplicate was already written, and all of it rolls back."""
    keep, duplicate = pair
    taken = id_number_ending_in_x()
    ResidentFactory(household=HouseholdFactory(unit=district.grid_b1), id_number=taken)
    Resident.objects.filter(pk=keep.pk).update(id_number=taken[:-1] + "x")
    VisitMemberFactory(visit=VisitFactory(household=duplicate.household), resident=duplicate)
    keep.refresh_from_db()
    history = (keep.history.count(), duplicate.history.count())
    with pytest.raises(ValidationError):
        resident_merge(acting_user=officer_a, keep=keep, duplicate=duplicate)
    duplicate.refresh_from_db()
    assert duplicate.is_active and duplicate.merged_into is None
    assert duplicate.household is not None
    assert VisitMember.objects.filter(resident=duplicate).count() == 1
    assert (keep.history.count(), duplicate.history.count()) == history


def test_merge_screen_shows_both_records_masked_side_by_side(client, officer_a, pair):
    keep, duplicate = pair
    client.force_login(officer_a)
    url = reverse("registry:resident_merge", args=[keep.pk]) + f"?with={duplicate.pk}"
    content = client.get(url).content.decode()
    assert keep.get_absolute_url() in content and duplicate.get_absolute_url() in content
    assert "139****0000" in content
    assert "13912340000" not in content
    assert keep.id_number not in content and duplicate.id_number not in content
    assert 'name="take_phone"' in content
    assert 'name="take_name"' not in content  # the same on both: nothing to choose


def test_merge_screen_of_another_communitys_record_is_a_404(client, officer_a, district, pair):
    keep, _duplicate = pair
    foreign = ResidentFactory(household=HouseholdFactory(unit=district.grid_b1))
    client.force_login(officer_a)
    url = reverse("registry:resident_merge", args=[keep.pk])
    assert client.get(url + f"?with={foreign.pk}").status_code == 404
    assert client.post(url, {"with": foreign.pk, "keep": keep.pk}).status_code == 404
    assert client.get(reverse("registry:resident_merge", args=[foreign.pk])).status_code == 404


def test_merge_needs_the_right_to_change_residents(client, district, pair):
    keep, duplicate = pair
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station)
    client.force_login(leader)
    url = reverse("registry:resident_merge", args=[keep.pk])
    assert client.get(url + f"?with={duplicate.pk}").status_code == 404
    assert client.post(url, {"with": duplicate.pk, "keep": keep.pk}).status_code == 404
    duplicate.refresh_from_db()
    assert duplicate.is_active


def test_merging_in_the_browser_and_both_pages_show_it(client, officer_a, pair):
    keep, duplicate = pair
    client.force_login(officer_a)
    response = client.post(
        reverse("registry:resident_merge", args=[duplicate.pk]),
        {
            "with": keep.pk,
            "keep": keep.pk,
            "take_phone": duplicate.pk,
            "take_workplace": keep.pk,
            "take_id_number": keep.pk,
            "take_household": keep.pk,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == keep.get_absolute_url()
    keep.refresh_from_db()
    assert keep.phone == "13912340000"

    duplicate_page = client.get(duplicate.get_absolute_url()).content.decode()
    assert "merged into" in duplicate_page
    assert f'href="{keep.get_absolute_url()}"' in duplicate_page
    assert f"Merged into record {keep.pk}" in duplicate_page  # the history entry

    keep_page = client.get(keep.get_absolute_url()).content.decode()
    assert f'href="{duplicate.get_absolute_url()}"' in keep_page
    assert f"Record {duplicate.pk} ({duplicate.name}) merged into this one" in keep_page
    assert "139****0000" in keep_page  # the phone change, masked
    assert "13912340000" not in keep_page


def test_merging_in_the_browser_with_itself_is_refused_with_a_message(client, officer_a, pair):
    keep, _duplicate = pair
    client.force_login(officer_a)
    url = reverse("registry:resident_merge", args=[keep.pk])
    assert "cannot be merged with itself" in client.get(url + f"?with={keep.pk}").content.decode()
    response = client.post(url, {"with": keep.pk, "keep": keep.pk})
    assert response.status_code == 422
    assert "cannot be merged with itself" in response.content.decode()


def test_merging_an_already_merged_record_in_the_browser_is_refused(client, officer_a, district):
    keep, duplicate = duplicate_pair(district.grid_a1)
    third = ResidentFactory(household=HouseholdFactory(unit=district.grid_a1), name=keep.name)
    resident_merge(acting_user=officer_a, keep=keep, duplicate=duplicate)
    client.force_login(officer_a)
    response = client.post(
        reverse("registry:resident_merge", args=[third.pk]),
        {"with": duplicate.pk, "keep": third.pk, "take_household": third.pk},
    )
    assert response.status_code == 422
    assert "already merged" in response.content.decode()
    third.refresh_from_db()
    assert third.history.count() == 1


def test_the_residents_list_hides_a_merged_record_unless_searched_by_its_id(
    officer_a, pair, client
):
    keep, duplicate = pair
    resident_merge(acting_user=officer_a, keep=keep, duplicate=duplicate)
    client.force_login(officer_a)
    url = reverse("registry:resident_list")
    listed = client.get(url).content.decode()
    assert keep.get_absolute_url() in listed
    assert duplicate.get_absolute_url() not in listed
    by_name = client.get(url, {"q": duplicate.name}).content.decode()
    assert duplicate.get_absolute_url() not in by_name
    by_id = client.get(url, {"q": duplicate.id_number}).content.decode()
    assert duplicate.get_absolute_url() in by_id
