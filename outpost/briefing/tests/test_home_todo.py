"""The home page's to-do lines (今日待办), per role: each line's count is the number of rows
of the list its link opens, overdue lines are red and lines due today amber, and a role
sees only the lines of its day whose lists it may open."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from outpost.briefing.tests.factories import snapshot_of
from outpost.core.choices import ImportStatus, Role
from outpost.core.shell import TODO_DUE, TODO_NORMAL, TODO_OVERDUE, todo_lines
from outpost.core.tests.factories import ImportJobFactory, staff_user
from outpost.dispatch.tests.factories import DispatchItemFactory, DispatchOrderFactory
from outpost.keypersons.tests.factories import (
    ContactEntryFactory,
    TeamMemberFactory,
    managed_key_person_in,
)
from outpost.observation.choices import AlertStatus, SiteStaffRole
from outpost.observation.models import SiteStaff
from outpost.observation.tests.factories import (
    AlertFactory,
    EpisodeFactory,
    IsolationSiteFactory,
    RoomFactory,
    centralized_episode_in,
)
from outpost.registry.choices import VisitOutcome
from outpost.registry.tests.factories import (
    CampaignFactory,
    HouseholdFactory,
    ResidentFactory,
    VisitFactory,
)
from outpost.screening.tests.factories import TravelDiscrepancyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _lines(user) -> dict[str, object]:
    return {line.label: line for line in todo_lines(user=user, roles=user.staff_profile.roles)}


def _rows_listed(client, url: str) -> int:
    """How many rows the list behind a line shows (its paginator's count, or the review
    queue's items)."""
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    if context.get("paginator") is not None:
        return context["paginator"].count
    if "items" in context:
        return len(context["items"])
    return context["page_obj"].paginator.count


def _assert_counts_match_lists(client, user) -> dict:
    client.force_login(user)
    lines = _lines(user)
    for line in lines.values():
        assert line.count == _rows_listed(client, line.url), line.label
    return lines


@pytest.fixture
def campaign(district):
    return CampaignFactory(
        name="春季排查", unit=district.community_a, scope_units=[district.community_a]
    )


def test_a_grid_worker_sees_households_to_visit_contacts_due_and_alerts(
    client, district, grid_worker_a1, campaign
):
    households = [HouseholdFactory(unit=district.grid_a1) for _ in range(3)]
    VisitFactory(household=households[0], campaign=campaign, outcome=VisitOutcome.COMPLETED)
    VisitFactory(household=households[1], campaign=campaign, outcome=VisitOutcome.NOBODY_HOME)
    never = managed_key_person_in(district.grid_a1)
    due = managed_key_person_in(district.grid_a1)
    contacted = managed_key_person_in(district.grid_a1)
    for key_person in (never, due, contacted):
        TeamMemberFactory(key_person=key_person, worker=grid_worker_a1)
    now = timezone.now()
    # Contacted 23 h 59 min ago: due again within the minute, before midnight.
    ContactEntryFactory(
        key_person=due,
        worker=grid_worker_a1,
        contacted_at=now - datetime.timedelta(hours=23, minutes=59),
    )
    ContactEntryFactory(key_person=contacted, worker=grid_worker_a1, contacted_at=now)
    AlertFactory(episode=EpisodeFactory(key_person=never))
    AlertFactory(episode=EpisodeFactory(key_person=managed_key_person_in(district.grid_a1)))

    lines = _assert_counts_match_lists(client, grid_worker_a1)

    to_visit = lines["Households to visit: 春季排查"]
    # One unvisited, one nobody home, and the four key persons' households, never visited.
    assert (to_visit.count, to_visit.state) == (6, TODO_NORMAL)
    overdue = lines["My key persons overdue for a contact"]
    assert (overdue.count, overdue.state) == (1, TODO_OVERDUE)
    today = lines["My key persons to contact today"]
    if timezone.localtime(now).time() < datetime.time(23, 58):
        assert (today.count, today.state) == (1, TODO_DUE)
    alerts = lines["Open alerts of my key persons"]
    assert (alerts.count, alerts.state) == (1, TODO_OVERDUE)
    # The door checks officers handed them (none here); not the officer's review queue,
    # which the worker may not open.
    assert lines["My open order items"].count == 0
    assert "Matches to review" not in lines


def test_the_home_page_shows_the_lines_red_and_amber(client, district, grid_worker_a1, campaign):
    campaign.end_date = timezone.localdate()
    campaign.save()
    HouseholdFactory(unit=district.grid_a1)
    key_person = managed_key_person_in(district.grid_a1)
    TeamMemberFactory(key_person=key_person, worker=grid_worker_a1)
    client.force_login(grid_worker_a1)
    page = client.get(reverse("home")).content.decode()
    assert 'class="todo-line todo-due"' in page  # the campaign's last day
    assert 'class="todo-line todo-overdue"' in page
    assert f'href="{reverse("registry:my_grid")}?campaign={campaign.pk}&amp;todo=1"' in page


def test_an_officer_sees_items_alerts_contacts_discrepancies_and_imports(
    client, district, officer_a
):
    now = timezone.now()
    late = DispatchOrderFactory(
        unit=district.community_a, deadline=now - datetime.timedelta(hours=1)
    )
    later_today = DispatchOrderFactory(
        unit=district.community_a, deadline=now + datetime.timedelta(minutes=1)
    )
    DispatchItemFactory(order=late, unit=district.grid_a1, assigned_officer=officer_a)
    DispatchItemFactory(order=later_today, unit=district.grid_a1, assigned_officer=officer_a)
    DispatchItemFactory(unit=district.grid_a1, assigned_officer=officer_a)  # in two days
    managed_key_person_in(district.grid_a2)  # never contacted: overdue
    managed_key_person_in(district.grid_b1)  # another community
    AlertFactory(episode=EpisodeFactory(key_person=managed_key_person_in(district.grid_a1)))
    AlertFactory(
        episode=EpisodeFactory(key_person=managed_key_person_in(district.grid_a1)),
        status=AlertStatus.ACKNOWLEDGED,
    )
    TravelDiscrepancyFactory(
        resident=ResidentFactory(household=HouseholdFactory(unit=district.grid_a1))
    )
    ImportJobFactory(unit=district.community_a, created_by=officer_a, status=ImportStatus.FAILED)
    ImportJobFactory(unit=district.community_a, created_by=officer_a, status=ImportStatus.DONE)

    lines = _assert_counts_match_lists(client, officer_a)

    assert (
        lines["My order items past their deadline"].count,
        lines["My order items past their deadline"].state,
    ) == (1, TODO_OVERDUE)
    if timezone.localtime(now).time() < datetime.time(23, 58):
        assert lines["My order items due today"].count == 1
    assert lines["My open order items"].count == 3
    assert lines["Overdue contacts in my area"].count == 3  # the alerts' persons too
    assert (
        lines["Alerts not yet acknowledged"].count,
        lines["Alerts not yet acknowledged"].state,
    ) == (1, TODO_OVERDUE)
    assert lines["Alerts acknowledged, not yet resolved"].count == 1
    assert lines["Travel discrepancies to verify"].count == 1
    assert (
        lines["My imports needing attention"].count,
        lines["My imports needing attention"].state,
    ) == (1, TODO_DUE)
    assert "Matches to review" in lines


def test_medical_staff_see_the_alerts_to_handle(client, district):
    medic = staff_user(role=Role.MEDICAL_STAFF, unit=district.community_a)
    AlertFactory(episode=EpisodeFactory(key_person=managed_key_person_in(district.grid_a1)))
    lines = _assert_counts_match_lists(client, medic)
    assert lines["Alerts not yet acknowledged"].count == 1
    assert "Overdue contacts in my area" not in lines


def test_the_leader_sees_headline_figures_with_the_change_since_yesterday(client, district):
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station)
    snapshot_of(district.station, alerts_open=3, key_persons=1)
    AlertFactory(episode=EpisodeFactory(key_person=managed_key_person_in(district.grid_a1)))
    escalated = AlertFactory(
        episode=EpisodeFactory(key_person=managed_key_person_in(district.grid_b1))
    )
    escalated.escalated_at = timezone.now()
    escalated.save()

    lines = _assert_counts_match_lists(client, leader)

    alerts = lines["Open fever alerts"]
    assert (alerts.count, alerts.change, alerts.state) == (2, -1, TODO_OVERDUE)
    assert (
        lines["Key persons under management"].count,
        lines["Key persons under management"].change,
    ) == (2, 1)
    assert lines["Escalated alerts not yet resolved"].count == 1
    client.force_login(leader)
    page = client.get(reverse("home")).content.decode()
    assert 'class="todo-change"' in page and ">-1<" in page


