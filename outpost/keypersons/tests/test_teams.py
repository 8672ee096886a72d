"""Four-on-one teams (四包一): proposal on creation, confirm and change, coverage."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.keypersons.choices import KeyPersonCategory, KeyPersonStatus, MemberStatus
from outpost.keypersons.models import TeamMember, TeamRole
from outpost.keypersons.services import (
    key_person_create,
    key_person_status_change,
    key_persons_from_screening,
    team_confirm,
    team_propose,
)
from outpost.keypersons.tests.factories import (
    ScreeningResultFactory,
    TeamMemberFactory,
    key_person_in,
)
from outpost.notify.models import InboxMessage
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory
from outpost.screening.tests.factories import ScreeningRunFactory

pytestmark = pytest.mark.django_db


def _team(key_person):
    return {
        member.role.code: member
        for member in TeamMember.objects.filter(key_person=key_person, ended_at__isnull=True)
    }


def _new_key_person(officer, grid):
    return key_person_create(
        acting_user=officer,
        resident=ResidentFactory(household=HouseholdFactory(unit=grid)),
        category=KeyPersonCategory.CLOSE_CONTACT,
    )


def test_a_new_key_person_gets_a_team_proposed_from_grid_and_community(team_staff, district):
    key_person = _new_key_person(team_staff["police"], district.grid_a1)
    team = _team(key_person)
    assert {code: member.worker for code, member in team.items()} == {
        "cadre": team_staff["cadre"],
        "police": team_staff["police"],
        "medical": team_staff["medical"],
        "grid": team_staff["grid"],  # the grid's own worker, not grid A2's or B1's
    }
    assert {member.status for member in team.values()} == {MemberStatus.PROPOSED}


def test_the_proposal_gives_the_place_to_the_worker_with_fewest_places(team_staff, district):
    busy = team_staff["cadre"]
    idle = staff_user(role=Role.COMMUNITY_CADRE, unit=district.community_a, username="cadre_a2")
    for _ in range(2):
        TeamMemberFactory(
            key_person=key_person_in(district.grid_a2),
            worker=busy,
            role=TeamRole.objects.get(code="cadre"),
        )
    first = _new_key_person(team_staff["police"], district.grid_a1)
    assert _team(first)["cadre"].worker == idle
    second = _new_key_person(team_staff["police"], district.grid_a1)
    third = _new_key_person(team_staff["police"], district.grid_a1)
    # idle has 1, busy 2: idle again; then both 2, the tie goes to the lower id (busy).
    assert _team(second)["cadre"].worker == idle
    assert _team(third)["cadre"].worker == busy


def test_on_equal_load_the_closest_worker_is_proposed(team_staff, district):
    at_office = staff_user(role=Role.GRID_WORKER, unit=district.office, username="roving")
    key_person = _new_key_person(team_staff["police"], district.grid_a1)
    assert _team(key_person)["grid"].worker == team_staff["grid"]
    assert at_office.pk > 0  # an office-level grid worker serves too, but is farther


def test_a_place_without_any_candidate_stays_empty(officer_a, district):
    key_person = _new_key_person(officer_a, district.grid_a1)
    assert set(_team(key_person)) == {"police"}


def test_screening_results_get_teams_in_bulk(team_staff, district, django_assert_max_num_queries):
    officer = team_staff["police"]
    run = ScreeningRunFactory(unit=district.community_a, created_by=officer, status="done")
    results = [
        ScreeningResultFactory(
            run=run, resident=ResidentFactory(household=HouseholdFactory(unit=grid))
        )
        for grid in [district.grid_a1, district.grid_a2] * 5
    ]
    with django_assert_max_num_queries(40):
        created, _existing = key_persons_from_screening(
            acting_user=officer, run=run, results=results
        )
    assert len(created) == 10
    members = TeamMember.objects.filter(key_person__in=created)
    assert members.count() == 40
    grid_workers = {(m.key_person.unit_id, m.worker_id) for m in members.filter(role__code="grid")}
    assert grid_workers == {
        (district.grid_a1.pk, team_staff["grid"].pk),
        (district.grid_a2.pk, team_staff["grid_a2"].pk),
    }


def test_confirming_the_proposal_tells_the_workers_in_their_inbox(team_staff, district):
    key_person = _new_key_person(team_staff["police"], district.grid_a1)
    cadre = team_staff["cadre"]
    team_confirm(acting_user=cadre, key_person=key_person)
    team = _team(key_person)
    assert {member.status for member in team.values()} == {MemberStatus.CONFIRMED}
    assert team["grid"].confirmed_by == cadre
    inbox = InboxMessage.objects.filter(recipient=team_staff["grid"], kind="assignment")
    assert inbox.count() == 1
    assert key_person.display_name in inbox.get().subject
    assert inbox.get().url == key_person.get_absolute_url()
    assert InboxMessage.objects.filter(kind="assignment").count() == 4


def test_changing_a_member_ends_the_old_place_and_keeps_the_history(team_staff, district):
    key_person = _new_key_person(team_staff["police"], district.grid_a1)
    team_confirm(acting_user=team_staff["cadre"], key_person=key_person)
    colleague = staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, username="grid_a1b")
    team_confirm(
        acting_user=team_staff["cadre"], key_person=key_person, workers={"grid": colleague}
    )
    places = TeamMember.objects.filter(key_person=key_person, role__code="grid")
    old, new = places.order_by("assigned_at", "pk")
    assert old.worker == team_staff["grid"] and old.ended_at is not None
    assert new.worker == colleague and new.ended_at is None
    assert new.status == MemberStatus.CONFIRMED
    assert InboxMessage.objects.filter(recipient=colleague, kind="assignment").exists()
    removed = InboxMessage.objects.filter(recipient=team_staff["grid"]).order_by("pk").last()
    assert "no longer" in removed.subject or "不再" in removed.subject


def test_a_worker_of_another_community_is_refused_naming_the_place(team_staff, district):
    key_person = _new_key_person(team_staff["police"], district.grid_a1)
    with pytest.raises(ValidationError) as caught:
        team_confirm(
            acting_user=team_staff["police"],
            key_person=key_person,
            workers={"grid": team_staff["grid_b1"], "cadre": team_staff["cadre_b"]},
        )
    assert set(caught.value.message_dict) == {"grid", "cadre"}
    # nothing changed: still the proposal, nobody told
    assert _team(key_person)["grid"].worker == team_staff["grid"]
    assert _team(key_person)["grid"].status == MemberStatus.PROPOSED
    assert not InboxMessage.objects.exists()


def test_a_worker_of_another_grid_of_the_same_community_is_refused(team_staff, district):
    key_person = _new_key_person(team_staff["police"], district.grid_a1)
    with pytest.raises(ValidationError) as caught:
        team_confirm(
            acting_user=team_staff["police"],
            key_person=key_person,
            workers={"grid": team_staff["grid_a2"]},
        )
    assert "grid" in caught.value.message_dict


def test_a_worker_without_the_places_staff_role_is_refused(team_staff, district):
    key_person = _new_key_person(team_staff["police"], district.grid_a1)
    with pytest.raises(ValidationError) as caught:
        team_confirm(
            acting_user=team_staff["police"],
            key_person=key_person,
            workers={"medical": team_staff["cadre"]},
        )
    assert "medical" in caught.value.message_dict


def test_a_closed_key_persons_team_cannot_change(team_staff, district):
    key_person = _new_key_person(team_staff["police"], district.grid_a1)
    key_person_status_change(
        acting_user=team_staff["police"],
        key_person=key_person,
        status=KeyPersonStatus.MOVED_AWAY,
        reason="已离连",
    )
    with pytest.raises(ValidationError):
        team_confirm(acting_user=team_staff["police"], key_person=key_person)


def test_a_read_only_role_may_not_change_a_team(team_staff, district):
    key_person = _new_key_person(team_staff["police"], district.grid_a1)
    with pytest.raises(PermissionDenied):
        team_confirm(acting_user=team_staff["medical"], key_person=key_person)


def test_a_fifth_place_is_a_row_of_configuration(team_staff, district):
    TeamRole.objects.create(code="volunteer", name="志愿者", staff_role=Role.GRID_WORKER, order=50)
    key_person = _new_key_person(team_staff["police"], district.grid_a1)
    assert set(_team(key_person)) == {"cadre", "police", "medical", "grid", "volunteer"}


def test_proposing_again_fills_only_empty_places(team_staff, district):
    key_person = _new_key_person(team_staff["police"], district.grid_a1)
    _team(key_person)["cadre"].delete()
    added = team_propose(acting_user=team_staff["police"], key_person=key_person)
    assert [member.role.code for member in added] == ["cadre"]


# ---------------------------------------------------------------------------- pages


def test_the_team_page_confirms_with_a_changed_member(client, team_staff, district):
    key_person = _new_key_person(team_staff["police"], district.grid_a1)
    colleague = staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, username="grid_a1b")
    client.force_login(team_staff["police"])
    url = reverse("keypersons:team", args=[key_person.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "grid_a1b" in page.content.decode()  # offered as a candidate
    team = _team(key_person)
    data = {code: member.worker_id for code, member in team.items()}
    data["grid"] = colleague.pk
    response = client.post(url, data)
    assert response.status_code == 302
    team = _team(key_person)
    assert team["grid"].worker == colleague
    assert {member.status for member in team.values()} == {MemberStatus.CONFIRMED}


def test_the_team_page_refuses_a_worker_of_another_community(client, team_staff, district):
    key_person = _new_key_person(team_staff["police"], district.grid_a1)
    client.force_login(team_staff["police"])
    response = client.post(
        reverse("keypersons:team", args=[key_person.pk]), {"grid": team_staff["grid_b1"].pk}
    )
    assert response.status_code == 422
    assert _team(key_person)["grid"].worker == team_staff["grid"]


def test_the_team_page_of_another_community_is_a_404(client, team_staff, district):
    key_person = _new_key_person(team_staff["police"], district.grid_a1)
    client.force_login(team_staff["cadre_b"])
    assert client.get(reverse("keypersons:team", args=[key_person.pk])).status_code == 404


def test_the_detail_page_shows_the_proposed_team(client, team_staff, district):
    key_person = _new_key_person(team_staff["police"], district.grid_a1)
    client.force_login(team_staff["police"])
    page = client.get(key_person.get_absolute_url()).content.decode()
    assert "cadre_a" in page and "medic_o" in page
    assert reverse("keypersons:team", args=[key_person.pk]) in page


def test_coverage_lists_incomplete_teams_only(
    client, team_staff, district, django_assert_max_num_queries
):
    complete = _new_key_person(team_staff["police"], district.grid_a1)
    team_confirm(acting_user=team_staff["police"], key_person=complete)
    proposed = [_new_key_person(team_staff["police"], district.grid_a1) for _ in range(3)]
    other = key_person_in(district.grid_b1)
    client.force_login(team_staff["police"])
    with django_assert_max_num_queries(17):
        response = client.get(reverse("keypersons:coverage"))
    page = response.content.decode()
    for key_person in proposed:
        assert key_person.get_absolute_url() in page
    assert complete.get_absolute_url() not in page
    assert other.get_absolute_url() not in page
    assert response.context["paginator"].count == 3
    loads = {row["pk"]: row["places"] for row in response.context["workers"]}
    assert loads[team_staff["grid"].pk] == 4
    assert loads[team_staff["grid_a2"].pk] == 0
