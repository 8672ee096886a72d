"""Requests (诉求): a liaison files for its own enterprise only, an officer takes, records
steps and answers; the enterprise confirms or reopens; delivered quantities and the
progress bar are the ledger's; overdue requests are on the officer's to-do."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.enterprises.supplies import selectors, services
from outpost.enterprises.supplies.choices import RequestKind, RequestStatus
from outpost.enterprises.supplies.models import EnterpriseRequest
from outpost.enterprises.tests.factories import EnterpriseFactory, liaison_of
from outpost.enterprises.tests.factories_supplies import supply_items

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def items():
    return supply_items()


@pytest.fixture
def firm(district):
    return EnterpriseFactory(unit=district.grid_a1, name="大连保供口罩厂")


@pytest.fixture
def liaison(firm):
    return liaison_of(firm)


def _masks(liaison, firm, items, quantity=2000, **values):
    return services.request_file(
        acting_user=liaison,
        enterprise=firm,
        kind=RequestKind.SUPPLIES,
        summary="口罩",
        lines=[(items["masks"], quantity)],
        **values,
    )


def _stock(officer, unit, items, quantity):
    donor = services.donor_register(
        acting_user=officer, unit=unit, kind="person", name="王先生", phone="13904111234"
    )
    return services.donation_receive(
        acting_user=officer, unit=unit, donor=donor, lines=[(items["masks"], quantity)]
    )


def test_a_liaison_files_a_request_for_masks_through_the_page(client, liaison, firm, items):
    client.force_login(liaison)
    response = client.post(
        reverse("supplies:request_new"),
        {"kind": "supplies", "summary": "复工口罩", "qty_masks": "2000"},
    )
    request = EnterpriseRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == request.get_absolute_url()
    assert (request.enterprise, request.status) == (firm, RequestStatus.OPEN)
    assert request.lines.get().quantity == 2000
    assert request.due_at - request.filed_at == datetime.timedelta(hours=48)


def test_a_request_for_supplies_without_items_is_refused_naming_them(client, liaison, items):
    client.force_login(liaison)
    response = client.post(reverse("supplies:request_new"), {"kind": "supplies", "summary": "口罩"})
    assert response.status_code == 422
    assert "names at least one item" in response.content.decode()
    assert not EnterpriseRequest.objects.exists()


def test_a_liaison_cannot_file_for_another_enterprise(district, liaison, items):
    other = EnterpriseFactory(unit=district.grid_a1)
    with pytest.raises(PermissionDenied):
        _masks(liaison, other, items)
    assert not EnterpriseRequest.objects.exists()


def test_a_liaison_sees_only_its_own_enterprises_requests(client, district, liaison, firm, items):
    neighbour = EnterpriseFactory(unit=district.grid_a1)
    own = _masks(liaison, firm, items)
    theirs = _masks(liaison_of(neighbour), neighbour, items)
    client.force_login(liaison)
    page = client.get(reverse("supplies:request_list")).content.decode()
    assert own.reference in page and theirs.reference not in page
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/enterprises/requests/{theirs.pk}").status_code == 404
    listed = client.get("/api/v1/enterprises/requests").json()["items"]
    assert [row["id"] for row in listed] == [own.pk]


def test_the_officer_assigns_records_a_step_and_answers(officer_a, liaison, firm, items):
    request = _masks(liaison, firm, items)
    services.request_assign(acting_user=officer_a, request=request)
    services.request_step_record(acting_user=officer_a, request=request, note="已联系捐赠方")
    services.request_close(
        acting_user=officer_a, request=request, outcome="resolved", note="已送达"
    )
    request.refresh_from_db()
    assert (request.status, request.assigned_to, request.outcome) == (
        "closed",
        officer_a,
        "resolved",
    )
    kinds = list(request.steps.values_list("kind", flat=True))
    assert kinds == ["filed", "assigned", "step", "closed"]


def test_the_enterprise_reopens_an_answer_and_it_is_due_again(officer_a, liaison, firm, items):
    request = _masks(liaison, firm, items)
    services.request_close(acting_user=officer_a, request=request, outcome="partly", note="先送500")
    services.request_reopen(acting_user=liaison, request=request, note="还差1500只")
    request.refresh_from_db()
    assert (request.status, request.outcome, request.reopened_count) == ("assigned", "", 1)
    assert request.due_at > timezone.now() + datetime.timedelta(hours=47)
    services.request_close(acting_user=officer_a, request=request, outcome="resolved", note="送齐")
    services.request_confirm(acting_user=liaison, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.CONFIRMED


def test_an_open_request_is_not_confirmed(liaison, firm, items):
    request = _masks(liaison, firm, items)
    with pytest.raises(ValidationError):
        services.request_confirm(acting_user=liaison, request=request)


def test_a_cadre_may_read_requests_but_not_answer_them(district, liaison, firm, items, client):
    cadre = staff_user(role=Role.COMMUNITY_CADRE, unit=district.community_a)
    request = _masks(liaison, firm, items)
    with pytest.raises(PermissionDenied):
        services.request_close(acting_user=cadre, request=request, outcome="resolved", note="x")
    client.force_login(cadre)
    page = client.get(request.get_absolute_url()).content.decode()
    assert reverse("supplies:request_close", args=[request.pk]) not in page


def test_delivered_comes_from_the_ledger_and_the_list_sorts_by_unmet(
    officer_a, district, liaison, firm, items
):
    big = _masks(liaison, firm, items, quantity=2000)
    small = _masks(liaison, firm, items, quantity=300)
    _stock(officer_a, district.community_a, items, 5000)
    services.distribution_make(
        acting_user=officer_a,
        unit=district.community_a,
        request=big,
        lines=[(items["masks"], 1900)],
        signed_for_by="张签收",
    )
    rows = list(selectors.request_list(user=officer_a, sort=selectors.SORT_UNMET))
    assert [(row.pk, row.needed, row.delivered, row.unmet) for row in rows] == [
        (small.pk, 300, 0, 300),
        (big.pk, 2000, 1900, 100),
    ]
    assert selectors.request_lines(big)[0].percent == 95


def test_more_than_a_request_still_needs_is_refused(officer_a, district, liaison, firm, items):
    request = _masks(liaison, firm, items, quantity=100)
    _stock(officer_a, district.community_a, items, 500)
    with pytest.raises(ValidationError) as refused:
        services.distribution_make(
            acting_user=officer_a,
            unit=district.community_a,
            request=request,
            lines=[(items["masks"], 120)],
            signed_for_by="张签收",
        )
    assert "still needs 100" in " ".join(refused.value.messages)


def test_an_overdue_request_is_on_its_officers_to_do(client, officer_a, liaison, firm, items):
    long_ago = timezone.now() - datetime.timedelta(days=3)
    request = _masks(liaison, firm, items, filed_at=long_ago)
    services.request_assign(acting_user=officer_a, request=request)
    client.force_login(officer_a)
    lines = {line.label: line for line in client.get(reverse("home")).context["todo"]}
    line = lines["My enterprise requests overdue"]
    assert (line.count, line.state) == (1, "overdue")
    listed = client.get(line.url).content.decode()
    assert request.reference in listed


def test_an_answer_waits_on_the_liaisons_to_do(client, officer_a, liaison, firm, items):
    request = _masks(liaison, firm, items)
    services.request_close(
        acting_user=officer_a, request=request, outcome="resolved", note="已送达"
    )
    client.force_login(liaison)
    lines = {line.label: line.count for line in client.get(reverse("home")).context["todo"]}
    assert lines["Answers to our requests waiting for confirmation"] == 1


def test_an_unbound_liaison_is_told_to_ask_for_binding(client, district, items):
    unbound = staff_user(role=Role.ENTERPRISE_LIAISON, unit=district.community_a)
    client.force_login(unbound)
    page = client.get(reverse("supplies:request_new"))
    assert page.status_code == 200
    assert "not bound to an enterprise" in page.content.decode()


def test_the_api_files_a_liaisons_request(client, liaison, firm, items):
    client.force_login(liaison)
    response = client.post(
        "/api/v1/enterprises/requests",
        {"kind": "supplies", "summary": "口罩", "lines": [{"item": "masks", "quantity": 2000}]},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["enterprise_id"], body["needed"], body["unmet"]) == (firm.pk, 2000, 2000)


def test_the_request_list_reads_in_a_fixed_number_of_queries(
    client, officer_a, liaison, firm, items, django_assert_max_num_queries
):
    for _ in range(5):
        _masks(liaison, firm, items)
    client.force_login(officer_a)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("supplies:request_list")).status_code == 200
