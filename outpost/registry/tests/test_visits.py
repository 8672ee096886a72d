"""Door-to-door visits (入户排查): `visit_record` and the one-page visit form."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.notify.models import InboxMessage
from outpost.registry.choices import HealthStatus, MemberPresence, Transport, VisitOutcome
from outpost.registry.models import Household, Resident, Visit, VisitMember
from outpost.registry.services import (
    MemberReport,
    NewPerson,
    VisitInputError,
    visit_record,
    visit_undo,
)
from outpost.registry.tests.factories import (
    CampaignFactory,
    HouseholdFactory,
    ResidentFactory,
    VisitFactory,
    VisitMemberFactory,
    valid_id_number,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _today():
    """Today as each test starts, not as the module was imported (a run crossing midnight
    in China would test yesterday as today)."""
    global TODAY
    TODAY = timezone.localdate()


NEW_ID = valid_id_number(777, region="420102", born=datetime.date(1990, 5, 17))


@pytest.fixture
def campaign(district):
    return CampaignFactory(unit=district.station, scope_units=[district.office])


@pytest.fixture
def household(district):
    household = HouseholdFactory(unit=district.grid_a1, street="黄河路", building="101", room="201")
    household.head = ResidentFactory(household=household, name="王建国", relation_to_head="head")
    household.spouse = ResidentFactory(
        household=household, name="李秀英", relation_to_head="spouse"
    )
    household.son = ResidentFactory(household=household, name="王小明", relation_to_head="child")
    return household


def record(user, campaign, household, members=(), outcome=VisitOutcome.COMPLETED, **kwargs):
    return visit_record(
        acting_user=user,
        campaign=campaign,
        household=household,
        outcome=outcome,
        members=list(members),
        **kwargs,
    )


def travelled(resident, **changes):
    report = {
        "resident_id": resident.pk,
        "travelled": True,
        "origin_place": "湖北省武汉市",
        "returned_on": TODAY - datetime.timedelta(days=5),
        "transport": Transport.TRAIN,
    }
    return MemberReport(**{**report, **changes})


# ---------------------------------------------------------------------------- the service


def test_visit_records_members_present_away_and_moved_out(grid_worker_a1, campaign, household):
    visit = record(
        grid_worker_a1,
        campaign,
        household,
        [
            travelled(household.head),
            MemberReport(resident_id=household.spouse.pk, presence=MemberPresence.AWAY),
            MemberReport(resident_id=household.son.pk, presence=MemberPresence.DEPARTED),
        ],
        phone_confirmed=True,
    )
    assert visit.unit == household.unit
    assert visit.visited_by == grid_worker_a1
    assert visit.phone_confirmed
    members = {m.resident_id: m for m in visit.members.all()}
    head = members[household.head.pk]
    assert (head.presence, head.travelled, head.origin_place) == ("present", True, "湖北省武汉市")
    assert head.returned_on == TODAY - datetime.timedelta(days=5)
    assert members[household.spouse.pk].presence == MemberPresence.AWAY
    assert members[household.son.pk].presence == MemberPresence.DEPARTED


def test_moved_out_marks_the_resident_inactive_not_deleted(grid_worker_a1, campaign, household):
    record(
        grid_worker_a1,
        campaign,
        household,
        [MemberReport(resident_id=household.son.pk, presence=MemberPresence.DEPARTED)],
    )
    son = Resident.objects.get(pk=household.son.pk)
    assert son.is_active is False
    assert son.household == household
    assert son.history.first().history_user == grid_worker_a1


def test_visit_is_audited_with_the_acting_user(grid_worker_a1, campaign, household):
    visit = record(grid_worker_a1, campaign, household, [travelled(household.head)])
    assert visit.history.first().history_user == grid_worker_a1
    assert visit.members.get().history.first().history_user == grid_worker_a1


def test_new_member_becomes_a_resident_of_the_households_grid(grid_worker_a1, campaign, household):
    person = NewPerson(
        name="赵新来", document_number=NEW_ID, phone="13900001111", relation_to_head="tenant"
    )
    visit = record(grid_worker_a1, campaign, household, [MemberReport(new_person=person)])
    newcomer = Resident.objects.get(id_number=NEW_ID)
    assert (newcomer.household, newcomer.unit) == (household, household.unit)
    assert newcomer.birth_date == datetime.date(1990, 5, 17)
    assert newcomer.sex == "M"
    assert newcomer.history.first().history_user == grid_worker_a1
    assert visit.members.get().presence == MemberPresence.NEW


def test_new_member_with_a_passport_is_registered_by_document(grid_worker_a1, campaign, household):
    person = NewPerson(name="John Smith", document_type="passport", document_number="E12345678")
    record(grid_worker_a1, campaign, household, [MemberReport(new_person=person)])
    newcomer = Resident.objects.get(name="John Smith")
    assert (newcomer.document_number, newcomer.id_number) == ("E12345678", "")


def test_a_passport_typed_in_lower_case_is_stored_as_the_importer_stores_it(
    grid_worker_a1, campaign, household
):
    person = NewPerson(name="John Smith", document_type="passport", document_number="e 12345678")
    record(grid_worker_a1, campaign, household, [MemberReport(new_person=person)])
    assert Resident.objects.get(name="John Smith").document_number == "E12345678"


def test_recording_again_updates_the_visit(grid_worker_a1, campaign, household):
    record(grid_worker_a1, campaign, household, outcome=VisitOutcome.NOBODY_HOME)
    visit = record(
        grid_worker_a1,
        campaign,
        household,
        [travelled(household.head), MemberReport(resident_id=household.spouse.pk)],
    )
    assert Visit.objects.count() == 1
    assert visit.outcome == VisitOutcome.COMPLETED
    visit = record(
        grid_worker_a1,
        campaign,
        household,
        [MemberReport(resident_id=household.head.pk, health_status=HealthStatus.FEVER)],
    )
    assert Visit.objects.count() == 1
    head = VisitMember.objects.get(visit=visit, resident=household.head)
    assert (head.travelled, head.origin_place, head.returned_on) == (False, "", None)
    assert head.health_status == HealthStatus.FEVER
    assert VisitMember.objects.filter(visit=visit).count() == 2  # the spouse's row is kept


def test_correcting_moved_out_makes_the_resident_active_again(grid_worker_a1, campaign, household):
    son = household.son
    record(
        grid_worker_a1, campaign, household, [MemberReport(resident_id=son.pk, presence="departed")]
    )
    record(grid_worker_a1, campaign, household, [MemberReport(resident_id=son.pk)])
    assert Resident.objects.get(pk=son.pk).is_active


def test_travelled_without_origin_is_an_error_naming_the_member(
    grid_worker_a1, campaign, household
):
    with pytest.raises(VisitInputError) as error:
        record(grid_worker_a1, campaign, household, [travelled(household.head, origin_place=" ")])
    assert error.value.member_errors == {
        0: {"origin_place": ["Say where the person came back from."]}
    }
    assert error.value.member_names == {0: "王建国"}
    assert error.value.messages == ["王建国: Say where the person came back from."]
    assert not Visit.objects.exists()


def test_date_back_in_the_future_is_an_error(grid_worker_a1, campaign, household):
    tomorrow = TODAY + datetime.timedelta(days=1)
    with pytest.raises(VisitInputError) as error:
        record(
            grid_worker_a1, campaign, household, [travelled(household.head, returned_on=tomorrow)]
        )
    assert list(error.value.member_errors[0]) == ["returned_on"]


def test_date_back_more_than_60_days_ago_is_an_error(grid_worker_a1, campaign, household):
    long_ago = TODAY - datetime.timedelta(days=61)
    with pytest.raises(VisitInputError) as error:
        record(
            grid_worker_a1, campaign, household, [travelled(household.head, returned_on=long_ago)]
        )
    assert list(error.value.member_errors[0]) == ["returned_on"]


def test_bad_id_of_a_new_member_is_an_error_and_nothing_is_written(
    grid_worker_a1, campaign, household
):
    wrong_check = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")
    person = NewPerson(name="赵新来", document_number=wrong_check)
    with pytest.raises(VisitInputError) as error:
        record(
            grid_worker_a1,
            campaign,
            household,
            [
                MemberReport(resident_id=household.son.pk, presence="departed"),
                MemberReport(new_person=person),
            ],
        )
    assert list(error.value.member_errors) == [1]
    assert list(error.value.member_errors[1]) == ["document_number"]
    assert error.value.member_names[1] == "赵新来"
    assert not Visit.objects.exists()
    assert Resident.objects.get(pk=household.son.pk).is_active


def test_an_id_registered_where_the_user_sees_it_is_an_error_that_does_not_say_who(
    grid_worker_a1, campaign, household, district
):
    elsewhere = ResidentFactory(household=HouseholdFactory(unit=district.grid_a1), name="邻居")
    person = NewPerson(name="赵新来", document_number=elsewhere.id_number)
    with pytest.raises(VisitInputError) as error:
        record(grid_worker_a1, campaign, household, [MemberReport(new_person=person)])
    message = " ".join(error.value.messages)
    assert "already registered elsewhere" in message
    assert elsewhere.household.household_number not in message
    assert Resident.objects.filter(id_number=elsewhere.id_number).count() == 1


def test_an_id_registered_outside_the_users_jurisdiction_goes_to_the_station_unconfirmed(
    grid_worker_a1, campaign, household, district
):
    station_officer = staff_user(role=Role.POLICE_OFFICER, unit=district.station)
    elsewhere = ResidentFactory(
        household=HouseholdFactory(unit=district.grid_b1), name="乙社区居民"
    )
    person = NewPerson(name="赵新来", document_number=elsewhere.id_number)
    visit = record(grid_worker_a1, campaign, household, [MemberReport(new_person=person)])
    assert visit.sent_to_station == ["赵新来"]
    assert Resident.objects.filter(id_number=elsewhere.id_number).get() == elsewhere
    assert not visit.members.exists()
    message = InboxMessage.objects.get(recipient=station_officer)
    assert "赵新来" in message.body
    assert message.url == household.get_absolute_url()


def test_the_form_says_only_that_the_station_checks_a_number_held_elsewhere(
    client, grid_worker_a1, campaign, household, district
):
    elsewhere = ResidentFactory(household=HouseholdFactory(unit=district.grid_b1))
    client.force_login(grid_worker_a1)
    data = form_data(
        campaign,
        household,
        **{
            "new-TOTAL_FORMS": 1,
            "new-0-name": "赵新来",
            "new-0-document_type": "resident_id",
            "new-0-document_number": elsewhere.id_number,
            "new-0-relation_to_head": "tenant",
            "new-0-travelled": "no",
            "new-0-health_status": "healthy",
        },
    )
    page = client.post(visit_url(household, campaign), data, follow=True).content.decode()
    assert "赵新来 will be checked by the station before being added." in page
    assert "registered elsewhere" not in page


def test_a_resident_of_another_household_cannot_be_reported(
    grid_worker_a1, campaign, household, district
):
    other = ResidentFactory(household=HouseholdFactory(unit=district.grid_a1))
    with pytest.raises(VisitInputError) as error:
        record(grid_worker_a1, campaign, household, [MemberReport(resident_id=other.pk)])
    assert list(error.value.member_errors[0]) == ["resident"]


def test_a_household_outside_the_campaign_area_is_refused(grid_worker_a1, district, household):
    campaign = CampaignFactory(unit=district.community_a, scope_units=[district.grid_a2])
    with pytest.raises(VisitInputError) as error:
        record(grid_worker_a1, campaign, household)
    assert list(error.value.visit_errors) == ["campaign"]


def test_a_closed_campaign_is_refused(grid_worker_a1, campaign, household):
    campaign.is_closed = True
    campaign.save()
    with pytest.raises(VisitInputError) as error:
        record(grid_worker_a1, campaign, household)
    assert list(error.value.visit_errors) == ["campaign"]


def test_members_are_not_recorded_when_nobody_was_home(grid_worker_a1, campaign, household):
    visit = record(
        grid_worker_a1,
        campaign,
        household,
        [MemberReport(resident_id=household.son.pk, presence="departed")],
        outcome=VisitOutcome.NOBODY_HOME,
    )
    assert not visit.members.exists()
    assert Resident.objects.get(pk=household.son.pk).is_active


def test_read_only_roles_may_not_record_visits(district, campaign, household):
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station)
    with pytest.raises(PermissionDenied):
        record(leader, campaign, household)


# ---------------------------------------------------------------------------- the form


def form_data(campaign, household, members=None, outcome="completed", **extra):
    """A visit form as the browser posts it; `members` maps resident -> field changes."""
    residents = [household.head, household.spouse, household.son]
    members = members or {}
    data = {
        "campaign": campaign.pk,
        "outcome": outcome,
        "note": "",
        "m-TOTAL_FORMS": len(residents),
        "m-INITIAL_FORMS": len(residents),
        "m-MIN_NUM_FORMS": 0,
        "m-MAX_NUM_FORMS": 1000,
        "new-TOTAL_FORMS": 0,
        "new-INITIAL_FORMS": 0,
        "new-MIN_NUM_FORMS": 0,
        "new-MAX_NUM_FORMS": 20,
    }
    for index, resident in enumerate(residents):
        row = {
            "resident": resident.pk,
            "presence": "present",
            "travelled": "no",
            "origin_place": "",
            "returned_on": "",
            "transport": "",
            "health_status": "healthy",
            **members.get(resident, {}),
        }
        data.update({f"m-{index}-{key}": value for key, value in row.items()})
    data.update(extra)
    return data


def visit_url(household, campaign):
    return reverse("registry:visit_form", args=[household.pk]) + f"?campaign={campaign.pk}"


def test_form_lists_the_registered_members_with_masked_ids(
    client, grid_worker_a1, campaign, household
):
    client.force_login(grid_worker_a1)
    response = client.get(visit_url(household, campaign))
    content = response.content.decode()
    assert response.status_code == 200
    for resident in (household.head, household.spouse, household.son):
        assert resident.name in content
        assert resident.masked_id_number in content
        assert resident.id_number not in content


def test_form_picks_the_open_campaign_without_a_parameter(
    client, grid_worker_a1, campaign, household
):
    client.force_login(grid_worker_a1)
    response = client.get(reverse("registry:visit_form", args=[household.pk]))
    assert response.context["campaign"] == campaign


def test_form_saves_and_goes_to_the_next_unvisited_household(
    client, grid_worker_a1, campaign, household, district
):
    following = HouseholdFactory(unit=district.grid_a1, street="黄河路", building="101", room="301")
    HouseholdFactory(unit=district.grid_a1, street="黄河路", building="102", room="101")
    HouseholdFactory(unit=district.grid_a2, street="黄河路", building="100", room="101")
    client.force_login(grid_worker_a1)
    data = form_data(
        campaign,
        household,
        {
            household.head: {
                "travelled": "yes",
                "origin_place": "湖北省武汉市",
                "returned_on": (TODAY - datetime.timedelta(days=3)).isoformat(),
                "transport": "train",
            },
            household.son: {"presence": "departed"},
        },
        **{
            "new-TOTAL_FORMS": 1,
            "new-0-name": "赵新来",
            "new-0-document_type": "resident_id",
            "new-0-document_number": NEW_ID,
            "new-0-phone": "",
            "new-0-relation_to_head": "tenant",
            "new-0-travelled": "no",
            "new-0-health_status": "healthy",
        },
    )
    response = client.post(visit_url(household, campaign), data)
    assert response.status_code == 302, response.context and response.context["error_summary"]
    visit = Visit.objects.get(household=household)
    assert response["Location"] == reverse("registry:visit_saved", args=[visit.pk])
    assert visit.members.count() == 4
    assert visit.members.get(resident__id_number=NEW_ID).presence == MemberPresence.NEW
    assert not Resident.objects.get(pk=household.son.pk).is_active
    summary = client.get(response["Location"])
    assert summary.context["next_url"] == visit_url(following, campaign)


def test_form_shows_each_error_next_to_its_field_with_the_members_name(
    client, grid_worker_a1, campaign, household
):
    client.force_login(grid_worker_a1)
    data = form_data(campaign, household, {household.spouse: {"travelled": "yes"}})
    response = client.post(visit_url(household, campaign), data)
    assert response.status_code == 422
    spouse_form = response.context["members"].forms[1]
    assert set(spouse_form.errors) == {"origin_place", "returned_on"}
    content = response.content.decode()
    assert "李秀英: Say where the person came back from." in content
    assert not Visit.objects.exists()


def test_form_keeps_a_new_members_entries_after_an_error(
    client, grid_worker_a1, campaign, household
):
    client.force_login(grid_worker_a1)
    data = form_data(
        campaign,
        household,
        **{
            "new-TOTAL_FORMS": 1,
            "new-0-name": "赵新来",
            "new-0-document_type": "resident_id",
            "new-0-document_number": "420102199005171234",
            "new-0-relation_to_head": "tenant",
            "new-0-travelled": "no",
            "new-0-health_status": "healthy",
        },
    )
    response = client.post(visit_url(household, campaign), data)
    assert response.status_code == 422
    assert list(response.context["new_members"].forms[0].errors) == ["document_number"]
    content = response.content.decode()
    assert 'value="赵新来"' in content
    assert "赵新来: ID number has the wrong check character" in content


def test_blank_added_member_rows_are_ignored(client, grid_worker_a1, campaign, household):
    client.force_login(grid_worker_a1)
    data = form_data(
        campaign,
        household,
        **{
            "new-TOTAL_FORMS": 1,
            "new-0-name": "",
            "new-0-document_type": "resident_id",
            "new-0-document_number": "",
            "new-0-relation_to_head": "other",
            "new-0-health_status": "",
        },
    )
    assert client.post(visit_url(household, campaign), data).status_code == 302
    assert Visit.objects.get().members.count() == 3


def test_form_of_a_visited_household_shows_what_was_recorded(
    client, grid_worker_a1, campaign, household
):
    record(grid_worker_a1, campaign, household, [travelled(household.head, origin_place="孝感")])
    client.force_login(grid_worker_a1)
    response = client.get(visit_url(household, campaign))
    head_form = response.context["members"].forms[0]
    assert head_form.initial["origin_place"] == "孝感"
    assert head_form.initial["travelled"] == "yes"


def test_household_of_another_grid_is_a_404(client, grid_worker_a1, campaign, district):
    neighbour = HouseholdFactory(unit=district.grid_a2)
    client.force_login(grid_worker_a1)
    url = visit_url(neighbour, campaign)
    assert client.get(url).status_code == 404
    assert client.post(url, {"campaign": campaign.pk, "outcome": "completed"}).status_code == 404
    assert not Visit.objects.exists()


def test_campaign_not_covering_the_household_is_a_404(client, grid_worker_a1, district, household):
    elsewhere = CampaignFactory(unit=district.community_a, scope_units=[district.grid_a2])
    client.force_login(grid_worker_a1)
    assert client.get(visit_url(household, elsewhere)).status_code == 404


def test_add_member_returns_one_row_and_the_new_row_count(client, grid_worker_a1, household):
    client.force_login(grid_worker_a1)
    url = reverse("registry:visit_add_member", args=[household.pk])
    response = client.get(url, {"new-TOTAL_FORMS": "2"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="new-2-name"' in content
    assert 'id="id_new-TOTAL_FORMS"' in content
    assert 'value="3"' in content
    assert 'hx-swap-oob="true"' in content


def test_a_tampered_form_is_refused_with_a_message(client, grid_worker_a1, campaign, household):
    client.force_login(grid_worker_a1)
    data = form_data(campaign, household)
    del data["m-TOTAL_FORMS"]
    response = client.post(visit_url(household, campaign), data)
    assert response.status_code == 422
    assert response.context["error_summary"]
    assert not Visit.objects.exists()


# ---------------------------------------------------------------------------- every answer chosen


def test_a_member_without_a_travel_answer_is_refused_naming_the_field(
    grid_worker_a1, campaign, household
):
    with pytest.raises(VisitInputError) as exc:
        record(
            grid_worker_a1,
            campaign,
            household,
            [MemberReport(resident_id=household.head.pk, travelled=None)],
        )
    assert exc.value.member_errors[0] == {
        "travelled": ["Say whether the person travelled in the last 14 days."]
    }
    assert not Visit.objects.exists()


def test_the_form_chooses_no_answer_for_the_worker(client, grid_worker_a1, campaign, household):
    client.force_login(grid_worker_a1)
    response = client.get(visit_url(household, campaign))
    assert response.context["visit_form"]["outcome"].value() is None
    for form in response.context["members"].forms:
        assert [form[name].value() for name in ("presence", "travelled", "health_status")] == [
            None,
            None,
            None,
        ]
    assert "checked" not in response.content.decode()


def test_the_form_refuses_to_save_until_each_answer_is_chosen(
    client, grid_worker_a1, campaign, household
):
    client.force_login(grid_worker_a1)
    blank = {"presence": "", "travelled": "", "health_status": ""}
    data = form_data(campaign, household, {household.head: blank}, outcome="")
    response = client.post(visit_url(household, campaign), data)
    assert response.status_code == 422
    assert "outcome" in response.context["visit_form"].errors

    data = form_data(campaign, household, {household.head: blank})
    response = client.post(visit_url(household, campaign), data)
    assert response.status_code == 422
    assert set(response.context["members"].forms[0].errors) == {
        "presence",
        "travelled",
        "health_status",
    }
    assert not Visit.objects.exists()


# ---------------------------------------------------------------------------- undo


def test_undoing_a_first_visit_removes_it_and_the_person_it_added(
    grid_worker_a1, campaign, household
):
    person = NewPerson(name="赵新来", document_number=NEW_ID, relation_to_head="tenant")
    visit = record(
        grid_worker_a1,
        campaign,
        household,
        [
            MemberReport(new_person=person),
            MemberReport(resident_id=household.son.pk, presence=MemberPresence.DEPARTED),
        ],
    )

    visit_undo(acting_user=grid_worker_a1, visit=visit)

    assert not Visit.objects.exists()
    assert not VisitMember.objects.exists()
    assert not Resident.objects.filter(id_number=NEW_ID).exists()
    assert Resident.objects.get(pk=household.son.pk).is_active
    removal = Visit.history.filter(id=visit.pk).first()
    assert (removal.history_type, removal.history_user) == ("-", grid_worker_a1)
    # The person can be recorded again: the number is free.
    record(grid_worker_a1, campaign, household, [MemberReport(new_person=person)])


def test_undoing_a_second_recording_restores_the_first(grid_worker_a1, campaign, household):
    record(grid_worker_a1, campaign, household, [travelled(household.head)])
    visit = record(
        grid_worker_a1,
        campaign,
        household,
        [
            MemberReport(resident_id=household.head.pk, health_status=HealthStatus.FEVER),
            MemberReport(resident_id=household.spouse.pk),
        ],
        note="二次入户",
    )

    visit_undo(acting_user=grid_worker_a1, visit=visit)

    visit.refresh_from_db()
    assert visit.note == ""
    head = visit.members.get()
    assert (head.resident, head.travelled, head.origin_place) == (
        household.head,
        True,
        "湖北省武汉市",
    )
    assert head.health_status == HealthStatus.HEALTHY


def test_only_the_worker_who_recorded_a_visit_may_undo_it(
    district, grid_worker_a1, campaign, household
):
    colleague = staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, username="grid_a1_b")
    visit = record(grid_worker_a1, campaign, household, [travelled(household.head)])
    with pytest.raises(ValidationError) as exc:
        visit_undo(acting_user=colleague, visit=visit)
    assert exc.value.messages == ["Only the person who recorded this visit may undo it."]
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_a_visit_cannot_be_undone_after_ten_minutes(grid_worker_a1, campaign, household):
    visit = record(grid_worker_a1, campaign, household, [travelled(household.head)])
    Visit.objects.filter(pk=visit.pk).update(
        visited_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    with pytest.raises(ValidationError) as exc:
        visit_undo(acting_user=grid_worker_a1, visit=visit)
    assert exc.value.messages == ["A visit can be undone only within 10 minutes of saving it."]
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_the_summary_offers_undo_only_to_its_worker_in_time(
    client, district, grid_worker_a1, campaign, household
):
    visit = record(grid_worker_a1, campaign, household, [travelled(household.head)])
    url = reverse("registry:visit_saved", args=[visit.pk])
    undo = reverse("registry:visit_undo", args=[visit.pk])
    client.force_login(grid_worker_a1)
    page = client.get(url).content.decode()
    assert undo in page
    assert "湖北省武汉市" in page

    Visit.objects.filter(pk=visit.pk).update(
        visited_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    assert undo not in client.get(url).content.decode()

    client.force_login(staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, username="b"))
    assert undo not in client.get(url).content.decode()


def test_undo_from_the_summary_returns_to_the_households_form(
    client, grid_worker_a1, campaign, household
):
    visit = record(grid_worker_a1, campaign, household, [travelled(household.head)])
    client.force_login(grid_worker_a1)
    response = client.post(reverse("registry:visit_undo", args=[visit.pk]))
    assert response["Location"] == visit_url(household, campaign)
    assert not Visit.objects.exists()


# ---------------------------------------------------------------------------- screened flags


def _flags(household) -> tuple[bool, dict[str, bool]]:
    """Whether the household counts as visited, and who of it as screened (the dashboard's
    figures and their lists read these flags)."""
    screened = dict(Resident.objects.filter(household=household).values_list("name", "screened"))
    return Household.objects.get(pk=household.pk).visited, screened


def test_a_visit_marks_the_household_visited_and_the_members_met_screened(
    grid_worker_a1, campaign, household
):
    other = HouseholdFactory(unit=household.unit)
    assert _flags(household) == (False, {"王建国": False, "李秀英": False, "王小明": False})

    record(
        grid_worker_a1,
        campaign,
        household,
        [travelled(household.head), MemberReport(resident_id=household.spouse.pk)],
    )

    assert _flags(household) == (True, {"王建国": True, "李秀英": True, "王小明": False})
    assert _flags(other) == (False, {})


def test_nobody_home_marks_the_household_visited_and_nobody_screened(
    grid_worker_a1, campaign, household
):
    record(grid_worker_a1, campaign, household, outcome=VisitOutcome.NOBODY_HOME)

    assert _flags(household) == (True, {"王建国": False, "李秀英": False, "王小明": False})


def test_undoing_a_first_visit_clears_what_it_marked(grid_worker_a1, campaign, household):
    visit = record(grid_worker_a1, campaign, household, [travelled(household.head)])

    visit_undo(acting_user=grid_worker_a1, visit=visit)

    assert _flags(household) == (False, {"王建国": False, "李秀英": False, "王小明": False})


def test_undoing_a_visit_keeps_what_an_earlier_campaigns_visit_marked(
    district, grid_worker_a1, campaign, household
):
    earlier = CampaignFactory(unit=district.station, scope_units=[district.office])
    VisitMemberFactory(
        visit=VisitFactory(household=household, campaign=earlier), resident=household.head
    )
    visit = record(
        grid_worker_a1,
        campaign,
        household,
        [travelled(household.head), MemberReport(resident_id=household.spouse.pk)],
    )

    visit_undo(acting_user=grid_worker_a1, visit=visit)

    assert _flags(household) == (True, {"王建国": True, "李秀英": False, "王小明": False})