def test_a_site_officer_on_duty_sees_arrivals_rooms_and_missed_check_ins(client, district):
    officer = staff_user(role=Role.POLICE_OFFICER, unit=district.station, username="siteofficer")
    site = IsolationSiteFactory(unit=district.station, name="海景酒店")
    RoomFactory(site=site)
    RoomFactory(site=site, status="cleaning")
    SiteStaff.objects.create(
        site=site,
        user=officer,
        role=SiteStaffRole.OFFICER,
        on_duty_from=timezone.localdate(),
    )
    centralized_episode_in(district.grid_a1, site=site)
    client.force_login(officer)
    lines = _lines(officer)
    board = client.get(reverse("observation:site_detail", args=[site.pk])).context
    assert lines["海景酒店: arrivals waiting for a room"].count == len(board["awaiting"]) == 1
    assert lines["海景酒店: arrivals waiting for a room"].state == TODO_DUE
    assert lines["海景酒店: rooms free"].count == board["board"]["counts"]["free"] == 1
    assert lines["海景酒店: rooms being cleaned"].count == board["board"]["counts"]["cleaning"] == 1
    missed = lines["海景酒店: missed check-ins"]
    assert missed.count == _rows_listed(client, missed.url) == 0
    # An officer not on duty at a site has no site lines.
    assert not any(
        "海景酒店" in label
        for label in _lines(
            staff_user(role=Role.POLICE_OFFICER, unit=district.station, username="other")
        )
    )


def test_lines_with_nothing_to_do_are_left_out_of_the_home_page(client, district):
    medic = staff_user(role=Role.MEDICAL_STAFF, unit=district.community_a)
    client.force_login(medic)
    page = client.get(reverse("home")).content.decode()
    assert "Nothing is waiting for you today." in page
    assert 'class="todo-line ' not in page
    AlertFactory(episode=EpisodeFactory(key_person=managed_key_person_in(district.grid_a1)))
    page = client.get(reverse("home")).content.decode()
    assert page.count('class="todo-line ') == 1 and "Alerts not yet acknowledged" in page
