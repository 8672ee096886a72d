"""Confirming several four-on-one teams at once from the coverage page: each through
`team_confirm` (its right, its scope, its audit rows and inbox messages); the page says
what was confirmed and what was refused and why."""

import pytest
from django.urls import reverse

from outpost.keypersons.choices import KeyPersonCategory, KeyPersonStatus, MemberStatus
from outpost.keypersons.models import TeamMember
from outpost.keypersons.services import key_person_create, key_person_status_change
from outpost.keypersons.tests.factories import key_person_in
from outpost.notify.models import InboxMessage
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _proposed(officer, grid):
    return key_person_create(
        acting_user=officer,
        resident=ResidentFactory(household=HouseholdFactory(unit=grid)),
        category=KeyPersonCategory.CLOSE_CONTACT,
    )


def _statuses(key_person) -> set[str]:
    return set(
        TeamMember.objects.filter(key_person=key_person, ended_at__isnull=True).values_list(
            "status", flat=True
        )
    )


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_ticked_teams_are_confirmed_and_the_workers_told(client, team_staff, district):
    officer = team_staff["police"]
    first, second = (_proposed(officer, district.grid_a1) for _ in range(2))
    client.force_login(officer)
    page = client.get(reverse("keypersons:coverage")).content.decode()
    assert f'name="selected" value="{first.pk}"' in page

    response = client.post(
        reverse("keypersons:coverage"), {"selected": [first.pk, second.pk]}, follow=True
    )

    assert "2 teams confirmed." in _messages(response)
    for key_person in (first, second):
        assert _statuses(key_person) == {MemberStatus.CONFIRMED}
    assert InboxMessage.objects.filter(recipient=team_staff["grid"]).count() == 2


def test_a_partly_refused_batch_says_what_and_why(client, team_staff, district):
    officer = team_staff["police"]
    proposed = _proposed(officer, district.grid_a1)
    closed = _proposed(officer, district.grid_a1)
    key_person_status_change(
        acting_user=officer, key_person=closed, status=KeyPersonStatus.MOVED_AWAY, reason="已离连"
    )
    empty = key_person_in(district.grid_a1)  # no team proposed
    elsewhere = key_person_in(district.grid_b1)
    client.force_login(officer)

    response = client.post(
        reverse("keypersons:coverage"),
        {"selected": [proposed.pk, closed.pk, empty.pk, elsewhere.pk]},
        follow=True,
    )

    messages = _messages(response)
    assert "1 team confirmed." in messages
    assert "3 records were refused:" in messages
    assert f"{closed.display_name}: This key person is closed; the team is kept as it was." in (
        messages
    )
    assert f"{empty.display_name}: Nothing is proposed on this team to confirm." in messages
    assert f"#{elsewhere.pk}: Not found in your jurisdiction." in messages
    assert _statuses(proposed) == {MemberStatus.CONFIRMED}
    assert MemberStatus.CONFIRMED not in _statuses(closed)


def test_a_role_that_may_not_confirm_sees_no_checkbox_and_gets_a_404(client, team_staff, district):
    key_person = _proposed(team_staff["police"], district.grid_a1)
    medic = team_staff["medical"]
    client.force_login(medic)
    page = client.get(reverse("keypersons:coverage")).content.decode()
    assert 'name="selected"' not in page
    response = client.post(reverse("keypersons:coverage"), {"selected": [key_person.pk]})
    assert response.status_code == 404
    assert _statuses(key_person) == {MemberStatus.PROPOSED}
