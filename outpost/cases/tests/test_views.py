"""The case pages and API as an officer uses them."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from outpost.cases import services
from outpost.cases.choices import CaseState, MoveKind
from outpost.cases.models import Case, CustodyMove, Measure
from outpost.cases.tests.factories import case_in, item_in, party_in
from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_an_officer_registers_a_case_and_sees_only_the_allowed_state_buttons(
    client, district, officer_a
):
    client.force_login(officer_a)
    response = client.post(
        reverse("cases:new"),
        {
            "number": "大公（治）行罚决字〔2020〕101号",
            "kind": "unlicensed_business",
            "occurred_on": "2020-02-10",
            "unit": district.community_a.pk,
            "summary": "无证经营旅馆业",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'value="investigating"' in page
    assert 'value="closed"' not in page and 'value="decided"' not in page
    client.post(reverse("cases:transition", args=[case.pk]), {"to_state": "investigating"})
    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATING
    refused = client.post(reverse("cases:transition", args=[case.pk]), {"to_state": "executing"})
    assert refused.status_code == 422
    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATING


def test_a_negative_fine_on_the_page_names_the_field_and_writes_nothing(
    client, district, officer_a
):
    party = party_in(district.grid_a1)
    client.force_login(officer_a)
    response = client.post(
        reverse("cases:measure_add", args=[party.case.pk]),
        {"kind": "fine", "party": party.pk, "decided_on": "2020-02-10", "fine_amount": "-100"},
    )
    assert response.status_code == 422
    assert "A fine cannot be below zero." in response.content.decode()
    assert not Measure.objects.exists()


def test_the_case_page_shows_party_ids_masked_only(client, district, officer_a):
    party = party_in(district.grid_a1, born=datetime.date(1971, 9, 13))
    client.force_login(officer_a)
    page = client.get(party.case.get_absolute_url()).content.decode()
    assert party.masked_id_number in page
    assert party.id_number not in page


def test_a_move_by_someone_who_does_not_hold_the_item_is_refused_on_the_page(
    client, district, officer_a
):
    holder = staff_user(role=Role.POLICE_OFFICER, unit=district.community_a, username="holder")
    item = item_in(district.grid_a1, holder=holder)
    client.force_login(officer_a)
    page = client.get(item.get_absolute_url()).content.decode()
    assert reverse("cases:item_move", args=[item.pk]) not in page  # no button offered
    response = client.post(
        reverse("cases:item_move", args=[item.pk]),
        {"kind": "transfer", "to_outside": "市场监管局", "reason": "移送"},
    )
    assert response.status_code == 422
    assert "You do not hold this item" in response.content.decode()
    assert CustodyMove.objects.filter(item=item).count() == 1


def test_the_ledger_prints_the_items_with_their_quantities(client, district, officer_a):
    item_in(district.grid_a1, quantity=Decimal("55"), description="假冒84消毒液原液")
    client.force_login(officer_a)
    page = client.get(reverse("cases:items_print")).content.decode()
    assert "假冒84消毒液原液" in page and 'data-testid="print-quantity">55<' in page


def test_figures_match_the_lists(client, district, officer_a):
    case = case_in(district.grid_a1)
    case_in(district.grid_a1, kind="counterfeit_goods", state=CaseState.CLOSED)
    case_in(district.grid_b1)  # another community's
    item_in(district.grid_a1, case=case)
    client.force_login(officer_a)
    figures = client.get("/api/v1/cases/figures").json()
    listed = client.get("/api/v1/cases/cases").json()
    assert figures["cases"] == listed["count"] == 2
    assert figures["by_state"] == {"registered": 1, "closed": 1}
    assert figures["items"] == client.get("/api/v1/cases/items").json()["count"] == 1
    page = client.get(reverse("cases:figures")).content.decode()
    assert 'data-testid="cases-total">2<' in page


def test_the_api_records_a_deferred_detention_and_gives_the_engines_dates(
    client, district, officer_a
):
    party = party_in(district.grid_a1)
    client.force_login(officer_a)
    url = f"/api/v1/cases/cases/{party.case.pk}/measures"
    body = {
        "kind": "detention",
        "party_id": party.pk,
        "decided_on": "2020-02-10",
        "detention_days": 15,
        "detention_start": "2020-02-10T07:00:00Z",
        "deferral_days": 30,
        "deferral_reason": "疫情期间",
    }
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["deferral_until"], data["custody_from"], data["custody_until"]) == (
        "2020-03-10",
        "2020-03-11",
        "2020-03-25",
    )
    bad = client.post(
        url, json.dumps({**body, "deferral_days": -3}), content_type="application/json"
    )
    assert bad.status_code == 422
    assert Measure.objects.count() == 1
    detail = client.get(f"/api/v1/cases/cases/{party.case.pk}").json()
    assert detail["parties"][0]["id_number_masked"] == party.masked_id_number


def test_the_api_move_by_a_non_holder_is_refused_with_nothing_written(client, district, officer_a):
    item = item_in(district.grid_a1)
    client.force_login(officer_a)
    response = client.post(
        f"/api/v1/cases/items/{item.pk}/moves",
        json.dumps({"kind": "transfer", "to_outside": "市场监管局", "reason": "移送"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert item.moves.count() == 1


def test_a_disposal_needs_the_other_officers_approval_on_the_page(client, district, officer_a):
    colleague = staff_user(role=Role.POLICE_OFFICER, unit=district.community_a, username="c2")
    item = item_in(district.grid_a1, holder=officer_a)
    client.force_login(officer_a)
    client.post(
        reverse("cases:disposal_request", args=[item.pk]),
        {"kind": "destroy", "to_outside": "危废处置中心", "reason": "假冒伪劣"},
    )
    page = client.get(item.get_absolute_url()).content.decode()
    assert reverse("cases:disposal_decide", args=[item.pk]) not in page
    client.force_login(colleague)
    assert (
        reverse("cases:disposal_decide", args=[item.pk])
        in client.get(item.get_absolute_url()).content.decode()
    )
    client.post(reverse("cases:disposal_decide", args=[item.pk]), {"approve": "1"})
    item.refresh_from_db()
    assert item.state == MoveKind.DESTROY + "ed"
    assert services.allowed_transitions(item.case, colleague)
